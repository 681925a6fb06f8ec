#pragma once
// Token sampling on the model's device: temperature, top-k, top-p, min-p (in that order, as
// transformers' logits processors), or greedy argmax.
#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace reason {

struct SamplingParams {
  bool greedy = false;
  double temperature = 1.0;
  double top_p = 1.0;    // 1: off
  int64_t top_k = 0;     // 0: off
  double min_p = 0.0;    // 0: off
  int64_t max_new_tokens = 256;
  std::vector<int64_t> stop_token_ids;   // a completion ends after one of these (EOS)
  std::vector<std::string> stop_strings; // ... or once its text contains one of these
  uint64_t seed = 0;
};

struct SampleResult {
  at::Tensor tokens;    // (B) int64
  at::Tensor logprobs;  // (B) float32: log softmax(logits / T) at the token, before filtering
};

// logits (B, V) -> one token per row. `generator` must live on logits' device.
SampleResult sample_tokens(const at::Tensor& logits, const SamplingParams& params, at::Generator& generator);

}  // namespace reason
