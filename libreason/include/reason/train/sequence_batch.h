#pragma once
// Prompt + completion pairs packed for one forward pass, and the log-probabilities of the
// completion tokens under the model, computed through the LM head in chunks.
#include <ATen/ATen.h>

#include <vector>

#include "reason/algo/logprobs.h"

namespace reason {

class CausalLMImpl;

struct SequenceBatch {
  at::Tensor ids;              // (B, W) int64, left-padded prompt + completion
  at::Tensor mask;             // (B, W) int64, 1 on tokens
  at::Tensor source;           // (M) int64, flat index into (B, W) of the positions predicting completion tokens
  at::Tensor targets;          // (M) int64, the completion tokens
  at::Tensor layout;           // (M) int64, flat index into (B, Tc)
  at::Tensor completion_mask;  // (B, Tc) float32, 1 on completion tokens
  int64_t width = 0;           // W
  int64_t completion_width = 0;  // Tc: longest completion
};

// prompts[i] and completions[i] (both non-empty) -> one batch on `device`.
SequenceBatch make_sequence_batch(const std::vector<const std::vector<int64_t>*>& prompts,
                                  const std::vector<const std::vector<int64_t>*>& completions, int64_t pad_id,
                                  const at::Device& device);

struct CompletionLogprobs {
  at::Tensor logprobs;  // (B, Tc) float32, 0 outside completion_mask
  at::Tensor entropy;   // (B, Tc) float32, 0 outside completion_mask
};

// Differentiable when grad mode is on (through the adapters or trained weights).
CompletionLogprobs completion_logprobs(CausalLMImpl& model, const SequenceBatch& batch, const LogprobOptions& options,
                                       bool activation_checkpointing = false);

}  // namespace reason
