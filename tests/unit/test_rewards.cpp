// Rewards: the registry and option validation, TRL's NaN-aware weighted sum, and every shaping
// reward against values computed by hand from open-r1's / Open-RS's formulas.
#include <gtest/gtest.h>

#include <cmath>

#include "reason/core/error.h"
#include "reason/reward/options.h"
#include "reason/reward/reward.h"
#include "reason/reward/shaping.h"

namespace reason {
namespace {

RewardSample sample(const std::string& completion, nlohmann::json fields = nlohmann::json::object(),
                    size_t tokens = 0) {
  RewardSample s;
  s.completion = completion;
  s.fields = std::move(fields);
  s.completion_ids.assign(tokens, 1);
  return s;
}

std::vector<double> run(const std::string& name, const nlohmann::json& options, const std::vector<RewardSample>& batch) {
  auto r = RewardRegistry::global().create(name, options);
  EXPECT_EQ(r->name(), name);
  return r->score(batch);
}

double one(const std::string& name, const nlohmann::json& options, const RewardSample& s) { return run(name, options, {s})[0]; }

TEST(RewardRegistry, BuiltinsAndCustomRewards) {
  auto names = RewardRegistry::global().names();
  for (const char* n : {"accuracy", "format", "tag_count", "reasoning_steps", "cosine", "repetition_penalty", "length",
                        "soft_overlong_punishment", "code", "binary_code", "code_format", "deepscaler"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;

  RewardRegistry local;
  struct Constant : Reward {
    double v;
    std::string n = "constant";
    explicit Constant(double x) : v(x) {}
    const std::string& name() const override { return n; }
    std::vector<double> score(const std::vector<RewardSample>& b) override { return std::vector<double>(b.size(), v); }
  };
  local.add("constant", [](const nlohmann::json& o) {
    RewardOptions opts(o);
    double v = opts.number("value", 1.0);
    opts.finish();
    return std::make_unique<Constant>(v);
  });
  EXPECT_THROW(local.add("constant", [](const nlohmann::json&) { return std::unique_ptr<Reward>(); }), InvalidArgument);
  EXPECT_DOUBLE_EQ(local.create("constant", {{"value", 0.25}})->score({sample("x")})[0], 0.25);
  try {
    local.create("nope", {}, "rewards.3");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "rewards.3.name");
    EXPECT_NE(std::string(e.what()).find("constant"), std::string::npos);  // lists the known names
  }
  try {
    local.create("constant", {{"valeu", 2}}, "rewards.3");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "rewards.3.options.valeu");
  }
  try {
    RewardRegistry::global().create("cosine", {{"max_len", "long"}}, "rewards.0");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "rewards.0.options.max_len");
  }
  EXPECT_THROW(RewardRegistry::global().create("format", {{"variant", "strict"}}), ConfigError);
}

TEST(RewardRegistry, WeightedSumFollowsTrl) {
  double nan = std::nan("");
  auto total = combine_rewards({{1.0, nan, nan, 0.0}, {0.5, 2.0, nan, nan}}, {2.0, 1.0});
  EXPECT_DOUBLE_EQ(total[0], 2.5);
  EXPECT_DOUBLE_EQ(total[1], 2.0);   // the NaN reward is left out
  EXPECT_TRUE(std::isnan(total[2]));  // no reward applies
  EXPECT_DOUBLE_EQ(total[3], 0.0);
  WeightedRewards w({{"format", 1.0, {}}, {"tag_count", 0.5, {}}});
  auto s = w.score({sample("<think>\na\n</think>\n<answer>\nb\n</answer>")});
  EXPECT_EQ(s.names, (std::vector<std::string>{"format", "tag_count"}));
  EXPECT_DOUBLE_EQ(s.total[0], 1.0 + 0.5 * 1.0);
  EXPECT_THROW(WeightedRewards({{"format", 1.0, {{"bad", 1}}}}), ConfigError);
}

TEST(ShapingRewards, Format) {
  EXPECT_EQ(format_reward_open_r1("<think>\nabc\n</think>\n<answer>\n42\n</answer>"), 1.0);
  EXPECT_EQ(format_reward_open_r1("<think>\nabc\n</think>\n<answer>\n42\n</answer>\nmore text"), 1.0);  // MULTILINE $
  EXPECT_EQ(format_reward_open_r1("x<think>\nabc\n</think>\n<answer>\n42\n</answer>"), 0.0);
  EXPECT_EQ(format_reward_open_r1("<think>abc</think><answer>42</answer>"), 0.0);
  EXPECT_EQ(format_reward_think_once("reasoning\n</think>\nThe answer is 4."), 1.0);
  EXPECT_EQ(format_reward_think_once("a\n</think>\nb\n</think>\n"), 0.0);
  EXPECT_EQ(format_reward_think_once("a</think>b"), 0.0);
  EXPECT_EQ(one("format", {{"variant", "think_once"}}, sample("a\n</think>\nb")), 1.0);
}

TEST(ShapingRewards, TagCount) {
  const std::string full = "<think>\na\n</think>\n<answer>\nb\n</answer>";
  EXPECT_EQ(tag_count_reward_open_r1(full), 1.0);
  EXPECT_EQ(tag_count_reward_open_r1("<think>\na\n</think>\nb"), 0.5);
  EXPECT_EQ(tag_count_reward_open_r1("<think>\n<think>\na\n</think>\n<answer>\nb\n</answer>"), 0.75);
  EXPECT_EQ(tag_count_reward_think_only("<think>\nx\n</think>\ny"), 1.0);
  EXPECT_EQ(tag_count_reward_think_only("x\n</think>\ny"), 0.5);
  EXPECT_EQ(one("tag_count", {{"variant", "think_only"}}, sample("x\n</think>\ny")), 0.5);
}

TEST(ShapingRewards, ReasoningSteps) {
  EXPECT_NEAR(reasoning_steps_reward("Step 1: a\nStep 2: b"), 2.0 / 3.0, 1e-12);
  // ^ only anchors at the start of the text (no MULTILINE in open-r1): one match here.
  EXPECT_NEAR(reasoning_steps_reward("1. a\n2. b"), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(reasoning_steps_reward("First, x. Second, y. Next, z. Finally, w."), 1.0);
  EXPECT_NEAR(reasoning_steps_reward("intro\n- a\n* b"), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(reasoning_steps_reward("nothing"), 0.0);
}

TEST(ShapingRewards, CosineScaled) {
  CosineParams p;  // open-r1 config defaults: 0.0 / -0.5 / 0.5 / 1.0, max_len 1000
  EXPECT_DOUBLE_EQ(cosine_scaled_reward(0, true, p), 1.0);
  EXPECT_DOUBLE_EQ(cosine_scaled_reward(1000, true, p), 0.5);
  EXPECT_NEAR(cosine_scaled_reward(500, true, p), 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(cosine_scaled_reward(0, false, p), 0.0);
  EXPECT_DOUBLE_EQ(cosine_scaled_reward(1000, false, p), -0.5);
  EXPECT_NEAR(cosine_scaled_reward(2000, false, p), 0.0, 1e-12);  // unclamped: turns back up
  p.clamp = true;
  EXPECT_DOUBLE_EQ(cosine_scaled_reward(2000, false, p), -0.5);
  CosineParams fn;  // the function-signature defaults: wrong from -1.0
  fn.min_value_wrong = -1.0;
  EXPECT_DOUBLE_EQ(cosine_scaled_reward(0, false, fn), -1.0);

  // Through the registry: characters (code points) by default, tokens on request.
  nlohmann::json row = {{"solution", "$\\frac{1}{2}$"}};
  std::string right = "so it is $\\boxed{\\frac{1}{2}}$";  // 30 characters
  std::string wrong = "so it is $\\boxed{\\frac{1}{3}}$";
  ASSERT_EQ(utf8_char_count(right), 30u);
  double c = std::cos(M_PI * 30.0 / 100.0);
  EXPECT_NEAR(one("cosine", {{"max_len", 100}}, sample(right, row)), 0.5 + 0.25 * (1 + c), 1e-12);
  EXPECT_NEAR(one("cosine", {{"max_len", 100}}, sample(wrong, row)), -0.5 + 0.25 * (1 + c), 1e-12);
  EXPECT_NEAR(one("cosine", {{"max_len", 100}}, sample("\u00e9\u00e9" + right, row)),
              0.5 + 0.25 * (1 + std::cos(M_PI * 32.0 / 100.0)), 1e-12);
  RewardSample t = sample(right, row, 300);
  t.max_completion_tokens = 200;
  EXPECT_DOUBLE_EQ(one("cosine", {{"length_unit", "tokens"}, {"max_len", 0}, {"clamp", true}}, t), 0.5);
  EXPECT_EQ(one("cosine", {}, sample(right, {{"solution", "no math here"}})), 1.0);  // unparseable gold
  EXPECT_TRUE(std::isnan(one("cosine", {}, sample(right, {{"other", 1}}))));
}

TEST(ShapingRewards, RepetitionPenalty) {
  EXPECT_DOUBLE_EQ(repetition_penalty_reward("a b c a b c", 3, -1.0), -0.25);
  EXPECT_DOUBLE_EQ(repetition_penalty_reward("A b C a B c", 3, -1.0), -0.25);
  EXPECT_DOUBLE_EQ(repetition_penalty_reward("the cat sat", 3, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(repetition_penalty_reward("a b", 3, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(repetition_penalty_reward("", 3, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(repetition_penalty_reward("x x x x x", 2, -0.5), (1.0 - 1.0 / 4.0) * -0.5);
  EXPECT_THROW(RewardRegistry::global().create("repetition_penalty", {{"max_penalty", 0.5}}), ConfigError);
  EXPECT_THROW(RewardRegistry::global().create("repetition_penalty", {{"language", "zh"}}), ConfigError);
}

TEST(ShapingRewards, SoftOverlongPunishment) {
  EXPECT_DOUBLE_EQ(soft_overlong_punishment(15, 20, 5), 0.0);
  EXPECT_DOUBLE_EQ(soft_overlong_punishment(17, 20, 5), -0.4);
  EXPECT_DOUBLE_EQ(soft_overlong_punishment(20, 20, 5), -1.0);
  EXPECT_DOUBLE_EQ(soft_overlong_punishment(21, 20, 5), -1.0);
  EXPECT_DOUBLE_EQ(one("soft_overlong_punishment", {{"max_completion_len", 20}, {"soft_punish_cache", 5}}, sample("", {}, 18)),
                   -0.6);
  RewardSample s = sample("", {}, 90);
  s.max_completion_tokens = 100;
  EXPECT_DOUBLE_EQ(one("soft_overlong_punishment", {{"use_sample_budget", true}, {"soft_punish_cache", 20}}, s), -0.5);
}

TEST(ShapingRewards, KimiLength) {
  auto v = kimi_length_reward({10, 20, 30}, {true, false, true});
  EXPECT_DOUBLE_EQ(v[0], 0.5);
  EXPECT_DOUBLE_EQ(v[1], 0.0);
  EXPECT_DOUBLE_EQ(v[2], -0.5);
  v = kimi_length_reward({10, 30}, {false, true});
  EXPECT_DOUBLE_EQ(v[0], 0.0);  // wrong: min(0, 0.5)
  EXPECT_DOUBLE_EQ(v[1], -0.5);
  v = kimi_length_reward({7, 7}, {true, false});
  EXPECT_EQ(v, (std::vector<double>{0.0, 0.0}));
  nlohmann::json row = {{"solution", "$4$"}};
  auto r = run("length", {}, {sample("$\\boxed{4}$", row), sample("a longer one: $\\boxed{5}$", row)});
  EXPECT_DOUBLE_EQ(r[0], 0.5);
  EXPECT_DOUBLE_EQ(r[1], -0.5);
}

TEST(AccuracyReward, OpenR1AndOpenRSVariants) {
  nlohmann::json row = {{"solution", "The answer is $\\frac{1}{2}$."}};
  EXPECT_EQ(one("accuracy", {}, sample("... so $\\boxed{0.5}$", row)), 1.0);
  EXPECT_EQ(one("accuracy", {}, sample("... so $\\boxed{0.6}$", row)), 0.0);
  EXPECT_EQ(one("accuracy", {}, sample("the answer is 0.5", row)), 0.0);  // needs LaTeX (no anchor-free match)
  // A plain gold "18" parses with open-r1's default targets but not with Open-RS's LaTeX-only.
  nlohmann::json plain = {{"answer", "18"}};
  EXPECT_EQ(one("accuracy", {{"solution_field", "answer"}}, sample("$\\boxed{18}$", plain)), 1.0);
  EXPECT_EQ(one("accuracy", {{"solution_field", "answer"}, {"variant", "open_rs"}}, sample("$\\boxed{17}$", plain)), 1.0);
  EXPECT_EQ(one("accuracy", {{"solution_field", "answer"}, {"variant", "open_rs"}, {"gold_wrap", "dollars"}},
                sample("$\\boxed{17}$", plain)),
            0.0);
  // Unparseable gold: skipped (NaN) by open-r1, 1.0 in Open-RS; a missing field is NaN.
  nlohmann::json bad = {{"solution", "no math at all"}};
  EXPECT_TRUE(std::isnan(one("accuracy", {}, sample("$\\boxed{1}$", bad))));
  EXPECT_EQ(one("accuracy", {{"variant", "open_rs"}}, sample("$\\boxed{1}$", bad)), 1.0);
  EXPECT_TRUE(std::isnan(one("accuracy", {}, sample("$\\boxed{1}$", {{"question", "?"}}))));
  // Open-RS's reversed verify(answer, gold): a gold interval vs an echoed inequality.
  nlohmann::json rel = {{"solution", "$-2 \\le x \\le 7$"}};
  EXPECT_EQ(one("accuracy", {}, sample("$\\boxed{[-2, 7]}$", rel)), 1.0);
  EXPECT_EQ(one("accuracy", {{"variant", "open_rs"}}, sample("$\\boxed{[-2, 7]}$", rel)), 0.0);
}

TEST(DeepScaleRReward, AnswerMustFollowThinking) {
  nlohmann::json row = {{"answer", "5"}};
  EXPECT_EQ(one("deepscaler", {}, sample("<think>2+3</think> so \\boxed{5}", row)), 1.0);
  EXPECT_EQ(one("deepscaler", {}, sample("<think>2+3 \\boxed{5}</think> so five", row)), 0.0);
  EXPECT_EQ(one("deepscaler", {}, sample("2+3</think> \\boxed{5}", row)), 0.0);  // no <think>
  EXPECT_EQ(one("deepscaler", {{"require_think_open", false}}, sample("2+3</think> \\boxed{5}", row)), 1.0);
  EXPECT_EQ(one("deepscaler", {}, sample("<think>x</think> \\boxed{\\frac{10}{2}}", row)), 1.0);
  EXPECT_EQ(one("deepscaler", {}, sample("<think>x</think> \\boxed{6}", {{"answer", {"6", "7"}}})), 1.0);
  EXPECT_EQ(one("deepscaler", {}, sample("<think>x</think> \\boxed{6}", {{"answer", "$\\boxed{6}$"}})), 1.0);
  EXPECT_TRUE(std::isnan(one("deepscaler", {}, sample("<think>x</think> \\boxed{6}", {}))));
}

TEST(CodeFormatReward, OpenR1Pattern) {
  std::string good = "<think>\nplan\n</think>\n<answer>\n```python\nprint(1)\n```\n</answer>";
  EXPECT_EQ(one("code_format", {}, sample(good)), 1.0);
  EXPECT_EQ(one("code_format", {}, sample(good, {{"language", "cpp"}})), 0.0);
  EXPECT_EQ(one("code_format", {}, sample("<think>\nplan\n</think>\n<answer>\nprint(1)\n</answer>")), 0.0);
}

}  // namespace
}  // namespace reason
