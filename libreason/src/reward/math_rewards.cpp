// Rewards that grade the math answer: accuracy (open-r1 / Open-RS), the cosine-scaled length
// reward, Kimi's length reward and DeepScaleR's binary reward.
#include <cmath>
#include <optional>

#include "math/normalize.h"
#include "reason/core/error.h"
#include "reason/math/verify.h"
#include "reason/reward/shaping.h"
#include "reward/math_check.h"
#include "reward/rewards.h"

namespace reason::reward_detail {
namespace {

const double kNaN = std::nan("");

class AccuracyReward : public Reward {
 public:
  explicit AccuracyReward(const nlohmann::json& options) {
    RewardOptions o(options);
    open_rs_ = o.choice("variant", "open_r1", {"open_r1", "open_rs"}) == "open_rs";
    check_ = std::make_unique<MathCheck>(o, open_rs_ ? MathFamily::OpenRSAccuracy : MathFamily::OpenR1Accuracy);
    o.finish();
  }
  const std::string& name() const override { return name_; }
  std::vector<double> score(const std::vector<RewardSample>& batch) override {
    check_->new_batch();
    std::vector<double> out;
    for (const auto& s : batch) {
      switch (check_->check(s)) {
        case Outcome::Correct: out.push_back(1.0); break;
        case Outcome::Wrong: out.push_back(0.0); break;
        // open-r1 skips a sample whose gold does not parse; Open-RS rewards it with 1.
        case Outcome::GoldUnparseable: out.push_back(open_rs_ ? 1.0 : kNaN); break;
        case Outcome::NoGold: out.push_back(kNaN); break;
      }
    }
    return out;
  }

 private:
  std::string name_ = "accuracy";
  bool open_rs_ = false;
  std::unique_ptr<MathCheck> check_;
};

// Length in characters (open-r1) or tokens, and the max_len that goes with it.
struct LengthUnit {
  bool tokens = false;
  explicit LengthUnit(RewardOptions& o) { tokens = o.choice("length_unit", "chars", {"chars", "tokens"}) == "tokens"; }
  double of(const RewardSample& s) const {
    return tokens ? static_cast<double>(s.completion_ids.size()) : static_cast<double>(utf8_char_count(s.completion));
  }
};

class CosineReward : public Reward {
 public:
  explicit CosineReward(const nlohmann::json& options) {
    RewardOptions o(options);
    p_.min_value_wrong = o.number("min_value_wrong", 0.0);
    p_.max_value_wrong = o.number("max_value_wrong", -0.5);
    p_.min_value_correct = o.number("min_value_correct", 0.5);
    p_.max_value_correct = o.number("max_value_correct", 1.0);
    p_.max_len = o.number("max_len", 1000);
    p_.clamp = o.boolean("clamp", false);
    unit_ = std::make_unique<LengthUnit>(o);
    if (p_.max_len < 0 || (p_.max_len == 0 && !unit_->tokens))
      throw ConfigError("max_len", "must be positive (0 means the sample's token budget, with length_unit: tokens)");
    check_ = std::make_unique<MathCheck>(o, MathFamily::LengthRewards);
    o.finish();
  }
  const std::string& name() const override { return name_; }
  std::vector<double> score(const std::vector<RewardSample>& batch) override {
    check_->new_batch();
    std::vector<double> out;
    for (const auto& s : batch) {
      Outcome r = check_->check(s);
      if (r == Outcome::NoGold) {
        out.push_back(kNaN);
        continue;
      }
      if (r == Outcome::GoldUnparseable) {  // open-r1: 1.0 to "skip" it
        out.push_back(1.0);
        continue;
      }
      CosineParams p = p_;
      if (p.max_len == 0) {
        if (s.max_completion_tokens <= 0)
          throw InvalidArgument("cosine reward: max_len 0 needs the sample's max_completion_tokens");
        p.max_len = static_cast<double>(s.max_completion_tokens);
      }
      out.push_back(cosine_scaled_reward(unit_->of(s), r == Outcome::Correct, p));
    }
    return out;
  }

 private:
  std::string name_ = "cosine";
  CosineParams p_;
  std::unique_ptr<LengthUnit> unit_;
  std::unique_ptr<MathCheck> check_;
};

class KimiLengthReward : public Reward {
 public:
  explicit KimiLengthReward(const nlohmann::json& options) {
    RewardOptions o(options);
    unit_ = std::make_unique<LengthUnit>(o);
    check_ = std::make_unique<MathCheck>(o, MathFamily::LengthRewards);
    o.finish();
  }
  const std::string& name() const override { return name_; }
  std::vector<double> score(const std::vector<RewardSample>& batch) override {
    check_->new_batch();
    // Over the samples that have a gold answer (an unparseable gold counts as correct).
    std::vector<size_t> idx;
    std::vector<double> lengths;
    std::vector<bool> correct;
    for (size_t i = 0; i < batch.size(); ++i) {
      Outcome r = check_->check(batch[i]);
      if (r == Outcome::NoGold) continue;
      idx.push_back(i);
      lengths.push_back(unit_->of(batch[i]));
      correct.push_back(r != Outcome::Wrong);
    }
    std::vector<double> out(batch.size(), kNaN);
    auto v = kimi_length_reward(lengths, correct);
    for (size_t k = 0; k < idx.size(); ++k) out[idx[k]] = v[k];
    return out;
  }

