#include "reason/model/causal_lm.h"

#include <torch/version.h>

#include <cmath>
#include <limits>

#include "reason/core/error.h"

namespace reason {

// ---------------------------------------------------------------- RMSNorm, Embedding

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_, const at::TensorOptions& options) : eps(eps_) {
  weight = register_parameter("weight", at::ones({dim}, options), /*requires_grad=*/false);
}

at::Tensor RMSNormImpl::forward(const at::Tensor& x) {
  // transformers: x.float() * rsqrt(mean(x^2) + eps), cast back, then times weight.
  at::Tensor h = x.to(at::promote_types(x.scalar_type(), at::kFloat));  // float64 stays float64 (gradient checks)
  at::Tensor variance = h.pow(2).mean(-1, /*keepdim=*/true);
  h = h * at::rsqrt(variance + eps);
  return weight * h.to(x.scalar_type());
}

EmbeddingImpl::EmbeddingImpl(int64_t vocab, int64_t dim, const at::TensorOptions& options) {
  weight = register_parameter("weight", at::empty({vocab, dim}, options), /*requires_grad=*/false);
}

at::Tensor EmbeddingImpl::forward(const at::Tensor& ids) { return at::embedding(weight, ids); }

// ---------------------------------------------------------------- RoPE

RotaryEmbedding::RotaryEmbedding(const ModelConfig& config, const at::Device& device) {
  const int64_t dim = config.head_dim;
  auto f32 = at::TensorOptions().dtype(at::kFloat);
  // transformers: 1 / base ** (arange(0, dim, 2).float() / dim), all in float32.
  at::Tensor exponent = at::arange(0, dim, 2, f32.dtype(at::kLong)).to(at::kFloat) / static_cast<double>(dim);
  at::Tensor inv_freq = 1.0 / at::pow(config.rope.theta, exponent);
  if (config.rope.type == "llama3") {
    // transformers' _compute_llama3_parameters, operation for operation.
    const double factor = config.rope.factor;
    const double low = config.rope.low_freq_factor;
    const double high = config.rope.high_freq_factor;
    const double old_len = static_cast<double>(config.rope.original_max_position_embeddings);
    const double low_freq_wavelen = old_len / low;
    const double high_freq_wavelen = old_len / high;
    at::Tensor wavelen = 2 * M_PI / inv_freq;
    at::Tensor scaled = at::where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq);
    at::Tensor smooth = (old_len / wavelen - low) / (high - low);
    at::Tensor smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
    at::Tensor medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
    inv_freq = at::where(medium, smoothed, scaled);
  }
  inv_freq_ = inv_freq.to(device);
}

