#include "reason/algo/logprobs.h"

#include <torch/torch.h>

#include "reason/core/error.h"

namespace reason {
namespace {

// One chunk's float32 logits (n, V), temperature-scaled.
at::Tensor chunk_logits(const at::Tensor& h, const at::Tensor& w, double temperature) {
  at::Tensor logits = at::matmul(h, w.t());
  logits = logits.to(at::promote_types(logits.scalar_type(), at::kFloat));
  return temperature != 1.0 ? logits / temperature : logits;
}

// Outputs (log p(target), entropy), both (N) float32; backward recomputes each chunk's logits.
struct ChunkedLogprobs : public torch::autograd::Function<ChunkedLogprobs> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& hidden,
                                                const at::Tensor& weight, const at::Tensor& targets, int64_t chunk,
                                                double temperature, bool with_entropy) {
    at::NoGradGuard no_grad;
    const int64_t N = hidden.size(0);
    at::Tensor out = at::empty({N}, hidden.options().dtype(at::promote_types(hidden.scalar_type(), at::kFloat)));
    at::Tensor ent = with_entropy ? at::empty({N}, out.options()) : at::zeros({0}, out.options());
    for (int64_t s = 0; s < N; s += chunk) {
      const int64_t n = std::min(chunk, N - s);
      at::Tensor logits = chunk_logits(hidden.narrow(0, s, n), weight, temperature);  // (n, V)
      at::Tensor lse = at::logsumexp(logits, -1, true);
      out.narrow(0, s, n).copy_(logits.gather(-1, targets.narrow(0, s, n).unsqueeze(-1)).squeeze(-1) - lse.squeeze(-1));
      if (with_entropy) {
        at::Tensor logp = logits - lse;
        ent.narrow(0, s, n).copy_(-(logp.exp() * logp).sum(-1));
      }
    }
    ctx->save_for_backward({hidden, weight, targets});
    ctx->saved_data["chunk"] = chunk;
    ctx->saved_data["temperature"] = temperature;
    ctx->saved_data["with_entropy"] = with_entropy;
    if (!with_entropy) ctx->mark_non_differentiable({ent});
    return {out, ent};
  }

  // d logp(t)/dz = onehot(t) - p;  dH/dz = -p (log p + H);  z = logits / T.
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& hidden = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& targets = saved[2];
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const double temperature = ctx->saved_data["temperature"].toDouble();
    const bool with_entropy = ctx->saved_data["with_entropy"].toBool();
    const at::Tensor& g_lp = grad_out[0];
    const at::Tensor& g_h = grad_out[1];
    const int64_t N = hidden.size(0);
    at::Tensor grad_hidden = at::empty_like(hidden);
    // The LM head gets a gradient only when it is trained (full fine-tuning of a tiny model).
    const bool weight_grad = ctx->needs_input_grad(1);
    at::Tensor grad_weight =
        weight_grad ? at::zeros(weight.sizes(), weight.options().dtype(at::promote_types(weight.scalar_type(), at::kFloat)))
                    : at::Tensor();
    for (int64_t s = 0; s < N; s += chunk) {
      const int64_t n = std::min(chunk, N - s);
      at::Tensor logits = chunk_logits(hidden.narrow(0, s, n), weight, temperature);
      at::Tensor logp = at::log_softmax(logits, -1);
      at::Tensor p = logp.exp();
      at::Tensor d = at::zeros_like(p);
      if (g_lp.defined()) {
        d = -p * g_lp.narrow(0, s, n).unsqueeze(-1);
        d.scatter_add_(-1, targets.narrow(0, s, n).unsqueeze(-1), g_lp.narrow(0, s, n).unsqueeze(-1));
      }
      if (with_entropy && g_h.defined() && g_h.numel() > 0) {
        at::Tensor H = -(p * logp).sum(-1, true);
        d = d - p * (logp + H) * g_h.narrow(0, s, n).unsqueeze(-1);
      }
      if (temperature != 1.0) d = d / temperature;
      grad_hidden.narrow(0, s, n).copy_(at::matmul(d.to(weight.scalar_type()), weight));
      if (weight_grad) grad_weight.add_(at::matmul(d.t(), hidden.narrow(0, s, n).to(d.scalar_type())));
    }
    if (weight_grad) grad_weight = grad_weight.to(weight.scalar_type());
    return {grad_hidden, grad_weight, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor token_logprobs(const at::Tensor& hidden, const at::Tensor& lm_weight, const at::Tensor& targets,
                          const LogprobOptions& options, at::Tensor* entropy) {
  REASON_CHECK(hidden.dim() == 2 && lm_weight.dim() == 2 && hidden.size(1) == lm_weight.size(1), InvalidArgument,
               "token_logprobs: hidden (N, H) and lm_weight (V, H) expected, got ", hidden.sizes(), " and ",
               lm_weight.sizes());
  REASON_CHECK(targets.dim() == 1 && targets.size(0) == hidden.size(0), InvalidArgument,
               "token_logprobs: targets must be (N) with N = ", hidden.size(0), ", got ", targets.sizes());
  REASON_CHECK(options.chunk_tokens > 0 && options.temperature > 0, InvalidArgument,
               "token_logprobs: chunk_tokens and temperature must be positive");
  auto outs = ChunkedLogprobs::apply(hidden, lm_weight, targets.to(at::kLong), options.chunk_tokens,
                                     options.temperature, entropy != nullptr);
  if (entropy) *entropy = outs[1];
  return outs[0];
}

}  // namespace reason
