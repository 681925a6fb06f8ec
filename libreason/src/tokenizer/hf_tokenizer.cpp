// tokenizer.json, natively: added tokens split out of the raw text, then normalizer,
// normalized added tokens, pre-tokenizer and BPE on each remaining piece; post-processor ids
// around the whole when special tokens are asked for. The order is Hugging Face's
// TokenizerImpl::encode_single_sequence.
#include "reason/tokenizer/hf_tokenizer.h"

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/tokenizer/utf8.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/decoder.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/pre_tokenizer.h"

namespace reason {
namespace {

using namespace json_fields;

std::optional<std::string> optional_string(const nlohmann::json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw ConfigError(where + "." + key, "expected a string or null, got " + it->dump());
  return it->get<std::string>();
}

std::unique_ptr<BpeModel> parse_model(const nlohmann::json& m, const std::string& where) {
  if (!m.is_object()) throw ConfigError(where, "expected an object");
  // Old files have no "type"; Hugging Face then recognises BPE by its merges.
  const std::string type = m.contains("type") ? type_of(m, where) : (m.contains("merges") ? "BPE" : "");
  if (type != "BPE")
    throw ConfigError(where + ".type", "model '" + type + "' is not supported (supported: BPE)");
  if (m.contains("dropout") && !m["dropout"].is_null() && !(m["dropout"].is_number() && m["dropout"].get<double>() == 0.0))
    throw ConfigError(where + ".dropout", "BPE dropout is not supported (it makes encoding random)");

  const auto& vocab_json = field(m, "vocab", where);
  if (!vocab_json.is_object()) throw ConfigError(where + ".vocab", "expected an object token -> id");
  std::vector<std::pair<std::string, int32_t>> vocab;
  vocab.reserve(vocab_json.size());
  for (auto it = vocab_json.begin(); it != vocab_json.end(); ++it) {
    if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 || it.value().get<int64_t>() > INT32_MAX)
      throw ConfigError(where + ".vocab", "id of '" + it.key() + "' is not a valid id: " + it.value().dump());
    vocab.emplace_back(it.key(), static_cast<int32_t>(it.value().get<int64_t>()));
  }

  const auto& merges_json = field(m, "merges", where);
  if (!merges_json.is_array()) throw ConfigError(where + ".merges", "expected a list");
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(merges_json.size());
  for (std::size_t i = 0; i < merges_json.size(); ++i) {
    const auto& e = merges_json[i];
    if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
      merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
      continue;
    }
    if (e.is_string()) {  // legacy "a b"
      const std::string s = e.get<std::string>();
      const auto sp = s.find(' ');
      if (sp != std::string::npos && s.find(' ', sp + 1) == std::string::npos) {
        merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
        continue;
      }
    }
    throw ConfigError(where + ".merges[" + std::to_string(i) + "]", "expected [\"a\", \"b\"] or \"a b\", got " + e.dump());
  }

  BpeOptions o;
  o.unk_token = optional_string(m, "unk_token", where);
  o.continuing_subword_prefix = optional_string(m, "continuing_subword_prefix", where).value_or("");
  o.end_of_word_suffix = optional_string(m, "end_of_word_suffix", where).value_or("");
  o.fuse_unk = bool_field(m, "fuse_unk", false, where);
  o.byte_fallback = bool_field(m, "byte_fallback", false, where);
  o.ignore_merges = bool_field(m, "ignore_merges", false, where);
  return std::make_unique<BpeModel>(vocab, merges, std::move(o), where);
}

AddedToken parse_added_token(const nlohmann::json& t, const std::string& where) {
  AddedToken a;
  const auto& id = field(t, "id", where);
  if (!id.is_number_integer() || id.get<int64_t>() < 0) throw ConfigError(where + ".id", "expected a non-negative integer");
  a.id = id.get<int64_t>();
  a.content = string_field(t, "content", where);
  a.special = bool_field(t, "special", false, where);
  a.lstrip = bool_field(t, "lstrip", false, where);
  a.rstrip = bool_field(t, "rstrip", false, where);
  a.single_word = bool_field(t, "single_word", false, where);
  a.normalized = bool_field(t, "normalized", !a.special, where);
  return a;
}

class HfTokenizer : public Tokenizer {
 public:
  HfTokenizer(const nlohmann::json& j, const TokenizerConfig& config, const std::string& name) {
    if (!j.is_object()) throw ConfigError(name, "expected a JSON object");
    model_ = parse_model(field(j, "model", name), name + ": model");
    normalizer_ = parse_normalizer(j.value("normalizer", nlohmann::json()), name + ": normalizer");
    pre_tokenizer_ = parse_pre_tokenizer(j.value("pre_tokenizer", nlohmann::json()), name + ": pre_tokenizer");
    affixes_ = parse_post_processor(j.value("post_processor", nlohmann::json()), name + ": post_processor");
    decoder_ = parse_decoder(j.value("decoder", nlohmann::json()), name + ": decoder");

    if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
      const auto& list = j["added_tokens"];
      if (!list.is_array()) throw ConfigError(name + ": added_tokens", "expected a list");
      for (std::size_t i = 0; i < list.size(); ++i)
        add_token(parse_added_token(list[i], name + ": added_tokens[" + std::to_string(i) + "]"));
    }
    // transformers also registers the tokenizer_config.json tokens the file lacks.
    for (const AddedToken& t : config.added_tokens)
      if (!added_by_id_.count(t.id) && !added_by_content_.count(t.content)) add_token(t);
    build_matchers();

