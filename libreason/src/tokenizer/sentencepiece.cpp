// SentencePiece models through libreason_spm (loaded in its own namespace, spm_library.h).
// Added tokens from tokenizer_config.json are split out first, as transformers' slow
// tokenizers do; the remaining text goes to SentencePiece as it is.
#include "reason/tokenizer/sentencepiece.h"

#include <cmath>
#include <fstream>
#include <memory>
#include <unordered_map>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/tokenizer/utf8.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/spm_library.h"

namespace reason {
namespace {

// A wrapper-allocated buffer, freed by the wrapper's own free().
template <typename T>
struct WrapperBuffer {
  T* data = nullptr;
  std::size_t size = 0;
  ~WrapperBuffer() {
    if (data) spm_api().free_buffer(data);
  }
};

class SpmTokenizer : public Tokenizer {
 public:
  SpmTokenizer(const std::string& path, const TokenizerConfig& config) : api_(spm_api()) {
    const std::string bytes = read_file(path);
    char err[512] = {};
    if (api_.load(bytes.data(), bytes.size(), &processor_, err, sizeof err) != 0)
      throw IoError(path + ": not a SentencePiece model: " + err);
    pieces_ = api_.piece_size(processor_);
    auto special = [&](int which) -> std::optional<int64_t> {
      const int32_t id = api_.special_id(processor_, which);
      return id >= 0 ? std::optional<int64_t>(id) : std::nullopt;
    };
    bos_id_ = special(REASON_SPM_BOS);
    eos_id_ = special(REASON_SPM_EOS);
    pad_id_ = special(REASON_SPM_PAD);
    for (int32_t id = 0; id < pieces_; ++id)
      if (api_.piece_type(processor_, id) == REASON_SPM_CONTROL) special_ids_.insert(id);

    for (const AddedToken& t : config.added_tokens) {
      if (t.content.empty()) continue;
      added_tokens_.push_back(t);
      added_content_[t.id] = t.content;
      added_ids_[t.content] = t.id;
      if (t.special) special_ids_.insert(t.id);
    }
    std::vector<std::string> patterns;
    for (const auto& t : added_tokens_) patterns.push_back(t.content);
    matcher_.build(added_tokens_, patterns);

    apply_config(config, "tokenizer_config.json");
    add_bos_ = config.add_bos_token.value_or(true);  // LlamaTokenizer's default
    add_eos_ = config.add_eos_token.value_or(false);
  }

  ~SpmTokenizer() override {
    if (processor_) api_.free(processor_);
  }

  std::vector<int64_t> encode(std::string_view text, const EncodeOptions& options) const override {
    std::string repaired;
    if (!is_valid_utf8(text)) {
      repaired = utf8_lossy(text);
      text = repaired;
    }
    std::vector<int64_t> ids;
    if (options.add_special_tokens && add_bos_ && bos_id_) ids.push_back(*bos_id_);
    for (const auto& seg : matcher_.split(text, options.parse_special_tokens)) {
      if (seg.id >= 0) {
        ids.push_back(seg.id);
        continue;
      }
      WrapperBuffer<int32_t> out;
      char err[512] = {};
      const std::string_view piece = text.substr(seg.start, seg.end - seg.start);
      if (api_.encode(processor_, piece.data(), piece.size(), &out.data, &out.size, err, sizeof err) != 0)
        throw InvalidArgument(std::string("SentencePiece encode failed: ") + err);
      ids.insert(ids.end(), out.data, out.data + out.size);
    }
    if (options.add_special_tokens && add_eos_ && eos_id_) ids.push_back(*eos_id_);
    return ids;
  }

  std::string decode(const int64_t* ids, std::size_t count, bool skip_special_tokens) const override {
    std::string out;
    std::vector<int32_t> run;  // consecutive ordinary pieces, decoded together
    auto flush = [&] {
      if (run.empty()) return;
      WrapperBuffer<char> text;
      char err[512] = {};
      if (api_.decode(processor_, run.data(), run.size(), &text.data, &text.size, err, sizeof err) == 0)
        out.append(text.data, text.size);
      run.clear();
    };
    for (std::size_t i = 0; i < count; ++i) {
      const int64_t id = ids[i];
      const bool special = is_special(id);
      if (special && skip_special_tokens) continue;
      if (auto it = added_content_.find(id); it != added_content_.end()) {
        flush();
        out += it->second;
      } else if (id >= 0 && id < pieces_) {
        if (special) {  // control pieces decode to nothing in SentencePiece; show them
          flush();
          out += *id_to_token(id);
        } else {
          run.push_back(static_cast<int32_t>(id));
        }
      }
      // other ids are not in the vocabulary: skipped
    }
    flush();
    return utf8_lossy(out);
  }

