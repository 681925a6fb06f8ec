#pragma once
// Batched generation for rollouts, designed for the GPU (design.md §4.6): a fixed set of
// sequence slots decodes together; each prompt is prefilled once and its KV rows are copied to
// the slots of its samples; sampling happens on the device and the host looks at the state only
// every `sync_interval` steps, when finished sequences are harvested and their slots refilled
// with waiting ones (continuous batching).
#include <functional>
#include <string>
#include <vector>

#include "reason/rollout/sampler.h"

namespace reason {

class CausalLMImpl;

struct Completion {
  int64_t prompt_index = 0;
  int64_t sample_index = 0;
  std::vector<int64_t> ids;      // generated tokens, the stop token included
  std::vector<float> logprobs;   // sampler log-probs of `ids` (temperature-scaled distribution)
  std::string text;              // decoded `ids` when a decoder is given
  std::string finish_reason;     // "stop" (stop token or string) or "length"
};

struct RolloutEngineOptions {
  int64_t max_batch = 64;      // concurrent sequence slots
  int64_t sync_interval = 8;   // decode steps between host looks at the batch state
};

// Decodes token ids to text (for stop strings and Completion::text).
using TokenDecoder = std::function<std::string(const std::vector<int64_t>&)>;

class RolloutEngine {
 public:
  RolloutEngine(CausalLMImpl& model, RolloutEngineOptions options = {});

  // `samples` completions for each prompt, ordered by (prompt, sample). Reproducible for a seed
  // (given the same batch composition). Runs without gradients.
  std::vector<Completion> generate(const std::vector<std::vector<int64_t>>& prompts, int64_t samples,
                                   const SamplingParams& params, const TokenDecoder& decoder = nullptr);

  // Tokens decoded in the last generate() and its wall time, for throughput metrics.
  int64_t last_generated_tokens() const { return last_tokens_; }

 private:
  CausalLMImpl& model_;
  RolloutEngineOptions options_;
  int64_t last_tokens_ = 0;
};

}  // namespace reason
