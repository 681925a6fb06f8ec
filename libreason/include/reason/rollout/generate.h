#pragma once
// Batched autoregressive generation with the KV cache: left-padded prefill, then one token
// per step for every row. Greedy or sampled (temperature / top-k / top-p / min-p).
#include <cstdint>
#include <string>
#include <vector>

namespace reason {

class CausalLMImpl;

struct GenerationOptions {
  int64_t max_new_tokens = 16;
  bool greedy = true;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 0;    // 0: off
  double min_p = 0.0;   // 0: off
  std::vector<int64_t> stop_token_ids;  // generation of a row ends after one of these
  uint64_t seed = 0;
};

struct GenerationResult {
  std::vector<std::vector<int64_t>> completion_ids;  // per prompt, stop token included
  std::vector<std::string> finish_reasons;           // "stop" or "length"
};

// prompts: token ids per row (non-empty). Rows are left-padded into one batch.
GenerationResult generate(CausalLMImpl& model, const std::vector<std::vector<int64_t>>& prompts,
                          const GenerationOptions& options);

}  // namespace reason
