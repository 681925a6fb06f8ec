// Registering your own reward by name and using it next to the built-in ones, the way a
// training config does:
//   rewards: [{name: accuracy, weight: 2.0, options: {solution_field: answer, gold_wrap: dollars}},
//             {name: keyword, weight: 0.5, options: {word: verify}}]
#include <reason/reward/options.h>
#include <reason/reward/reward.h>

#include <cmath>
#include <iostream>

namespace {

// 1 if the completion mentions `word` (e.g. the model checks its answer), else 0.
class KeywordReward : public reason::Reward {
 public:
  explicit KeywordReward(std::string word) : word_(std::move(word)) {}
  const std::string& name() const override { return name_; }
  std::vector<double> score(const std::vector<reason::RewardSample>& batch) override {
    std::vector<double> out;
    for (const auto& s : batch)
      out.push_back(s.completion.empty() ? std::nan("") : (s.completion.find(word_) != std::string::npos ? 1.0 : 0.0));
    return out;
  }

 private:
  std::string name_ = "keyword", word_;
};

}  // namespace

int main() {
  reason::RewardRegistry::global().add("keyword", [](const nlohmann::json& options) {
    reason::RewardOptions o(options);           // validates the options: unknown keys are errors
    std::string word = o.string("word", "check");
    o.finish();
    return std::make_unique<KeywordReward>(word);
  });

  reason::WeightedRewards rewards({
      {"accuracy", 2.0, {{"solution_field", "answer"}, {"gold_wrap", "dollars"}}},
      {"keyword", 0.5, {{"word", "verify"}}},
  });

  std::vector<reason::RewardSample> batch(3);
  batch[0].completion = "2 + 2 = 4. Let me verify: yes. The answer is $\\boxed{4}$.";
  batch[1].completion = "The answer is $\\boxed{5}$.";
  batch[2].completion = "Let me verify... $\\boxed{\\frac{8}{2}}$";
  for (auto& s : batch) s.fields = {{"answer", "4"}};

  auto scores = rewards.score(batch);
  for (size_t i = 0; i < batch.size(); ++i) {
    std::cout << "sample " << i << ":";
    for (size_t r = 0; r < scores.names.size(); ++r) std::cout << " " << scores.names[r] << "=" << scores.per_reward[r][i];
    std::cout << " total " << scores.total[i] << "\n";
  }
  return 0;
}
