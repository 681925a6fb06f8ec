#pragma once
// GRPO (TRL's GRPOTrainer semantics, reference/algorithms.md §1): per step, sample prompts,
// generate G completions each, score them with the configured rewards, compute group-relative
// advantages, and update the policy with the clipped-ratio loss (optionally KL to the base
// model, entropy bonus, several iterations over the batch).
//
// Variants (SRPO, DeepScaleR) derive from GrpoStrategy and override the protected hooks:
// plan_step() (lengths, group size, which data sources: stages and mixing), on_groups_scored()
// (History Resampling) and state()/load_state() for what they must carry across resumes.
// Dynamic sampling (algo.dynamic_sampling) works for all of them.
#include <memory>
#include <string>
#include <vector>

#include "reason/data/prompt_data.h"
#include "reason/reward/reward.h"
#include "reason/rollout/rollout_engine.h"
#include "reason/train/trainer.h"

namespace reason {

// What one step does: how many prompts from which data, how many samples each, how long.
struct StepPlan {
  struct Draw {
    std::string source;  // a DataSource name ("train"; SRPO: stage names)
    int64_t prompts = 0;
  };
  std::vector<Draw> draws;
  int64_t samples_per_prompt = 0;
  int64_t max_new_tokens = 0;
  int64_t micro_batch_size = 0;
  int64_t max_batch = 0;       // rollout slots
  std::string label;           // stage / phase name for the metrics (may be empty)
  int64_t prompts() const;
};

// A dataset with its order and its rewards.
struct DataSource {
  std::string name;
  std::vector<PromptRow> rows;
  std::unique_ptr<PromptPool> pool;
  std::vector<std::unique_ptr<Reward>> rewards;
  std::vector<double> weights;
  struct Prompt {
    std::string text;          // rendered with the chat format
    std::vector<int64_t> ids;  // its tokens
  };
  std::map<int64_t, Prompt> prompts;  // by row index, rendered and encoded once
};

// Outcome of one prompt's group, for strategies that learn from history.
struct GroupOutcome {
  std::string source;
  int64_t row = 0;                // PromptRow::index
  std::vector<double> rewards;    // per completion (total reward)
  std::map<std::string, std::vector<double>> by_reward;  // per completion, each reward of the source
};

class GrpoStrategy : public Strategy {
 public:
  explicit GrpoStrategy(const TrainConfig& config);
  void setup(TrainContext& ctx) override;
  nlohmann::json train_step(TrainContext& ctx) override;
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;
  int64_t optimizer_steps_per_step(const TrainConfig& config) const override { return config.algo.num_iterations; }

 protected:
  virtual StepPlan plan_step(const TrainContext& ctx);
  virtual void on_groups_scored(const StepPlan& plan, const std::vector<GroupOutcome>& groups) {}

  // Builds a data source from a JSONL file and reward entries (used by setup and by variants).
  std::unique_ptr<DataSource> make_source(const std::string& name, const std::string& file, const std::string& file_key,
                                          const std::vector<RewardEntry>& rewards, const std::string& rewards_key,
                                          uint64_t seed_offset);
  DataSource& source(const std::string& name);
  // The plan GRPO itself would make (the config's sizes, all prompts from "train").
  StepPlan default_plan() const;

  const TrainConfig& config_;
  std::vector<std::unique_ptr<DataSource>> sources_;

 private:
  struct Group;
  nlohmann::json update(TrainContext& ctx, const std::vector<Group>& groups, const StepPlan& plan);
};

}  // namespace reason
