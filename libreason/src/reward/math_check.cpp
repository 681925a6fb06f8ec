#include "reward/math_check.h"

#include "reason/core/error.h"

namespace reason::reward_detail {

std::string gold_text(const nlohmann::json& fields, const std::string& field) {
  if (!fields.is_object()) return "";
  auto it = fields.find(field);
  if (it == fields.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  throw InvalidArgument("dataset field '" + field + "' must be a string or a number, got " + it->dump());
}

MathCheck::MathCheck(RewardOptions& o, MathFamily family) : family_(family) {
  field_ = o.string("solution_field", "solution");
  wrap_gold_ = o.choice("gold_wrap", "none", {"none", "dollars"}) == "dollars";
  verify_options_.float_rounding = static_cast<int>(o.integer("precision", 6));
  verify_options_.strict = o.boolean("strict", true);
  verify_options_.allow_set_relation_comp = o.boolean("allow_set_relation_comp", false);
  double timeout = o.number("timeout_seconds", 5.0);
  if (timeout <= 0) throw ConfigError("timeout_seconds", "must be positive");
  if (verify_options_.float_rounding < 0 || verify_options_.float_rounding > 50)
    throw ConfigError("precision", "must be between 0 and 50");
  verify_options_.timeout_seconds = timeout;

  gold_options_.extraction_mode = math::ExtractionMode::FirstMatch;
  gold_options_.timeout_seconds = timeout;
  if (family == MathFamily::OpenR1Accuracy)
    gold_options_.targets = {math::ExtractionTarget::Latex(), math::ExtractionTarget::Expr()};
  else
    gold_options_.targets = {math::ExtractionTarget::Latex()};

  // The prediction must be proper LaTeX (no malformed-operator repair), \boxed first, no
  // anchor-free matches. cosine/length pass boxed=True, which normalize_latex ignores.
  math::LatexExtractionConfig pred;
  pred.boxed_match_priority = 0;
  pred.try_extract_without_anchor = false;
  pred.normalization = {true, true, false, false,
                        family == MathFamily::LengthRewards ? math::BoxedMode::None : math::BoxedMode::All, true};
  pred_options_.targets = {math::ExtractionTarget::Latex(pred)};
  pred_options_.extraction_mode = math::ExtractionMode::FirstMatch;
  pred_options_.timeout_seconds = timeout;
}

Outcome MathCheck::check(const RewardSample& s) {
  std::string gold = gold_text(s.fields, field_);
  if (gold.empty()) return Outcome::NoGold;
  if (wrap_gold_) gold = "$" + gold + "$";
  auto it = gold_cache_.find(gold);
  if (it == gold_cache_.end()) it = gold_cache_.emplace(gold, math::parse(gold, gold_options_)).first;
  const math::ParsedAnswer& g = it->second;
  if (g.empty()) return Outcome::GoldUnparseable;
  math::ParsedAnswer p = math::parse(s.completion, pred_options_);
  bool ok = family_ == MathFamily::OpenR1Accuracy ? math::verify(g, p, verify_options_) : math::verify(p, g, verify_options_);
  return ok ? Outcome::Correct : Outcome::Wrong;
}

}  // namespace reason::reward_detail
