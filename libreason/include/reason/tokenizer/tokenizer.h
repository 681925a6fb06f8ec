#pragma once
// Text <-> token ids. One interface for Hugging Face `tokenizer.json` (byte-level BPE, native)
// and SentencePiece `.model` files (through libsentencepiece); load_tokenizer() picks the right
// one from a model directory and applies tokenizer_config.json (special tokens, bos/eos/pad,
// add_bos_token, chat_template). Encoding is exact against Hugging Face `tokenizers`.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace reason {

struct TokenizerConfig;

// A token matched as a whole in the input before the model sees it (Hugging Face "added token").
struct AddedToken {
  int64_t id = -1;
  std::string content;
  bool special = false;      // skipped by decode(skip_special_tokens); never split by the model
  bool lstrip = false;       // swallows the whitespace on its left
  bool rstrip = false;       // swallows the whitespace on its right
  bool single_word = false;  // only matches when not inside a word
  bool normalized = false;   // matched against the normalized text instead of the raw one
};

struct EncodeOptions {
  // Adds what the tokenizer adds around a sequence (bos for Llama 3 / DeepSeek, nothing for
  // Qwen), like Hugging Face's add_special_tokens=True. Rendered chat text already has them.
  bool add_special_tokens = false;
  // When false, special tokens written in the text are tokenized as ordinary text
  // (Hugging Face's split_special_tokens=True); non-special added tokens still match.
  bool parse_special_tokens = true;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Invalid UTF-8 in `text` is first replaced by U+FFFD (one per maximal invalid subsequence).
  virtual std::vector<int64_t> encode(std::string_view text, const EncodeOptions& options = {}) const = 0;

  // Ids that are not in the vocabulary are skipped (as Hugging Face does); byte sequences that
  // are not valid UTF-8 come out as U+FFFD. Never throws on any id sequence.
  virtual std::string decode(const int64_t* ids, std::size_t count, bool skip_special_tokens = false) const = 0;
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = false) const {
    return decode(ids.data(), ids.size(), skip_special_tokens);
  }

  // One past the largest id (model vocabulary and added tokens). The model's embedding matrix
  // may be larger (padding rows).
  virtual int64_t vocab_size() const = 0;
  virtual std::optional<int64_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(int64_t id) const = 0;
  // "tokenizer.json" or "sentencepiece".
  virtual std::string kind() const = 0;

  const std::vector<AddedToken>& added_tokens() const { return added_tokens_; }
  bool is_special(int64_t id) const { return special_ids_.count(id) != 0; }
  std::optional<int64_t> bos_id() const { return bos_id_; }
  std::optional<int64_t> eos_id() const { return eos_id_; }
  std::optional<int64_t> pad_id() const { return pad_id_; }
  // tokenizer_config.json's chat_template (Jinja source; empty when there is none).
  const std::string& chat_template() const { return chat_template_; }

 protected:
  // bos/eos/pad ids and the chat template from tokenizer_config.json (the tokens must exist);
  // what the config leaves unset keeps the value the subclass gave it.
  void apply_config(const TokenizerConfig& config, const std::string& config_name);

  std::vector<AddedToken> added_tokens_;
  std::unordered_set<int64_t> special_ids_;
  std::optional<int64_t> bos_id_, eos_id_, pad_id_;
  std::string chat_template_;
};

// `path` is a model directory (tokenizer.json preferred, else tokenizer.model, plus the
// optional tokenizer_config.json beside it) or one of those files. Throws IoError when nothing
// loadable is there, ConfigError naming the file/key for malformed or unsupported content.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace reason
