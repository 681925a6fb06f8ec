#pragma once
// DeepScaleR (agentica-project; reference/algorithms.md §5) on the GRPO loop: a context-length
// schedule (e.g. 8192 tokens until step 1040, 16384 until 1520, then 24576) with the group size
// growing (8 -> 16), and per phase the micro-batching and the rollout slots (the KV budget).
// The schedule is a function of the step, so a resumed run lands in the same phase; the phase
// index is in the checkpoint for inspection. Its reward is the `deepscaler` reward.
#include "grpo/grpo_strategy.h"

namespace reason {

class DeepscalerStrategy : public GrpoStrategy {
 public:
  explicit DeepscalerStrategy(const TrainConfig& config) : GrpoStrategy(config) {}
  nlohmann::json state() const override;
  int64_t phase() const { return phase_; }

 protected:
  StepPlan plan_step(const TrainContext& ctx) override;

 private:
  int64_t phase_ = 0;
};

}  // namespace reason
