#include "reason/train/sequence_batch.h"

#include "reason/core/error.h"
#include "reason/model/causal_lm.h"

namespace reason {

SequenceBatch make_sequence_batch(const std::vector<const std::vector<int64_t>*>& prompts,
                                  const std::vector<const std::vector<int64_t>*>& completions, int64_t pad_id,
                                  const at::Device& device) {
  REASON_CHECK(prompts.size() == completions.size() && !prompts.empty(), InvalidArgument,
               "make_sequence_batch: need as many prompts as completions (and at least one)");
  const int64_t B = static_cast<int64_t>(prompts.size());
  SequenceBatch b;
  for (int64_t i = 0; i < B; ++i) {
    REASON_CHECK(!prompts[i]->empty() && !completions[i]->empty(), InvalidArgument,
                 "make_sequence_batch: empty prompt or completion in row ", i);
    b.width = std::max<int64_t>(b.width, static_cast<int64_t>(prompts[i]->size() + completions[i]->size()));
    b.completion_width = std::max<int64_t>(b.completion_width, static_cast<int64_t>(completions[i]->size()));
  }
  std::vector<int64_t> ids(static_cast<std::size_t>(B * b.width), pad_id), mask(ids.size(), 0);
  std::vector<int64_t> source, targets, layout;
  std::vector<float> cmask(static_cast<std::size_t>(B * b.completion_width), 0.0f);
  for (int64_t i = 0; i < B; ++i) {
    const auto& p = *prompts[i];
    const auto& c = *completions[i];
    const int64_t P = static_cast<int64_t>(p.size()), C = static_cast<int64_t>(c.size());
    const int64_t off = b.width - P - C;
    int64_t k = i * b.width + off;
    for (int64_t id : p) ids[k] = id, mask[k] = 1, ++k;
    for (int64_t j = 0; j < C; ++j, ++k) {
      ids[k] = c[j];
      mask[k] = 1;
      source.push_back(k - 1);  // the position before predicts this token
      targets.push_back(c[j]);
      layout.push_back(i * b.completion_width + j);
      cmask[i * b.completion_width + j] = 1.0f;
    }
  }
  auto l = at::TensorOptions().dtype(at::kLong);
  b.ids = at::tensor(ids, l).view({B, b.width}).to(device);
  b.mask = at::tensor(mask, l).view({B, b.width}).to(device);
  b.source = at::tensor(source, l).to(device);
  b.targets = at::tensor(targets, l).to(device);
  b.layout = at::tensor(layout, l).to(device);
  b.completion_mask = at::tensor(cmask, at::kFloat).view({B, b.completion_width}).to(device);
  return b;
}

CompletionLogprobs completion_logprobs(CausalLMImpl& model, const SequenceBatch& batch, const LogprobOptions& options,
                                       bool activation_checkpointing) {
  ForwardOptions fo;
  fo.activation_checkpointing = activation_checkpointing;
  at::Tensor hidden = model.hidden_states(batch.ids, batch.mask, {}, nullptr, fo);  // (B, W, H)
  const int64_t B = hidden.size(0);
  at::Tensor flat = hidden.reshape({B * batch.width, hidden.size(2)}).index_select(0, batch.source);  // (M, H)
  at::Tensor entropy;
  at::Tensor lp = token_logprobs(flat, model.lm_head_weight(), batch.targets, options, &entropy);  // (M)
  const int64_t cells = B * batch.completion_width;
  CompletionLogprobs out;
  out.logprobs = at::zeros({cells}, lp.options()).index_put({batch.layout}, lp).view({B, batch.completion_width});
  out.entropy = at::zeros({cells}, entropy.options()).index_put({batch.layout}, entropy).view({B, batch.completion_width});
  return out;
}

}  // namespace reason
