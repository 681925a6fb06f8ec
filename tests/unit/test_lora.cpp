// LoRA linear layers, adapter switching, merging, activation checkpointing and the KV cache,
// checked against direct computations on the tiny fixtures.
#include <gtest/gtest.h>

#include <cmath>

#include "reason/core/error.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "support/torch_support.h"

namespace reason {
namespace {

using test::max_abs_diff;

TEST(LoraLinear, FreshAdapterIsIdentityAndInitialisedAsPeft) {
  torch::manual_seed(0);
  LoraLinear lin(256, 32, true, at::TensorOptions().dtype(at::kFloat));
  lin->weight.normal_();
  lin->bias.normal_();
  at::Tensor x = at::randn({3, 5, 256});
  at::Tensor base = lin->forward(x);
  lin->attach(LoraSettings{8, 16, 0, false}, nullptr);
  EXPECT_TRUE(at::equal(lin->forward(x), base));  // B = 0
  EXPECT_TRUE(at::equal(lin->lora_B, at::zeros_like(lin->lora_B)));
  // kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  const double bound = 1.0 / std::sqrt(256.0);
  EXPECT_LE(lin->lora_A.abs().max().item<double>(), bound);
  EXPECT_GT(lin->lora_A.abs().max().item<double>(), 0.9 * bound);
  EXPECT_EQ(lin->lora_A.scalar_type(), at::kFloat);
  EXPECT_TRUE(lin->lora_A.requires_grad());
  EXPECT_FALSE(lin->weight.requires_grad());
}

TEST(LoraLinear, ScalingAndRsLora) {
  EXPECT_DOUBLE_EQ((LoraSettings{8, 16, 0, false}.scaling()), 2.0);
  EXPECT_DOUBLE_EQ((LoraSettings{16, 32, 0, true}.scaling()), 8.0);  // 32 / sqrt(16)
  torch::manual_seed(1);
  LoraLinear lin(16, 8, false, at::TensorOptions().dtype(at::kFloat));
  lin->weight.normal_();
  lin->attach(LoraSettings{4, 12, 0, true}, nullptr);
  {
    at::NoGradGuard g;
    lin->lora_B.normal_();
  }
  at::Tensor x = at::randn({2, 16});
  at::Tensor expected = at::matmul(x, lin->weight.t()) +
                        (12.0 / 2.0) * at::matmul(at::matmul(x, lin->lora_A.t()), lin->lora_B.t());
  EXPECT_LE(max_abs_diff(lin->forward(x), expected), 1e-5);
}

TEST(LoraLinear, OnlyAdapterGetsGradientsAndMergeMatches) {
  torch::manual_seed(2);
  LoraLinear lin(16, 8, true, at::TensorOptions().dtype(at::kFloat));
  lin->weight.normal_();
  lin->bias.normal_();
  lin->attach(LoraSettings{4, 8, 0, false}, nullptr);
  {
    at::NoGradGuard g;
    lin->lora_B.normal_();
  }
  at::Tensor x = at::randn({5, 16});
  at::Tensor y = lin->forward(x);
  y.pow(2).sum().backward();
  EXPECT_TRUE(lin->lora_A.grad().defined());
  EXPECT_TRUE(lin->lora_B.grad().defined());
  EXPECT_FALSE(lin->weight.grad().defined());
  at::Tensor before = y.detach();
  lin->merge_and_detach();
  EXPECT_FALSE(lin->has_adapter());
  EXPECT_EQ(lin->parameters().size(), 2u);  // weight and bias only
  EXPECT_LE(max_abs_diff(lin->forward(x), before), 1e-5);
}

TEST(LoraLinear, DropoutOnlyWhenTraining) {
  torch::manual_seed(3);
  LoraLinear lin(64, 64, false, at::TensorOptions().dtype(at::kFloat));
  lin->weight.zero_();
  lin->attach(LoraSettings{8, 8, 0.5, false}, nullptr);
  {
    at::NoGradGuard g;
    lin->lora_B.fill_(1.0);
  }
  at::Tensor x = at::ones({4, 64});
  lin->eval();
  at::Tensor a = lin->forward(x), b = lin->forward(x);
  EXPECT_TRUE(at::equal(a, b));
  lin->train();
  EXPECT_FALSE(at::equal(lin->forward(x), a));
}

class TinyModel : public ::testing::Test {
 protected:
  void SetUp() override { model = load_model(test::hf_dir("qwen3")); }
  CausalLM model{nullptr};
};

TEST_F(TinyModel, AttachByTargetSubsetAndSwitchOff) {
  LoraConfig cfg;
  cfg.target_modules = {"q_proj", "down_proj"};
  EXPECT_EQ(attach_lora(*model, cfg), 2 * model->config().num_hidden_layers);
  EXPECT_EQ(lora_parameters(*model).size(), 8u);
  for (auto& [name, p] : adapter_tensors(*model))
    EXPECT_TRUE(name.find("q_proj") != std::string::npos || name.find("down_proj") != std::string::npos) << name;

  at::Tensor ids = at::randint(0, 1024, {2, 10});
  at::Tensor base = model->forward(ids).detach();
  for (auto& p : lora_parameters(*model)) {
    at::NoGradGuard g;
    p.normal_(0, 0.5);
  }
  at::Tensor adapted = model->forward(ids).detach();
  EXPECT_GT(max_abs_diff(adapted, base), 1e-3);
  {
    AdaptersDisabled off(*model);
    EXPECT_TRUE(at::equal(model->forward(ids), base));  // reference policy = base model
  }
  EXPECT_TRUE(at::equal(model->forward(ids).detach(), adapted));  // switched back on
}

TEST_F(TinyModel, UnknownTargetIsAnError) {
  LoraConfig cfg;
  cfg.target_modules = {"q_proj", "qkv_proj"};
  try {
    attach_lora(*model, cfg);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("LoRA target module 'qkv_proj' matches no module"), std::string::npos);
  }
  cfg.target_modules = {};
  cfg.target_regex = R"(model\.layers\.1\.mlp\.(up|gate)_proj)";
  EXPECT_EQ(attach_lora(*model, cfg), 2);
}

TEST_F(TinyModel, ActivationCheckpointingGivesTheSameGradients) {
  torch::manual_seed(4);
  LoraConfig cfg;
  attach_lora(*model, cfg);
  for (auto& p : lora_parameters(*model)) {
    at::NoGradGuard g;
    p.normal_(0, 0.1);
  }
  at::Tensor ids = at::randint(0, 1024, {2, 12});
  at::Tensor mask = at::ones({2, 12}, at::kLong);
  mask[1].narrow(0, 0, 4).zero_();
  auto grads = [&](bool checkpoint) {
    for (auto& p : lora_parameters(*model)) p.mutable_grad() = at::Tensor();
    ForwardOptions o;
    o.activation_checkpointing = checkpoint;
    at::Tensor h = model->hidden_states(ids, mask, {}, nullptr, o);
    model->logits(h).logsumexp(-1).sum().backward();
    std::vector<at::Tensor> g;
    for (auto& p : lora_parameters(*model)) g.push_back(p.grad().clone());
    return g;
  };
  auto plain = grads(false);
  auto ckpt = grads(true);
  ASSERT_EQ(plain.size(), ckpt.size());
  for (std::size_t i = 0; i < plain.size(); ++i) EXPECT_LE(max_abs_diff(plain[i], ckpt[i]), 1e-5) << i;
}

TEST_F(TinyModel, KvCacheStepsEqualFullForward) {
  at::NoGradGuard g;
  at::Tensor ids = at::randint(3, 1024, {3, 14});
  at::Tensor mask = at::ones({3, 14}, at::kLong);
  mask[1].narrow(0, 0, 3).zero_();
  mask[2].narrow(0, 0, 7).zero_();
  at::Tensor full = model->forward(ids, mask);
  auto cache = model->make_cache(3, 20);
  at::Tensor first = model->forward(ids.narrow(1, 0, 9), mask.narrow(1, 0, 9), {}, cache.get());
  std::vector<at::Tensor> parts{first};
  for (int64_t t = 9; t < 14; ++t)
    parts.push_back(model->forward(ids.narrow(1, t, 1), mask.narrow(1, t, 1), {}, cache.get()));
  at::Tensor stepped = at::cat(parts, 1);
  at::Tensor real = mask.to(at::kBool);
  EXPECT_LE(max_abs_diff(stepped.index({real}), full.index({real})), 1e-5);
}

TEST_F(TinyModel, KvCacheRowsCanBeReplaced) {
  // A row prefilled in another cache and assigned into a running batch continues exactly as
  // if it had been prefilled there (continuous batching).
  at::NoGradGuard g;
  at::Tensor a = at::randint(3, 1024, {1, 6});
  at::Tensor b = at::randint(3, 1024, {1, 4});
  auto big = model->make_cache(2, 16);
  at::Tensor two = at::cat({a, at::cat({at::zeros({1, 2}, at::kLong), b}, 1)}, 0);
  at::Tensor two_mask = at::ones({2, 6}, at::kLong);
  two_mask[1].narrow(0, 0, 2).zero_();
  model->forward(two, two_mask, {}, big.get());
  // Replace row 1 with a new prompt c prefilled separately.
  at::Tensor c = at::randint(3, 1024, {1, 5});
  auto small = model->make_cache(1, 8);
  model->forward(c, {}, {}, small.get());
  big->reset_rows({1});
  big->assign_rows({1}, *small, {0});
  at::Tensor next = at::randint(3, 1024, {2, 1});
  at::Tensor got = model->forward(next, at::ones({2, 1}, at::kLong), {}, big.get());
  at::Tensor want_c = model->forward(at::cat({c, next[1].view({1, 1})}, 1)).select(1, 5);
  at::Tensor want_a = model->forward(at::cat({a, next[0].view({1, 1})}, 1)).select(1, 6);
  EXPECT_LE(max_abs_diff(got[1][0], want_c[0]), 1e-5);
  EXPECT_LE(max_abs_diff(got[0][0], want_a[0]), 1e-5);
}

}  // namespace
}  // namespace reason
