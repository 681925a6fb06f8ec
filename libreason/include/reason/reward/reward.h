#pragma once
// Rewards for RL with verifiable rewards. A Reward scores a batch of completions; NaN means
// "not applicable to this sample" (e.g. a math reward on a code prompt) and is left out of the
// weighted sum, as TRL does with None. Rewards are created by name from a registry, so a
// training config can say
//   rewards: [{name: accuracy, weight: 2.0, options: {solution_field: answer}}, {name: format}]
// and user code can add its own (examples/custom_reward).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace reason {

// One completion to score.
struct RewardSample {
  std::string prompt;                  // rendered prompt text
  std::string completion;              // decoded completion text
  std::vector<int64_t> completion_ids;
  bool truncated = false;              // hit the length budget without EOS
  int64_t max_completion_tokens = 0;   // the length budget in force (overlong/length rewards)
  nlohmann::json fields;               // the dataset row (solution/answer, tests, ...)
};

class Reward {
 public:
  virtual ~Reward() = default;
  virtual const std::string& name() const = 0;
  // One value per sample, NaN when the reward does not apply to that sample.
  virtual std::vector<double> score(const std::vector<RewardSample>& batch) = 0;
};

// Builds a reward from its options (a JSON object; unknown keys are a ConfigError).
using RewardFactory = std::function<std::unique_ptr<Reward>(const nlohmann::json& options)>;

class RewardRegistry {
 public:
  // Throws InvalidArgument if `name` is taken.
  void add(const std::string& name, RewardFactory factory);
  // Throws ConfigError(key_prefix + ".name") listing the known names for an unknown name, and
  // re-raises option errors with `key_prefix` in front of the option key
  // (e.g. "rewards.1.options.max_len").
  std::unique_ptr<Reward> create(const std::string& name, const nlohmann::json& options = nlohmann::json::object(),
                                 const std::string& key_prefix = "") const;
  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;  // sorted
  // The process-wide registry, with every built-in reward registered (docs/rewards.md).
  static RewardRegistry& global();

 private:
  mutable std::mutex mu_;
  std::map<std::string, RewardFactory> factories_;
};

// Registers the built-in rewards (accuracy, format, tag_count, reasoning_steps, cosine,
// repetition_penalty, length, soft_overlong_punishment, code, binary_code, code_format,
// deepscaler) on `registry`; global() does this once.
void register_builtin_rewards(RewardRegistry& registry);

// TRL's combination of several rewards: total[i] = sum over rewards r with a value of
// weight[r] * value[r][i]; NaN when no reward applies to sample i.
std::vector<double> combine_rewards(const std::vector<std::vector<double>>& per_reward,
                                    const std::vector<double>& weights);

struct RewardSpec {
  std::string name;
  double weight = 1.0;
  nlohmann::json options = nlohmann::json::object();
};

// A weighted sum of named rewards.
class WeightedRewards {
 public:
  WeightedRewards() = default;
  // Creates each reward from `registry`; errors name "<key>.<index>.<field>".
  WeightedRewards(const std::vector<RewardSpec>& specs, const RewardRegistry& registry = RewardRegistry::global(),
                  const std::string& key = "rewards");
  void add(std::unique_ptr<Reward> reward, double weight);

  struct Scores {
    std::vector<std::string> names;
    std::vector<std::vector<double>> per_reward;  // [reward][sample], NaN = not applicable
    std::vector<double> total;                    // [sample]
  };
  Scores score(const std::vector<RewardSample>& batch);

  size_t size() const { return rewards_.size(); }
  const std::vector<double>& weights() const { return weights_; }

 private:
  std::vector<std::unique_ptr<Reward>> rewards_;
  std::vector<double> weights_;
};

}  // namespace reason
