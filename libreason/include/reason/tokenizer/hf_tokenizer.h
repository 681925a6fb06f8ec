#pragma once
// Hugging Face `tokenizer.json` with a BPE model (byte-level BPE: GPT-2, Llama 3, Qwen,
// DeepSeek), implemented natively. docs/tokenizers.md lists the supported components; any
// other component is a ConfigError naming it.
#include <memory>
#include <string>

#include "reason/tokenizer/tokenizer.h"
#include "reason/tokenizer/tokenizer_config.h"

namespace reason {

std::unique_ptr<Tokenizer> load_hf_tokenizer(const std::string& tokenizer_json_path, const TokenizerConfig& config = {});

// The same from the JSON text itself; `name` is used in error messages.
std::unique_ptr<Tokenizer> parse_hf_tokenizer(const std::string& json_text, const TokenizerConfig& config = {},
                                              const std::string& name = "tokenizer.json");

}  // namespace reason
