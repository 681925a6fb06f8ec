// Advantages, policy losses, KL, schedules and AdamW against hand-computed values, and a
// finite-difference check of the whole policy-loss gradient through a tiny model.
#include <gtest/gtest.h>

#include <cmath>

#include "reason/algo/advantages.h"
#include "reason/algo/logprobs.h"
#include "reason/algo/policy_loss.h"
#include "reason/core/error.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/train/optimizer.h"
#include "support/torch_support.h"

namespace reason {
namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();

TEST(Advantages, GroupScalingByHand) {
  at::Tensor r = at::tensor({1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 0.0, 1.0, kNan, 0.0}, at::kFloat);
  GroupStats stats;
  at::Tensor a = group_advantages(r, 4, RewardScaling::Group, 1e-4, &stats);
  const double s1 = std::sqrt(1.0 / 3.0);  // Bessel std of {1,0,0,1}
  const double s3 = std::sqrt(1.0 / 3.0);  // Bessel std of {0,1,0} (NaN left out)
  std::vector<double> want = {0.5 / (s1 + 1e-4), -0.5 / (s1 + 1e-4), -0.5 / (s1 + 1e-4), 0.5 / (s1 + 1e-4),
                              0, 0, 0, 0,
                              (-1.0 / 3) / (s3 + 1e-4), (2.0 / 3) / (s3 + 1e-4), 0.0, (-1.0 / 3) / (s3 + 1e-4)};
  for (int i = 0; i < 12; ++i) EXPECT_NEAR(a[i].item<double>(), want[i], 1e-5) << i;
  EXPECT_EQ(stats.zero_std, 1);
  EXPECT_NEAR(stats.mean[2].item<double>(), 1.0 / 3, 1e-6);
}

TEST(Advantages, BatchAndNoScaling) {
  at::Tensor r = at::tensor({1.0, 0.0, 3.0, 3.0}, at::kFloat);
  at::Tensor none = group_advantages(r, 2, RewardScaling::None);
  EXPECT_NEAR(none[0].item<double>(), 0.5, 1e-6);
  EXPECT_NEAR(none[2].item<double>(), 0.0, 1e-6);
  // Batch std of {1,0,3,3}: mean 1.75, sum sq dev = 0.5625+3.0625+1.5625+1.5625 = 6.75, /3 = 2.25
  at::Tensor batch = group_advantages(r, 2, RewardScaling::Batch);
  EXPECT_NEAR(batch[1].item<double>(), -0.5 / (1.5 + 1e-4), 1e-6);
  EXPECT_THROW(group_advantages(r, 3, RewardScaling::Group), InvalidArgument);
}

struct LossCase {
  at::Tensor logp = at::tensor({-1.0, -2.0, -3.0, -0.5, -1.0, -1.5}, at::kFloat).view({2, 3});
  at::Tensor old = at::tensor({-1.3, -2.0, -2.5, -0.5, -0.9, -1.5}, at::kFloat).view({2, 3});
  at::Tensor ref = at::tensor({-1.2, -2.0, -2.9, -0.4, -1.0, -1.6}, at::kFloat).view({2, 3});
  at::Tensor adv = at::tensor({1.0, -1.0}, at::kFloat);
  at::Tensor mask = at::tensor({1.0, 1.0, 0.0, 1.0, 1.0, 1.0}, at::kFloat).view({2, 3});
  // Per-token losses by hand: row 0 (A=+1): ratio e^0.3 clipped to 1.2 -> -1.2; ratio 1 -> -1.
  // Row 1 (A=-1): ratios 1, e^-0.1, 1 (inside the clip range) -> 1, e^-0.1, 1.
  double row0() const { return -1.2 - 1.0; }
  double row1() const { return 1.0 + std::exp(-0.1) + 1.0; }
  PolicyLossInputs inputs() const {
    PolicyLossInputs in;
    in.logprobs = logp;
    in.old_logprobs = old;
    in.advantages = adv;
    in.mask = mask;
    return in;
  }
};

TEST(PolicyLoss, AggregationModesByHand) {
  LossCase c;
  PolicyLossOptions o;
  o.aggregation = LossAggregation::Bnpo;
  PolicyLossOutput out = policy_loss(c.inputs(), o);
  EXPECT_NEAR(out.loss.item<double>(), (c.row0() + c.row1()) / 5.0, 1e-6);
  EXPECT_NEAR(out.clip_high, 1.0 / 5, 1e-9);
  EXPECT_NEAR(out.clip_low, 0.0, 1e-9);
  EXPECT_EQ(out.tokens, 5.0);

  o.aggregation = LossAggregation::Grpo;
  EXPECT_NEAR(policy_loss(c.inputs(), o).loss.item<double>(), (c.row0() / 2 + c.row1() / 3) / 2, 1e-6);
  o.accumulation_steps = 4;
  EXPECT_NEAR(policy_loss(c.inputs(), o).loss.item<double>(), (c.row0() / 2 + c.row1() / 3) / 2 / 4, 1e-6);
  o.accumulation_steps = 1;

  o.aggregation = LossAggregation::DrGrpo;
  o.max_completion_length = 4;
  EXPECT_NEAR(policy_loss(c.inputs(), o).loss.item<double>(), (c.row0() + c.row1()) / (2 * 4), 1e-6);

  o.aggregation = LossAggregation::Dapo;
  o.dapo_normalizer = 10.0;  // e.g. 20 active tokens over the accumulated batch on 2 ranks
  o.accumulation_steps = 4;  // ignored: the normalizer already covers the accumulated batch
  EXPECT_NEAR(policy_loss(c.inputs(), o).loss.item<double>(), (c.row0() + c.row1()) / 10.0, 1e-6);
}

TEST(PolicyLoss, KlK3AndBeta) {
  LossCase c;
  at::Tensor k = kl_k3(c.logp, c.ref);
  const double d = -1.2 - (-1.0);
  EXPECT_NEAR(k[0][0].item<double>(), std::exp(d) - d - 1, 1e-7);
  EXPECT_NEAR(k[0][1].item<double>(), 0.0, 1e-7);
  PolicyLossOptions o;
  o.aggregation = LossAggregation::Bnpo;
  o.beta = 0.04;
  PolicyLossInputs in = c.inputs();
  in.ref_logprobs = c.ref;
  double kl_sum = 0;
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < 3; ++t) kl_sum += k[b][t].item<double>() * c.mask[b][t].item<double>();
  PolicyLossOutput out = policy_loss(in, o);
  EXPECT_NEAR(out.loss.item<double>(), (c.row0() + c.row1() + 0.04 * kl_sum) / 5.0, 1e-6);
  EXPECT_NEAR(out.kl, kl_sum / 5.0, 1e-6);
}

