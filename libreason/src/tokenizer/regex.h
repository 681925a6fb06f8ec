#pragma once
// The regular expressions of tokenizer.json (written for Oniguruma, which Hugging Face uses)
// run on PCRE2 with UTF + UCP and the JIT. Both are backtracking engines with the same
// leftmost-first semantics; the class shorthands whose Unicode meaning differs (\s, \w, \h)
// are rewritten to Oniguruma's definition before compiling.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reason {

class Regex {
 public:
  // Throws ConfigError(`where`, ...) when the pattern does not compile. `literal` matches the
  // pattern text itself (tokenizer.json's {"String": ...} patterns).
  Regex(const std::string& pattern, bool literal, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Appends the [start, end) byte ranges of successive matches in `text` (valid UTF-8), in the
  // order Oniguruma's find_iter reports them (an empty match right after a match is skipped).
  void find_all(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& out) const;

  // Oniguruma syntax -> PCRE2 syntax (exposed for tests).
  static std::string translate(const std::string& onig_pattern);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reason