std::pair<at::Tensor, at::Tensor> RotaryEmbedding::tables(const at::Tensor& positions, at::ScalarType dtype) const {
  at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * inv_freq_;  // (B, T, D/2)
  at::Tensor emb = at::cat({freqs, freqs}, -1);                           // (B, T, D)
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

namespace {

at::Tensor rotate_half(const at::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// x (B, H, T, D), cos/sin (B, T, D)
at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  at::Tensor c = cos.unsqueeze(1);
  at::Tensor s = sin.unsqueeze(1);
  return x * c + rotate_half(x) * s;
}

// visible (B, 1, 1, T, K): query t of row b (written at column qcols[b, t]) sees key column j
// iff j <= qcols[b, t] and j is a real token; a query always sees itself, so rows of pure
// padding never softmax over nothing (no NaN that could leak through 0 * NaN).
at::Tensor visibility(const at::Tensor& qcols, const at::Tensor& key_valid) {
  const int64_t K = key_valid.size(1);
  at::Tensor j = at::arange(K, qcols.options()).view({1, 1, K});
  at::Tensor q = qcols.unsqueeze(-1);                                  // (B, T, 1)
  at::Tensor vis = (j <= q).logical_and(key_valid.unsqueeze(1).logical_or(j == q));  // (B, T, K)
  return vis.view({vis.size(0), 1, 1, vis.size(1), K});
}

}  // namespace

at::Tensor positions_from_mask(const at::Tensor& attention_mask) {
  return (attention_mask.to(at::kLong).cumsum(1) - 1).clamp_min(0);
}

// ---------------------------------------------------------------- Attention, MLP, layer

AttentionImpl::AttentionImpl(const ModelConfig& c, const at::TensorOptions& options)
    : heads_(c.num_attention_heads),
      kv_heads_(c.num_key_value_heads),
      head_dim_(c.head_dim),
      scaling_(1.0 / std::sqrt(static_cast<double>(c.head_dim))) {
  q_proj = register_module("q_proj", LoraLinear(c.hidden_size, heads_ * head_dim_, c.qkv_bias, options));
  k_proj = register_module("k_proj", LoraLinear(c.hidden_size, kv_heads_ * head_dim_, c.qkv_bias, options));
  v_proj = register_module("v_proj", LoraLinear(c.hidden_size, kv_heads_ * head_dim_, c.qkv_bias, options));
  o_proj = register_module("o_proj", LoraLinear(heads_ * head_dim_, c.hidden_size, c.o_bias, options));
  if (c.qk_norm) {
    q_norm = register_module("q_norm", RMSNorm(head_dim_, c.rms_norm_eps, options));
    k_norm = register_module("k_norm", RMSNorm(head_dim_, c.rms_norm_eps, options));
  }
}

at::Tensor AttentionImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                  const at::Tensor& visible, KvCache* cache, int64_t layer_index) {
  const int64_t B = x.size(0), T = x.size(1);
  at::Tensor q = q_proj->forward(x).view({B, T, heads_, head_dim_});
  at::Tensor k = k_proj->forward(x).view({B, T, kv_heads_, head_dim_});
  at::Tensor v = v_proj->forward(x).view({B, T, kv_heads_, head_dim_});
  if (q_norm) {
    q = q_norm->forward(q);
    k = k_norm->forward(k);
  }
  q = apply_rotary(q.permute({0, 2, 1, 3}), cos, sin);  // (B, H, T, D)
  k = apply_rotary(k.permute({0, 2, 1, 3}), cos, sin);  // (B, kvH, T, D)
  v = v.permute({0, 2, 1, 3});
  if (cache != nullptr) std::tie(k, v) = cache->update(layer_index, k, v);  // (B, kvH, K, D)
  [[maybe_unused]] const int64_t K = k.size(2);
  const int64_t groups = heads_ / kv_heads_;
  at::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
  if (x.is_cuda()) {
    // Fused attention on the GPU; K/V heads repeated for GQA by a broadcast view.
    at::Tensor kr = k.unsqueeze(2).expand({B, kv_heads_, groups, K, head_dim_}).reshape({B, heads_, K, head_dim_});
    at::Tensor vr = v.unsqueeze(2).expand({B, kv_heads_, groups, K, head_dim_}).reshape({B, heads_, K, head_dim_});
    out = at::scaled_dot_product_attention(q, kr, vr, visible.view({B, 1, T, K}), 0.0, false, scaling_);
  }
#endif
  if (!out.defined()) {
    // Grouped heads share their K/V through broadcasting instead of a repeated copy.
    at::Tensor qg = q.reshape({B, kv_heads_, groups, T, head_dim_});
    at::Tensor scores = at::matmul(qg, k.unsqueeze(2).transpose(-1, -2)) * scaling_;  // (B, kvH, G, T, K)
    scores = scores.masked_fill(visible.logical_not(), std::numeric_limits<float>::lowest());
    at::Tensor probs = at::softmax(scores, -1, at::promote_types(q.scalar_type(), at::kFloat)).to(q.scalar_type());
    out = at::matmul(probs, v.unsqueeze(2)).reshape({B, heads_, T, head_dim_});
  }
  out = out.permute({0, 2, 1, 3}).reshape({B, T, heads_ * head_dim_});
  return o_proj->forward(out);
}