    apply_config(config, "tokenizer_config.json");
    // tokenizer_config.json's add_bos_token/add_eos_token rebuild the template (as transformers'
    // LlamaTokenizerFast.update_post_processor does).
    if (config.add_bos_token || config.add_eos_token) {
      affixes_ = {};
      if (config.add_bos_token.value_or(false) && bos_id_) affixes_.prefix.push_back(*bos_id_);
      if (config.add_eos_token.value_or(false) && eos_id_) affixes_.suffix.push_back(*eos_id_);
    }
  }

  std::vector<int64_t> encode(std::string_view text, const EncodeOptions& options) const override {
    std::string repaired;
    if (!is_valid_utf8(text)) {
      repaired = utf8_lossy(text);
      text = repaired;
    }
    std::vector<int64_t> ids;
    if (options.add_special_tokens) ids = affixes_.prefix;
    std::vector<std::string> pieces;
    for (const auto& seg : raw_matcher_.split(text, options.parse_special_tokens)) {
      if (seg.id >= 0) {
        ids.push_back(seg.id);
        continue;
      }
      std::string piece(text.substr(seg.start, seg.end - seg.start));
      if (normalizer_) normalizer_->normalize(piece);
      for (const auto& sub : normalized_matcher_.split(piece, options.parse_special_tokens)) {
        if (sub.id >= 0) {
          ids.push_back(sub.id);
          continue;
        }
        pieces.assign(1, piece.substr(sub.start, sub.end - sub.start));
        if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(pieces);
        for (const auto& word : pieces) model_->tokenize(word, ids);
      }
    }
    if (options.add_special_tokens) ids.insert(ids.end(), affixes_.suffix.begin(), affixes_.suffix.end());
    return ids;
  }

  std::string decode(const int64_t* ids, std::size_t count, bool skip_special_tokens) const override {
    std::vector<std::string> tokens;
    tokens.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::string* tok = token_string(ids[i]);
      if (!tok) continue;
      if (skip_special_tokens && special_contents_.count(*tok)) continue;
      tokens.push_back(*tok);
    }
    if (!decoder_) {
      std::string joined;
      for (std::size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
      return joined;
    }
    decoder_->decode_chain(tokens);
    std::string out;
    for (const auto& t : tokens) out += t;
    return out;
  }

  int64_t vocab_size() const override {
    int64_t max_id = model_->max_id();
    for (const auto& t : added_tokens_) max_id = std::max(max_id, t.id);
    return max_id + 1;
  }

  std::optional<int64_t> token_to_id(std::string_view token) const override {
    if (auto it = added_by_content_.find(std::string(token)); it != added_by_content_.end()) return it->second;
    if (auto id = model_->token_to_id(token)) return *id;
    return std::nullopt;
  }

  std::optional<std::string> id_to_token(int64_t id) const override {
    if (const std::string* t = token_string(id)) return *t;
    return std::nullopt;
  }

  std::string kind() const override { return "tokenizer.json"; }

 private:
  void add_token(AddedToken t) {
    if (t.content.empty()) return;  // Hugging Face ignores empty added tokens
    // A token already in the model vocabulary keeps the model's id.
    if (auto id = model_->token_to_id(t.content)) t.id = *id;
    if (auto it = added_by_content_.find(t.content); it != added_by_content_.end()) {
      for (auto& existing : added_tokens_)
        if (existing.content == t.content) existing = t;
    } else {
      added_tokens_.push_back(t);
    }
    added_by_content_[t.content] = t.id;
    added_by_id_[t.id] = t.content;
  }

  void build_matchers() {
    std::vector<AddedToken> raw, normalized;
    std::vector<std::string> raw_patterns, normalized_patterns;
    std::sort(added_tokens_.begin(), added_tokens_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (const AddedToken& t : added_tokens_) {
      added_min_ = std::min(added_min_, t.id);
      added_max_ = std::max(added_max_, t.id);
      if (t.special) {
        special_ids_.insert(t.id);
        special_contents_.insert(t.content);
      }
      if (t.normalized) {
        std::string form = t.content;
        if (normalizer_) normalizer_->normalize(form);
        // Decoding shows what was matched (Hugging Face's normalized cache).
        if (form != t.content) decode_form_[t.id] = form;
        normalized.push_back(t);
        normalized_patterns.push_back(form);
      } else {
        raw.push_back(t);
        raw_patterns.push_back(t.content);
      }
    }
    raw_matcher_.build(raw, raw_patterns);
    normalized_matcher_.build(normalized, normalized_patterns);
  }

  const std::string* token_string(int64_t id) const {
    if (id >= added_min_ && id <= added_max_) {  // most ids are plain BPE tokens: skip the maps
      if (auto it = decode_form_.find(id); it != decode_form_.end()) return &it->second;
      if (auto it = added_by_id_.find(id); it != added_by_id_.end()) return &it->second;
    }
    return model_->id_to_token(id);
  }

  std::unique_ptr<BpeModel> model_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Decoder> decoder_;
  SpecialAffixes affixes_;
  AddedTokenMatcher raw_matcher_, normalized_matcher_;
  std::unordered_map<std::string, int64_t> added_by_content_;
  std::unordered_map<int64_t, std::string> added_by_id_, decode_form_;
  std::unordered_set<std::string> special_contents_;
  int64_t added_min_ = INT64_MAX, added_max_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> parse_hf_tokenizer(const std::string& json_text, const TokenizerConfig& config,
                                              const std::string& name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(name, std::string("not valid JSON: ") + e.what());
  }
  return std::make_unique<HfTokenizer>(j, config, name);
}

std::unique_ptr<Tokenizer> load_hf_tokenizer(const std::string& path, const TokenizerConfig& config) {
  return parse_hf_tokenizer(read_file(path), config, path);
}

}  // namespace reason
