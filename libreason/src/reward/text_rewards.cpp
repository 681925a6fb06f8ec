// Rewards computed from the completion text or length alone: format, tag count, reasoning
// steps, repetition penalty, DAPO's soft overlong punishment and open-r1's code format.
#include <cmath>
#include <map>
#include <mutex>

#include "math/regex.h"
#include "reason/core/error.h"
#include "reason/reward/options.h"
#include "reason/reward/shaping.h"
#include "reward/rewards.h"

namespace reason::reward_detail {
namespace {

// A reward that scores each sample on its own.
class PerSample : public Reward {
 public:
  explicit PerSample(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  std::vector<double> score(const std::vector<RewardSample>& batch) override {
    std::vector<double> out;
    out.reserve(batch.size());
    for (const auto& s : batch) out.push_back(one(s));
    return out;
  }

 protected:
  virtual double one(const RewardSample& s) = 0;

 private:
  std::string name_;
};

class FormatReward : public PerSample {
 public:
  explicit FormatReward(const nlohmann::json& options) : PerSample("format") {
    RewardOptions o(options);
    think_once_ = o.choice("variant", "open_r1", {"open_r1", "think_once"}) == "think_once";
    o.finish();
  }
  double one(const RewardSample& s) override {
    return think_once_ ? format_reward_think_once(s.completion) : format_reward_open_r1(s.completion);
  }

 private:
  bool think_once_ = false;
};

class TagCountReward : public PerSample {
 public:
  explicit TagCountReward(const nlohmann::json& options) : PerSample("tag_count") {
    RewardOptions o(options);
    think_only_ = o.choice("variant", "open_r1", {"open_r1", "think_only"}) == "think_only";
    o.finish();
  }
  double one(const RewardSample& s) override {
    return think_only_ ? tag_count_reward_think_only(s.completion) : tag_count_reward_open_r1(s.completion);
  }

 private:
  bool think_only_ = false;
};

class ReasoningStepsReward : public PerSample {
 public:
  explicit ReasoningStepsReward(const nlohmann::json& options) : PerSample("reasoning_steps") {
    RewardOptions o(options);
    steps_ = o.number("steps", 3.0);
    if (!(steps_ > 0)) throw ConfigError("steps", "must be positive");
    o.finish();
  }
  double one(const RewardSample& s) override { return reasoning_steps_reward(s.completion, steps_); }

 private:
  double steps_;
};

class RepetitionReward : public PerSample {
 public:
  explicit RepetitionReward(const nlohmann::json& options) : PerSample("repetition_penalty") {
    RewardOptions o(options);
    n_ = static_cast<int>(o.integer("ngram_size", 3));
    max_penalty_ = o.number("max_penalty", -1.0);
    std::string language = o.string("language", "en");
    o.finish();
    if (n_ < 1) throw ConfigError("ngram_size", "must be at least 1");
    if (max_penalty_ > 0) throw ConfigError("max_penalty", "must not be positive");
    if (language != "en")
      throw ConfigError("language", "only 'en' (whitespace words) is supported; open-r1's 'zh' needs the jieba segmenter");
  }
  double one(const RewardSample& s) override { return repetition_penalty_reward(s.completion, n_, max_penalty_); }

 private:
  int n_;
  double max_penalty_;
};

class SoftOverlongReward : public PerSample {
 public:
  explicit SoftOverlongReward(const nlohmann::json& options) : PerSample("soft_overlong_punishment") {
    RewardOptions o(options);
    max_len_ = o.integer("max_completion_len", 16384);
    cache_ = o.integer("soft_punish_cache", 4096);
    use_budget_ = o.boolean("use_sample_budget", false);
    o.finish();
    if (cache_ <= 0) throw ConfigError("soft_punish_cache", "must be positive");
    if (!use_budget_ && max_len_ <= cache_) throw ConfigError("max_completion_len", "must exceed soft_punish_cache");
  }
  double one(const RewardSample& s) override {
    int64_t max_len = max_len_;
    if (use_budget_) {
      if (s.max_completion_tokens <= cache_)
        throw InvalidArgument("soft_overlong_punishment: the sample's max_completion_tokens (" +
                              std::to_string(s.max_completion_tokens) + ") must exceed soft_punish_cache");
      max_len = s.max_completion_tokens;
    }
    return soft_overlong_punishment(static_cast<int64_t>(s.completion_ids.size()), max_len, cache_);
  }

 private:
  int64_t max_len_, cache_;
  bool use_budget_;
};

class CodeFormatReward : public PerSample {
 public:
  explicit CodeFormatReward(const nlohmann::json& options) : PerSample("code_format") {
    RewardOptions o(options);
    language_ = o.string("language", "python");
    o.finish();
  }
  double one(const RewardSample& s) override {
    std::string lang = language_;
    if (s.fields.is_object() && s.fields.contains("language") && s.fields["language"].is_string())
      lang = s.fields["language"].get<std::string>();
    const math::detail::Regex& re = pattern(lang);
    std::string text = math::detail::sanitize_utf8(s.completion);
    math::detail::Regex::Match m;
    return re.search(text, 0, m, true) ? 1.0 : 0.0;
  }

 private:
  const math::detail::Regex& pattern(const std::string& lang) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = cache_[lang];
    if (!slot) {
      // The language is quoted (\Q..\E) so that "c++" is a name, not a regex.
      slot = std::make_unique<math::detail::Regex>(
          "^<think>\\n.*?\\n</think>\\n<answer>\\n.*?```\\Q" + lang + "\\E.*?```.*?\\n</answer>$",
          math::detail::Regex::kDotAll | math::detail::Regex::kMultiline);
    }
    return *slot;
  }
  std::string language_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<math::detail::Regex>> cache_;
};

}  // namespace

std::unique_ptr<Reward> make_format(const nlohmann::json& o) { return std::make_unique<FormatReward>(o); }
std::unique_ptr<Reward> make_tag_count(const nlohmann::json& o) { return std::make_unique<TagCountReward>(o); }
std::unique_ptr<Reward> make_reasoning_steps(const nlohmann::json& o) { return std::make_unique<ReasoningStepsReward>(o); }
std::unique_ptr<Reward> make_repetition_penalty(const nlohmann::json& o) { return std::make_unique<RepetitionReward>(o); }
std::unique_ptr<Reward> make_soft_overlong(const nlohmann::json& o) { return std::make_unique<SoftOverlongReward>(o); }
std::unique_ptr<Reward> make_code_format(const nlohmann::json& o) { return std::make_unique<CodeFormatReward>(o); }

}  // namespace reason::reward_detail

namespace reason {

void register_builtin_rewards(RewardRegistry& r) {
  using namespace reward_detail;
  r.add("accuracy", make_accuracy);
  r.add("format", make_format);
  r.add("tag_count", make_tag_count);
  r.add("reasoning_steps", make_reasoning_steps);
  r.add("cosine", make_cosine);
  r.add("repetition_penalty", make_repetition_penalty);
  r.add("length", make_length);
  r.add("soft_overlong_punishment", make_soft_overlong);
  r.add("code_format", make_code_format);
  r.add("deepscaler", make_deepscaler);
  r.add("code", [](const nlohmann::json& o) { return make_code(o, false); });
  r.add("binary_code", [](const nlohmann::json& o) { return make_code(o, true); });
}

}  // namespace reason