TEST(PolicyLoss, Trl015Mode) {
  // loss = -(exp(logp - logp.detach()) A - beta kl): value -A + beta kl; per-sequence mean, then mean.
  LossCase c;
  PolicyLossOptions o;
  o.trl_0_15 = true;
  o.beta = 0.04;
  PolicyLossInputs in = c.inputs();
  in.ref_logprobs = c.ref;
  at::Tensor k = kl_k3(c.logp, c.ref);
  const double seq0 = (-1 + 0.04 * k[0][0].item<double>() - 1 + 0.04 * k[0][1].item<double>()) / 2;
  const double seq1 = (3 + 0.04 * (k[1][0].item<double>() + k[1][1].item<double>() + k[1][2].item<double>())) / 3;
  EXPECT_NEAR(policy_loss(in, o).loss.item<double>(), (seq0 + seq1) / 2, 1e-6);
  // Its gradient w.r.t. logp is -A/len + beta dkl/dlogp per token: check one by hand.
  at::Tensor lp = c.logp.clone().requires_grad_(true);
  in.logprobs = lp;
  policy_loss(in, o).loss.backward();
  const double dkl = -std::exp(-1.2 - (-1.0)) + 1;  // d/dlogp of exp(ref-logp)-(ref-logp)-1
  EXPECT_NEAR(lp.grad()[0][0].item<double>(), (-1.0 + 0.04 * dkl) / 2 / 2, 1e-6);
  EXPECT_NEAR(lp.grad()[0][2].item<double>(), 0.0, 1e-9);  // masked
}

