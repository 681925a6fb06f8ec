#include "tokenizer/normalizer.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "tokenizer/json_fields.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace reason {
namespace {

using namespace json_fields;

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(unicode::NormalForm form) : form_(form) {}
  void normalize(std::string& s) const override { s = unicode::normalize(s, form_); }

 private:
  unicode::NormalForm form_;
};

class Lowercase : public Normalizer {
 public:
  void normalize(std::string& s) const override { s = unicode::lowercase(s); }
};

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& s) const override {
    std::size_t begin = 0, end = s.size();
    if (left_) {
      while (begin < end) {
        std::size_t i = begin;
        if (!unicode::is_white_space(unicode::next_char(s, i))) break;
        begin = i;
      }
    }
    if (right_) {
      while (end > begin) {
        std::size_t e = end;
        if (!unicode::is_white_space(unicode::prev_char(s, e))) break;
        end = e;
      }
    }
    s = s.substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

class StripAccents : public Normalizer {
 public:
  void normalize(std::string& s) const override {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t at = i;
      if (!unicode::is_mark(unicode::next_char(s, i))) out.append(s, at, i - at);
    }
    s = std::move(out);
  }
};

class Replace : public Normalizer {
 public:
  Replace(const std::string& pattern, bool literal, std::string content, const std::string& where)
      : regex_(pattern, literal, where), content_(std::move(content)) {}
  void normalize(std::string& s) const override {
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    regex_.find_all(s, matches);
    if (matches.empty()) return;
    std::string out;
    std::size_t last = 0;
    for (auto [b, e] : matches) {
      out.append(s, last, b - last);
      out += content_;
      last = e;
    }
    out.append(s, last, std::string::npos);
    s = std::move(out);
  }

 private:
  Regex regex_;
  std::string content_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string p) : prefix_(std::move(p)) {}
  void normalize(std::string& s) const override {
    if (!s.empty()) s.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  void normalize(std::string& s) const override {
    for (const auto& n : steps_) n->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace

std::unique_ptr<Normalizer> parse_normalizer(const nlohmann::json& spec, const std::string& where) {
  if (spec.is_null()) return nullptr;
  const std::string type = type_of(spec, where);
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFKD);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip")
    return std::make_unique<Strip>(bool_field(spec, "strip_left", false, where), bool_field(spec, "strip_right", false, where));
  if (type == "Prepend") return std::make_unique<Prepend>(string_field(spec, "prepend", where));
  if (type == "Replace") {
    auto [pattern, literal] = pattern_field(field(spec, "pattern", where), where + ".pattern");
    return std::make_unique<Replace>(pattern, literal, string_field(spec, "content", where), where + ".pattern");
  }
  if (type == "Sequence") {
    const auto& list = field(spec, "normalizers", where);
    if (!list.is_array()) throw ConfigError(where + ".normalizers", "expected a list");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto n = parse_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]");
      if (n) steps.push_back(std::move(n));
    }
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw ConfigError(where + ".type", "normalizer '" + type +
                                         "' is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Strip, "
                                         "StripAccents, Replace, Prepend, Sequence)");
}

}  // namespace reason
