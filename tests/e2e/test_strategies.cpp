// SRPO, DeepScaleR and dynamic sampling on the tiny fixture model, and every shipped recipe.
// A test reward ("oracle") makes outcomes deterministic: rows of kind "easy" are always right,
// "hard" always wrong, "mixed" right for every other sample of a group.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/core/jsonl.h"
#include "reason/model/tensor_io.h"
#include "reason/reward/reward.h"
#include "reason/train/trainer.h"
#include "support/torch_support.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

class OracleReward : public Reward {
 public:
  const std::string& name() const override { return name_; }
  std::vector<double> score(const std::vector<RewardSample>& batch) override {
    std::vector<double> out;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::string kind = batch[i].fields.value("kind", "mixed");
      out.push_back(kind == "easy" ? 1.0 : kind == "hard" ? 0.0 : static_cast<double>(i % 2));
    }
    return out;
  }

 private:
  std::string name_ = "oracle";
};

std::string source_dir() { return REASON_SOURCE_DIR; }

class Strategies : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    register_builtin_strategies();
    if (!RewardRegistry::global().contains("oracle"))
      RewardRegistry::global().add("oracle", [](const nlohmann::json&) { return std::make_unique<OracleReward>(); });
    dir_ = new test::TempDir();
    // 8 rows: 0-3 easy, 4-5 hard, 6-7 mixed.
    std::vector<nlohmann::json> rows;
    for (int i = 0; i < 8; ++i)
      rows.push_back({{"problem", "What is " + std::to_string(i) + "+1?"}, {"solution", std::to_string(i + 1)},
                      {"kind", i < 4 ? "easy" : i < 6 ? "hard" : "mixed"}});
    write_jsonl(dir_->file("oracle.jsonl"), rows);
  }
  static void TearDownTestSuite() { delete dir_; }

  // A tiny recipe loaded from configs/tiny with its paths made absolute and overrides applied.
  static TrainConfig tiny(const std::string& recipe, const std::string& out, std::vector<std::string> overrides = {}) {
    const std::string root = source_dir();
    overrides.insert(overrides.begin(), {"model.path=" + root + "/tests/data/hf/qwen2",
                                         "tokenizer.path=" + root + "/tests/data/tiny",
                                         "checkpoint.output_dir=" + out});
    TrainConfig c;
    std::string text = read_file(root + "/configs/tiny/" + recipe);
    // Paths in the recipes are relative to the repository root.
    for (std::size_t p = 0; (p = text.find("tests/data/tiny/", p)) != std::string::npos; p += root.size() + 17)
      text.insert(p, root + "/");
    load_config(c, text, recipe, overrides);
    return c;
  }

  static std::vector<nlohmann::json> run(const TrainConfig& c, const std::string& resume = "") {
    std::vector<nlohmann::json> metrics;
    TrainOptions o;
    o.resume = resume;
    o.on_step_end = [&](TrainContext&, const nlohmann::json& m) { metrics.push_back(m); };
    Trainer(c).run(o);
    return metrics;
  }
  static test::TempDir* dir_;
};
test::TempDir* Strategies::dir_ = nullptr;

TEST_F(Strategies, SrpoSwitchesStageAtTheConfiguredStepAndMixes) {
  auto m = run(tiny("srpo.yaml", dir_->file("srpo"), {"train.max_steps=4", "checkpoint.save_steps=0"}));
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0]["phase"], "math");
  EXPECT_EQ(m[1]["phase"], "math");  // until_step: 2
  EXPECT_EQ(m[2]["phase"], "code");
  EXPECT_EQ(m[3]["phase"], "code");
  EXPECT_EQ(m[1]["srpo/stage"], 0);
  EXPECT_EQ(m[2]["srpo/stage"], 1);
  // Stage 1 scores math only; stage 2 code and (mixed in) math, each with its own rewards.
  EXPECT_TRUE(m[0].contains("rewards/math/accuracy"));
  EXPECT_FALSE(m[0].contains("rewards/code/binary_code"));
  EXPECT_TRUE(m[2].contains("rewards/code/binary_code"));
  EXPECT_TRUE(m[2].contains("rewards/math/accuracy"));
  EXPECT_EQ(m[2]["max_new_tokens"], 16);
  EXPECT_EQ(m[0]["max_new_tokens"], 12);
}

TEST_F(Strategies, HistoryResamplingDropsExactlyTheAllCorrectPrompts) {
  const std::string out = dir_->file("hr");
  // One stage over the oracle rows; 2 prompts per step, so one epoch is 4 steps.
  TrainConfig c = tiny("srpo.yaml", out,
                       {"train.max_steps=6", "train.batch_size=4", "train.micro_batch_size=4",
                        "rollout.samples_per_prompt=2", "checkpoint.save_steps=0", "srpo.correctness_reward=oracle"});
  c.srpo.stages.items.resize(1);
  c.srpo.stages.items[0].train_file = dir_->file("oracle.jsonl");
  c.srpo.stages.items[0].until_step = 0;
  RewardEntry oracle;
  oracle.name = "oracle";
  c.srpo.stages.items[0].rewards.items = {oracle};
  auto m = run(c);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[3]["hr/math/pool_size"], 8);   // still epoch 1
  EXPECT_EQ(m[4]["hr/math/pool_size"], 4);   // epoch 2: the 4 easy rows are gone
  EXPECT_EQ(m[4]["hr/math/dropped_last_epoch"], 4);
  auto state = nlohmann::json::parse(read_file(out + "/checkpoint-000006/trainer_state.json"));
  auto active = state["strategy"]["pools"]["math"]["active"].get<std::vector<int64_t>>();
  EXPECT_EQ(std::set<int64_t>(active.begin(), active.end()), (std::set<int64_t>{4, 5, 6, 7}));  // hard + mixed kept
}