MlpImpl::MlpImpl(const ModelConfig& c, const at::TensorOptions& options) {
  gate_proj = register_module("gate_proj", LoraLinear(c.hidden_size, c.intermediate_size, c.mlp_bias, options));
  up_proj = register_module("up_proj", LoraLinear(c.hidden_size, c.intermediate_size, c.mlp_bias, options));
  down_proj = register_module("down_proj", LoraLinear(c.intermediate_size, c.hidden_size, c.mlp_bias, options));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) {
  return down_proj->forward(at::silu(gate_proj->forward(x)) * up_proj->forward(x));
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c, const at::TensorOptions& options) {
  self_attn = register_module("self_attn", Attention(c, options));
  mlp = register_module("mlp", Mlp(c, options));
  input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps, options));
  post_attention_layernorm =
      register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps, options));
}

at::Tensor DecoderLayerImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                     const at::Tensor& visible, KvCache* cache, int64_t layer_index) {
  at::Tensor h = x + self_attn->forward(input_layernorm->forward(x), cos, sin, visible, cache, layer_index);
  return h + mlp->forward(post_attention_layernorm->forward(h));
}

DecoderImpl::DecoderImpl(const ModelConfig& c, const at::TensorOptions& options) {
  embed_tokens = register_module("embed_tokens", Embedding(c.vocab_size, c.hidden_size, options));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(DecoderLayer(c, options));
  norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps, options));
}

// ---------------------------------------------------------------- activation checkpointing

namespace {

// Runs a decoder layer without keeping its activations and recomputes it in backward
// (LibTorch has no torch.utils.checkpoint). Trainable parameters are explicit inputs so that
// autograd returns their gradients; the RNG state is replayed so dropout masks match.
struct CheckpointedLayer : public torch::autograd::Function<CheckpointedLayer> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                                                const at::Tensor& cos, const at::Tensor& sin,
                                                const at::Tensor& visible, DecoderLayerImpl* layer,
                                                at::TensorList params) {
    ctx->saved_data["layer"] = reinterpret_cast<int64_t>(layer);
    ctx->saved_data["rng"] = at::globalContext().defaultGenerator(x.device()).get_state();
    ctx->save_for_backward({x, cos, sin, visible});
    (void)params;
    at::NoGradGuard no_grad;
    return {layer->forward(x, cos, sin, visible, nullptr, 0)};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    auto* layer = reinterpret_cast<DecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
    at::Tensor x = saved[0].detach().requires_grad_(true);
    std::vector<at::Tensor> params;
    for (const auto& p : layer->parameters())
      if (p.requires_grad()) params.push_back(p);
    at::Generator gen = at::globalContext().defaultGenerator(x.device());  // a handle: shares the state
    at::Tensor current_rng = gen.get_state();
    gen.set_state(ctx->saved_data["rng"].toTensor());
    at::Tensor out;
    {
      at::AutoGradMode enable(true);
      out = layer->forward(x, saved[1], saved[2], saved[3], nullptr, 0);
    }
    gen.set_state(current_rng);
    std::vector<at::Tensor> inputs{x};
    inputs.insert(inputs.end(), params.begin(), params.end());
    auto grads = torch::autograd::grad({out}, inputs, {grad_out[0]}, /*retain_graph=*/false,
                                       /*create_graph=*/false, /*allow_unused=*/true);
    torch::autograd::variable_list result{grads[0], at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    result.insert(result.end(), grads.begin() + 1, grads.end());
    return result;
  }
};

}  // namespace

// ---------------------------------------------------------------- CausalLM

CausalLMImpl::CausalLMImpl(ModelConfig config, const at::TensorOptions& options)
    : config_(std::move(config)), options_(options), rotary_(config_, options.device()) {
  model = register_module("model", Decoder(config_, options));
  if (!config_.tie_word_embeddings)
    lm_head = register_module("lm_head", LoraLinear(config_.hidden_size, config_.vocab_size, false, options));
}

const at::Tensor& CausalLMImpl::lm_head_weight() const {
  return lm_head ? lm_head->weight : model->embed_tokens->weight;
}

std::unique_ptr<KvCache> CausalLMImpl::make_cache(int64_t batch, int64_t capacity) const {
  return std::make_unique<KvCache>(config_, batch, capacity, options_);
}

