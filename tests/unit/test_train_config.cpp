// The training configuration: defaults, YAML loading, --set overrides, and one clear error per
// bad input naming the dotted key.
#include <gtest/gtest.h>

#include <filesystem>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/train/train_config.h"
#include "support/test_support.h"

namespace reason {
namespace {

std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  TrainConfig cfg;
  try {
    load_config(cfg, yaml, "run.yaml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TrainConfig, LoadsValuesAndKeepsDefaults) {
  TrainConfig cfg;
  load_config(cfg, R"(
trainer: grpo
model: {path: /models/x, dtype: bfloat16}
rollout:
  samples_per_prompt: 6
  temperature: 0.7
rewards:
  - {name: format, weight: 1.0}
  - name: accuracy
    weight: 2
    options: {answer_field: answer, strict: true}
train: {batch_size: 12, micro_batch_size: 6}
optim: {lr: 1.0e-6, scheduler: cosine_with_min_lr, min_lr_rate: 0.1, warmup_ratio: 0.1}
)", "run.yaml");
  EXPECT_EQ(cfg.model.path, "/models/x");
  EXPECT_EQ(cfg.model.dtype, "bfloat16");
  EXPECT_EQ(cfg.rollout.samples_per_prompt, 6);
  EXPECT_DOUBLE_EQ(cfg.rollout.temperature, 0.7);
  EXPECT_EQ(cfg.rollout.max_new_tokens, 256);  // default kept
  ASSERT_EQ(cfg.rewards.items.size(), 2u);
  EXPECT_EQ(cfg.rewards.items[1].name, "accuracy");
  EXPECT_DOUBLE_EQ(cfg.rewards.items[1].weight, 2.0);
  EXPECT_EQ(cfg.rewards.items[1].options["answer_field"], "answer");
  EXPECT_EQ(cfg.rewards.items[1].options["strict"], true);
  EXPECT_DOUBLE_EQ(cfg.optim.lr, 1e-6);
}

TEST(TrainConfig, UnknownKeysNameTheDottedPath) {
  EXPECT_NE(error_of("rollout: {temprature: 0.7}").find("run.yaml: rollout.temprature: unknown key (did you mean 'temperature'?)"),
            std::string::npos);
  EXPECT_NE(error_of("colour: blue").find("colour: unknown key"), std::string::npos);
  EXPECT_NE(error_of("rewards: [{name: x, wieght: 2}]").find("rewards.0.wieght: unknown key"), std::string::npos);
}

TEST(TrainConfig, WrongTypesNameKeyAndValue) {
  EXPECT_NE(error_of("train: {max_steps: ten}").find("train.max_steps: expected an integer, got 'ten'"), std::string::npos);
  EXPECT_NE(error_of("train: {max_steps: 1.5}").find("train.max_steps: expected an integer, got '1.5'"), std::string::npos);
  EXPECT_NE(error_of("optim: {lr: fast}").find("optim.lr: expected a number, got 'fast'"), std::string::npos);
  EXPECT_NE(error_of("algo: {mask_truncated_completions: maybe}").find("algo.mask_truncated_completions: expected true or false"),
            std::string::npos);
  EXPECT_NE(error_of("algo: {loss_type: ppo}").find("algo.loss_type: 'ppo' is not one of: grpo, bnpo, dr_grpo, dapo"),
            std::string::npos);
  EXPECT_NE(error_of("rollout: 3").find("rollout: expected a mapping"), std::string::npos);
  EXPECT_NE(error_of("lora: {target_modules: q_proj}").find("lora.target_modules: expected a list"), std::string::npos);
  EXPECT_NE(error_of("train: {seed: \"7\"}").find("train.seed: expected an integer"), std::string::npos);
  EXPECT_NE(error_of("model: [1, 2").find("run.yaml: invalid YAML at line"), std::string::npos);
}

TEST(TrainConfig, CrossFieldChecks) {
  EXPECT_NE(error_of("rollout: {samples_per_prompt: 6}\ntrain: {batch_size: 16, micro_batch_size: 8}")
                .find("train.batch_size: must be a multiple of rollout.samples_per_prompt (6), got 16"),
            std::string::npos);
  EXPECT_NE(error_of("train: {batch_size: 16, micro_batch_size: 5}").find("train.micro_batch_size"), std::string::npos);
  EXPECT_NE(error_of("rollout: {samples_per_prompt: 1}").find("rollout.samples_per_prompt: must be >= 2"),
            std::string::npos);
  EXPECT_NE(error_of("rewards: [{weight: 2}]").find("rewards.0.name: is required"), std::string::npos);
}

TEST(TrainConfig, SetOverrides) {
  TrainConfig cfg;
  load_config(cfg, "rewards: [{name: format}, {name: accuracy}]\n", "run.yaml",
              {"algo.beta=0.04", "rollout.stop_strings=[\"</answer>\"]", "rewards.1.weight=2.5", "model.path=/m"});
  EXPECT_DOUBLE_EQ(cfg.algo.beta, 0.04);
  EXPECT_EQ(cfg.rollout.stop_strings, std::vector<std::string>{"</answer>"});
  EXPECT_DOUBLE_EQ(cfg.rewards.items[1].weight, 2.5);
  EXPECT_EQ(cfg.model.path, "/m");
  EXPECT_NE(error_of("", {"algo.betta=1"}).find("algo.betta: unknown key"), std::string::npos);
  EXPECT_NE(error_of("", {"algo.beta"}).find("--set expects key=value"), std::string::npos);
}

TEST(TrainConfig, DumpRoundTripsAndDocumentsEveryKey) {
  TrainConfig cfg;
  load_config(cfg, "rewards: [{name: accuracy, options: {answer_field: answer}}]\nalgo: {beta: 0.04}\n", "a.yaml");
  const std::string dumped = dump_config(cfg);
  TrainConfig again;
  load_config(again, dumped, "dumped.yaml");
  EXPECT_EQ(dump_config(again), dumped);
  EXPECT_DOUBLE_EQ(again.algo.beta, 0.04);
  EXPECT_EQ(again.rewards.items[0].options["answer_field"], "answer");
  // docs/configuration.md lists every key.
  TrainConfig defaults;
  const std::string doc = read_file(std::string(REASON_SOURCE_DIR) + "/docs/configuration.md");
  for (const auto& key : config_keys(defaults)) EXPECT_NE(doc.find("`" + key + "`"), std::string::npos) << key;
}

}  // namespace
}  // namespace reason
