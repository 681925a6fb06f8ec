// reason tokenize: text <-> token ids with a model directory's tokenizer (design.md §3).
//   {"text": "..."}                         -> {"ids": [...]}
//   --decode  {"ids": [...]}                -> {"text": "..."}
//   --chat    {"messages": [...], "add_generation_prompt": true} -> {"text": rendered, "ids": [...]}
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "reason/core/error.h"
#include "reason/core/jsonl.h"
#include "reason/tokenizer/chat_format.h"
#include "reason/tokenizer/tokenizer.h"

namespace reason::cli {
namespace {

struct TokenizeArgs {
  std::string tokenizer, input, output;
  bool decode = false, chat = false;
  bool no_special_tokens = false, skip_special_tokens = false;
  std::string chat_format, chat_template, system_prompt;
};

bool optional_bool(const nlohmann::json& row, const char* key, bool fallback) {
  if (!row.contains(key)) return fallback;
  if (!row[key].is_boolean()) throw InvalidArgument(std::string("'") + key + "' must be true or false");
  return row[key].get<bool>();
}

std::vector<ChatMessage> parse_messages(const nlohmann::json& row) {
  if (!row.contains("messages") || !row["messages"].is_array())
    throw InvalidArgument("expected a field 'messages' with a list of {\"role\", \"content\"}");
  std::vector<ChatMessage> out;
  for (const auto& m : row["messages"]) {
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") || !m["content"].is_string())
      throw InvalidArgument("each message needs string fields 'role' and 'content', got " + m.dump());
    out.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
  }
  return out;
}

void run(const TokenizeArgs& a) {
  REASON_CHECK(!(a.decode && a.chat), InvalidArgument, "--decode and --chat exclude each other");
  auto tok = load_tokenizer(a.tokenizer);
  std::optional<ChatFormat> format;
  ChatOptions chat_options;
  if (a.chat) {
    if (!a.chat_template.empty())
      format = ChatFormat::custom(a.chat_template);
    else if (!a.chat_format.empty())
      format = ChatFormat::builtin(a.chat_format);
    else
      format = ChatFormat::for_tokenizer(*tok);
    if (!a.system_prompt.empty()) chat_options.system_prompt = a.system_prompt;
  }
  std::vector<nlohmann::json> out;
  for_each_jsonl(a.input, [&](const nlohmann::json& row, int64_t) {
    if (a.decode) {
      if (!row.contains("ids")) throw InvalidArgument("expected a field 'ids'");
      const bool skip = optional_bool(row, "skip_special_tokens", a.skip_special_tokens);
      out.push_back({{"text", tok->decode(json_int_list(row, "ids"), skip)}});
    } else if (a.chat) {
      const std::string text = format->render(parse_messages(row), optional_bool(row, "add_generation_prompt", false), chat_options);
      // The rendered text carries its own special tokens (as transformers' apply_chat_template).
      out.push_back({{"text", text}, {"ids", tok->encode(text, {false, true})}});
    } else {
      if (!row.contains("text") || !row["text"].is_string()) throw InvalidArgument("expected a string field 'text'");
      EncodeOptions o;
      o.add_special_tokens = optional_bool(row, "add_special_tokens", !a.no_special_tokens);
      out.push_back({{"ids", tok->encode(row["text"].get<std::string>(), o)}});
    }
  });
  write_jsonl(a.output, out);
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto args = std::make_shared<TokenizeArgs>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Encode text to token ids, decode ids, or render chat messages");
  cmd->add_option("--tokenizer", args->tokenizer, "Model directory (tokenizer.json or tokenizer.model) or tokenizer file")
      ->required();
  cmd->add_option("--input", args->input, "JSONL rows {\"text\"}, {\"ids\"} (--decode) or {\"messages\"} (--chat)")->required();
  cmd->add_option("--output", args->output, "JSONL rows {\"ids\"}, {\"text\"} or {\"text\", \"ids\"}")->required();
  cmd->add_flag("--decode", args->decode, "Rows {\"ids\"} -> {\"text\"}");
  cmd->add_flag("--chat", args->chat, "Rows {\"messages\", \"add_generation_prompt\"} -> {\"text\", \"ids\"}");
  cmd->add_flag("--no-special-tokens", args->no_special_tokens,
                "Do not add the tokenizer's bos/eos around {\"text\"} rows (added by default, as Hugging Face)");
  cmd->add_flag("--skip-special-tokens", args->skip_special_tokens, "Leave special tokens out of decoded text");
  cmd->add_option("--chat-format", args->chat_format,
                  "Built-in chat format instead of recognising chat_template: chatml, qwen2, qwen2.5, qwen3, "
                  "deepseek-r1, deepseek-r1-no-think-prefix, llama3, llama3.1");
  cmd->add_option("--chat-template", args->chat_template,
                  "Custom per-message template with {role} and {content}, e.g. \"<|im_start|>{role}\\n{content}<|im_end|>\\n\"");
  cmd->add_option("--system-prompt", args->system_prompt, "System message used when a conversation has none");
  cmd->callback([args] { run(*args); });
}

}  // namespace reason::cli
