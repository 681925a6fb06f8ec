#pragma once
// Options shared by the commands that load a model: --model, --adapter, --dtype, --device, --threads.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include <memory>
#include <optional>

#include "reason/model/causal_lm.h"
#include "reason/tokenizer/chat_format.h"
#include "reason/tokenizer/tokenizer.h"

namespace reason::cli {

struct ModelOptions {
  std::string model_dir;
  std::string adapter_dir;
  std::string dtype = "float32";
  std::string device = "cpu";
  int threads = 0;  // 0: LibTorch's default
  std::string tokenizer_dir;  // empty: model_dir
  std::string chat_format = "auto";
  std::string system_prompt;

  void add_to(CLI::App& cmd, bool with_adapter = true);
  // Loads the model (and the adapter, when given) in eval mode.
  CausalLM load() const;
};

// Text rows ({"text"}, {"prompt"}, {"messages"}) need the tokenizer; loaded on first use.
class TextCodec {
 public:
  explicit TextCodec(const ModelOptions& options) : options_(options) {}
  const Tokenizer& tokenizer();
  // {"text"}: the tokenizer's specials added (as transformers' tokenizer(text)).
  std::vector<int64_t> encode_text(const std::string& text);
  // {"messages"}: rendered with the chat format and a generation prompt.
  std::vector<int64_t> encode_messages(const nlohmann::json& messages);
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens);
  bool loaded() const { return tokenizer_ != nullptr; }

 private:
  const ModelOptions& options_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::optional<ChatFormat> chat_;
};

// The ids of one input row: {"ids"} as given, else {"text"}/{"prompt"} or {"messages"}
// through the codec. Ids are checked against the vocabulary.
std::vector<int64_t> row_ids(const nlohmann::json& row, TextCodec& codec, int64_t vocab);

}  // namespace reason::cli
