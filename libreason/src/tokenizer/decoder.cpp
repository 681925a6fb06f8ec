#include "tokenizer/decoder.h"

#include <nlohmann/json.hpp>

#include "reason/tokenizer/utf8.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace reason {
namespace {

using namespace json_fields;

// All tokens' bytes concatenated, then invalid UTF-8 replaced as String::from_utf8_lossy does.
class ByteLevelDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const auto& t : tokens) byte_level::decode_token(t, bytes);
    tokens.assign(1, utf8_lossy(bytes));
  }
};

// "<0xAB>" tokens: a run of them becomes its bytes when they are valid UTF-8, else one U+FFFD
// per byte.
class ByteFallback : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string run;
    std::size_t run_count = 0;
    auto flush = [&] {
      if (!run_count) return;
      if (is_valid_utf8(run)) {
        out.push_back(run);
      } else {
        for (std::size_t i = 0; i < run_count; ++i) out.emplace_back("\xEF\xBF\xBD");
      }
      run.clear();
      run_count = 0;
    };
    for (auto& t : tokens) {
      int byte = -1;
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
        int h = hex(t[3]), l = hex(t[4]);
        if (h >= 0 && l >= 0) byte = h * 16 + l;
      }
      if (byte >= 0) {
        run.push_back(static_cast<char>(byte));
        ++run_count;
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens = std::move(out);
  }
};

class Fuse : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens.assign(1, all);
  }
};

// Removes up to `start` leading and `stop` trailing copies of one character from each token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, std::size_t start, std::size_t stop) : content_(content), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& t : tokens) {
      std::vector<std::size_t> bounds;  // byte offset of every character, plus the end
      for (std::size_t i = 0; i < t.size();) {
        bounds.push_back(i);
        unicode::next_char(t, i);
      }
      const std::size_t n = bounds.size();
      bounds.push_back(t.size());
      auto char_at = [&](std::size_t k) {
        std::size_t i = bounds[k];
        return unicode::next_char(t, i);
      };
      std::size_t begin = 0, end = n;
      for (std::size_t k = 0; k < std::min(start_, n) && char_at(k) == content_; ++k) begin = k + 1;
      for (std::size_t k = 0; k < std::min(stop_, n) && char_at(n - 1 - k) == content_; ++k) end = n - 1 - k;
      t = end > begin ? t.substr(bounds[begin], bounds[end] - bounds[begin]) : std::string();
    }
  }

 private:
  char32_t content_;
  std::size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(const std::string& pattern, bool literal, std::string content, const std::string& where)
      : regex_(pattern, literal, where), content_(std::move(content)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    for (auto& t : tokens) {
      matches.clear();
      regex_.find_all(t, matches);
      if (matches.empty()) continue;
      std::string out;
      std::size_t last = 0;
      for (auto [b, e] : matches) {
        out.append(t, last, b - last);
        out += content_;
        last = e;
      }
      out.append(t, last, std::string::npos);
      t = std::move(out);
    }
  }

 private:
  Regex regex_;
  std::string content_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& d : steps_) d->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

std::size_t count_field(const nlohmann::json& spec, const char* key, const std::string& where) {
  const auto& v = field(spec, key, where);
  if (!v.is_number_unsigned()) throw ConfigError(where + "." + key, "expected a non-negative integer");
  return v.get<std::size_t>();
}

}  // namespace

std::unique_ptr<Decoder> parse_decoder(const nlohmann::json& spec, const std::string& where) {
  if (spec.is_null()) return nullptr;
  const std::string type = type_of(spec, where);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallback>();
  if (type == "Fuse") return std::make_unique<Fuse>();
  if (type == "Strip") {
    const std::string content = string_field(spec, "content", where);
    std::size_t i = 0;
    if (content.empty() || (unicode::next_char(content, i), i != content.size()))
      throw ConfigError(where + ".content", "expected one character");
    i = 0;
    return std::make_unique<StripDecoder>(unicode::next_char(content, i), count_field(spec, "start", where),
                                          count_field(spec, "stop", where));
  }
  if (type == "Replace") {
    auto [pattern, literal] = pattern_field(field(spec, "pattern", where), where + ".pattern");
    return std::make_unique<ReplaceDecoder>(pattern, literal, string_field(spec, "content", where), where + ".pattern");
  }
  if (type == "Sequence") {
    const auto& list = field(spec, "decoders", where);
    if (!list.is_array()) throw ConfigError(where + ".decoders", "expected a list");
    std::vector<std::unique_ptr<Decoder>> steps;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto d = parse_decoder(list[i], where + ".decoders[" + std::to_string(i) + "]");
      if (d) steps.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(steps));
  }
  throw ConfigError(where + ".type", "decoder '" + type +
                                         "' is not supported (supported: ByteLevel, ByteFallback, Fuse, Strip, "
                                         "Replace, Sequence)");
}

}  // namespace reason
