#include "reason/algo/logprobs.h"

#include <torch/torch.h>

#include "reason/core/error.h"

namespace reason {
namespace {

// One chunk's float32 logits (n, V), temperature-scaled.
at::Tensor chunk_logits(const at::Tensor& h, const at::Tensor& w, double temperature) {
  at::Tensor logits = at::matmul(h, w.t()).to(at::kFloat);
  return temperature != 1.0 ? logits / temperature : logits;
}

struct ChunkedLogprobs : public torch::autograd::Function<ChunkedLogprobs> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& hidden, const at::Tensor& weight,
                            const at::Tensor& targets, int64_t chunk, double temperature, at::Tensor* entropy) {
    at::NoGradGuard no_grad;
    const int64_t N = hidden.size(0);
    at::Tensor out = at::empty({N}, hidden.options().dtype(at::kFloat));
    at::Tensor ent = entropy ? at::empty({N}, out.options()) : at::Tensor();
    for (int64_t s = 0; s < N; s += chunk) {
      const int64_t n = std::min(chunk, N - s);
      at::Tensor logits = chunk_logits(hidden.narrow(0, s, n), weight, temperature);  // (n, V)
      at::Tensor lse = at::logsumexp(logits, -1);
      out.narrow(0, s, n).copy_(logits.gather(-1, targets.narrow(0, s, n).unsqueeze(-1)).squeeze(-1) - lse);
      if (entropy) {
        at::Tensor p = at::softmax(logits, -1);
        ent.narrow(0, s, n).copy_(lse - (p * logits).sum(-1));
      }
    }
    if (entropy) *entropy = ent;
    ctx->save_for_backward({hidden, weight, targets});
    ctx->saved_data["chunk"] = chunk;
    ctx->saved_data["temperature"] = temperature;
    return out;
  }

  // d logp(t) / d logits = onehot(t) - softmax; chain through the temperature and the LM head.
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& hidden = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& targets = saved[2];
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const double temperature = ctx->saved_data["temperature"].toDouble();
    at::Tensor g = grad_out[0];
    const int64_t N = hidden.size(0);
    at::Tensor grad_hidden = at::empty_like(hidden);
    for (int64_t s = 0; s < N; s += chunk) {
      const int64_t n = std::min(chunk, N - s);
      at::Tensor logits = chunk_logits(hidden.narrow(0, s, n), weight, temperature);
      at::Tensor d = at::softmax(logits, -1).neg_();
      d.scatter_add_(-1, targets.narrow(0, s, n).unsqueeze(-1), at::ones({n, 1}, d.options()));
      d.mul_(g.narrow(0, s, n).unsqueeze(-1) / temperature);
      grad_hidden.narrow(0, s, n).copy_(at::matmul(d.to(weight.scalar_type()), weight));
    }
    return {grad_hidden, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
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
  REASON_CHECK(!lm_weight.requires_grad(), InvalidArgument, "token_logprobs: the LM head must be frozen");
  return ChunkedLogprobs::apply(hidden, lm_weight, targets.to(at::kLong), options.chunk_tokens, options.temperature,
                                entropy);
}

}  // namespace reason
