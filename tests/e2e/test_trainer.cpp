// The GRPO trainer end to end on a tiny model: artifacts, frozen base weights, resume
// exactness, SIGTERM checkpoints, and clear errors for bad configurations.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/core/jsonl.h"
#include "reason/io/safetensors.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"
#include "reason/lora/adapter.h"
#include "reason/tokenizer/sentencepiece.h"
#include "reason/train/checkpoint.h"
#include "reason/train/trainer.h"
#include "support/torch_support.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

// A tiny task the fixture model can be trained on: prompts "Q: a+b\nA:" with answers, and a
// SentencePiece tokenizer trained on the text (its ids fit the fixture's 1024-token vocabulary).
class TrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    std::vector<nlohmann::json> rows;
    SentencePieceTrainOptions so;
    for (int a = 0; a < 40; ++a) {
      const int b = (a * 7 + 3) % 50;
      rows.push_back({{"problem", "Q: " + std::to_string(a) + "+" + std::to_string(b) + "\nA:"},
                      {"answer", std::to_string(a + b)}});
      so.texts.push_back(rows.back()["problem"].get<std::string>() + " \\boxed{" + std::to_string(a + b) + "}");
    }
    write_jsonl(dir_->file("train.jsonl"), rows);
    fs::create_directories(dir_->file("tok"));
    so.vocab_size = 64;
    so.model_type = "bpe";
    so.extra = {{"hard_vocab_limit", "false"}, {"split_digits", "true"}};
    train_sentencepiece(so, dir_->file("tok/tokenizer.model"));
    register_builtin_strategies();
  }
  static void TearDownTestSuite() { delete dir_; }

  TrainConfig config(const std::string& out, int64_t steps) const {
    TrainConfig c;
    load_config(c, R"(
trainer: grpo
model: {path: )" + test::hf_dir("qwen2") + R"(, threads: 1}
tokenizer: {path: )" + dir_->file("tok") + R"(, chat_format: none}
lora: {r: 4, alpha: 8, dropout: 0.1}
data: {train_file: )" + dir_->file("train.jsonl") + R"(}
rollout: {samples_per_prompt: 4, max_new_tokens: 12, temperature: 1.0, max_batch: 6, sync_interval: 3}
rewards:
  - {name: accuracy, weight: 1.0, options: {solution_field: answer}}
  - {name: length, weight: 0.5, options: {solution_field: answer}}
algo: {loss_type: grpo, beta: 0.04, num_iterations: 2, epsilon_high: 0.28}
train: {max_steps: )" + std::to_string(steps) + R"(, batch_size: 8, micro_batch_size: 4, seed: 7}
optim: {lr: 1.0e-2, scheduler: cosine_with_min_lr, warmup_steps: 1, min_lr_rate: 0.1}
checkpoint: {output_dir: )" + out + R"(, save_steps: 2, keep_last: 2}
logging: {progress: never, log_completions_every: 1}
)", "test.yaml");
    return c;
  }
  static test::TempDir* dir_;
};
test::TempDir* TrainerTest::dir_ = nullptr;

std::map<std::string, at::Tensor> adapter_of(const std::string& dir) {
  return load_safetensors(dir + "/adapter_model.safetensors");
}

TEST_F(TrainerTest, RunWritesArtifactsAndOnlyTrainsTheAdapter) {
  const std::string out = dir_->file("run1");
  TrainResult r = Trainer(config(out, 4)).run();
  EXPECT_EQ(r.steps, 4);
  EXPECT_FALSE(r.interrupted);
  // Metrics: one row per step with the phase timings.
  auto metrics = read_jsonl(out + "/metrics.jsonl");
  ASSERT_EQ(metrics.size(), 4u);
  for (const char* k : {"reward", "accuracy", "kl", "clip_ratio", "loss", "grad_norm", "lr", "completion_length",
                        "tokens_per_second", "sampler_logprob_gap"})
    EXPECT_TRUE(metrics[3].contains(k)) << k;
  for (const char* k : {"rollout", "reward", "ref_logprobs", "old_logprobs", "update", "optimizer", "total"})
    EXPECT_TRUE(metrics[3]["time"].contains(k)) << k;
  EXPECT_LT(metrics[0]["sampler_logprob_gap"].get<double>(), 1e-5);  // rollout and training agree
  EXPECT_TRUE(fs::exists(out + "/completions.jsonl"));
  // Checkpoints every 2 steps (keep_last 2) and the final adapter in PEFT layout.
  EXPECT_TRUE(fs::exists(out + "/checkpoint-000002/trainer_state.json"));
  EXPECT_TRUE(fs::exists(out + "/checkpoint-000004/optimizer.safetensors"));
  EXPECT_TRUE(fs::exists(out + "/checkpoint-000004/config.yaml"));
  EXPECT_TRUE(fs::exists(out + "/final/adapter/adapter_config.json"));
  // LoRA B started at zero and moved; A moved from its initialisation.
  auto final_adapter = adapter_of(out + "/final/adapter");
  double b_norm = 0;
  for (auto& [k, t] : final_adapter)
    if (k.find("lora_B") != std::string::npos) b_norm += t.norm().item<double>();
  EXPECT_GT(b_norm, 0.0);
  // The base weights on disk are untouched and the trained adapter applies to them.
  auto base = load_safetensors(test::hf_dir("qwen2") + "/model.safetensors");
  CausalLM reloaded = load_model(test::hf_dir("qwen2"));
  for (auto& [name, w] : reloaded->base_weights()) EXPECT_TRUE(at::equal(w, base.at(name))) << name;
}

