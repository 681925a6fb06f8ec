#include "reason/rollout/sampler.h"

#include <limits>

#include "reason/core/error.h"

namespace reason {

SampleResult sample_tokens(const at::Tensor& logits, const SamplingParams& p, at::Generator& generator) {
  at::Tensor scores = logits.to(at::kFloat);
  const double t = p.greedy ? 1.0 : p.temperature;
  REASON_CHECK(t > 0, InvalidArgument, "sampling temperature must be > 0, got ", t);
  if (t != 1.0) scores = scores / t;
  at::Tensor logprobs_all = at::log_softmax(scores, -1);
  SampleResult out;
  if (p.greedy) {
    out.tokens = scores.argmax(-1);
  } else {
    const float neg_inf = -std::numeric_limits<float>::infinity();
    if (p.top_k > 0 && p.top_k < scores.size(-1)) {
      at::Tensor kth = std::get<0>(scores.topk(p.top_k, -1)).narrow(-1, p.top_k - 1, 1);
      scores = scores.masked_fill(scores < kth, neg_inf);
    }
    if (p.top_p < 1.0) {
      // Keep the smallest set of most likely tokens whose mass reaches top_p (at least one).
      auto sorted = scores.sort(-1, /*descending=*/true);
      at::Tensor sorted_probs = at::softmax(std::get<0>(sorted), -1);
      at::Tensor before = sorted_probs.cumsum(-1) - sorted_probs;
      at::Tensor drop_sorted = before >= p.top_p;
      at::Tensor drop = at::zeros_like(drop_sorted).scatter(-1, std::get<1>(sorted), drop_sorted);
      scores = scores.masked_fill(drop, neg_inf);
    }
    at::Tensor probs = at::softmax(scores, -1);
    if (p.min_p > 0.0) probs = probs.masked_fill(probs < probs.amax(-1, true) * p.min_p, 0.0);
    out.tokens = at::multinomial(probs, 1, /*replacement=*/false, generator).squeeze(-1);
  }
  out.logprobs = logprobs_all.gather(-1, out.tokens.unsqueeze(-1)).squeeze(-1);
  return out;
}

}  // namespace reason
