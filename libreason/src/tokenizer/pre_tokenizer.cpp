#include "tokenizer/pre_tokenizer.h"

#include <nlohmann/json.hpp>

#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace reason {
namespace {

using namespace json_fields;

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct Span {
  std::size_t start, end;
  bool flag;  // before: is a match; after applying a behaviour: is to be removed
};

// Spans covering `size` bytes from the match ranges (Hugging Face's Pattern::find_matches).
std::vector<Span> cover(std::size_t size, const std::vector<std::pair<std::size_t, std::size_t>>& matches) {
  std::vector<Span> spans;
  std::size_t prev = 0;
  for (auto [s, e] : matches) {
    if (prev != s) spans.push_back({prev, s, false});
    spans.push_back({s, e, true});
    prev = e;
  }
  if (prev != size) spans.push_back({prev, size, false});
  return spans;
}

// Hugging Face's NormalizedString::split, behaviour by behaviour.
std::vector<Span> apply_behavior(std::vector<Span> m, Behavior behavior) {
  std::vector<Span> acc;
  bool previous_match = false;
  switch (behavior) {
    case Behavior::Removed:
      return m;
    case Behavior::Isolated:
      for (auto& s : m) s.flag = false;
      return m;
    case Behavior::Contiguous:
      for (const auto& s : m) {
        if (s.flag == previous_match && !acc.empty())
          acc.back().end = s.end;
        else
          acc.push_back({s.start, s.end, false});
        previous_match = s.flag;
      }
      return acc;
    case Behavior::MergedWithPrevious:
      for (const auto& s : m) {
        if (s.flag && !previous_match && !acc.empty())
          acc.back().end = s.end;
        else
          acc.push_back({s.start, s.end, false});
        previous_match = s.flag;
      }
      return acc;
    case Behavior::MergedWithNext:
      for (auto it = m.rbegin(); it != m.rend(); ++it) {
        if (it->flag && !previous_match && !acc.empty())
          acc.back().start = it->start;
        else
          acc.push_back({it->start, it->end, false});
        previous_match = it->flag;
      }
      return {acc.rbegin(), acc.rend()};
  }
  return m;
}

void emit(const std::string& piece, const std::vector<Span>& spans, std::vector<std::string>& out) {
  for (const auto& s : spans)
    if (!s.flag && s.end > s.start) out.emplace_back(piece, s.start, s.end - s.start);
}

Behavior parse_behavior(const nlohmann::json& spec, const std::string& where) {
  const std::string b = string_field(spec, "behavior", where);
  if (b == "Removed") return Behavior::Removed;
  if (b == "Isolated") return Behavior::Isolated;
  if (b == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (b == "MergedWithNext") return Behavior::MergedWithNext;
  if (b == "Contiguous") return Behavior::Contiguous;
  throw ConfigError(where + ".behavior", "unknown split behavior '" + b + "'");
}

class Split : public PreTokenizer {
 public:
  Split(const std::string& pattern, bool literal, Behavior behavior, bool invert, const std::string& where)
      : regex_(pattern, literal, where), behavior_(behavior), invert_(invert), empty_literal_(literal && pattern.empty()) {}
  void pre_tokenize(std::vector<std::string>& pieces) const override {
    std::vector<std::string> out;
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    for (const auto& piece : pieces) {
      matches.clear();
      if (!empty_literal_) regex_.find_all(piece, matches);  // an empty literal matches nothing
      auto spans = cover(piece.size(), matches);
      if (invert_)
        for (auto& s : spans) s.flag = !s.flag;
      emit(piece, apply_behavior(std::move(spans), behavior_), out);
    }
    pieces = std::move(out);
  }

 private:
  Regex regex_;
  Behavior behavior_;
  bool invert_;
  bool empty_literal_;
};

class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}
  void pre_tokenize(std::vector<std::string>& pieces) const override {
    std::vector<std::string> out;
    for (const auto& piece : pieces) {
      std::vector<std::pair<std::size_t, std::size_t>> matches;
      for (std::size_t i = 0; i < piece.size();) {
        const std::size_t at = i;
        if (unicode::is_numeric(unicode::next_char(piece, i))) matches.emplace_back(at, i);
      }
      emit(piece, apply_behavior(cover(piece.size(), matches), individual_ ? Behavior::Isolated : Behavior::Contiguous), out);
    }
    pieces = std::move(out);
  }

 private:
  bool individual_;
};

// GPT-2's pre-tokenization regex, used by ByteLevel when use_regex is true.
constexpr const char* kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex, const std::string& where) : add_prefix_space_(add_prefix_space) {
    if (use_regex) split_ = std::make_unique<Split>(kGpt2Pattern, false, Behavior::Isolated, false, where);
  }
  void pre_tokenize(std::vector<std::string>& pieces) const override {
    if (add_prefix_space_)
      for (auto& p : pieces)
        if (p.empty() || p[0] != ' ') p.insert(0, " ");
    if (split_) split_->pre_tokenize(pieces);
    std::string mapped;
    for (auto& p : pieces) {
      mapped.clear();
      byte_level::encode(p, mapped);
      p.swap(mapped);
    }
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Split> split_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void pre_tokenize(std::vector<std::string>& pieces) const override {
    for (const auto& s : steps_) s->pre_tokenize(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace

std::unique_ptr<PreTokenizer> parse_pre_tokenizer(const nlohmann::json& spec, const std::string& where) {
  if (spec.is_null()) return nullptr;
  const std::string type = type_of(spec, where);
  if (type == "Split") {
    auto [pattern, literal] = pattern_field(field(spec, "pattern", where), where + ".pattern");
    return std::make_unique<Split>(pattern, literal, parse_behavior(spec, where), bool_field(spec, "invert", false, where),
                                   where + ".pattern");
  }
  if (type == "ByteLevel")
    return std::make_unique<ByteLevel>(bool_field(spec, "add_prefix_space", true, where),
                                       bool_field(spec, "use_regex", true, where), where);
  if (type == "Digits") return std::make_unique<Digits>(bool_field(spec, "individual_digits", false, where));
  if (type == "Sequence") {
    const auto& list = field(spec, "pretokenizers", where);
    if (!list.is_array()) throw ConfigError(where + ".pretokenizers", "expected a list");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto p = parse_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
      if (p) steps.push_back(std::move(p));
    }
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw ConfigError(where + ".type", "pre-tokenizer '" + type +
                                         "' is not supported (supported: Split, ByteLevel, Digits, Sequence)");
}

}  // namespace reason
