// reason score: per-token log-probabilities of given sequences.
//   in:  {"ids": [...]} or {"text": "..."}   out: {"token_logprobs": [...], "nll": x, "ppl": y}
// token_logprobs[i] = log p(ids[i+1] | ids[0..i]); nll is their negative mean, ppl = exp(nll).
#include <cmath>
#include <memory>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "reason/algo/logprobs.h"
#include "reason/core/error.h"
#include "reason/core/jsonl.h"

namespace reason::cli {
namespace {

struct ScoreArgs {
  ModelOptions model;
  std::string input, output;
  int64_t batch_size = 8;
};

// Log-probs of each row's tokens, rows left-padded into one batch. (B rows) -> per row (n-1).
std::vector<std::vector<float>> score_batch(CausalLMImpl& model, const std::vector<std::vector<int64_t>>& rows) {
  const int64_t B = static_cast<int64_t>(rows.size());
  int64_t width = 0;
  for (const auto& r : rows) width = std::max<int64_t>(width, static_cast<int64_t>(r.size()));
  at::Tensor ids = at::zeros({B, width}, at::kLong);
  at::Tensor mask = at::zeros({B, width}, at::kLong);
  std::vector<int64_t> src, tgt;  // flat positions predicting, and the predicted token
  for (int64_t b = 0; b < B; ++b) {
    const int64_t n = static_cast<int64_t>(rows[b].size()), off = width - n;
    ids[b].narrow(0, off, n).copy_(at::tensor(rows[b], at::kLong));
    mask[b].narrow(0, off, n).fill_(1);
    for (int64_t t = 0; t + 1 < n; ++t) {
      src.push_back(b * width + off + t);
      tgt.push_back(rows[b][t + 1]);
    }
  }
  std::vector<std::vector<float>> out(B);
  if (src.empty()) return out;
  at::NoGradGuard no_grad;
  at::Tensor hidden = model.hidden_states(ids, mask);                           // (B, T, H)
  at::Tensor flat = hidden.reshape({B * width, hidden.size(2)}).index_select(0, at::tensor(src).to(hidden.device()));
  at::Tensor lp = token_logprobs(flat, model.lm_head_weight(), at::tensor(tgt).to(hidden.device())).cpu();
  auto acc = lp.accessor<float, 1>();
  int64_t k = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t + 1 < static_cast<int64_t>(rows[b].size()); ++t) out[b].push_back(acc[k++]);
  return out;
}

void run(const ScoreArgs& a) {
  REASON_CHECK(a.batch_size > 0, InvalidArgument, "--batch-size must be positive");
  CausalLM model = a.model.load();
  const int64_t vocab = model->config().vocab_size;
  TextCodec codec(a.model);
  std::vector<std::vector<int64_t>> rows;
  for_each_jsonl(a.input, [&](const nlohmann::json& row, int64_t) { rows.push_back(row_ids(row, codec, vocab)); });
  std::vector<nlohmann::json> results;
  for (std::size_t s = 0; s < rows.size(); s += static_cast<std::size_t>(a.batch_size)) {
    std::vector<std::vector<int64_t>> batch(rows.begin() + s,
                                            rows.begin() + std::min(rows.size(), s + static_cast<std::size_t>(a.batch_size)));
    for (auto& lps : score_batch(*model, batch)) {
      double sum = 0;
      for (float v : lps) sum += v;
      const double nll = lps.empty() ? 0.0 : -sum / static_cast<double>(lps.size());
      results.push_back({{"token_logprobs", lps}, {"nll", nll}, {"ppl", std::exp(nll)}});
    }
  }
  write_jsonl(a.output, results);
}

}  // namespace

void add_score_command(CLI::App& app) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand("score", "Per-token log-probabilities, NLL and perplexity of sequences");
  args->model.add_to(*cmd);
  cmd->add_option("--input", args->input, "JSONL rows {\"ids\": [...]} or {\"text\": \"...\"}")->required();
  cmd->add_option("--output", args->output, "JSONL rows {\"token_logprobs\", \"nll\", \"ppl\"}")->required();
  cmd->add_option("--batch-size", args->batch_size, "Rows per forward pass")->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace reason::cli
