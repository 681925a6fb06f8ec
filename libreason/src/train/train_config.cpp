#include "reason/train/train_config.h"

#include "reason/core/error.h"
#include "reason/core/files.h"

namespace reason {
namespace {
std::string key(const std::string& path, const char* k) { return path.empty() ? k : path + "." + k; }
void require(bool ok, const std::string& k, const std::string& message) {
  if (!ok) throw ConfigError(k, message);
}
}  // namespace

void ModelSection::visit(ConfigVisitor& v) {
  v.field("path", path, "Hugging Face model directory (config.json + safetensors)");
  v.choice("dtype", dtype, {"float32", "bfloat16"}, "Compute dtype of the base weights; LoRA weights stay float32");
  v.field("device", device, "cpu, cuda or cuda:N");
  v.field("threads", threads, "CPU threads for LibTorch (0: its default)");
  v.field("activation_checkpointing", activation_checkpointing,
          "Recompute each decoder layer in backward instead of storing its activations");
}
void ModelSection::validate(const std::string& p) const {
  require(threads >= 0, key(p, "threads"), "must be >= 0");
}

void TokenizerSection::visit(ConfigVisitor& v) {
  v.field("path", path, "Tokenizer directory (tokenizer.json or tokenizer.model); empty: model.path");
  v.choice("chat_format", chat_format,
           {"auto", "none", "custom", "chatml", "qwen2", "qwen2.5", "qwen3", "deepseek-r1", "deepseek-r1-no-think-prefix",
            "llama3", "llama3.1"},
           "Prompt rendering: auto (recognised from tokenizer_config.json's chat_template), a built-in format, "
           "custom (chat_template) or none (raw text with the tokenizer's bos)");
  v.field("chat_template", chat_template,
          "chat_format custom: per-message template with {role} and {content}, e.g. \"<|im_start|>{role}\\n{content}<|im_end|>\\n\"");
  v.field("system_prompt", system_prompt, "System message put before every prompt (empty: none)");
}

void LoraSection::visit(ConfigVisitor& v) {
  v.field("enabled", enabled, "Train LoRA adapters (false: train the base weights, for sft warm starts of tiny models)");
  v.field("r", r, "LoRA rank");
  v.field("alpha", alpha, "LoRA alpha; scaling alpha / r (alpha / sqrt(r) with use_rslora)");
  v.field("dropout", dropout, "Dropout on the adapter input during training");
  v.field("use_rslora", use_rslora, "Rank-stabilised scaling alpha / sqrt(r)");
  v.field("target_modules", target_modules, "Projections that get adapters (q_proj k_proj v_proj o_proj gate_proj up_proj down_proj)");
  v.field("init_adapter", init_adapter, "Start from this PEFT adapter directory instead of fresh adapters");
}
void LoraSection::validate(const std::string& p) const {
  require(r > 0, key(p, "r"), "must be positive");
  require(dropout >= 0 && dropout < 1, key(p, "dropout"), "must be in [0, 1)");
  require(!target_modules.empty(), key(p, "target_modules"), "must name at least one projection");
}

void DataSection::visit(ConfigVisitor& v) {
  v.field("train_file", train_file, "Training data, JSON Lines (one problem per line)");
  v.field("prompt_field", prompt_field, "Field holding the problem text (rendered with the chat format)");
  v.field("answer_field", answer_field, "Field holding the reference answer (passed to the rewards)");
  v.field("messages_field", messages_field, "Field holding chat messages instead of a prompt string (empty: unused)");
  v.field("completion_field", completion_field, "sft: field holding the target completion");
  v.field("prompt_suffix", prompt_suffix, "Text appended to every prompt (e.g. DeepScaleR's \"Let's think step by step...\")");
  v.field("shuffle", shuffle, "Shuffle the prompts every epoch (deterministically from train.seed and the epoch)");
  v.field("max_prompt_tokens", max_prompt_tokens, "Longest prompt allowed in tokens (0: no limit); longer is an error naming the row");
}

void RolloutSection::visit(ConfigVisitor& v) {
  v.field("samples_per_prompt", samples_per_prompt, "Completions per prompt (the group size G)");
  v.field("max_new_tokens", max_new_tokens, "Longest completion in tokens");
  v.field("temperature", temperature, "Sampling temperature (also divides the logits of training log-probs)");
  v.field("top_p", top_p, "Nucleus sampling threshold (1: off)");
  v.field("top_k", top_k, "Sample among the k most likely tokens (0: off)");
  v.field("min_p", min_p, "Drop tokens below min_p times the most likely one (0: off)");
  v.field("stop_strings", stop_strings, "A completion also ends once its text contains one of these");
  v.field("max_batch", max_batch, "Sequences decoded together (KV-cache slots)");
  v.field("sync_interval", sync_interval, "Decode steps between looks at which sequences finished");
}
void RolloutSection::validate(const std::string& p) const {
  require(samples_per_prompt >= 2, key(p, "samples_per_prompt"), "must be >= 2 (group advantages need a group)");
  require(max_new_tokens >= 1, key(p, "max_new_tokens"), "must be >= 1");
  require(temperature > 0, key(p, "temperature"), "must be > 0");
  require(top_p > 0 && top_p <= 1, key(p, "top_p"), "must be in (0, 1]");
  require(top_k >= 0, key(p, "top_k"), "must be >= 0");
  require(min_p >= 0 && min_p < 1, key(p, "min_p"), "must be in [0, 1)");
  require(max_batch >= 1, key(p, "max_batch"), "must be >= 1");
  require(sync_interval >= 1, key(p, "sync_interval"), "must be >= 1");
}

void RewardEntry::visit(ConfigVisitor& v) {
  v.field("name", name, "Registered reward name (see docs/rewards.md)");
  v.field("weight", weight, "Weight in the sum of rewards");
  v.field("options", options, "Options of this reward");
}
void RewardEntry::validate(const std::string& p) const { require(!name.empty(), key(p, "name"), "is required"); }

void AlgoSection::visit(ConfigVisitor& v) {
  v.choice("loss_type", loss_type, {"grpo", "bnpo", "dr_grpo", "dapo"}, "Loss aggregation (TRL's loss_type)");
  v.choice("scale_rewards", scale_rewards, {"group", "batch", "none"},
           "Divide advantages by the group's or the batch's reward std (+1e-4), or not (Dr. GRPO)");
  v.field("epsilon_low", epsilon_low, "Ratio clipped below at 1 - epsilon_low");
  v.field("epsilon_high", epsilon_high, "Ratio clipped above at 1 + epsilon_high (DAPO clip-higher: 0.28)");
  v.field("beta", beta, "KL (k3) coefficient against the reference policy (adapters off); 0: no reference pass");
  v.field("entropy_coef", entropy_coef, "Entropy bonus coefficient (subtracted from the loss)");
  v.field("num_iterations", num_iterations, "Policy updates per generation batch (mu); > 1 uses old log-probs");
  v.field("mask_truncated_completions", mask_truncated_completions,
          "Exclude completions that hit max_new_tokens from the loss (their rewards still count)");
  v.choice("compat", compat, {"none", "trl_0_15"},
           "trl_0_15: TRL 0.14/0.15 numerics for Tina/Open-RS (no clipping, per-sequence mean, no temperature in log-probs)");
  v.field("logprob_chunk_tokens", logprob_chunk_tokens, "Tokens per LM-head chunk when computing log-probs");
  v.section("dynamic_sampling", dynamic_sampling, "DAPO dynamic sampling (any GRPO-family trainer)");
}

void DynamicSamplingSection::visit(ConfigVisitor& v) {
  v.field("enabled", enabled, "Drop groups whose rewards do not vary and refill the batch with more prompts");
  v.field("max_rounds", max_rounds, "Generation rounds per step at most; a step short of groups trains on what it has");
  v.field("min_std", min_std, "Groups with reward std at or below this are dropped");
}
void DynamicSamplingSection::validate(const std::string& p) const {
  require(max_rounds >= 1, key(p, "max_rounds"), "must be >= 1");
  require(min_std >= 0, key(p, "min_std"), "must be >= 0");
}

void SrpoStage::visit(ConfigVisitor& v) {
  v.field("name", name, "Stage name (metrics, mix_stage references)");
  v.field("train_file", train_file, "The stage's data (JSON Lines)");
  v.list("rewards", rewards, "The stage's rewards (as the top-level rewards)");
  v.field("mix_stage", mix_stage, "Mix in prompts of this earlier stage (with its rewards); empty: none");
  v.field("mix_fraction", mix_fraction, "Share of each step's prompts drawn from mix_stage");
  v.field("max_new_tokens", max_new_tokens, "Completion length limit in this stage (0: rollout.max_new_tokens)");
  v.field("samples_per_prompt", samples_per_prompt, "Group size in this stage (0: rollout.samples_per_prompt)");
  v.field("until_step", until_step, "The stage ends after this many training steps (0: no step limit)");
  v.field("until_epoch", until_epoch, "The stage ends after this many epochs of its data (0: no limit)");
  v.field("correctness_reward", correctness_reward,
          "Reward that marks a rollout correct in this stage (empty: srpo.correctness_reward; code: binary_code)");
}
void SrpoStage::validate(const std::string& p) const {
  require(!name.empty(), key(p, "name"), "is required");
  require(!train_file.empty(), key(p, "train_file"), "is required");
  require(!rewards.items.empty(), key(p, "rewards"), "needs at least one reward");
  require(mix_fraction >= 0 && mix_fraction < 1, key(p, "mix_fraction"), "must be in [0, 1)");
  require(mix_fraction == 0 || !mix_stage.empty(), key(p, "mix_stage"), "is required when mix_fraction > 0");
  require(max_new_tokens >= 0 && samples_per_prompt >= 0 && until_step >= 0 && until_epoch >= 0, p,
          "lengths, sizes and limits must be >= 0");
  require(samples_per_prompt != 1, key(p, "samples_per_prompt"), "must be >= 2 (or 0)");
}

void SrpoSection::visit(ConfigVisitor& v) {
  v.list("stages", stages, "Stages in order (trainer: srpo): stage 1 math, stage 2 code (+ math mixed in), ...");
  v.field("history_resampling", history_resampling,
          "At each epoch's end drop the prompts whose rollouts were all correct from the next epoch");
  v.field("correctness_reward", correctness_reward, "The reward that says a rollout is correct (History Resampling)");
  v.field("correct_threshold", correct_threshold, "A rollout is correct when correctness_reward >= this");
}
void SrpoSection::validate(const std::string& p) const {
  for (std::size_t i = 0; i < stages.items.size(); ++i) {
    const auto& st = stages.items[i];
    if (st.mix_stage.empty()) continue;
    bool earlier = false;
    for (std::size_t j = 0; j < i; ++j) earlier = earlier || stages.items[j].name == st.mix_stage;
    require(earlier, key(p, "stages") + "." + std::to_string(i) + ".mix_stage",
            "'" + st.mix_stage + "' is not the name of an earlier stage");
  }
  for (std::size_t i = 0; i + 1 < stages.items.size(); ++i)
    require(stages.items[i].until_step > 0 || stages.items[i].until_epoch > 0,
            key(p, "stages") + "." + std::to_string(i) + ".until_step",
            "every stage but the last needs until_step or until_epoch");
}

void SchedulePhase::visit(ConfigVisitor& v) {
  v.field("until_step", until_step, "The phase ends after this many training steps (0: the last phase)");
  v.field("max_new_tokens", max_new_tokens, "Context budget for completions in this phase (0: rollout.max_new_tokens)");
  v.field("samples_per_prompt", samples_per_prompt, "Group size in this phase (0: rollout.samples_per_prompt)");
  v.field("micro_batch_size", micro_batch_size, "Completions per forward/backward in this phase (0: train.micro_batch_size)");
  v.field("max_batch", max_batch, "Sequences decoded together in this phase (0: rollout.max_batch)");
}

void DeepscalerSection::visit(ConfigVisitor& v) {
  v.list("schedule", schedule, "Context-length schedule (trainer: deepscaler), phases in order");
}
void DeepscalerSection::validate(const std::string& p) const {
  int64_t last = 0;
  for (std::size_t i = 0; i < schedule.items.size(); ++i) {
    const auto& ph = schedule.items[i];
    const std::string k = key(p, "schedule") + "." + std::to_string(i);
    require(ph.max_new_tokens >= 0 && ph.micro_batch_size >= 0 && ph.max_batch >= 0, k, "sizes must be >= 0");
    require(ph.samples_per_prompt == 0 || ph.samples_per_prompt >= 2, k + ".samples_per_prompt", "must be >= 2 (or 0)");
    if (i + 1 < schedule.items.size())
      require(ph.until_step > last, k + ".until_step", "must grow from phase to phase (only the last phase may be 0)");
    last = ph.until_step;
  }
}
void AlgoSection::validate(const std::string& p) const {
  require(epsilon_low >= 0 && epsilon_low < 1, key(p, "epsilon_low"), "must be in [0, 1)");
  require(epsilon_high >= 0, key(p, "epsilon_high"), "must be >= 0");
  require(beta >= 0, key(p, "beta"), "must be >= 0");
  require(num_iterations >= 1, key(p, "num_iterations"), "must be >= 1");
  require(logprob_chunk_tokens >= 1, key(p, "logprob_chunk_tokens"), "must be >= 1");
  require(compat != "trl_0_15" || num_iterations == 1, key(p, "num_iterations"), "must be 1 with compat: trl_0_15");
}

void TrainSection::visit(ConfigVisitor& v) {
  v.field("max_steps", max_steps, "Optimizer steps to run");
  v.field("batch_size", batch_size, "Completions per optimizer step (prompts x samples_per_prompt)");
  v.field("micro_batch_size", micro_batch_size, "Completions per forward/backward pass; gradients accumulate over the batch");
  v.field("seed", seed, "Seed of data order, adapter initialisation, dropout and sampling");
}
void TrainSection::validate(const std::string& p) const {
  require(max_steps >= 1, key(p, "max_steps"), "must be >= 1");
  require(batch_size >= 1, key(p, "batch_size"), "must be >= 1");
  require(micro_batch_size >= 1, key(p, "micro_batch_size"), "must be >= 1");
  require(batch_size % micro_batch_size == 0, key(p, "micro_batch_size"),
          "train.batch_size (" + std::to_string(batch_size) + ") must be a multiple of it (" +
              std::to_string(micro_batch_size) + ")");
}

void OptimSection::visit(ConfigVisitor& v) {
  v.field("lr", lr, "Peak learning rate (AdamW)");
  v.field("beta1", beta1, "AdamW beta1");
  v.field("beta2", beta2, "AdamW beta2");
  v.field("eps", eps, "AdamW epsilon");
  v.field("weight_decay", weight_decay, "AdamW decoupled weight decay");
  v.field("max_grad_norm", max_grad_norm, "Clip the global gradient norm to this (0: no clipping)");
  v.choice("scheduler", scheduler, {"constant", "linear", "cosine", "cosine_with_min_lr"},
           "Learning-rate schedule after warmup (transformers' definitions)");
  v.field("warmup_ratio", warmup_ratio, "Warmup steps as a fraction of max_steps (rounded up), used when warmup_steps is 0");
  v.field("warmup_steps", warmup_steps, "Linear warmup steps (overrides warmup_ratio)");
  v.field("min_lr_rate", min_lr_rate, "cosine_with_min_lr: floor as a fraction of lr");
}
void OptimSection::validate(const std::string& p) const {
  require(lr > 0, key(p, "lr"), "must be > 0");
  require(beta1 >= 0 && beta1 < 1, key(p, "beta1"), "must be in [0, 1)");
  require(beta2 >= 0 && beta2 < 1, key(p, "beta2"), "must be in [0, 1)");
  require(eps > 0, key(p, "eps"), "must be > 0");
  require(max_grad_norm >= 0, key(p, "max_grad_norm"), "must be >= 0");
  require(warmup_ratio >= 0 && warmup_ratio <= 1, key(p, "warmup_ratio"), "must be in [0, 1]");
  require(warmup_steps >= 0, key(p, "warmup_steps"), "must be >= 0");
  require(min_lr_rate >= 0 && min_lr_rate <= 1, key(p, "min_lr_rate"), "must be in [0, 1]");
}

void CheckpointSection::visit(ConfigVisitor& v) {
  v.field("output_dir", output_dir, "Run directory: checkpoints, final adapter, metrics");
  v.field("save_steps", save_steps, "Write a checkpoint every this many steps (0: only at the end)");
  v.field("keep_last", keep_last, "Checkpoints kept (older ones are deleted; 0: keep all)");
}

void LoggingSection::visit(ConfigVisitor& v) {
  v.field("metrics_file", metrics_file, "JSON-lines metrics, one row per step (empty: <output_dir>/metrics.jsonl)");
  v.field("log_completions_every", log_completions_every, "Log sample completions every this many steps (0: never)");
  v.choice("progress", progress, {"auto", "always", "never"}, "Progress line on the terminal (auto: when stderr is a terminal)");
}

void TrainConfig::visit(ConfigVisitor& v) {
  v.field("trainer", trainer, "Strategy: grpo, sft, srpo, deepscaler (registered names)");
  v.section("model", model, "The policy's base model");
  v.section("tokenizer", tokenizer, "Tokenizer and chat formatting");
  v.section("lora", lora, "LoRA adapters (the trained parameters)");
  v.section("data", data, "Training data");
  v.section("rollout", rollout, "Generation of completions");
  v.list("rewards", rewards, "Rewards and their weights (weighted sum; NaN = not applicable)");
  v.section("algo", algo, "Advantages and policy loss");
  v.section("train", train, "Steps and batch sizes");
  v.section("optim", optim, "Optimizer and learning-rate schedule");
  v.section("checkpoint", checkpoint, "Checkpoints");
  v.section("logging", logging, "Metrics and progress");
  v.section("srpo", srpo, "SRPO: stages and History Resampling (trainer: srpo)");
  v.section("deepscaler", deepscaler, "DeepScaleR: context-length schedule (trainer: deepscaler)");
}

void TrainConfig::validate(const std::string&) const {
  if (trainer == "sft") return;
  // train.batch_size counts completions: it must split into whole groups.
  auto divisible = [&](int64_t samples, const std::string& where) {
    require(train.batch_size % samples == 0, "train.batch_size",
            "must be a multiple of " + where + " (" + std::to_string(samples) + "), got " +
                std::to_string(train.batch_size));
  };
  divisible(rollout.samples_per_prompt, "rollout.samples_per_prompt");
  if (trainer == "srpo") {
    require(!srpo.stages.items.empty(), "srpo.stages", "trainer srpo needs at least one stage");
    for (std::size_t i = 0; i < srpo.stages.items.size(); ++i)
      if (srpo.stages.items[i].samples_per_prompt > 0)
        divisible(srpo.stages.items[i].samples_per_prompt, "srpo.stages." + std::to_string(i) + ".samples_per_prompt");
  }
  if (trainer == "deepscaler")
    require(!deepscaler.schedule.items.empty(), "deepscaler.schedule", "trainer deepscaler needs at least one phase");
}

TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides) {
  TrainConfig cfg;
  load_config(cfg, read_file(path), path, overrides);
  return cfg;
}

}  // namespace reason
