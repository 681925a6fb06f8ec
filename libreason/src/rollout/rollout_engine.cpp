#include "reason/rollout/rollout_engine.h"

#include <torch/torch.h>

#include <algorithm>
#include <deque>

#include "reason/core/error.h"
#include "reason/model/causal_lm.h"

namespace reason {
namespace {

struct Pending {
  int64_t prompt;
  int64_t sample;
};

// Restores the device generator's state on scope exit: generation must not disturb the global
// RNG stream (dropout in training, other users).
class GeneratorScope {
 public:
  GeneratorScope(const at::Device& device, uint64_t seed) {
    if (device.is_cpu()) {
      gen_ = at::detail::createCPUGenerator(seed);
    } else {
      gen_ = at::globalContext().defaultGenerator(device);
      saved_ = gen_.get_state();
      gen_.set_current_seed(seed);
    }
  }
  ~GeneratorScope() {
    if (saved_.defined()) gen_.set_state(saved_);
  }
  at::Generator& get() { return gen_; }

 private:
  at::Generator gen_;
  at::Tensor saved_;
};

}  // namespace

RolloutEngine::RolloutEngine(CausalLMImpl& model, RolloutEngineOptions options) : model_(model), options_(options) {
  REASON_CHECK(options_.max_batch > 0 && options_.sync_interval > 0, InvalidArgument,
               "RolloutEngine: max_batch and sync_interval must be positive");
}

std::vector<Completion> RolloutEngine::generate(const std::vector<std::vector<int64_t>>& prompts, int64_t samples,
                                                const SamplingParams& params, const TokenDecoder& decoder) {
  REASON_CHECK(samples >= 1, InvalidArgument, "generate: samples per prompt must be >= 1");
  REASON_CHECK(params.max_new_tokens >= 1, InvalidArgument, "generate: max_new_tokens must be >= 1");
  REASON_CHECK(params.stop_strings.empty() || decoder, InvalidArgument, "generate: stop strings need a decoder");
  const int64_t vocab = model_.config().vocab_size;
  int64_t longest = 0;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    REASON_CHECK(!prompts[i].empty(), InvalidArgument, "generate: prompt ", i, " is empty");
    for (int64_t id : prompts[i])
      REASON_CHECK(id >= 0 && id < vocab, InvalidArgument, "generate: prompt ", i, " has token id ", id,
                   " outside the vocabulary [0, ", vocab, ")");
    longest = std::max<int64_t>(longest, static_cast<int64_t>(prompts[i].size()));
  }
  std::vector<Completion> results(prompts.size() * static_cast<std::size_t>(samples));
  last_tokens_ = 0;
  if (prompts.empty()) return results;

  at::NoGradGuard no_grad;
  const at::Device device = model_.device();
  const auto long_opts = at::TensorOptions().dtype(at::kLong).device(device);
  const int64_t N = params.max_new_tokens;
  const int64_t S = std::min<int64_t>(options_.max_batch, static_cast<int64_t>(results.size()));
  const int64_t pad = model_.config().pad_token_id >= 0 ? model_.config().pad_token_id : 0;
  GeneratorScope rng(device, params.seed);

  // Every slot appends a column per decode step, also while it idles between host looks.
  auto cache = model_.make_cache(S, longest + N + options_.sync_interval);
  // Device state per slot. Column N of the buffers is a sink for rows that are not generating.
  at::Tensor tokens = at::full({S, N + 1}, pad, long_opts);
  at::Tensor logps = at::zeros({S, N + 1}, long_opts.dtype(at::kFloat));
  at::Tensor count = at::zeros({S}, long_opts);
  at::Tensor done = at::ones({S}, long_opts.dtype(at::kBool));  // free slots count as done
  at::Tensor next = at::full({S}, pad, long_opts);
  at::Tensor stop_ids = at::tensor(params.stop_token_ids, at::kLong).to(device);

  std::deque<Pending> waiting;
  for (int64_t p = 0; p < static_cast<int64_t>(prompts.size()); ++p)
    for (int64_t s = 0; s < samples; ++s) waiting.push_back({p, s});
  std::vector<int64_t> slot_owner(S, -1);  // index into results, -1 = free

  // Records one sampled token per slot in `rows` (all slots when empty) and updates done.
  auto record = [&](const SampleResult& r, const at::Tensor& active) {
    at::Tensor col = at::where(active, count, at::full_like(count, N)).unsqueeze(1);
    tokens.scatter_(1, col, r.tokens.unsqueeze(1));
    logps.scatter_(1, col, r.logprobs.unsqueeze(1));
    count.add_(active.to(at::kLong));
    at::Tensor hit_stop = stop_ids.numel() ? at::isin(r.tokens, stop_ids) : at::zeros_like(active);
    done.logical_or_(active.logical_and(hit_stop.logical_or(count >= N)));
    next = at::where(active, r.tokens, next);
  };

