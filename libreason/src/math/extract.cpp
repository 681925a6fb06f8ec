// Answer extraction with Math-Verify's priorities. Each target contributes regexes with a
// priority (lower first): "final answer is X. I hope" (0), \boxed{} (boxed_match_priority),
// "final answer ... is X" (50), "answer: X" (100), "answer ... X" (200), anything (300).
// Within a priority the match that ends rightmost is tried first; up to six LaTeX pieces
// joined by ",", "and", "or" form one answer.
#include <algorithm>
#include <map>
#include <mutex>

#include "math/budget.h"
#include "math/latex_parser.h"
#include "math/normalize.h"
#include "math/numbers.h"
#include "math/parsed_answer.h"
#include "math/regex.h"

namespace reason::math {
namespace detail {
namespace {

const char* const kEnvNames[] = {"latexDisplayDollar",     "latexDisplayBracket", "latexInlineDollar",
                                 "latexInlineParenthesis", "latexInlineBracket",  "latexFraction",
                                 "latexBoxed"};
const char* const kPrefixes[] = {"first_", "next1_", "next2_", "next3_", "next4_", "next5_"};

// One LaTeX environment ($..$, $$..$$, \[..\], \(..\), " [..] ", a bare \frac{a}{b}) with an
// optional percent sign after it. In "boxed" context the content must hold a \boxed{...}.
std::string latex_env(const std::string& prefix, bool boxed) {
  std::string display_dollar = R"((?:[^$]|\$(?!\$)))";
  std::string display_bracket = R"((?:[^\\]|\\(?!\])))";
  std::string inline_dollar = R"((?:\\[$]|[^\n$]))";
  std::string inline_paren = R"((?:[^\\\n]|\\(?!\))))";
  std::string inline_bracket = R"([^\n\]\[])";
  auto body = [&](const std::string& c) {
    return boxed ? c + "*?\\\\boxed\\{" + c + "+?\\}" + c + "*?" : c + "+?";
  };
  std::vector<std::string> alts = {
      "(?<!\\\\)\\$\\$(?<" + prefix + "latexDisplayDollar>" + body(display_dollar) + ")(?<!\\\\)\\$\\$",
      "(?<!\\\\)\\\\\\[(?<" + prefix + "latexDisplayBracket>" + body(display_bracket) + ")(?<!\\\\)\\\\\\]",
      "(?<!\\\\|\\d)\\$(?<" + prefix + "latexInlineDollar>" + body(inline_dollar) + ")(?<!\\\\)\\$",
      "(?<!\\\\)\\\\\\((?<" + prefix + "latexInlineParenthesis>" + body(inline_paren) + ")(?<!\\\\)\\\\\\)",
      "\\s\\[(?<" + prefix + "latexInlineBracket>" + body(inline_bracket) + ")\\]\\s",
  };
  if (!boxed) {
    std::string num = R"(-?\d+(?:[.,]\d+)?)";
    alts.push_back("(?<" + prefix + "latexFraction>-?\\\\frac\\{" + num + "\\}\\{" + num + "\\})");
  }
  std::string joined;
  for (const auto& a : alts) joined += (joined.empty() ? "" : "|") + a;
  return "(?:(?:" + joined + ")\\s*(?<" + prefix + "percent>(?:\\\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))?)";
}

struct Rx {
  std::unique_ptr<Regex> re;
  int priority;
  // latex: [prefix][env] group numbers and [prefix] percent group; expr: number groups
  std::vector<std::vector<int>> env_groups;
  std::vector<int> percent_groups;
  std::vector<int> integer_groups, decimal_groups;
  int percent = -1, expr = -1;
};

void index_latex_groups(Rx& r) {
  for (const char* prefix : kPrefixes) {
    std::vector<int> g;
    for (const char* env : kEnvNames) g.push_back(r.re->group_index(std::string(prefix) + env));
    r.env_groups.push_back(g);
    r.percent_groups.push_back(r.re->group_index(std::string(prefix) + "percent"));
  }
}

std::vector<Rx> build_latex(const LatexExtractionConfig& c) {
  std::string envs = latex_env("first_", false);
  for (int i = 1; i <= 5; ++i)
    envs += "(?:\\s*(?:,?and|,?or|,)\\s*" + latex_env("next" + std::to_string(i) + "_", false) + ")?";
  envs = "(?:" + envs + ")";
  std::vector<std::pair<std::string, int>> pats = {
      {"(?i:final answer is)\\:?\\s*" + envs + "\\.?\\s?I hope", 0},
      {"(?i:final answer.{0,100}?)\\s+is\\:?\\s*" + envs, 50},
      {"(?i:answer):.{0,50}?" + envs, 100},
      {"(?i:answer).{0,50}?" + envs, 200},
  };
  if (c.try_extract_without_anchor) pats.push_back({envs, 300});
  if (c.boxed_match_priority >= 0) {
    std::string boxed = latex_env("first_", true);
    for (int i = 1; i <= 5; ++i)
      boxed += "\\s*(?:\\s*(?:,?and|,?or|,)\\s*" + latex_env("next" + std::to_string(i) + "_", true) + ")?";
    pats.push_back({boxed, c.boxed_match_priority});
    pats.push_back({R"((?<first_latexBoxed>\\boxed\{.+\}))", c.boxed_match_priority});
  }
  std::vector<Rx> out;
  for (auto& [p, prio] : pats) {
    Rx r;
    r.re = std::make_unique<Regex>(p, Regex::kDotAll);
    r.priority = prio;
    index_latex_groups(r);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Rx> build_expr(const ExprExtractionConfig& c) {
  const std::string number =
      R"((?<!\d)(?:(?<integer1>-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(?<decimal1>\.\d+)?|(?<integer2>-?\d+)(?<decimal2>[.,]\d+)|(?<decimal3>\.\d+)|(?<integer3>-?\d+))(?<percent>\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?)";
  const std::string ops = R"(\+\-\*×\/\^\(\)÷)";
  const std::string chars = R"([\d\.\s)" + ops + "]";
  const std::string expr = "(?<expr>-?\\(?-?\\d" + chars + "*[" + ops + "]" + chars + "+\\)?)";
  const std::string currency = R"([$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻₼₽₾₿])";
  const std::string prefix = R"((?:^|\s|\=)(?:\*\*)?)";
  const std::string suffix = R"((?:\*\*)?(?:\.|,|:|\s|\)|\$|$))";
  const std::string expr_anchored = "(?:" + prefix + expr + suffix + ")";
  const std::string number_anchored = "(?:" + prefix + currency + "?" + number + ")";
  const std::string either = "(?:" + expr_anchored + "|" + number_anchored + ")";
  std::vector<std::pair<std::string, int>> pats = {
      {"(?i:final answer is)\\:?\\s*" + either + "\\.?\\s?I hope", 0},
      {"(?i:final answer.{0,100}?)\\s+is\\:?" + either, 50},
      {"(?i:answer):(?:.{0,100}=\\s*|.{0,50}?)" + either + "(?!\\s*=)", 100},
      {"(?i:answer)(?:.{0,100}=\\s*|.{0,50}?)" + either + "(?!\\s*=)", 200},
  };
  if (c.try_extract_without_anchor) {
    pats.push_back({expr_anchored, 300});
    pats.push_back({number_anchored, 300});
  }
  std::vector<Rx> out;
  for (auto& [p, prio] : pats) {
    Rx r;
    r.re = std::make_unique<Regex>(p);
    r.priority = prio;
    for (const char* n : {"integer1", "integer2", "integer3"}) r.integer_groups.push_back(r.re->group_index(n));
    for (const char* n : {"decimal1", "decimal2", "decimal3"}) r.decimal_groups.push_back(r.re->group_index(n));
    r.percent = r.re->group_index("percent");
    r.expr = r.re->group_index("expr");
    out.push_back(std::move(r));
  }
  return out;
}

// Compiled regexes are cached per configuration (they only depend on two knobs).
const std::vector<Rx>& regexes(const ExtractionTarget& t) {
  static std::mutex mu;
  static std::map<std::tuple<int, bool, int>, std::unique_ptr<std::vector<Rx>>> cache;
  std::lock_guard<std::mutex> lock(mu);
  bool latex = t.kind == ExtractionTarget::Kind::Latex;
  auto key = latex ? std::make_tuple(0, t.latex.try_extract_without_anchor, t.latex.boxed_match_priority)
                   : std::make_tuple(1, t.expr.try_extract_without_anchor, 0);
  auto& slot = cache[key];
  if (!slot) slot = std::make_unique<std::vector<Rx>>(latex ? build_latex(t.latex) : build_expr(t.expr));
  return *slot;
}

// a = b = c -> c, unless the text has commas or semicolons (then it is a list of equations).
std::string last_equation(const std::string& latex) {
  static const Regex eq(R"((?<!\\|<|!|>)=)");
  if (latex.find(',') != std::string::npos || latex.find(';') != std::string::npos) return latex;
  auto m = eq.find_all(latex);
  if (m.size() >= 2) return latex.substr(m.back().end);
  return latex;
}

P parse_latex_or_last_equation(const std::string& latex) {
  try {
    return parse_latex(latex);
  } catch (const ParseError&) {
    std::string last = last_equation(latex);
    if (last == latex) return nullptr;
    try {
      return parse_latex(last);
    } catch (const ParseError&) {
      return nullptr;
    }
  }
}

struct Extracted {
  P expr;
  std::string text;
};

Extracted extract_latex(const Rx& r, const Regex::Match& m, std::string_view s, const LatexExtractionConfig& c) {
  std::vector<P> exprs;
  std::vector<std::string> texts;
  for (size_t prefix = 0; prefix < r.env_groups.size(); ++prefix) {
    int found = -1;
    std::string_view body;
    for (size_t env = 0; env < r.env_groups[prefix].size(); ++env) {
      int g = r.env_groups[prefix][env];
      if (g < 0 || !m.has(g) || m.group(s, g).empty()) continue;
      found = static_cast<int>(env);
      body = m.group(s, g);
      break;
    }
    if (found < 0) continue;
    NormalizationConfig nc = c.normalization;
    if (std::string(kEnvNames[found]) == "latexBoxed") nc.boxed = BoxedMode::Last;
    std::string norm = normalize_latex(body, nc);
    texts.push_back(norm);
    P e = parse_latex_or_last_equation(norm);
    int pg = r.percent_groups[prefix];
    if (e && pg >= 0 && m.has(pg) && !m.group(s, pg).empty()) e = percent(e);
    exprs.push_back(e);
  }
  if (exprs.empty()) return {nullptr, ""};
  if (exprs.size() > 1 && std::all_of(exprs.begin(), exprs.end(), [](const P& e) { return e != nullptr; })) {
    std::vector<P> all;
    for (const auto& e : exprs) {
      if (e->k == K::FSet)
        all.insert(all.end(), e->a.begin(), e->a.end());
      else
        all.push_back(e);
    }
    std::string joined;
    for (size_t i = 0; i < texts.size(); ++i) joined += (i ? " and " : "") + texts[i];
    return {finite_set(all), joined};
  }
  return {exprs[0], texts[0]};
}

Extracted extract_expr(const Rx& r, const Regex::Match& m, std::string_view s) {
  std::string integer, decimal;
  for (int g : r.integer_groups)
    if (g >= 0 && m.has(g) && !m.group(s, g).empty()) {
      integer = std::string(m.group(s, g));
      break;
    }
  for (int g : r.decimal_groups)
    if (g >= 0 && m.has(g) && !m.group(s, g).empty()) {
      decimal = std::string(m.group(s, g));
      break;
    }
  bool pct = r.percent >= 0 && m.has(r.percent) && !m.group(s, r.percent).empty();
  if (!integer.empty() || !decimal.empty()) {
    integer.erase(std::remove_if(integer.begin(), integer.end(), [](char c) { return c == ',' || c == ' '; }),
                  integer.end());
    size_t nz = integer.find_first_not_of('0');
    integer = nz == std::string::npos ? "" : integer.substr(nz);
    if (integer.empty()) integer = "0";
    std::replace(decimal.begin(), decimal.end(), ',', '.');
    std::string text = integer + decimal;
    auto q = parse_decimal(text);
    if (!q) return {nullptr, text};
    P n = decimal.empty() ? rational(*q) : float_number(*q);
    if (pct) n = percent(n);
    return {n, text};
  }
  if (r.expr >= 0 && m.has(r.expr)) {
    std::string e(m.group(s, r.expr));
    std::string plain;
    for (char c : e) {
      if (c == '\n')
        plain += ' ';
      else if (c == '^')
        plain += "**";
      else
        plain += c;
    }
    try {
      return {parse_plain(plain), e};
    } catch (const ParseError&) {
      return {nullptr, e};
    }
  }
  return {nullptr, ""};
}

}  // namespace
}  // namespace detail

ParsedAnswer parse(std::string_view input, const ParseOptions& options) {
  using namespace detail;
  ParsedAnswer out;
  auto& impl = out.impl();
  std::string text = sanitize_utf8(input);
  struct Candidate {
    const Rx* rx;
    size_t target;
    int priority;
  };
  std::vector<Candidate> all;
  try {
    BudgetScope budget(options.timeout_seconds);
    for (size_t t = 0; t < options.targets.size(); ++t)
      for (const Rx& r : regexes(options.targets[t])) all.push_back({&r, t, r.priority});
    std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return a.priority < b.priority; });
    std::vector<std::string> fallbacks;
    bool found_any = false;
    size_t i = 0;
    while (i < all.size()) {
      size_t j = i;
      while (j < all.size() && all[j].priority == all[i].priority) ++j;
      struct Hit {
        Regex::Match m;
        const Candidate* c;
      };
      std::vector<Hit> hits;
      for (size_t k = i; k < j; ++k)
        for (auto& m : all[k].rx->re->find_all(text)) hits.push_back({std::move(m), &all[k]});
      std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
        if (a.m.end != b.m.end) return a.m.end > b.m.end;
        return a.m.start < b.m.start;
      });
      bool extracted = false;
      for (const Hit& h : hits) {
        tick();
        const ExtractionTarget& target = options.targets[h.c->target];
        Extracted x = target.kind == ExtractionTarget::Kind::Latex ? extract_latex(*h.c->rx, h.m, text, target.latex)
                                                                   : extract_expr(*h.c->rx, h.m, text);
        found_any = true;
        if (!x.text.empty()) fallbacks.push_back(x.text);
        if (x.expr) {
          impl.items.push_back({x.expr, x.text});
          impl.extracted = x.text;
          extracted = true;
          break;
        }
        if (options.extraction_mode == ExtractionMode::FirstMatch) break;
      }
      if (extracted || (found_any && options.extraction_mode == ExtractionMode::FirstMatch)) break;
      i = j;
    }
    if (options.fallback_to_string && !fallbacks.empty()) {
      impl.items.push_back({nullptr, fallbacks[0]});
      if (impl.extracted.empty()) impl.extracted = fallbacks[0];
    }
  } catch (const Timeout&) {
    impl.items.clear();
    impl.extracted.clear();
    impl.timed_out = true;
  }
  return out;
}

}  // namespace reason::math
