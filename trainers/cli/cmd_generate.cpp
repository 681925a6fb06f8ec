// reason generate: completions for prompts given as token ids.
//   in:  {"ids": [...]} (raw ids), {"prompt": "..."} (text) or {"messages": [...]} (chat format applied)
//   out: one row per sample {"index": i, "completion_ids": [...], "completion": "...",
//        "finish_reason": "stop"|"length"} ("completion" when a tokenizer is available)
#include <filesystem>
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
  TextCodec codec(a.model);
  std::vector<std::vector<int64_t>> prompts;
  bool text_rows = false;
  for_each_jsonl(a.input, [&](const nlohmann::json& row, int64_t) {
    text_rows = text_rows || !row.contains("ids");
    prompts.push_back(row_ids(row, codec, vocab));
  });
  if (!a.ignore_eos) {
    a.gen.stop_token_ids = model->config().eos_token_ids;
    if (codec.loaded() && codec.tokenizer().eos_id()) a.gen.stop_token_ids.push_back(*codec.tokenizer().eos_id());
  }
  // Completion text needs the tokenizer: always for text rows, for id rows when one is there.
  const std::string tok_dir = a.model.tokenizer_dir.empty() ? a.model.model_dir : a.model.tokenizer_dir;
  const bool with_text = text_rows || std::filesystem::exists(tok_dir + "/tokenizer.json") ||
                         std::filesystem::exists(tok_dir + "/tokenizer.model");
  std::vector<nlohmann::json> rows;
  if (!prompts.empty()) {
    RolloutEngineOptions eo;
    eo.max_batch = a.max_batch;
    RolloutEngine engine(*model, eo);
    TokenDecoder decoder;
    if (with_text || !a.gen.stop_strings.empty()) decoder = [&](const std::vector<int64_t>& ids) { return codec.decode(ids, false); };
    for (const Completion& c : engine.generate(prompts, a.samples, a.gen, decoder)) {
      nlohmann::json r = {{"index", c.prompt_index}, {"completion_ids", c.ids}, {"finish_reason", c.finish_reason}};
      if (with_text) r["completion"] = codec.decode(c.ids, /*skip_special_tokens=*/true);
      rows.push_back(std::move(r));
    }
  }
  write_jsonl(a.output, rows);
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto a = std::make_shared<GenerateArgs>();
  a->gen.greedy = false;
  CLI::App* cmd = app.add_subcommand("generate", "Generate completions (greedy or sampled) with the KV cache");
  a->model.add_to(*cmd);
  cmd->add_option("--input", a->input, "JSONL rows {\"ids\"}, {\"prompt\"} or {\"messages\"}")->required();
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
  cmd->add_option("--stop", a->gen.stop_strings, "Also stop once the completion text contains this (repeatable)");
  cmd->callback([a] { run(*a); });
}

}  // namespace reason::cli
