#include <cmath>

#include "reason/core/error.h"
#include "reason/reward/reward.h"

namespace reason {

void RewardRegistry::add(const std::string& name, RewardFactory factory) {
  if (name.empty()) throw InvalidArgument("a reward needs a name");
  if (!factory) throw InvalidArgument("reward '" + name + "' has no factory");
  std::lock_guard<std::mutex> lock(mu_);
  if (factories_.count(name)) throw InvalidArgument("a reward named '" + name + "' is already registered");
  factories_[name] = std::move(factory);
}

bool RewardRegistry::contains(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return factories_.count(name) > 0;
}

std::vector<std::string> RewardRegistry::names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

namespace {
std::string join_key(const std::string& prefix, const std::string& key) {
  if (prefix.empty()) return key;
  if (key.empty()) return prefix;
  return prefix + "." + key;
}
}  // namespace

std::unique_ptr<Reward> RewardRegistry::create(const std::string& name, const nlohmann::json& options,
                                               const std::string& key_prefix) const {
  RewardFactory factory;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = factories_.find(name);
    if (it == factories_.end()) {
      std::string known;
      for (const auto& [n, f] : factories_) known += (known.empty() ? "" : ", ") + n;
      throw ConfigError(join_key(key_prefix, "name"), "unknown reward '" + name + "' (known: " + known + ")");
    }
    factory = it->second;
  }
  const std::string options_key = join_key(key_prefix, "options");
  try {
    auto reward = factory(options);
    if (!reward) throw InvalidArgument("the factory of reward '" + name + "' returned nothing");
    return reward;
  } catch (const ConfigError& e) {
    // Re-key "max_len: must be ..." as "rewards.1.options.max_len: must be ...".
    std::string message = e.what();
    if (!e.key().empty() && message.rfind(e.key() + ": ", 0) == 0) message = message.substr(e.key().size() + 2);
    throw ConfigError(join_key(options_key, e.key()), message);
  }
}

RewardRegistry& RewardRegistry::global() {
  static RewardRegistry* registry = [] {
    auto* r = new RewardRegistry();  // never destroyed: rewards may be created during shutdown
    register_builtin_rewards(*r);
    return r;
  }();
  return *registry;
}

std::vector<double> combine_rewards(const std::vector<std::vector<double>>& per_reward,
                                    const std::vector<double>& weights) {
  if (per_reward.size() != weights.size())
    throw InvalidArgument("combine_rewards: " + std::to_string(per_reward.size()) + " rewards but " +
                          std::to_string(weights.size()) + " weights");
  size_t n = per_reward.empty() ? 0 : per_reward[0].size();
  std::vector<double> total(n, std::nan(""));
  for (size_t r = 0; r < per_reward.size(); ++r) {
    if (per_reward[r].size() != n) throw InvalidArgument("combine_rewards: rewards scored different batch sizes");
    for (size_t i = 0; i < n; ++i) {
      double v = per_reward[r][i];
      if (std::isnan(v)) continue;
      total[i] = (std::isnan(total[i]) ? 0.0 : total[i]) + weights[r] * v;
    }
  }
  return total;
}

WeightedRewards::WeightedRewards(const std::vector<RewardSpec>& specs, const RewardRegistry& registry,
                                 const std::string& key) {
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string prefix = key + "." + std::to_string(i);
    if (!std::isfinite(specs[i].weight)) throw ConfigError(prefix + ".weight", "must be a finite number");
    add(registry.create(specs[i].name, specs[i].options, prefix), specs[i].weight);
  }
}

void WeightedRewards::add(std::unique_ptr<Reward> reward, double weight) {
  if (!reward) throw InvalidArgument("WeightedRewards::add: null reward");
  rewards_.push_back(std::move(reward));
  weights_.push_back(weight);
}

WeightedRewards::Scores WeightedRewards::score(const std::vector<RewardSample>& batch) {
  Scores s;
  for (auto& r : rewards_) {
    s.names.push_back(r->name());
    auto v = r->score(batch);
    if (v.size() != batch.size())
      throw InvalidArgument("reward '" + r->name() + "' returned " + std::to_string(v.size()) + " scores for " +
                            std::to_string(batch.size()) + " samples");
    s.per_reward.push_back(std::move(v));
  }
  s.total = rewards_.empty() ? std::vector<double>(batch.size(), std::nan("")) : combine_rewards(s.per_reward, weights_);
  return s;
}

}  // namespace reason