  int64_t vocab_size() const override {
    int64_t n = pieces_;
    for (const auto& t : added_tokens_) n = std::max(n, t.id + 1);
    return n;
  }

  std::optional<int64_t> token_to_id(std::string_view token) const override {
    if (auto it = added_ids_.find(std::string(token)); it != added_ids_.end()) return it->second;
    const int32_t id = api_.piece_to_id(processor_, token.data(), token.size());
    return id >= 0 ? std::optional<int64_t>(id) : std::nullopt;
  }

  std::optional<std::string> id_to_token(int64_t id) const override {
    if (auto it = added_content_.find(id); it != added_content_.end()) return it->second;
    if (id < 0 || id >= pieces_) return std::nullopt;
    WrapperBuffer<char> piece;
    if (api_.id_to_piece(processor_, static_cast<int32_t>(id), &piece.data, &piece.size) != 0) return std::nullopt;
    return std::string(piece.data, piece.size);
  }

  std::string kind() const override { return "sentencepiece"; }

 private:
  const SpmApi& api_;
  reason_spm_processor* processor_ = nullptr;
  int32_t pieces_ = 0;
  bool add_bos_ = true, add_eos_ = false;
  AddedTokenMatcher matcher_;
  std::unordered_map<int64_t, std::string> added_content_;
  std::unordered_map<std::string, int64_t> added_ids_;
};

std::string join(const std::vector<std::string>& items, const char* what) {
  std::string out;
  for (const auto& s : items) {
    if (s.find(',') != std::string::npos)
      throw InvalidArgument(std::string("SentencePiece ") + what + " cannot contain ',': '" + s + "'");
    out += (out.empty() ? "" : ",") + s;
  }
  return out;
}

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& model_path, const TokenizerConfig& config) {
  return std::make_unique<SpmTokenizer>(model_path, config);
}

void train_sentencepiece(const SentencePieceTrainOptions& o, const std::string& output_model_path) {
  REASON_CHECK(o.texts.empty() != o.input_file.empty(), InvalidArgument,
               "train_sentencepiece: give either texts or an input_file");
  REASON_CHECK(o.vocab_size > 0, InvalidArgument, "train_sentencepiece: vocab_size must be positive");
  REASON_CHECK(std::isfinite(o.character_coverage) && o.character_coverage > 0 && o.character_coverage <= 1,
               InvalidArgument, "train_sentencepiece: character_coverage must be in (0, 1]");
  std::map<std::string, std::string> kw = {
      {"vocab_size", std::to_string(o.vocab_size)},
      {"model_type", o.model_type},
      {"character_coverage", std::to_string(o.character_coverage)},
      {"byte_fallback", o.byte_fallback ? "true" : "false"},
  };
  if (!o.user_defined_symbols.empty()) kw["user_defined_symbols"] = join(o.user_defined_symbols, "user_defined_symbols");
  if (!o.control_symbols.empty()) kw["control_symbols"] = join(o.control_symbols, "control_symbols");
  if (!o.input_file.empty()) {
    REASON_CHECK(std::ifstream(o.input_file).good(), IoError, "cannot read ", o.input_file);
    kw["input"] = o.input_file;
  }
  for (const auto& [k, v] : o.extra) kw[k] = v;

  std::vector<const char*> keys, values;
  for (const auto& [k, v] : kw) keys.push_back(k.c_str()), values.push_back(v.c_str());
  std::vector<const char*> sentences;
  std::vector<std::size_t> sizes;
  std::vector<std::string> repaired(o.texts.size());
  for (std::size_t i = 0; i < o.texts.size(); ++i) {
    const std::string* s = &o.texts[i];
    if (!is_valid_utf8(*s)) s = &(repaired[i] = utf8_lossy(*s));
    sentences.push_back(s->data());
    sizes.push_back(s->size());
  }
  const SpmApi& api = spm_api();
  WrapperBuffer<char> model;
  char err[1024] = {};
  if (api.train(keys.data(), values.data(), keys.size(), sentences.data(), sizes.data(), sentences.size(), o.seed,
                o.verbose ? 1 : 0, &model.data, &model.size, err, sizeof err) != 0)
    throw InvalidArgument(std::string("SentencePiece training failed: ") + err);
  write_file_atomic(output_model_path, std::string(model.data, model.size));
}

}  // namespace reason
