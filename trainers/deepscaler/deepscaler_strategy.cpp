#include "deepscaler/deepscaler_strategy.h"

namespace reason {

StepPlan DeepscalerStrategy::plan_step(const TrainContext& ctx) {
  const auto& phases = config_.deepscaler.schedule.items;
  phase_ = 0;
  while (phase_ + 1 < static_cast<int64_t>(phases.size()) && phases[phase_].until_step > 0 &&
         ctx.step >= phases[phase_].until_step)
    ++phase_;
  const SchedulePhase& ph = phases[phase_];
  StepPlan p = default_plan();  // prompts per step stay constant; completions grow with G
  if (ph.samples_per_prompt > 0) p.samples_per_prompt = ph.samples_per_prompt;
  if (ph.max_new_tokens > 0) p.max_new_tokens = ph.max_new_tokens;
  if (ph.micro_batch_size > 0) p.micro_batch_size = ph.micro_batch_size;
  if (ph.max_batch > 0) p.max_batch = ph.max_batch;
  p.label = "phase " + std::to_string(phase_) + " (" + std::to_string(p.max_new_tokens) + " tokens)";
  return p;
}

nlohmann::json DeepscalerStrategy::state() const {
  nlohmann::json s = GrpoStrategy::state();
  s["phase"] = phase_;
  return s;
}

}  // namespace reason
