#include "reason/tokenizer/tokenizer.h"

#include <filesystem>

#include "reason/core/error.h"
#include "reason/tokenizer/hf_tokenizer.h"
#include "reason/tokenizer/sentencepiece.h"
#include "reason/tokenizer/tokenizer_config.h"

namespace fs = std::filesystem;

namespace reason {

void Tokenizer::apply_config(const TokenizerConfig& config, const std::string& config_name) {
  auto resolve = [&](const std::optional<std::string>& token, const char* key, std::optional<int64_t>& id) {
    if (!token) return;
    auto found = token_to_id(*token);
    if (!found) throw ConfigError(config_name + ": " + key, "'" + *token + "' is not in the vocabulary");
    id = found;
  };
  resolve(config.bos_token, "bos_token", bos_id_);
  resolve(config.eos_token, "eos_token", eos_id_);
  resolve(config.pad_token, "pad_token", pad_id_);
  if (!config.chat_template.empty()) chat_template_ = config.chat_template;
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  fs::path p(path);
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) {
    const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    const TokenizerConfig config = read_tokenizer_config(dir);
    if (p.extension() == ".json") return load_hf_tokenizer(path, config);
    return load_sentencepiece(path, config);
  }
  if (!fs::is_directory(p, ec)) throw IoError("cannot load a tokenizer from " + path + ": no such file or directory");
  const TokenizerConfig config = read_tokenizer_config(path);
  if (fs::exists(p / "tokenizer.json")) return load_hf_tokenizer((p / "tokenizer.json").string(), config);
  if (fs::exists(p / "tokenizer.model")) return load_sentencepiece((p / "tokenizer.model").string(), config);
  throw IoError("no tokenizer in " + path + ": expected tokenizer.json or tokenizer.model");
}

}  // namespace reason
