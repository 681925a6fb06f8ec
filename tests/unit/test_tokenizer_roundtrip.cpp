// Property tests on the Qwen tokenizer with random input: valid UTF-8 comes back as its NFC form
// (the tokenizer's normalizer); any byte string, invalid sequences and lone continuation bytes
// included, encodes without error and comes back as its lossy repair; decode never throws and
// always returns valid UTF-8, whatever the ids.
#include <gtest/gtest.h>
#include <utf8proc.h>

#include <cstdlib>
#include <cstring>
#include <random>

#include "reason/tokenizer/tokenizer.h"
#include "reason/tokenizer/utf8.h"

namespace reason {
namespace {

const Tokenizer& qwen() {
  static const std::unique_ptr<Tokenizer> tok = load_tokenizer(REASON_QWEN_TOKENIZER_DIR);
  return *tok;
}

std::string nfc_piece(const std::string& s) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                              &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::string r(reinterpret_cast<const char*>(out), n > 0 ? static_cast<std::size_t>(n) : 0);
  std::free(out);
  return r;
}

// What the tokenizer should give back: added tokens as written, NFC between them (Hugging Face
// matches added tokens before normalizing, so '>' + U+0338 after a token does not become U+226F).
std::string nfc(const std::string& s) {
  static const char* tokens[] = {"<|im_start|>", "<|im_end|>", "<think>", "</think>", "<|endoftext|>"};
  std::string out, run;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    for (const char* t : tokens)
      if (s.compare(i, std::strlen(t), t) == 0) len = std::max(len, std::strlen(t));
    if (len) {
      out += nfc_piece(run) + s.substr(i, len);
      run.clear();
      i += len;
    } else {
      run += s[i++];
    }
  }
  return out + nfc_piece(run);
}

void append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Characters from the ranges that stress a byte-level BPE: ASCII and whitespace, Latin with
// combining marks, Hangul jamo (NFC composes them), CJK, emoji with joiners, rare planes.
char32_t random_char(std::mt19937& rng) {
  static const std::pair<char32_t, char32_t> ranges[] = {
      {0x20, 0x7E}, {0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0x24F}, {0x300, 0x36F}, {0x370, 0x4FF}, {0x600, 0x6FF},
      {0x1100, 0x11FF}, {0xAC00, 0xD7A3}, {0x2000, 0x206F}, {0x3000, 0x303F}, {0x4E00, 0x9FFF}, {0xFF00, 0xFFEF},
      {0x1F300, 0x1F6FF}, {0x200D, 0x200D}, {0xFE0F, 0xFE0F}, {0x10000, 0x10FFFF}, {0xE000, 0xF8FF}};
  const auto& r = ranges[std::uniform_int_distribution<std::size_t>(0, std::size(ranges) - 1)(rng)];
  char32_t c = std::uniform_int_distribution<char32_t>(r.first, r.second)(rng);
  if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;  // surrogates cannot be encoded
  return c;
}

TEST(TokenizerRoundTrip, RandomValidUtf8ComesBackNormalized) {
  std::mt19937 rng(7);
  const char* specials[] = {"<|im_start|>", "<|im_end|>", "<think>", "</think>", "<|endoftext|>", "<|im_", "|>"};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    const int n = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int i = 0; i < n; ++i) {
      if (rng() % 25 == 0)
        s += specials[rng() % std::size(specials)];
      else
        append(s, random_char(rng));
    }
    const auto ids = qwen().encode(s);
    for (int64_t id : ids) ASSERT_TRUE(id >= 0 && id < qwen().vocab_size()) << id;
    ASSERT_EQ(qwen().decode(ids), nfc(s)) << "iteration " << iter;
  }
}

TEST(TokenizerRoundTrip, RandomBytesNeverFailAndComeBackRepaired) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    const int n = std::uniform_int_distribution<int>(0, 30)(rng);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 4) {
        case 0: s += static_cast<char>(0x80 + rng() % 0x40); break;  // lone continuation byte
        case 1: s += static_cast<char>(0xC0 + rng() % 0x40); break;  // lead byte (or invalid C0/C1/F5+)
        case 2: s += static_cast<char>(0x20 + rng() % 0x5F); break;
        default: s += static_cast<char>(rng() % 256); break;
      }
    }
    std::vector<int64_t> ids;
    ASSERT_NO_THROW(ids = qwen().encode(s)) << "iteration " << iter;
    const std::string back = qwen().decode(ids);
    ASSERT_TRUE(is_valid_utf8(back));
    ASSERT_EQ(back, nfc(utf8_lossy(s))) << "iteration " << iter;
  }
}

TEST(TokenizerRoundTrip, DecodeOfAnyIdsIsValidUtf8) {
  std::mt19937 rng(13);
  const int64_t v = qwen().vocab_size();
  std::uniform_int_distribution<int64_t> any(-10, v + 10), bytes(0, 255);
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<int64_t> ids(std::uniform_int_distribution<int>(0, 20)(rng));
    for (auto& id : ids) id = rng() % 3 ? bytes(rng) : any(rng);  // single-byte tokens break UTF-8 often
    std::string a, b;
    ASSERT_NO_THROW(a = qwen().decode(ids));
    ASSERT_NO_THROW(b = qwen().decode(ids, true));
    ASSERT_TRUE(is_valid_utf8(a));
    ASSERT_TRUE(is_valid_utf8(b));
  }
}

// Decoding a prefix of the ids never throws either (streaming output during generation).
TEST(TokenizerRoundTrip, PrefixesOfMultibyteTextDecode) {
  const std::string text = "数学 😀🚀 naïve";
  const auto ids = qwen().encode(text);
  for (std::size_t k = 0; k <= ids.size(); ++k) {
    const std::string part = qwen().decode(std::vector<int64_t>(ids.begin(), ids.begin() + k));
    EXPECT_TRUE(is_valid_utf8(part));
  }
}

// Long runs stress the regex backtracking (\s+(?!\S) over megabytes of spaces) and BPE on
// one huge word; both must work and round-trip.
TEST(TokenizerRoundTrip, VeryLongRuns) {
  const std::string spaces(2'000'000, ' ');
  const std::string word(300'000, 'a');
  std::string cjk;
  for (int i = 0; i < 50'000; ++i) cjk += "\xE6\x95\xB0";  // 数, no spaces: one pre-token
  for (const std::string* s : std::vector<const std::string*>{&spaces, &word, &cjk}) {
    const auto ids = qwen().encode(*s + "x");
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(qwen().decode(ids), *s + "x");
  }
}

}  // namespace
}  // namespace reason
