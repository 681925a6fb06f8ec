#pragma once
// Supervised fine-tuning on (prompt, completion) rows: the warm start before RL. The loss is the
// mean negative log-likelihood of the completion tokens (and EOS) over the whole batch; it
// trains the adapters, or the base weights themselves with lora.enabled: false.
#include <memory>
#include <vector>

#include "reason/data/prompt_data.h"
#include "reason/train/trainer.h"

namespace reason {

class SftStrategy : public Strategy {
 public:
  explicit SftStrategy(const TrainConfig& config) : config_(config) {}
  void setup(TrainContext& ctx) override;
  nlohmann::json train_step(TrainContext& ctx) override;
  nlohmann::json state() const override { return {{"pool", pool_->state()}}; }
  void load_state(const nlohmann::json& state) override;

 private:
  const TrainConfig& config_;
  std::vector<PromptRow> rows_;
  std::unique_ptr<PromptPool> pool_;
  std::map<int64_t, std::pair<std::vector<int64_t>, std::vector<int64_t>>> encoded_;  // prompt, completion
};

}  // namespace reason