TEST(Schedules, MatchTransformersFormulas) {
  LrScheduleOptions o;
  o.lr = 1.0;
  o.total_steps = 100;
  o.warmup_steps = warmup_steps_for(100, 0, 0.1);
  EXPECT_EQ(o.warmup_steps, 10);
  EXPECT_EQ(warmup_steps_for(95, 0, 0.1), 10);  // ceil(9.5)
  o.schedule = LrSchedule::CosineWithMinLr;
  o.min_lr_rate = 0.1;
  EXPECT_DOUBLE_EQ(learning_rate(o, 0), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate(o, 5), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate(o, 10), 1.0);
  EXPECT_NEAR(learning_rate(o, 55), 0.5 * (1 + std::cos(M_PI * 0.5)) * 0.9 + 0.1, 1e-12);
  EXPECT_NEAR(learning_rate(o, 100), 0.1, 1e-12);
  o.schedule = LrSchedule::Linear;
  EXPECT_NEAR(learning_rate(o, 55), 45.0 / 90.0, 1e-12);
  o.schedule = LrSchedule::Cosine;
  EXPECT_NEAR(learning_rate(o, 100), 0.0, 1e-12);
  o.schedule = LrSchedule::Constant;
  EXPECT_DOUBLE_EQ(learning_rate(o, 77), 1.0);
}

TEST(AdamW, TwoStepsByHand) {
  at::Tensor p = at::tensor({1.0f, -2.0f}).requires_grad_(true);
  AdamW opt({p}, AdamWOptions{0.1, 0.9, 0.999, 1e-8, 0.01});
  double x[2] = {1.0, -2.0}, m[2] = {0, 0}, v[2] = {0, 0};
  const double g[2][2] = {{0.5, -1.0}, {0.25, 2.0}};
  for (int s = 1; s <= 2; ++s) {
    p.mutable_grad() = at::tensor({static_cast<float>(g[s - 1][0]), static_cast<float>(g[s - 1][1])});
    opt.step(0.1);
    for (int i = 0; i < 2; ++i) {
      x[i] *= 1 - 0.1 * 0.01;
      m[i] = 0.9 * m[i] + 0.1 * g[s - 1][i];
      v[i] = 0.999 * v[i] + 0.001 * g[s - 1][i] * g[s - 1][i];
      const double mhat = m[i] / (1 - std::pow(0.9, s)), denom = std::sqrt(v[i]) / std::sqrt(1 - std::pow(0.999, s)) + 1e-8;
      x[i] -= 0.1 * mhat / denom;
    }
  }
  EXPECT_NEAR(p[0].item<double>(), x[0], 1e-6);
  EXPECT_NEAR(p[1].item<double>(), x[1], 1e-6);
  EXPECT_EQ(opt.steps(), 2);
}

TEST(ClipGradNorm, ScalesToMaxNorm) {
  at::Tensor a = at::zeros({2}).requires_grad_(true), b = at::zeros({1}).requires_grad_(true);
  a.mutable_grad() = at::tensor({3.0f, 0.0f});
  b.mutable_grad() = at::tensor({4.0f});
  EXPECT_NEAR(clip_grad_norm({a, b}, 1.0), 5.0, 1e-9);
  EXPECT_NEAR(a.grad()[0].item<double>(), 3.0 / (5.0 + 1e-6), 1e-6);
}

// Chunked log-probs and entropies equal the unchunked computation, values and gradients.
TEST(ChunkedLogprobs, EqualUnchunked) {
  torch::manual_seed(5);
  at::Tensor h = at::randn({37, 16}, at::kDouble).requires_grad_(true);
  at::Tensor w = at::randn({50, 16}, at::kDouble).requires_grad_(true);  // trained head (full fine-tuning)
  at::Tensor t = at::randint(0, 50, {37});
  LogprobOptions o;
  o.chunk_tokens = 8;
  o.temperature = 0.7;
  at::Tensor ent;
  at::Tensor lp = token_logprobs(h, w, t, o, &ent);
  at::Tensor g1 = at::randn({37}, at::kDouble), g2 = at::randn({37}, at::kDouble);
  auto grads = torch::autograd::grad({(lp * g1).sum() + (ent * g2).sum()}, {h, w});
  at::Tensor h2 = h.detach().clone().requires_grad_(true);
  at::Tensor w2 = w.detach().clone().requires_grad_(true);
  at::Tensor full = at::log_softmax(at::matmul(h2, w2.t()) / 0.7, -1);
  at::Tensor lp2 = full.gather(-1, t.unsqueeze(-1)).squeeze(-1);
  at::Tensor ent2 = -(full.exp() * full).sum(-1);
  auto grads2 = torch::autograd::grad({(lp2 * g1).sum() + (ent2 * g2).sum()}, {h2, w2});
  EXPECT_LE(test::max_abs_diff(lp, lp2), 1e-10);
  EXPECT_LE(test::max_abs_diff(ent, ent2), 1e-10);
  EXPECT_LE(test::max_abs_diff(grads[0], grads2[0]), 1e-10);
  EXPECT_LE(test::max_abs_diff(grads[1], grads2[1]), 1e-10);
}

