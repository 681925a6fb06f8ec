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

// hidden (N, H), lm_weight (V, H) (frozen), targets (N) int64
// -> log p(target) (N) float32; with `entropy` non-null also the entropy (N) float32 (no grad).
at::Tensor token_logprobs(const at::Tensor& hidden, const at::Tensor& lm_weight, const at::Tensor& targets,
                          const LogprobOptions& options = {}, at::Tensor* entropy = nullptr);

}  // namespace reason
