#pragma once
// Unicode helpers of the tokenizers (internal). Character data comes from utf8proc; the few
// derived properties Rust uses (White_Space, is_numeric, regex \w) are spelled out here.
// Functions taking text assume valid UTF-8 (the tokenizers repair their input first).
#include <cstddef>
#include <string>
#include <string_view>

namespace reason::unicode {

// Decodes the character at s[i] and advances i.
inline char32_t next_char(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  const int n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
  char32_t c = b & (0x7F >> n);
  for (int k = 1; k < n && i + k < s.size(); ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return c;
}

// Decodes the character that ends just before s[end] and moves end to its first byte.
inline char32_t prev_char(std::string_view s, std::size_t& end) {
  std::size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  std::size_t i = start;
  char32_t c = next_char(s, i);
  end = start;
  return c;
}

void append_utf8(std::string& out, char32_t c);

// Unicode White_Space (Rust's char::is_whitespace and regex \s).
bool is_white_space(char32_t c);
// Python's str.isspace (Jinja's trim): White_Space plus U+001C..U+001F.
bool is_python_space(char32_t c);
// Rust regex \w: Alphabetic, marks, decimal digits, connector punctuation, joiners.
bool is_word_char(char32_t c);
// Rust char::is_numeric: general categories Nd, Nl, No.
bool is_numeric(char32_t c);
// General category M* (what unicode-normalization's is_combining_mark tests).
bool is_mark(char32_t c);

enum class NormalForm { NFC, NFD, NFKC, NFKD };
std::string normalize(std::string_view s, NormalForm form);
// Full lowercase mapping per character (Rust's char::to_lowercase).
std::string lowercase(std::string_view s);

}  // namespace reason::unicode
