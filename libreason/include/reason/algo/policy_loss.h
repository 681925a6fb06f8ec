#pragma once
// The GRPO-family policy loss on one micro-batch, as TRL's GRPOTrainer._compute_loss
// (reference/algorithms.md §1.2), with its aggregation modes and the TRL 0.15 variant used by
// Tina and Open-RS. All tensors (B, T) are over completion tokens; `mask` marks the tokens that
// count (after EOS and truncated completions removed).
#include <ATen/ATen.h>

#include <string>

namespace reason {

enum class LossAggregation {
  Grpo,    // mean over sequences of (sum_t loss / sum_t mask)       (length-biased)
  Bnpo,    // sum(loss) / sum(mask) over the micro-batch
  DrGrpo,  // sum(loss) / (B * max_completion_length)
  Dapo,    // sum(loss) / (active tokens of the whole accumulated batch / world size)
};
LossAggregation loss_aggregation_from(const std::string& name);  // grpo | bnpo | dr_grpo | dapo

struct PolicyLossOptions {
  LossAggregation aggregation = LossAggregation::Dapo;
  double epsilon_low = 0.2;   // ratio clipped to [1 - epsilon_low, 1 + epsilon_high]
  double epsilon_high = 0.2;
  double beta = 0.0;          // KL (k3) coefficient against the reference policy
  double entropy_coef = 0.0;  // subtracts coef x mean token entropy (needs `entropy`)
  // TRL 0.14/0.15: loss = -(exp(logp - logp.detach()) A - beta kl), per-sequence mean, then mean
  // over sequences; no clipping (and the caller computes log-probs without temperature).
  bool trl_0_15 = false;
  int64_t max_completion_length = 0;  // DrGrpo's constant denominator
  int64_t accumulation_steps = 1;     // non-Dapo losses are divided by it (as TRL)
  double dapo_normalizer = 0.0;       // Dapo: active tokens in the accumulated batch / world size
};

struct PolicyLossInputs {
  at::Tensor logprobs;      // (B, T) current policy, differentiable
  at::Tensor old_logprobs;  // (B, T) behaviour policy; undefined = logprobs.detach() (on-policy)
  at::Tensor ref_logprobs;  // (B, T) reference policy (adapters off); needed when beta != 0
  at::Tensor advantages;    // (B)
  at::Tensor mask;          // (B, T) 1 for tokens that count
  at::Tensor entropy;       // (B, T) token entropies; needed when entropy_coef != 0
};

struct PolicyLossOutput {
  at::Tensor loss;                // scalar, to backward()
  double kl = 0.0;                // masked mean of the k3 KL (0 when beta == 0 and no ref)
  double clip_low = 0.0;          // share of tokens with r < 1 - eps_low and A < 0
  double clip_high = 0.0;         // share with r > 1 + eps_high and A > 0
  double clip_region = 0.0;       // either
  double entropy = 0.0;           // masked mean entropy (when given)
  double tokens = 0.0;            // sum(mask)
};

PolicyLossOutput policy_loss(const PolicyLossInputs& in, const PolicyLossOptions& options);

// k3 estimator exp(ref - logp) - (ref - logp) - 1, elementwise. (B, T) -> (B, T)
at::Tensor kl_k3(const at::Tensor& logprobs, const at::Tensor& ref_logprobs);

}  // namespace reason
