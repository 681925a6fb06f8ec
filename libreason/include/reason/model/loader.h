#pragma once
// Loading Hugging Face checkpoints into CausalLM, strictly: every weight the model needs must
// be in the checkpoint with its shape, and every tensor in the checkpoint must be used (the
// only exceptions are the ones transformers itself ignores, listed in loader.cpp).
#include <ATen/ATen.h>

#include <string>

#include "reason/io/safetensors.h"
#include "reason/model/causal_lm.h"

namespace reason {

struct LoadOptions {
  at::ScalarType dtype = at::kFloat;  // compute dtype of the base weights (float32, bfloat16)
  at::Device device = at::kCPU;
};

// Reads DIR/config.json and DIR's safetensors (single file or sharded index).
CausalLM load_model(const std::string& dir, const LoadOptions& options = {});

// Copies the checkpoint's tensors into the model (converting dtype). Throws LoadError naming
// the first missing tensor, unused tensor or shape mismatch.
void load_weights(CausalLMImpl& model, const SafetensorsCheckpoint& checkpoint);

// Writes the model's base weights (with any merged adapters) and config.json as a Hugging Face
// model directory, atomically (staging directory then rename). Tokenizer files found in
// `copy_files_from` (tokenizer.json, tokenizer.model, tokenizer_config.json, ...) are copied.
void save_model(CausalLMImpl& model, const std::string& dir, const std::string& copy_files_from = "");

// Fills the model with fresh weights as transformers' _init_weights does: matrices and
// embeddings N(0, std^2) (std = initializer_range, 0.02 by default), norms 1, biases 0.
// Deterministic for a seed. For training tiny models from scratch (the embedded demo).
void init_random_weights(CausalLMImpl& model, uint64_t seed, double std = 0.02);

}  // namespace reason
