#pragma once
// One decoder-only transformer for llama, qwen2 and qwen3, with Hugging Face module names
// (model.layers.N.self_attn.q_proj, ...) so that weights and PEFT adapters load by name.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "reason/lora/lora_linear.h"
#include "reason/model/kv_cache.h"
#include "reason/model/model_config.h"

namespace reason {

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps, const at::TensorOptions& options);
  // x (..., dim) -> (..., dim); normalised in float32 as transformers does.
  at::Tensor forward(const at::Tensor& x);
  at::Tensor weight;  // (dim)
  double eps;
};
TORCH_MODULE(RMSNorm);

class EmbeddingImpl : public torch::nn::Module {
 public:
  EmbeddingImpl(int64_t vocab, int64_t dim, const at::TensorOptions& options);
  at::Tensor forward(const at::Tensor& ids);  // (B, T) int64 -> (B, T, dim)
  at::Tensor weight;                          // (vocab, dim)
};
TORCH_MODULE(Embedding);

// Rotary embedding tables computed exactly as transformers (float32 inv_freq, llama3 scaling).
class RotaryEmbedding {
 public:
  RotaryEmbedding(const ModelConfig& config, const at::Device& device);
  // positions (B, T) int64 -> cos, sin (B, T, head_dim) in `dtype`.
  std::pair<at::Tensor, at::Tensor> tables(const at::Tensor& positions, at::ScalarType dtype) const;
  const at::Tensor& inv_freq() const { return inv_freq_; }  // (head_dim / 2) float32

 private:
  at::Tensor inv_freq_;
};

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(const ModelConfig& config, const at::TensorOptions& options);
  // x (B, T, hidden), cos/sin (B, T, head_dim), visible (B, 1, 1, T, K) bool (K = key columns)
  // -> (B, T, hidden). With a cache, this layer's keys/values are written there first.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, const at::Tensor& visible,
                     KvCache* cache, int64_t layer_index);
  LoraLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  RMSNorm q_norm{nullptr}, k_norm{nullptr};  // qwen3 only

 private:
  int64_t heads_, kv_heads_, head_dim_;
  double scaling_;
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const ModelConfig& config, const at::TensorOptions& options);
  at::Tensor forward(const at::Tensor& x);  // (B, T, hidden) -> (B, T, hidden)
  LoraLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  DecoderLayerImpl(const ModelConfig& config, const at::TensorOptions& options);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, const at::Tensor& visible,
                     KvCache* cache, int64_t layer_index);
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

// "model": embeddings, layers and the final norm.
class DecoderImpl : public torch::nn::Module {
 public:
  DecoderImpl(const ModelConfig& config, const at::TensorOptions& options);
  Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(Decoder);

// Options of one forward pass.
struct ForwardOptions {
  // Recompute each decoder layer in backward instead of keeping its activations.
  bool activation_checkpointing = false;
};

class CausalLMImpl : public torch::nn::Module {
 public:
  // Allocates (uninitialised) weights with `options` (dtype and device); see load_model().
  CausalLMImpl(ModelConfig config, const at::TensorOptions& options);

  // input_ids (B, T) int64; attention_mask (B, T) with 1 for tokens and 0 for (left) padding,
  // or undefined for all ones; position_ids (B, T) or undefined to derive them from the mask
  // (and from the cache's real-token count). Returns the final-norm hidden states (B, T, hidden).
  // With a cache, the T new tokens are appended to it and attend to everything cached before.
  at::Tensor hidden_states(const at::Tensor& input_ids, const at::Tensor& attention_mask = {},
                           const at::Tensor& position_ids = {}, KvCache* cache = nullptr,
                           const ForwardOptions& options = {});
  // hidden (..., hidden) -> logits (..., vocab) in the model dtype.
  at::Tensor logits(const at::Tensor& hidden);
  // hidden_states() then logits(): (B, T, vocab). For long sequences prefer chunked log-probs.
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask = {},
                     const at::Tensor& position_ids = {}, KvCache* cache = nullptr);

  // LM-head weight (vocab, hidden): lm_head.weight, or the embedding when tied.
  const at::Tensor& lm_head_weight() const;

  const ModelConfig& config() const { return config_; }
  at::ScalarType dtype() const { return options_.dtype().toScalarType(); }
  at::Device device() const { return options_.device(); }
  std::unique_ptr<KvCache> make_cache(int64_t batch, int64_t capacity) const;

  // All projections that can carry an adapter, by module path ("model.layers.0.self_attn.q_proj").
  std::vector<std::pair<std::string, LoraLinear>> projections();
  // The switch all adapters of this model follow (off = base model = reference policy).
  const std::shared_ptr<AdapterSwitch>& adapter_switch() const { return adapter_switch_; }
  // Names of the base weights, as in a Hugging Face checkpoint (lm_head.weight only if untied).
  std::vector<std::pair<std::string, at::Tensor>> base_weights();

  Decoder model{nullptr};
  LoraLinear lm_head{nullptr};  // null when tied to the embedding

 private:
  ModelConfig config_;
  at::TensorOptions options_;
  RotaryEmbedding rotary_;
  std::shared_ptr<AdapterSwitch> adapter_switch_ = std::make_shared<AdapterSwitch>();
};
TORCH_MODULE(CausalLM);

// Switches a model's adapters off for a scope (reference-policy log-probs), restoring after.
class AdaptersDisabled {
 public:
  explicit AdaptersDisabled(CausalLMImpl& model);
  ~AdaptersDisabled();
  AdaptersDisabled(const AdaptersDisabled&) = delete;
  AdaptersDisabled& operator=(const AdaptersDisabled&) = delete;

 private:
  std::shared_ptr<AdapterSwitch> switch_;
  bool previous_;
};

// Positions for left-padded rows: cumsum(mask) - 1, clamped at 0 (pads get 0). (B, T) int64.
at::Tensor positions_from_mask(const at::Tensor& attention_mask);

}  // namespace reason