  auto admit = [&](std::vector<int64_t> free_slots) {
    // Unique prompts among the admitted sequences, prefilled once each.
    std::vector<Pending> admitted;
    while (!free_slots.empty() && admitted.size() < free_slots.size() && !waiting.empty()) {
      admitted.push_back(waiting.front());
      waiting.pop_front();
    }
    if (admitted.empty()) return;
    std::vector<int64_t> unique;
    std::vector<int64_t> src_row;
    for (const auto& a : admitted) {
      auto it = std::find(unique.begin(), unique.end(), a.prompt);
      src_row.push_back(it == unique.end() ? static_cast<int64_t>(unique.size()) : it - unique.begin());
      if (it == unique.end()) unique.push_back(a.prompt);
    }
    int64_t width = 0;
    for (int64_t p : unique) width = std::max<int64_t>(width, static_cast<int64_t>(prompts[p].size()));
    const int64_t P = static_cast<int64_t>(unique.size());
    at::Tensor ids = at::full({P, width}, pad, at::kLong);
    at::Tensor mask = at::zeros({P, width}, at::kLong);
    for (int64_t i = 0; i < P; ++i) {
      const auto& pr = prompts[unique[i]];
      const int64_t n = static_cast<int64_t>(pr.size());
      ids[i].narrow(0, width - n, n).copy_(at::tensor(pr, at::kLong));
      mask[i].narrow(0, width - n, n).fill_(1);
    }
    auto prefill = model_.make_cache(P, width);
    at::Tensor last = model_.hidden_states(ids, mask, {}, prefill.get()).select(1, width - 1);  // (P, H)
    std::vector<int64_t> dst(free_slots.begin(), free_slots.begin() + static_cast<int64_t>(admitted.size()));
    cache->reset_rows(dst);
    cache->assign_rows(dst, *prefill, src_row);
    at::Tensor dst_t = at::tensor(dst, at::kLong).to(device);
    at::Tensor logits = model_.logits(last).index_select(0, at::tensor(src_row, at::kLong).to(device));
    SampleResult r = sample_tokens(logits, params, rng.get());
    // Write the first tokens into the admitted slots only.
    count.index_fill_(0, dst_t, 0);
    done.index_fill_(0, dst_t, false);
    at::Tensor active = at::zeros({S}, long_opts.dtype(at::kBool)).index_fill_(0, dst_t, true);
    SampleResult full{next.clone().index_copy_(0, dst_t, r.tokens),
                      at::zeros({S}, long_opts.dtype(at::kFloat)).index_copy_(0, dst_t, r.logprobs)};
    record(full, active);
    for (std::size_t i = 0; i < admitted.size(); ++i) {
      const int64_t result_index = admitted[i].prompt * samples + admitted[i].sample;
      slot_owner[dst[i]] = result_index;
      results[result_index].prompt_index = admitted[i].prompt;
      results[result_index].sample_index = admitted[i].sample;
    }
  };

  // Copies a finished slot's tokens out, applying stop strings; returns true if it finished.
  auto harvest = [&](int64_t slot, int64_t n, bool finished_on_device, const at::Tensor& host_tokens,
                     const at::Tensor& host_logps) -> bool {
    std::vector<int64_t> ids(host_tokens[slot].data_ptr<int64_t>(), host_tokens[slot].data_ptr<int64_t>() + n);
    std::string reason;
    if (finished_on_device) {
      const bool stopped = !ids.empty() && std::find(params.stop_token_ids.begin(), params.stop_token_ids.end(),
                                                     ids.back()) != params.stop_token_ids.end();
      reason = stopped ? "stop" : "length";
    }
    if (!params.stop_strings.empty()) {
      // The shortest prefix whose text contains a stop string ends the completion.
      std::string text = decoder(ids);
      bool any = false;
      for (const auto& s : params.stop_strings) any = any || text.find(s) != std::string::npos;
      if (any) {
        int64_t lo = 1, hi = static_cast<int64_t>(ids.size());
        while (lo < hi) {
          const int64_t mid = (lo + hi) / 2;
          std::string t = decoder(std::vector<int64_t>(ids.begin(), ids.begin() + mid));
          bool hit = false;
          for (const auto& s : params.stop_strings) hit = hit || t.find(s) != std::string::npos;
          if (hit) hi = mid; else lo = mid + 1;
        }
        ids.resize(static_cast<std::size_t>(lo));
        reason = "stop";
      }
    }
    if (reason.empty()) return false;
    Completion& c = results[slot_owner[slot]];
    c.ids = ids;
    c.logprobs.assign(host_logps[slot].data_ptr<float>(), host_logps[slot].data_ptr<float>() + ids.size());
    c.finish_reason = reason;
    if (decoder) c.text = decoder(ids);
    last_tokens_ += static_cast<int64_t>(ids.size());
    return true;
  };

  std::vector<int64_t> all_slots(S);
  for (int64_t s = 0; s < S; ++s) all_slots[s] = s;
  admit(all_slots);
  while (true) {
    for (int64_t k = 0; k < options_.sync_interval; ++k) {
      at::Tensor active = done.logical_not();
      at::Tensor h = model_.hidden_states(next.view({S, 1}), active.to(at::kLong).view({S, 1}), {}, cache.get());
      record(sample_tokens(model_.logits(h.select(1, 0)), params, rng.get()), active);
    }
    // Host look: harvest finished (or stop-string) sequences, refill their slots.
    at::Tensor host_done = done.cpu(), host_count = count.cpu();
    at::Tensor host_tokens = tokens.cpu(), host_logps = logps.cpu();
    std::vector<int64_t> freed;
    for (int64_t s = 0; s < S; ++s) {
      if (slot_owner[s] < 0) continue;
      const bool dev_done = host_done[s].item<bool>();
      if (harvest(s, host_count[s].item<int64_t>(), dev_done, host_tokens, host_logps)) {
        slot_owner[s] = -1;
        freed.push_back(s);
      }
    }
    if (!freed.empty()) {
      at::Tensor f = at::tensor(freed, at::kLong).to(device);
      done.index_fill_(0, f, true);
      if (!waiting.empty()) admit(freed);
    }
    // Idle slots start over so their (masked) columns never outgrow the cache.
    std::vector<int64_t> idle;
    for (int64_t s = 0; s < S; ++s)
      if (slot_owner[s] < 0) idle.push_back(s);
    cache->reset_rows(idle);
    if (waiting.empty() && std::all_of(slot_owner.begin(), slot_owner.end(), [](int64_t o) { return o < 0; })) break;
  }
  return results;
}

}  // namespace reason