at::Tensor CausalLMImpl::hidden_states(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                                       const at::Tensor& position_ids, KvCache* cache,
                                       const ForwardOptions& options) {
  REASON_CHECK(input_ids.dim() == 2, InvalidArgument, "input_ids must be (B, T), got ", input_ids.sizes());
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  at::Tensor ids = input_ids.to(options_.device(), at::kLong);
  at::Tensor mask = attention_mask.defined() ? attention_mask.to(options_.device(), at::kLong)
                                             : at::ones({B, T}, ids.options());
  REASON_CHECK(mask.sizes() == ids.sizes(), InvalidArgument, "attention_mask ", mask.sizes(),
               " does not match input_ids ", ids.sizes());
  at::Tensor qcols, key_valid, positions;
  if (cache != nullptr) {
    REASON_CHECK(cache->batch() == B, InvalidArgument, "KvCache holds ", cache->batch(), " rows, input has ", B);
    qcols = cache->append(mask);
    key_valid = cache->valid().narrow(1, 0, cache->used());
    positions = cache->last_positions();
  } else {
    qcols = at::arange(T, ids.options()).unsqueeze(0).expand({B, T});
    key_valid = mask.to(at::kBool);
    positions = positions_from_mask(mask);
  }
  if (position_ids.defined()) positions = position_ids.to(options_.device(), at::kLong);
  at::Tensor visible = visibility(qcols, key_valid);
  auto [cos, sin] = rotary_.tables(positions, dtype());

  at::Tensor x = model->embed_tokens->forward(ids);
  const bool checkpoint = options.activation_checkpointing && cache == nullptr && at::GradMode::is_enabled();
  int64_t index = 0;
  for (const auto& module : *model->layers) {
    auto* layer = module->as<DecoderLayerImpl>();
    if (checkpoint) {
      std::vector<at::Tensor> params;
      for (const auto& p : layer->parameters())
        if (p.requires_grad()) params.push_back(p);
      x = CheckpointedLayer::apply(x, cos, sin, visible, layer, at::TensorList(params))[0];
    } else {
      x = layer->forward(x, cos, sin, visible, cache, index);
    }
    ++index;
  }
  return model->norm->forward(x);
}

at::Tensor CausalLMImpl::logits(const at::Tensor& hidden) {
  return lm_head ? lm_head->forward(hidden) : at::linear(hidden, model->embed_tokens->weight);
}

at::Tensor CausalLMImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                                 const at::Tensor& position_ids, KvCache* cache) {
  return logits(hidden_states(input_ids, attention_mask, position_ids, cache));
}

std::vector<std::pair<std::string, LoraLinear>> CausalLMImpl::projections() {
  std::vector<std::pair<std::string, LoraLinear>> out;
  int64_t i = 0;
  for (const auto& module : *model->layers) {
    auto* layer = module->as<DecoderLayerImpl>();
    const std::string prefix = "model.layers." + std::to_string(i++) + ".";
    auto& a = layer->self_attn;
    auto& m = layer->mlp;
    out.emplace_back(prefix + "self_attn.q_proj", a->q_proj);
    out.emplace_back(prefix + "self_attn.k_proj", a->k_proj);
    out.emplace_back(prefix + "self_attn.v_proj", a->v_proj);
    out.emplace_back(prefix + "self_attn.o_proj", a->o_proj);
    out.emplace_back(prefix + "mlp.gate_proj", m->gate_proj);
    out.emplace_back(prefix + "mlp.up_proj", m->up_proj);
    out.emplace_back(prefix + "mlp.down_proj", m->down_proj);
  }
  return out;
}

std::vector<std::pair<std::string, at::Tensor>> CausalLMImpl::base_weights() {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    if (name.size() > 7 && (name.compare(name.size() - 7, 7, ".lora_A") == 0 ||
                            name.compare(name.size() - 7, 7, ".lora_B") == 0))
      continue;
    out.emplace_back(name, item.value());
  }
  return out;
}

AdaptersDisabled::AdaptersDisabled(CausalLMImpl& model) : switch_(model.adapter_switch()), previous_(switch_->enabled) {
  switch_->enabled = false;
}

AdaptersDisabled::~AdaptersDisabled() { switch_->enabled = previous_; }

}  // namespace reason
