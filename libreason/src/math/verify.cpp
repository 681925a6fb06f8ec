#include "reason/math/verify.h"

#include "math/budget.h"
#include "math/compare.h"
#include "math/normalize.h"
#include "math/parsed_answer.h"
#include "reason/core/error.h"

namespace reason::math {

ParsedAnswer::ParsedAnswer() : impl_(std::make_unique<Impl>()) {}
ParsedAnswer::~ParsedAnswer() = default;
ParsedAnswer::ParsedAnswer(const ParsedAnswer& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
ParsedAnswer& ParsedAnswer::operator=(const ParsedAnswer& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
ParsedAnswer::ParsedAnswer(ParsedAnswer&&) noexcept = default;
ParsedAnswer& ParsedAnswer::operator=(ParsedAnswer&&) noexcept = default;

bool ParsedAnswer::empty() const { return impl_->items.empty(); }
size_t ParsedAnswer::size() const { return impl_->items.size(); }
const std::string& ParsedAnswer::extracted() const { return impl_->extracted; }
bool ParsedAnswer::timed_out() const { return impl_->timed_out; }

std::vector<std::string> ParsedAnswer::candidates() const {
  std::vector<std::string> out;
  for (const auto& c : impl_->items) out.push_back(c.expr ? detail::to_string(c.expr) : c.text);
  return out;
}

bool verify(const ParsedAnswer& gold, const ParsedAnswer& pred, const VerifyOptions& options) {
  for (const auto& g : gold.impl().items) {
    for (const auto& p : pred.impl().items) {
      if (g.expr && p.expr) {
        try {
          detail::BudgetScope budget(options.timeout_seconds);
          if (detail::expr_equal(g.expr, p.expr, options)) return true;
        } catch (const detail::Timeout&) {
          // a comparison that runs out of time counts as "not equal", as in Math-Verify
        } catch (const std::exception&) {
        }
      } else if (!g.expr && !p.expr) {
        std::string a = detail::py_strip(g.text), b = detail::py_strip(p.text);
        if (!a.empty() && a == b) return true;
      }
    }
  }
  return false;
}

GradeResult grade(std::string_view gold, std::string_view pred, const ParseOptions& parse_options,
                  const VerifyOptions& verify_options) {
  GradeResult r;
  ParsedAnswer g = parse(gold, parse_options);
  ParsedAnswer p = parse(pred, parse_options);
  r.gold_parsed = !g.empty();
  r.extracted = p.extracted();
  r.correct = verify(g, p, verify_options);
  return r;
}

std::vector<ExtractionTarget> targets_from_names(const std::vector<std::string>& names) {
  std::vector<ExtractionTarget> out;
  for (const auto& n : names) {
    if (n == "latex") {
      LatexExtractionConfig c;
      c.boxed_match_priority = 0;
      out.push_back(ExtractionTarget::Latex(c));
    } else if (n == "expr") {
      out.push_back(ExtractionTarget::Expr());
    } else {
      throw ConfigError("targets", "unknown extraction target '" + n + "' (known: latex, expr)");
    }
  }
  if (out.empty()) throw ConfigError("targets", "needs at least one of latex, expr");
  return out;
}

}  // namespace reason::math
