#pragma once
// SRPO (Kwaipilot, arXiv 2504.14286; reference/algorithms.md §6) on the GRPO loop:
// - stages, each with its own data, rewards, length limit and group size; a stage ends after a
//   configured number of steps or epochs of its data (stage 2 may mix in stage-1 prompts);
// - History Resampling: during an epoch every prompt's rollouts are recorded; when the epoch
//   ends, the prompts whose rollouts were all correct leave the pool for the following epochs
//   (all-wrong and mixed prompts stay). Pool sizes and drop counts are in the metrics; the
//   records and the stage are in the checkpoints.
#include <map>
#include <set>

#include "grpo/grpo_strategy.h"

namespace reason {

class SrpoStrategy : public GrpoStrategy {
 public:
  explicit SrpoStrategy(const TrainConfig& config) : GrpoStrategy(config) {}
  void setup(TrainContext& ctx) override;
  nlohmann::json train_step(TrainContext& ctx) override;
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;

  int64_t stage() const { return stage_; }

 protected:
  StepPlan plan_step(const TrainContext& ctx) override;
  void on_groups_scored(const StepPlan& plan, const std::vector<GroupOutcome>& groups) override;

 private:
  struct History {
    std::map<int64_t, bool> all_correct;  // this epoch: row -> every rollout correct
    int64_t dropped_last_epoch = 0;
    int64_t dropped_total = 0;
  };
  void end_epoch(const std::string& source, PromptPool& pool);
  std::string correctness_reward(const std::string& stage) const;

  int64_t stage_ = 0;
  std::map<std::string, History> history_;
};

}  // namespace reason