TEST_F(Strategies, DeepscalerScheduleChangesLengthsAndGroupSizes) {
  auto m = run(tiny("deepscaler_1p5b.yaml", dir_->file("ds"), {"checkpoint.save_steps=0"}));
  ASSERT_EQ(m.size(), 3u);
  const int64_t want_len[] = {8, 12, 16}, want_g[] = {4, 8, 8};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(m[i]["max_new_tokens"], want_len[i]) << i;
    EXPECT_EQ(m[i]["samples_per_prompt"], want_g[i]) << i;
    EXPECT_LE(m[i]["completion_length_max"].get<double>(), static_cast<double>(want_len[i])) << i;
  }
}

TEST_F(Strategies, DynamicSamplingNeverTrainsOnZeroVarianceGroupsAndFillsTheBatch) {
  TrainConfig c = tiny("dapo.yaml", dir_->file("dapo"),
                       {"train.max_steps=2", "rollout.samples_per_prompt=2", "train.batch_size=4",
                        "train.micro_batch_size=2", "algo.dynamic_sampling.max_rounds=20", "checkpoint.save_steps=0"});
  c.data.train_file = dir_->file("oracle.jsonl");
  RewardEntry oracle;
  oracle.name = "oracle";
  c.rewards.items = {oracle};
  auto m = run(c);
  ASSERT_EQ(m.size(), 2u);
  for (const auto& s : m) {
    EXPECT_EQ(s["dynamic_sampling/kept_groups"], 2);  // the batch is full: 2 prompts x 2 samples
    EXPECT_EQ(s["frac_reward_zero_std"], 0.0);        // no trained group without variance
    EXPECT_GT(s["dynamic_sampling/dropped_groups"].get<int64_t>(), 0);
    EXPECT_GT(s["dynamic_sampling/extra_rollouts"].get<int64_t>(), 0);
  }
}

// Resuming in the middle of an SRPO stage (with History Resampling records) and of a DeepScaleR
// phase continues exactly as the uninterrupted run.
TEST_F(Strategies, ResumeMidStageAndMidScheduleIsExact) {
  for (const std::string recipe : {"srpo.yaml", "deepscaler_1p5b.yaml"}) {
    const std::string a = dir_->file("straight-" + recipe), b = dir_->file("resumed-" + recipe);
    run(tiny(recipe, a, {"train.max_steps=4", "checkpoint.save_steps=1", "checkpoint.keep_last=0"}));
    fs::create_directories(b);
    run(tiny(recipe, b, {"train.max_steps=4", "checkpoint.save_steps=1", "checkpoint.keep_last=0"}),
        a + "/checkpoint-000001");
    auto x = load_safetensors(a + "/final/adapter/adapter_model.safetensors");
    auto y = load_safetensors(b + "/final/adapter/adapter_model.safetensors");
    ASSERT_EQ(x.size(), y.size());
    for (auto& [k, t] : x) EXPECT_TRUE(at::equal(t, y.at(k))) << recipe << " " << k;
    EXPECT_EQ(read_file(a + "/checkpoint-000004/trainer_state.json"), read_file(b + "/checkpoint-000004/trainer_state.json"))
        << recipe;
  }
}

// Every shipped recipe validates with its paths pointed at the fixtures.
TEST_F(Strategies, EveryRecipeValidates) {
  const std::string root = source_dir();
  int checked = 0;
  for (const auto& e : fs::directory_iterator(root + "/configs")) {
    if (e.path().extension() != ".yaml") continue;
    std::vector<std::string> o = {"model.path=" + root + "/tests/data/hf/qwen2", "tokenizer.path=" + root + "/tests/data/tiny",
                                  "model.device=cpu", "model.dtype=float32", "data.train_file=" + root + "/tests/data/tiny/math.jsonl",
                                  "checkpoint.output_dir=" + dir_->file("validate")};
    TrainConfig c;
    load_config(c, read_file(e.path().string()), e.path().string(), o);
    for (auto& st : c.srpo.stages.items)
      st.train_file = root + (st.name == "code" ? "/tests/data/tiny/code.jsonl" : "/tests/data/tiny/math.jsonl");
    EXPECT_NO_THROW(Trainer(c).run(TrainOptions{"", true})) << e.path();
    ++checked;
  }
  EXPECT_EQ(checked, 9);  // tina x3, open_rs x3, deepscaler, srpo, dapo
}

}  // namespace
}  // namespace reason
