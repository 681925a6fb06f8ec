#pragma once
// Token log-probabilities through the LM head in chunks of tokens, so that a full-vocabulary
// logits tensor for the whole batch never exists (design decision 4). Differentiable with
// respect to the hidden states: backward recomputes each chunk's logits.
#include <ATen/ATen.h>

namespace reason {

struct LogprobOptions {
  int64_t chunk_tokens = 1024;  // tokens per LM-head chunk
  double temperature = 1.0;     // logits are divided by it before the softmax (TRL)
};

// hidden (N, H), lm_weight (V, H) (frozen, or trained with full fine-tuning), targets (N) int64
// -> log p(target) (N) float32; with `entropy` non-null also the token entropies (N) float32.
// Both are differentiable with respect to `hidden` (entropy bonuses need the second).
at::Tensor token_logprobs(const at::Tensor& hidden, const at::Tensor& lm_weight, const at::Tensor& targets,
                          const LogprobOptions& options = {}, at::Tensor* entropy = nullptr);

}  // namespace reason
