// UTF-8 validation and lossy repair. The rule for what one U+FFFD replaces is the Unicode
// "maximal subpart" practice that Rust's String::from_utf8_lossy follows: a lead byte plus the
// continuation bytes that could still belong to it; a byte that cannot start a sequence alone.
#include "reason/tokenizer/utf8.h"

namespace reason {
namespace {

// Length of the well-formed sequence at s[i], or 0 with `consumed` = bytes of the maximal subpart.
std::size_t sequence_at(std::string_view s, std::size_t i, std::size_t& consumed) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return consumed = 1;
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b == 0xE0) {
    need = 2, lo = 0xA0;
  } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
    need = 2;
  } else if (b == 0xED) {
    need = 2, hi = 0x9F;  // no surrogates
  } else if (b == 0xF0) {
    need = 3, lo = 0x90;
  } else if (b >= 0xF1 && b <= 0xF3) {
    need = 3;
  } else if (b == 0xF4) {
    need = 3, hi = 0x8F;  // nothing above U+10FFFF
  } else {
    consumed = 1;
    return 0;
  }
  std::size_t k = 0;
  while (k < need && i + 1 + k < s.size()) {
    const auto c = static_cast<unsigned char>(s[i + 1 + k]);
    if (k == 0 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) break;
    ++k;
  }
  consumed = 1 + k;
  return k == need ? consumed : 0;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0, consumed = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    if (sequence_at(s, i, consumed) == 0) return false;
    i += consumed;
  }
  return true;
}

std::string utf8_lossy(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t i = 0, consumed = 0;
  while (i < s.size()) {
    if (sequence_at(s, i, consumed) != 0)
      out.append(s.data() + i, consumed);
    else
      out.append("\xEF\xBF\xBD");
    i += consumed;
  }
  return out;
}

}  // namespace reason
