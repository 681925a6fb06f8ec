#pragma once
// "Is this completion's answer right?" as each reward family of open-r1/Open-RS asks it; the
// families differ in how the gold is parsed, how the prediction is extracted, the argument
// order of verify() and what an unparseable gold means (algorithms.md §2).
#include <map>
#include <string>

#include "reason/math/verify.h"
#include "reason/reward/options.h"
#include "reason/reward/reward.h"

namespace reason::reward_detail {

enum class MathFamily {
  OpenR1Accuracy,  // gold: LaTeX + expr, first match; verify(gold, pred); unparseable gold -> skip
  OpenRSAccuracy,  // gold: LaTeX only; verify(pred, gold); unparseable gold -> 1.0
  LengthRewards,   // cosine/length: gold LaTeX only; prediction boxed normalisation off; verify(pred, gold)
};

enum class Outcome { Correct, Wrong, GoldUnparseable, NoGold };

class MathCheck {
 public:
  // Reads solution_field, gold_wrap, precision, strict, allow_set_relation_comp, timeout_seconds.
  MathCheck(RewardOptions& options, MathFamily family);
  Outcome check(const RewardSample& sample);
  // Clears the per-batch cache of parsed golds.
  void new_batch() { gold_cache_.clear(); }

 private:
  MathFamily family_;
  std::string field_;
  bool wrap_gold_ = false;
  math::ParseOptions gold_options_, pred_options_;
  math::VerifyOptions verify_options_;
  std::map<std::string, math::ParsedAnswer> gold_cache_;
};

// The gold text of a dataset field: strings as they are, numbers printed; "" when absent.
std::string gold_text(const nlohmann::json& fields, const std::string& field);

}  // namespace reason::reward_detail
