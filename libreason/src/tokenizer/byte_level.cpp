#include "tokenizer/byte_level.h"

#include "tokenizer/unicode.h"

namespace reason::byte_level {
namespace {

// Bytes that are printable Latin-1 keep their own code point; the others get 256, 257, ... in
// byte order (GPT-2's bytes_to_unicode).
struct Tables {
  std::array<std::string, 256> to_char;
  std::array<int16_t, 512> to_byte;  // code points used are all below 512
  Tables() {
    to_byte.fill(-1);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const char32_t c = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(next++);
      unicode::append_utf8(to_char[b], c);
      to_byte[c] = static_cast<int16_t>(b);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

const std::array<std::string, 256>& byte_to_char() { return tables().to_char; }

int char_to_byte(char32_t c) { return c < 512 ? tables().to_byte[c] : -1; }

void encode(std::string_view bytes, std::string& out) {
  const auto& t = tables().to_char;
  for (char b : bytes) out += t[static_cast<unsigned char>(b)];
}

void decode_token(std::string_view token, std::string& out) {
  const std::size_t mark = out.size();
  std::size_t i = 0;
  while (i < token.size()) {
    const int b = char_to_byte(unicode::next_char(token, i));
    if (b < 0) {
      out.resize(mark);
      out.append(token.data(), token.size());
      return;
    }
    out.push_back(static_cast<char>(b));
  }
}

}  // namespace reason::byte_level