// d(policy loss)/d(LoRA) by autograd (chunked log-probs with recomputation, activation
// checkpointing) against central finite differences, in float64 on the tiny Qwen2 fixture.
TEST(PolicyLossGradient, FiniteDifferences) {
  CausalLM model = load_model(test::hf_dir("qwen2"), LoadOptions{at::kDouble, at::kCPU});
  torch::manual_seed(6);
  LoraConfig cfg;
  cfg.r = 2;
  cfg.target_modules = {"q_proj", "v_proj", "down_proj"};
  attach_lora(*model, cfg);
  for (auto& p : lora_parameters(*model)) {
    at::NoGradGuard g;
    p.normal_(0, 0.2);
  }
  at::Tensor ids = at::randint(3, 1024, {2, 9});
  at::Tensor mask = at::ones({2, 9}, at::kLong);
  mask[1].narrow(0, 0, 2).zero_();
  const int64_t P = 4;  // completion = last 5 tokens, predicted from positions 3..7
  at::Tensor cmask = at::ones({2, 5}, at::kDouble);
  cmask[0][4] = 0;
  at::Tensor adv = at::tensor({0.7, -1.3}, at::kDouble);
  at::Tensor old, ref;
  auto loss_fn = [&](bool checkpoint) {
    ForwardOptions fo;
    fo.activation_checkpointing = checkpoint;
    at::Tensor h = model->hidden_states(ids, mask, {}, nullptr, fo);
    at::Tensor hc = h.narrow(1, P - 1, 5).reshape({10, -1});
    LogprobOptions lo;
    lo.chunk_tokens = 3;
    lo.temperature = 0.9;
    at::Tensor lp = token_logprobs(hc, model->lm_head_weight(), ids.narrow(1, P, 5).reshape({10}), lo).view({2, 5});
    if (!old.defined()) {
      old = (lp.detach() + 0.05 * at::randn_like(lp)).to(at::kDouble);
      ref = (lp.detach() - 0.1 * at::rand_like(lp)).to(at::kDouble);
    }
    PolicyLossInputs in;
    in.logprobs = lp.to(at::kDouble);
    in.old_logprobs = old;
    in.ref_logprobs = ref;
    in.advantages = adv;
    in.mask = cmask;
    PolicyLossOptions o;
    o.aggregation = LossAggregation::Grpo;
    o.beta = 0.1;
    o.epsilon_low = o.epsilon_high = 10.0;  // away from the clipping kinks, which FD cannot see
    return policy_loss(in, o).loss;
  };
  for (bool checkpoint : {false, true}) {
    for (auto& p : lora_parameters(*model)) p.mutable_grad() = at::Tensor();
    loss_fn(checkpoint).backward();
    double worst = 0;
    int checked = 0;
    for (auto& p : lora_parameters(*model)) {
      for (int k = 0; k < 3; ++k) {
        const int64_t i = (k * 7919 + 13) % p.numel();
        const double g = p.grad().view(-1)[i].item<double>();
        const double h = 1e-6;
        double up, down;
        {
          at::NoGradGuard ng;
          p.view(-1)[i] += h;
          up = loss_fn(checkpoint).item<double>();
          p.view(-1)[i] -= 2 * h;
          down = loss_fn(checkpoint).item<double>();
          p.view(-1)[i] += h;
        }
        const double fd = (up - down) / (2 * h);
        worst = std::max(worst, std::abs(fd - g) / std::max(1e-6, std::abs(fd)));
        ++checked;
      }
    }
    std::cout << "[fd] checkpointing=" << checkpoint << " worst relative error " << worst << " over " << checked
              << " entries\n";
    EXPECT_LE(worst, 1e-5);
  }
}

}  // namespace
}  // namespace reason
