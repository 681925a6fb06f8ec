#include "reason/rollout/generate.h"

#include <torch/torch.h>

#include <algorithm>

#include "reason/core/error.h"
#include "reason/model/causal_lm.h"

namespace reason {
namespace {

// logits (B, V) float32 -> next tokens (B) int64.
at::Tensor pick(const at::Tensor& logits, const GenerationOptions& o, at::Generator& gen) {
  if (o.greedy) return logits.argmax(-1);
  at::Tensor scores = logits / o.temperature;
  if (o.top_k > 0 && o.top_k < scores.size(-1)) {
    at::Tensor kth = std::get<0>(scores.topk(o.top_k, -1)).narrow(-1, o.top_k - 1, 1);
    scores = scores.masked_fill(scores < kth, -std::numeric_limits<float>::infinity());
  }
  at::Tensor probs = at::softmax(scores, -1);
  if (o.min_p > 0.0) {
    at::Tensor limit = probs.amax(-1, true) * o.min_p;
    probs = probs.masked_fill(probs < limit, 0.0);
  }
  if (o.top_p < 1.0) {
    auto [sorted, idx] = probs.sort(-1, /*descending=*/true);
    at::Tensor cum = sorted.cumsum(-1);
    at::Tensor drop = (cum - sorted) > o.top_p;  // keep the smallest prefix reaching top_p
    sorted = sorted.masked_fill(drop, 0.0);
    probs = at::zeros_like(probs).scatter(-1, idx, sorted);
  }
  return at::multinomial(probs, 1, false, gen).squeeze(-1);
}

}  // namespace

GenerationResult generate(CausalLMImpl& model, const std::vector<std::vector<int64_t>>& prompts,
                          const GenerationOptions& options) {
  REASON_CHECK(!prompts.empty(), InvalidArgument, "generate: no prompts");
  REASON_CHECK(options.max_new_tokens >= 0, InvalidArgument, "generate: max_new_tokens must be >= 0");
  REASON_CHECK(options.greedy || options.temperature > 0, InvalidArgument, "generate: temperature must be > 0");
  const int64_t B = static_cast<int64_t>(prompts.size());
  int64_t width = 0;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    REASON_CHECK(!prompts[i].empty(), InvalidArgument, "generate: prompt ", i, " is empty");
    width = std::max<int64_t>(width, static_cast<int64_t>(prompts[i].size()));
  }
  const int64_t vocab = model.config().vocab_size;
  const int64_t pad = model.config().pad_token_id >= 0 ? model.config().pad_token_id : 0;
  at::Tensor ids = at::full({B, width}, pad, at::kLong);
  at::Tensor mask = at::zeros({B, width}, at::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[b];
    const int64_t n = static_cast<int64_t>(p.size());
    for (int64_t t = 0; t < n; ++t) {
      REASON_CHECK(p[t] >= 0 && p[t] < vocab, InvalidArgument, "generate: prompt ", b, " has token id ", p[t],
                   " outside the vocabulary [0, ", vocab, ")");
    }
    ids[b].narrow(0, width - n, n).copy_(at::tensor(p, at::kLong));
    mask[b].narrow(0, width - n, n).fill_(1);
  }

  GenerationResult result;
  result.completion_ids.resize(B);
  result.finish_reasons.assign(B, "length");
  if (options.max_new_tokens == 0) return result;

  at::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(options.seed);
  auto cache = model.make_cache(B, width + options.max_new_tokens);
  at::Tensor hidden = model.hidden_states(ids, mask, {}, cache.get());
  at::Tensor next = pick(model.logits(hidden.select(1, width - 1)).to(at::kFloat).cpu(), options, gen);
  std::vector<bool> done(B, false);
  at::Tensor step_mask = at::ones({B, 1}, at::kLong);
  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    auto acc = next.accessor<int64_t, 1>();
    bool all_done = true;
    for (int64_t b = 0; b < B; ++b) {
      if (done[b]) continue;
      result.completion_ids[b].push_back(acc[b]);
      const auto& stops = options.stop_token_ids;
      if (std::find(stops.begin(), stops.end(), acc[b]) != stops.end()) {
        done[b] = true;
        result.finish_reasons[b] = "stop";
      }
      all_done = all_done && done[b];
    }
    if (all_done || step + 1 == options.max_new_tokens) break;
    hidden = model.hidden_states(next.view({B, 1}), step_mask, {}, cache.get());
    next = pick(model.logits(hidden.select(1, 0)).to(at::kFloat).cpu(), options, gen);
  }
  return result;
}

}  // namespace reason
