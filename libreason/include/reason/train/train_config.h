#pragma once
// The training configuration (`reason train --config FILE.yaml`): one typed section per YAML
// mapping, defaults in the member initialisers, documentation next to each key in visit().
// docs/configuration.md is generated from these lists (`reason train --print-reference`).
#include <string>
#include <vector>

#include "reason/core/config.h"

namespace reason {

struct ModelSection : ConfigSection {
  std::string path;                  // Hugging Face model directory
  std::string dtype = "float32";
  std::string device = "cpu";
  int64_t threads = 0;
  bool activation_checkpointing = false;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct TokenizerSection : ConfigSection {
  std::string path;  // default: model.path
  std::string chat_format = "auto";
  std::string chat_template;  // for chat_format: custom
  std::string system_prompt;
  void visit(ConfigVisitor& v) override;
};

struct LoraSection : ConfigSection {
  int64_t r = 16;
  double alpha = 32.0;
  double dropout = 0.0;
  bool use_rslora = false;
  std::vector<std::string> target_modules = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  std::string init_adapter;  // start from this PEFT adapter instead of a fresh one
  bool enabled = true;       // false: train the base weights themselves (sft warm starts of tiny models)
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct DataSection : ConfigSection {
  std::string train_file;
  std::string prompt_field = "problem";
  std::string answer_field = "solution";
  std::string messages_field;      // rows carry chat messages instead of a prompt string
  std::string completion_field = "completion";  // sft: the target text
  std::string prompt_suffix;       // appended to the prompt text (DeepScaleR's instruction)
  bool shuffle = true;
  int64_t max_prompt_tokens = 0;   // 0: no limit; longer prompts are an error naming the row
  void visit(ConfigVisitor& v) override;
};

struct RolloutSection : ConfigSection {
  int64_t samples_per_prompt = 8;
  int64_t max_new_tokens = 256;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 0;
  double min_p = 0.0;
  std::vector<std::string> stop_strings;
  int64_t max_batch = 64;
  int64_t sync_interval = 8;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct RewardEntry : ConfigSection {
  std::string name;
  double weight = 1.0;
  nlohmann::json options = nlohmann::json::object();
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

// DAPO's dynamic sampling: groups whose rewards do not vary carry no signal; drop them and
// generate more prompts until the batch is full.
struct DynamicSamplingSection : ConfigSection {
  bool enabled = false;
  int64_t max_rounds = 4;   // generation rounds per step at most (the first included)
  double min_std = 1e-6;    // a group with reward std <= this is dropped
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct AlgoSection : ConfigSection {
  std::string loss_type = "dapo";
  std::string scale_rewards = "group";
  double epsilon_low = 0.2;
  double epsilon_high = 0.2;
  double beta = 0.0;
  double entropy_coef = 0.0;
  int64_t num_iterations = 1;
  bool mask_truncated_completions = false;
  std::string compat = "none";
  int64_t logprob_chunk_tokens = 1024;
  DynamicSamplingSection dynamic_sampling;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

// One SRPO stage: its own data, rewards, lengths and budget.
struct SrpoStage : ConfigSection {
  std::string name;
  std::string train_file;
  SectionList<RewardEntry> rewards;
  std::string mix_stage;        // mix in prompts of this (earlier) stage, with its rewards
  double mix_fraction = 0.0;    // share of each step's prompts drawn from mix_stage
  int64_t max_new_tokens = 0;   // 0: rollout.max_new_tokens
  int64_t samples_per_prompt = 0;  // 0: rollout.samples_per_prompt
  int64_t until_step = 0;       // the stage ends once this many steps are done (0: no step limit)
  int64_t until_epoch = 0;      // ... or once its data completed this many epochs (0: no limit)
  std::string correctness_reward;  // History Resampling's correctness signal here (empty: srpo.correctness_reward)
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct SrpoSection : ConfigSection {
  SectionList<SrpoStage> stages;
  bool history_resampling = true;
  std::string correctness_reward = "accuracy";  // a rollout is correct when this reward >= threshold
  double correct_threshold = 1.0;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

// One phase of DeepScaleR's context-length schedule.
struct SchedulePhase : ConfigSection {
  int64_t until_step = 0;          // the phase ends once this many steps are done (0: the last phase)
  int64_t max_new_tokens = 0;      // 0: rollout.max_new_tokens
  int64_t samples_per_prompt = 0;  // 0: rollout.samples_per_prompt
  int64_t micro_batch_size = 0;    // 0: train.micro_batch_size
  int64_t max_batch = 0;           // KV-cache slots, 0: rollout.max_batch
  void visit(ConfigVisitor& v) override;
};

struct DeepscalerSection : ConfigSection {
  SectionList<SchedulePhase> schedule;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct TrainSection : ConfigSection {
  int64_t max_steps = 100;
  int64_t batch_size = 16;        // completions per optimizer step
  int64_t micro_batch_size = 8;   // completions per forward/backward
  int64_t seed = 42;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct OptimSection : ConfigSection {
  double lr = 1e-6;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double max_grad_norm = 1.0;
  std::string scheduler = "constant";
  double warmup_ratio = 0.0;
  int64_t warmup_steps = 0;
  double min_lr_rate = 0.0;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

struct CheckpointSection : ConfigSection {
  std::string output_dir = "runs/default";
  int64_t save_steps = 50;
  int64_t keep_last = 3;
  void visit(ConfigVisitor& v) override;
};

struct LoggingSection : ConfigSection {
  std::string metrics_file;            // default: <output_dir>/metrics.jsonl
  int64_t log_completions_every = 10;  // steps; 0: never
  std::string progress = "auto";
  void visit(ConfigVisitor& v) override;
};

struct TrainConfig : ConfigSection {
  std::string trainer = "grpo";
  ModelSection model;
  TokenizerSection tokenizer;
  LoraSection lora;
  DataSection data;
  RolloutSection rollout;
  SectionList<RewardEntry> rewards;
  AlgoSection algo;
  TrainSection train;
  OptimSection optim;
  CheckpointSection checkpoint;
  LoggingSection logging;
  SrpoSection srpo;
  DeepscalerSection deepscaler;
  void visit(ConfigVisitor& v) override;
  void validate(const std::string& path) const override;
};

// Reads FILE, applies --set overrides, validates. Errors name the file and the dotted key.
TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace reason