TEST_F(TrainerTest, BaseWeightsStayBitIdenticalInMemory) {
  // Inside the running trainer: every base weight after each step equals the checkpoint's, and
  // the adapters move.
  auto base = load_safetensors(test::hf_dir("qwen2") + "/model.safetensors");
  int64_t steps_seen = 0;
  double first_b = -1, last_b = -1;
  TrainOptions o;
  o.on_step_end = [&](TrainContext& ctx, const nlohmann::json&) {
    ++steps_seen;
    for (auto& [name, w] : ctx.model->base_weights()) {
      EXPECT_FALSE(w.requires_grad()) << name;
      EXPECT_TRUE(at::equal(w, base.at(name))) << name << " changed at step " << ctx.step;
    }
    double b = 0;
    for (auto& [k, t] : adapter_tensors(*ctx.model))
      if (k.find("lora_B") != std::string::npos) b += t.norm().item<double>();
    if (first_b < 0) first_b = b;
    last_b = b;
  };
  Trainer(config(dir_->file("run-base"), 3)).run(o);
  EXPECT_EQ(steps_seen, 3);
  EXPECT_GT(first_b, 0.0);   // B starts at zero; one step moves it
  EXPECT_NE(last_b, first_b);
  auto adapter = adapter_of(dir_->file("run-base") + "/final/adapter");
  EXPECT_EQ(adapter.size(), 2u * 7u * 2u);  // A and B, 7 projections, 2 layers: nothing else
}

TEST_F(TrainerTest, ResumeContinuesBitIdentically) {
  // Straight: 4 steps. Resumed: the checkpoint written at step 2 of that run, continued to 4 in
  // another directory. The final adapters must be identical bit for bit.
  const std::string straight = dir_->file("straight");
  Trainer(config(straight, 4)).run();
  const std::string resumed = dir_->file("resumed");
  fs::create_directories(resumed);
  TrainResult r = Trainer(config(resumed, 4)).run(TrainOptions{straight + "/checkpoint-000002", false});
  EXPECT_EQ(r.steps, 4);
  auto a = adapter_of(straight + "/final/adapter");
  auto b = adapter_of(resumed + "/final/adapter");
  ASSERT_EQ(a.size(), b.size());
  for (auto& [k, t] : a) EXPECT_TRUE(at::equal(t, b.at(k))) << k;
  // And the metrics of steps 3 and 4 agree.
  auto ma = read_jsonl(straight + "/metrics.jsonl"), mb = read_jsonl(resumed + "/metrics.jsonl");
  ASSERT_EQ(mb.size(), 2u);
  EXPECT_EQ(ma[3]["reward"], mb[1]["reward"]);
  EXPECT_EQ(ma[3]["loss"], mb[1]["loss"]);
}

TEST_F(TrainerTest, SigtermWritesACheckpointThenExits) {
  const std::string out = dir_->file("sigterm");
  const std::string cfg_path = dir_->file("sigterm.yaml");
  TrainConfig c = config(out, 1000);
  c.checkpoint.save_steps = 0;
  write_file_atomic(cfg_path, dump_config(c));
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(REASON_CLI, REASON_CLI, "train", "--config", cfg_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait for two steps of metrics, then ask it to stop.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(out + "/metrics.jsonl") && read_jsonl(out + "/metrics.jsonl").size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  auto checkpoints = list_checkpoints(out);
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_FALSE(fs::exists(out + "/final"));
  auto state = nlohmann::json::parse(read_file(checkpoints[0] + "/trainer_state.json"));
  EXPECT_GE(state["step"].get<int64_t>(), 2);
  EXPECT_EQ(static_cast<int64_t>(read_jsonl(out + "/metrics.jsonl").size()), state["step"].get<int64_t>());
}

TEST_F(TrainerTest, BadConfigurationsGiveClearErrors) {
  auto message = [&](TrainConfig c) {
    try {
      Trainer(c).run(TrainOptions{"", true});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  TrainConfig c = config(dir_->file("bad"), 2);
  c.data.train_file = dir_->file("nope.jsonl");
  EXPECT_NE(message(c).find("data.train_file: '" + dir_->file("nope.jsonl") + "' does not exist"), std::string::npos);
  c = config(dir_->file("bad"), 2);
  c.rewards.items[0].name = "acuracy";
  EXPECT_NE(message(c).find("rewards.0.name"), std::string::npos);
  c = config(dir_->file("bad"), 2);
  c.rewards.items[0].options = {{"solution_fild", "answer"}};
  EXPECT_NE(message(c).find("rewards.0.options.solution_fild"), std::string::npos);
  c = config(dir_->file("bad"), 2);
  c.trainer = "ppo";
  EXPECT_NE(message(c).find("unknown strategy 'ppo' (registered: deepscaler, grpo, sft, srpo)"), std::string::npos);
  c = config(dir_->file("bad"), 2);
  c.lora.target_modules = {"qkv_proj"};
  EXPECT_NE(message(c).find("lora.target_modules"), std::string::npos);
  // Validation passes for the good config and writes nothing.
  Trainer(config(dir_->file("ok"), 2)).run(TrainOptions{"", true});
  EXPECT_FALSE(fs::exists(dir_->file("ok") + "/metrics.jsonl"));
}

}  // namespace
}  // namespace reason
