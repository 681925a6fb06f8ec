#pragma once
// Math answer grading with Math-Verify's behaviour (huggingface/Math-Verify): extract the
// answer from free text (\boxed{}, "final answer is", LaTeX environments, plain numbers),
// normalise it, parse it into exact mathematics and compare it with a gold answer.
//
//   auto gold = reason::math::parse("$\\frac{1}{2}$");
//   auto pred = reason::math::parse("... so the answer is $\\boxed{0.5}$.");
//   bool ok = reason::math::verify(gold, pred);            // true
//
// verify(gold, pred) is asymmetric like Math-Verify's: "x = 1" in the prediction is reduced to
// 1 when the gold is a plain value, and an inequality is turned into its solution set only on
// the gold side unless allow_set_relation_comp is set (echoing "-2 \le x \le 7" back does not
// match a gold interval). Every call is time-bounded; nothing here throws on bad input.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace reason::math {

enum class BoxedMode { All, Last, None };

// latex2sympy2_extended's NormalizationConfig.
struct NormalizationConfig {
  bool basic_latex = true;          // \left/\right, \dfrac, \text{...}, "and"/"or", percent words, ...
  bool units = false;               // strip trailing units ("cm", "\text{ miles}", "^\circ" stays)
  bool malformed_operators = false; // \frac12, \sqrt3, sqrt(2), a/b with integers
  bool nits = false;                // ".5" -> "0.5", "0.5" -> \frac{1}{2}
  BoxedMode boxed = BoxedMode::All; // take the content of \boxed{} (all of them, or the last group)
  bool equations = false;           // "a = b = c" -> "c" (deprecated in Math-Verify)
};

// Answers inside LaTeX: $...$, $$...$$, \(...\), \[...\], \boxed{...}, bare \frac{a}{b}.
struct LatexExtractionConfig {
  bool try_extract_without_anchor = true;  // also take LaTeX that follows no "answer" phrase
  int boxed_match_priority = 50;            // 0: \boxed first; 50: after "final answer is"; -1: off
  NormalizationConfig normalization{true, true, true, true, BoxedMode::All, false};
};

// Plain numbers and expressions: "1,234.5", "2,74" (decimal comma), "28%", "2/3".
struct ExprExtractionConfig {
  bool try_extract_without_anchor = true;
};

struct ExtractionTarget {
  enum class Kind { Latex, Expr } kind = Kind::Latex;
  LatexExtractionConfig latex;
  ExprExtractionConfig expr;
  static ExtractionTarget Latex(LatexExtractionConfig c = {}) { return {Kind::Latex, c, {}}; }
  static ExtractionTarget Expr(ExprExtractionConfig c = {}) { return {Kind::Expr, {}, c}; }
};

enum class ExtractionMode {
  FirstMatch,  // only the first (highest priority, rightmost) match is tried
  AnyMatch,    // keep trying matches until one parses
};

struct ParseOptions {
  std::vector<ExtractionTarget> targets = {ExtractionTarget::Latex(), ExtractionTarget::Expr()};
  ExtractionMode extraction_mode = ExtractionMode::AnyMatch;
  bool fallback_to_string = true;  // also keep the first matched text (Math-Verify's fallback_mode)
  double timeout_seconds = 5.0;
};

struct VerifyOptions {
  int float_rounding = 6;          // decimals kept when a float is compared ("precision")
  bool strict = true;              // false: variables are matched by position, f(x) == f(y)
  bool allow_set_relation_comp = false;
  double timeout_seconds = 5.0;    // per gold x prediction pair
};

// The extracted and parsed answer: zero or more candidates (parsed expressions and/or the raw
// matched text), as Math-Verify's parse() returns them.
class ParsedAnswer {
 public:
  ParsedAnswer();
  ~ParsedAnswer();
  ParsedAnswer(const ParsedAnswer&);
  ParsedAnswer& operator=(const ParsedAnswer&);
  ParsedAnswer(ParsedAnswer&&) noexcept;
  ParsedAnswer& operator=(ParsedAnswer&&) noexcept;

  bool empty() const;
  size_t size() const;
  // Text of each candidate: the parsed expression in sympy-like notation, or the raw string.
  std::vector<std::string> candidates() const;
  // The answer text that was extracted (normalised LaTeX or the plain match); "" if none.
  const std::string& extracted() const;
  // True when extraction ran out of time.
  bool timed_out() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

ParsedAnswer parse(std::string_view text, const ParseOptions& options = {});

// True if any gold candidate equals any predicted candidate.
bool verify(const ParsedAnswer& gold, const ParsedAnswer& pred, const VerifyOptions& options = {});

// One grading as `reason grade` does it: both texts parsed with `parse_options`, then verify.
struct GradeResult {
  bool correct = false;
  bool gold_parsed = false;  // gold produced at least one candidate
  std::string extracted;     // the prediction's extracted answer
};
GradeResult grade(std::string_view gold, std::string_view pred, const ParseOptions& parse_options = {},
                  const VerifyOptions& verify_options = {});

// The extraction targets used by Math-Verify's own tests and by `reason grade`: names "latex"
// (LaTeX with \boxed first) and "expr". Throws reason::ConfigError on other names.
std::vector<ExtractionTarget> targets_from_names(const std::vector<std::string>& names);

}  // namespace reason::math
