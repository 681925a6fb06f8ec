#include "sft/sft_strategy.h"

#include "reason/core/error.h"
#include "reason/train/sequence_batch.h"

namespace reason {

void SftStrategy::setup(TrainContext& ctx) {
  const DataSection& d = config_.data;
  rows_ = load_prompt_rows(d.train_file, {d.messages_field.empty() ? d.prompt_field : d.messages_field, d.completion_field});
  pool_ = std::make_unique<PromptPool>(static_cast<int64_t>(rows_.size()), static_cast<uint64_t>(config_.train.seed),
                                       d.shuffle);
  if (ctx.stop_token_ids.empty())
    throw ConfigError("tokenizer", "sft needs an EOS token (the model and the tokenizer define none)");
}

void SftStrategy::load_state(const nlohmann::json& state) {
  if (!state.contains("pool")) throw LoadError("checkpoint has no sft data state");
  pool_->load_state(state["pool"]);
}

nlohmann::json SftStrategy::train_step(TrainContext& ctx) {
  const int64_t B = config_.train.batch_size;
  const std::vector<int64_t> picked = pool_->next(B);
  for (int64_t r : picked) {
    if (encoded_.count(r)) continue;
    const auto& row = rows_[r].fields;
    if (!row[config_.data.completion_field].is_string())
      throw InvalidArgument("data row " + std::to_string(r + 1) + ": field '" + config_.data.completion_field +
                            "' must be a string");
    std::vector<int64_t> prompt = ctx.encode_prompt(row);
    std::vector<int64_t> completion = ctx.tokenizer->encode(row[config_.data.completion_field].get<std::string>());
    completion.push_back(ctx.stop_token_ids.front());  // learn to stop
    encoded_[r] = {std::move(prompt), std::move(completion)};
  }
  // Token-level mean over the whole batch: each micro-batch's sum divided by all batch tokens.
  double total_tokens = 0;
  for (int64_t r : picked) total_tokens += static_cast<double>(encoded_[r].second.size());
  const int64_t pad = ctx.model->config().pad_token_id >= 0 ? ctx.model->config().pad_token_id : 0;
  LogprobOptions lo;
  lo.chunk_tokens = config_.algo.logprob_chunk_tokens;
  double loss_sum = 0;
  int64_t seen = 0;
  const auto t0 = std::chrono::steady_clock::now();
  {
    auto t = ctx.timer.phase("update");
    for (int64_t s = 0; s < B; s += config_.train.micro_batch_size) {
      const int64_t e = std::min(B, s + config_.train.micro_batch_size);
      std::vector<const std::vector<int64_t>*> p, c;
      for (int64_t i = s; i < e; ++i) {
        p.push_back(&encoded_[picked[i]].first);
        c.push_back(&encoded_[picked[i]].second);
        seen += static_cast<int64_t>(encoded_[picked[i]].first.size() + encoded_[picked[i]].second.size());
      }
      SequenceBatch sb = make_sequence_batch(p, c, pad, ctx.model->device());
      CompletionLogprobs cl = completion_logprobs(*ctx.model, sb, lo, config_.model.activation_checkpointing);
      at::Tensor loss = -(cl.logprobs * sb.completion_mask).sum() / total_tokens;
      loss.backward();
      loss_sum += loss.item<double>();
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto [grad_norm, lr] = ctx.optimizer_step();
  return {{"loss", loss_sum},
          {"ppl", std::exp(loss_sum)},
          {"grad_norm", grad_norm},
          {"lr", lr},
          {"epoch", pool_->epoch()},
          {"train_tokens_per_second", seconds > 0 ? static_cast<double>(seen) / seconds : 0.0}};
}

}  // namespace reason
