#pragma once
// What a Hugging Face tokenizer_config.json (and chat_template.jinja/.json) says about special
// tokens and chat formatting. Everything is optional: a missing file is an empty config.
#include <optional>
#include <string>
#include <vector>

#include "reason/tokenizer/tokenizer.h"

namespace reason {

struct TokenizerConfig {
  std::optional<std::string> bos_token, eos_token, pad_token, unk_token;
  std::optional<bool> add_bos_token, add_eos_token;
  std::string chat_template;              // the "default" one when the file lists several
  std::vector<AddedToken> added_tokens;   // from added_tokens_decoder, ascending ids
};

// Reads `<dir>/tokenizer_config.json` if present, and the chat template from it or from
// `<dir>/chat_template.jinja` / `<dir>/chat_template.json`. Malformed JSON or wrongly typed
// keys are a ConfigError naming the file and key.
TokenizerConfig read_tokenizer_config(const std::string& dir);

}  // namespace reason