 private:
  std::string name_ = "length";
  std::unique_ptr<LengthUnit> unit_;
  std::unique_ptr<MathCheck> check_;
};

// DeepScaleR's last \boxed{...} (last_boxed_only_string + remove_boxed): nullopt when absent,
// unbalanced, or not of the form \boxed{...}.
std::optional<std::string> deepscaler_boxed(std::string_view s) {
  size_t idx = s.rfind("\\boxed");
  if (idx == std::string_view::npos) idx = s.rfind("\\fbox");
  if (idx == std::string_view::npos) return std::nullopt;
  int depth = 0;
  for (size_t i = idx; i < s.size(); ++i) {
    if (s[i] == '{') ++depth;
    if (s[i] == '}' && --depth == 0) {
      std::string_view box = s.substr(idx, i + 1 - idx);
      const std::string_view left = "\\boxed{";
      if (box.substr(0, left.size()) != left) return std::nullopt;
      return std::string(box.substr(left.size(), box.size() - left.size() - 1));
    }
  }
  return std::nullopt;
}

class DeepScaleRReward : public Reward {
 public:
  explicit DeepScaleRReward(const nlohmann::json& options) {
    RewardOptions o(options);
    field_ = o.string("answer_field", "answer");
    require_think_open_ = o.boolean("require_think_open", true);
    vo_.float_rounding = static_cast<int>(o.integer("precision", 6));
    vo_.timeout_seconds = o.number("timeout_seconds", 5.0);
    po_.timeout_seconds = vo_.timeout_seconds;
    o.finish();
  }
  const std::string& name() const override { return name_; }
  std::vector<double> score(const std::vector<RewardSample>& batch) override {
    std::vector<double> out;
    for (const auto& s : batch) out.push_back(score_one(s));
    return out;
  }

 private:
  std::vector<std::string> golds(const nlohmann::json& fields) const {
    std::vector<std::string> out;
    if (!fields.is_object() || !fields.contains(field_) || fields[field_].is_null()) return out;
    std::vector<nlohmann::json> values;
    if (fields[field_].is_array())
      values.assign(fields[field_].begin(), fields[field_].end());
    else
      values.push_back(fields[field_]);
    for (const auto& v : values) {
      std::string t = v.is_string() ? v.get<std::string>() : v.dump();
      if (t.find("\\boxed") != std::string::npos) {
        if (auto b = deepscaler_boxed(t)) out.push_back(*b);
      } else {
        out.push_back(t);
      }
    }
    return out;
  }

  double score_one(const RewardSample& s) const {
    auto gold = golds(s.fields);
    if (gold.empty()) return kNaN;
    const std::string& c = s.completion;
    // The answer must come after the reasoning: text between the first and second </think>.
    size_t end = c.find("</think>");
    if (end == std::string::npos || (require_think_open_ && c.find("<think>") == std::string::npos)) return 0.0;
    size_t from = end + 8;
    size_t next = c.find("</think>", from);
    std::string_view solution = std::string_view(c).substr(from, next == std::string::npos ? std::string::npos : next - from);
    auto answer = deepscaler_boxed(solution);
    if (!answer) return 0.0;
    auto pred = math::parse("$" + *answer + "$", po_);
    for (const auto& g : gold)
      if (math::verify(math::parse("$" + g + "$", po_), pred, vo_)) return 1.0;
    return 0.0;
  }

  std::string name_ = "deepscaler";
  std::string field_;
  bool require_think_open_ = true;
  math::ParseOptions po_;
  math::VerifyOptions vo_;
};

}  // namespace

std::unique_ptr<Reward> make_accuracy(const nlohmann::json& o) { return std::make_unique<AccuracyReward>(o); }
std::unique_ptr<Reward> make_cosine(const nlohmann::json& o) { return std::make_unique<CosineReward>(o); }
std::unique_ptr<Reward> make_length(const nlohmann::json& o) { return std::make_unique<KimiLengthReward>(o); }
std::unique_ptr<Reward> make_deepscaler(const nlohmann::json& o) { return std::make_unique<DeepScaleRReward>(o); }

}  // namespace reason::reward_detail
