// reason generate: completions for prompts given as token ids.
//   in:  {"ids": [...]}
//   out: one row per sample {"index": i, "completion_ids": [...], "finish_reason": "stop"|"length"}
#include <memory>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "reason/core/error.h"
#include "reason/core/jsonl.h"
#include "reason/rollout/rollout_engine.h"

namespace reason::cli {
namespace {

struct GenerateArgs {
  ModelOptions model;
  std::string input, output;
  SamplingParams gen;
  int64_t max_batch = 64;
  int64_t samples = 1;
  bool ignore_eos = false;
};

void run(GenerateArgs a) {
  REASON_CHECK(a.samples > 0, InvalidArgument, "--samples must be positive");
  CausalLM model = a.model.load();
  const int64_t vocab = model->config().vocab_size;
  std::vector<std::vector<int64_t>> prompts;
  for_each_jsonl(a.input, [&](const nlohmann::json& row, int64_t) {
    if (!row.contains("ids"))
      throw InvalidArgument(row.contains("prompt") || row.contains("messages")
                                ? "text prompts need a tokenizer, which this build cannot load yet; give 'ids'"
                                : "expected a field 'ids'");
    auto ids = json_int_list(row, "ids");
    if (ids.empty()) throw InvalidArgument("'ids' is empty");
    for (int64_t id : ids)
      if (id < 0 || id >= vocab)
        throw InvalidArgument("token id " + std::to_string(id) + " outside the vocabulary [0, " + std::to_string(vocab) + ")");
    prompts.push_back(std::move(ids));
  });
  if (!a.ignore_eos) a.gen.stop_token_ids = model->config().eos_token_ids;
  std::vector<nlohmann::json> rows;
  if (!prompts.empty()) {
    RolloutEngineOptions eo;
    eo.max_batch = a.max_batch;
    RolloutEngine engine(*model, eo);
    for (const Completion& c : engine.generate(prompts, a.samples, a.gen))
      rows.push_back({{"index", c.prompt_index}, {"completion_ids", c.ids}, {"finish_reason", c.finish_reason}});
  }
  write_jsonl(a.output, rows);
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto a = std::make_shared<GenerateArgs>();
  a->gen.greedy = false;
  CLI::App* cmd = app.add_subcommand("generate", "Generate completions (greedy or sampled) with the KV cache");
  a->model.add_to(*cmd);
  cmd->add_option("--input", a->input, "JSONL rows {\"ids\": [...]}")->required();
  cmd->add_option("--output", a->output, "JSONL rows, one per sample")->required();
  cmd->add_option("--max-new-tokens", a->gen.max_new_tokens, "Tokens to generate at most")->capture_default_str();
  auto* greedy = cmd->add_flag("--greedy", a->gen.greedy, "Greedy decoding (argmax)");
  cmd->add_option("--temperature", a->gen.temperature, "Sampling temperature")->capture_default_str()->excludes(greedy);
  cmd->add_option("--top-p", a->gen.top_p, "Nucleus sampling threshold")->capture_default_str()->excludes(greedy);
  cmd->add_option("--top-k", a->gen.top_k, "Keep the k most likely tokens (0: off)")->capture_default_str()->excludes(greedy);
  cmd->add_option("--min-p", a->gen.min_p, "Drop tokens below min_p x the top probability")->excludes(greedy);
  cmd->add_option("--samples", a->samples, "Samples per prompt")->capture_default_str();
  cmd->add_option("--seed", a->gen.seed, "Sampling seed")->capture_default_str();
  cmd->add_option("--max-batch", a->max_batch, "Sequences decoded together")->capture_default_str();
  cmd->add_flag("--ignore-eos", a->ignore_eos, "Do not stop at the model's EOS tokens");
  cmd->callback([a] { run(*a); });
}

}  // namespace reason::cli
