#pragma once
// A small PCRE2 wrapper with Python `re` semantics where the grader needs them: UTF-8 and
// Unicode classes (\d, \s, \b as in Python 3 str patterns), finditer-style non-overlapping
// search, and substitution. Match limits bound backtracking; hitting one throws Timeout.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace reason::math::detail {

class Regex {
 public:
  enum Flags : uint32_t { kNone = 0, kDotAll = 1, kCaseless = 2, kMultiline = 4 };
  explicit Regex(const std::string& pattern, uint32_t flags = kNone);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  struct Match {
    size_t start = 0, end = 0;
    std::vector<size_t> spans;  // 2 per group (group 0 included); npos for unset groups
    bool has(int g) const { return spans[2 * static_cast<size_t>(g)] != std::string::npos; }
    std::string_view group(std::string_view subject, int g) const {
      if (!has(g)) return {};
      return subject.substr(spans[2 * static_cast<size_t>(g)], spans[2 * static_cast<size_t>(g) + 1] - spans[2 * static_cast<size_t>(g)]);
    }
  };

  // First match starting at or after `from` (anchored at `from` when `anchored`).
  bool search(std::string_view subject, size_t from, Match& m, bool anchored = false) const;
  // All non-overlapping matches, left to right (Python's finditer).
  std::vector<Match> find_all(std::string_view subject) const;
  // Replaces every match by what `replace` returns.
  std::string replace(std::string_view subject, const std::function<std::string(const Match&)>& replace) const;
  // Replaces every match by a fixed text; \1..\9 in `templ` insert groups (Python's re.sub).
  std::string replace(std::string_view subject, std::string_view templ) const;
  bool contains(std::string_view subject) const {
    Match m;
    return search(subject, 0, m);
  }
  int group_index(const std::string& name) const;  // -1 when absent
  int group_count() const { return groups_; }

 private:
  void* code_ = nullptr;
  int groups_ = 0;
};

// Replaces invalid UTF-8 by U+FFFD so that every regex sees valid text.
std::string sanitize_utf8(std::string_view s);
// Number of code points.
size_t utf8_length(std::string_view s);

}  // namespace reason::math::detail
