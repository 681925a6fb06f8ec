// tokenizer.json components on small hand-made files. A toy byte-level BPE whose ids are the
// byte values (no merges unless a test adds some) makes the output readable: ids below 256
// are the bytes the model saw, added tokens print as [id]. Expected values follow Hugging Face
// tokenizers' own unit tests where they exist.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/tokenizer/hf_tokenizer.h"
#include "reason/tokenizer/utf8.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/regex.h"

namespace reason {
namespace {

using json = nlohmann::json;

// A byte-level tokenizer: token id b for every byte b, then one id per merge from 256 on.
json toy(const std::vector<std::pair<std::string, std::string>>& merges = {}) {
  json vocab = json::object();
  const auto& chars = byte_level::byte_to_char();
  for (int b = 0; b < 256; ++b) vocab[chars[b]] = b;
  json m = json::array();
  int next = 256;
  for (const auto& [a, b] : merges) {
    // Merges are given on raw text; the vocabulary holds their byte-level form.
    std::string ea, eb;
    byte_level::encode(a, ea);
    byte_level::encode(b, eb);
    if (!vocab.contains(ea + eb)) vocab[ea + eb] = next++;
    m.push_back({ea, eb});
  }
  return {{"version", "1.0"},
          {"added_tokens", json::array()},
          {"normalizer", nullptr},
          {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", true}}},
          {"post_processor", nullptr},
          {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", true}}},
          {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"fuse_unk", false},
                     {"byte_fallback", false}, {"ignore_merges", false}, {"vocab", vocab}, {"merges", m}}}};
}

json added(int64_t id, const std::string& content, bool special, bool lstrip = false, bool rstrip = false,
           bool single_word = false, std::optional<bool> normalized = std::nullopt) {
  return {{"id", id}, {"content", content}, {"special", special}, {"lstrip", lstrip}, {"rstrip", rstrip},
          {"single_word", single_word}, {"normalized", normalized.value_or(!special)}};
}

std::unique_ptr<Tokenizer> make(const json& j) { return parse_hf_tokenizer(j.dump(), {}, "toy.json"); }

// Bytes as text, added tokens as [id].
std::string show(const std::vector<int64_t>& ids) {
  std::string s;
  for (int64_t id : ids) s += id < 256 ? std::string(1, static_cast<char>(id)) : "[" + std::to_string(id) + "]";
  return s;
}

int64_t id_of(const Tokenizer& t, const std::string& raw) {
  std::string form;
  byte_level::encode(raw, form);
  return t.token_to_id(form).value();
}

TEST(TokenizerJson, MergesApplyByRankThenLeftmost) {
  auto bc_first = make(toy({{"b", "c"}, {"a", "b"}}));
  EXPECT_EQ(bc_first->encode("abc"), (std::vector<int64_t>{'a', id_of(*bc_first, "bc")}));
  auto ab_first = make(toy({{"a", "b"}, {"b", "c"}}));
  EXPECT_EQ(ab_first->encode("abc"), (std::vector<int64_t>{id_of(*ab_first, "ab"), 'c'}));
  // Equal ranks: the leftmost pair merges first.
  auto aa = make(toy({{"a", "a"}}));
  EXPECT_EQ(aa->encode("aaa"), (std::vector<int64_t>{id_of(*aa, "aa"), 'a'}));
  // A merge made possible by an earlier one.
  auto chain = make(toy({{"b", "c"}, {"a", "bc"}}));
  EXPECT_EQ(chain->encode("abcd"), (std::vector<int64_t>{id_of(*chain, "abc"), 'd'}));
  EXPECT_EQ(chain->decode(chain->encode("abcd")), "abcd");
}

TEST(TokenizerJson, IgnoreMergesTakesWholeWordsFromTheVocabulary) {
  json j = toy({{"a", "b"}});
  j["model"]["vocab"]["abc"] = 300;  // reachable by no merge
  EXPECT_EQ(make(j)->encode("abc"), (std::vector<int64_t>{256, 'c'}));
  j["model"]["ignore_merges"] = true;
  EXPECT_EQ(make(j)->encode("abc"), (std::vector<int64_t>{300}));
  EXPECT_EQ(make(j)->encode("abcabc"), (std::vector<int64_t>{256, 'c', 256, 'c'}));
}

TEST(TokenizerJson, LegacyStringMergesAreAccepted) {
  json j = toy({{"a", "b"}});
  j["model"]["merges"] = json::array({"a b"});
  EXPECT_EQ(make(j)->encode("ab"), (std::vector<int64_t>{256}));
}

TEST(TokenizerJson, ByteLevelPrefixSpaceAndGpt2Regex) {
  json j = toy({{" ", "my"}, {"m", "y"}});
  j["pre_tokenizer"]["add_prefix_space"] = true;
  auto t = make(j);
  // "my" is a word after the prefix space: " my" merges to one token.
  EXPECT_EQ(t->encode("my"), (std::vector<int64_t>{id_of(*t, " my")}));
  EXPECT_EQ(show(t->encode("it's 42!")), " it's 42!");
}

TEST(TokenizerJson, PreTokenizerSplitBehaviours) {
  // Hugging Face's split.rs test: \w+|[^\w\s]+ inverted, i.e. whitespace as the delimiter.
  const std::string text = "How are you doing?";
  auto run = [&](const char* behavior) {
    json spec = {{"type", "Split"}, {"pattern", {{"Regex", "\\w+|[^\\w\\s]+"}}}, {"behavior", behavior}, {"invert", true}};
    std::vector<std::string> pieces{text};
    parse_pre_tokenizer(spec, "t")->pre_tokenize(pieces);
    return pieces;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(run("Removed"), (V{"How", "are", "you", "doing", "?"}));
  EXPECT_EQ(run("Isolated"), (V{"How", " ", "are", " ", "you", " ", "doing", "?"}));
  EXPECT_EQ(run("MergedWithPrevious"), (V{"How ", "are ", "you ", "doing", "?"}));
  EXPECT_EQ(run("MergedWithNext"), (V{"How", " are", " you", " doing", "?"}));
  EXPECT_EQ(run("Contiguous"), (V{"How", " ", "are", " ", "you", " ", "doing?"}));

  json literal = {{"type", "Split"}, {"pattern", {{"String", "Hello"}}}, {"behavior", "Removed"}, {"invert", true}};
  std::vector<std::string> pieces{"Hello Hello Hello"};
  parse_pre_tokenizer(literal, "t")->pre_tokenize(pieces);
  EXPECT_EQ(pieces, (V{"Hello", "Hello", "Hello"}));  // same as splitting on " " with Removed
}

TEST(TokenizerJson, DigitsPreTokenizer) {
  std::vector<std::string> a{"abc123de4"}, b{"abc123de4"};
  parse_pre_tokenizer({{"type", "Digits"}, {"individual_digits", true}}, "t")->pre_tokenize(a);
  parse_pre_tokenizer({{"type", "Digits"}, {"individual_digits", false}}, "t")->pre_tokenize(b);
  EXPECT_EQ(a, (std::vector<std::string>{"abc", "1", "2", "3", "de", "4"}));
  EXPECT_EQ(b, (std::vector<std::string>{"abc", "123", "de", "4"}));
}

TEST(TokenizerJson, RegexUsesOnigurumaClasses) {
  // \s is Unicode White_Space: U+180E (Mongolian vowel separator) is not in it, U+2000 is.
  Regex space("\\s+", false, "t");
  std::vector<std::pair<std::size_t, std::size_t>> m;
  space.find_all("a\xE1\xA0\x8E" "b\xE2\x80\x80" "c", m);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], (std::pair<std::size_t, std::size_t>{5, 8}));
  // \w takes combining marks (PCRE2 10.42's UCP \w does not).
  Regex word("\\w+", false, "t");
  m.clear();
  word.find_all("e\xCC\x81x", m);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].second, 4u);
  EXPECT_EQ(Regex::translate("[^\\s\\p{L}]\\S"), "[^\\t-\\r\\x{85}\\p{Z}\\p{L}][^\\t-\\r\\x{85}\\p{Z}]");
  EXPECT_THROW(Regex("(unclosed", false, "tokenizer.json: pre_tokenizer"), ConfigError);
}

TEST(TokenizerJson, Normalizers) {
  json j = toy();
  j["pre_tokenizer"]["use_regex"] = false;
  j["normalizer"] = json::parse(R"({"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"},
                                   {"type": "Strip", "strip_left": true, "strip_right": true}]})");
  EXPECT_EQ(show(make(j)->encode("  \xEF\xBC\xA1\xEF\xBC\xA2 \xC3\x87\xE2\x80\x80")), "ab \xC3\xA7");  // "ＡＢ Ç " -> "ab ç"
  j["normalizer"] = json::parse(R"({"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}]})");
  EXPECT_EQ(show(make(j)->encode("caf\xC3\xA9")), "cafe");
  j["normalizer"] = json::parse(R"({"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "_"},
                                   {"type": "Replace", "pattern": {"String": " "}, "content": "_"}]})");
  EXPECT_EQ(show(make(j)->encode("a b")), "_a_b");
  j["normalizer"] = json::parse(R"({"type": "Replace", "pattern": {"Regex": "[0-9]+"}, "content": "#"})");
  EXPECT_EQ(show(make(j)->encode("a12b3")), "a#b#");
  j["normalizer"] = {{"type", "Lowercase"}};
  EXPECT_EQ(show(make(j)->encode("\xC4\xB0I")), "i\xCC\x87i");  // İ lowercases to i + U+0307
  j["normalizer"] = {{"type", "NFC"}};
  EXPECT_EQ(show(make(j)->encode("e\xCC\x81")), "\xC3\xA9");
}

// Hugging Face's added_vocabulary.rs cases, with a Lowercase normalizer and normalized tokens.
TEST(TokenizerJson, AddedTokenOptionsLikeHuggingFace) {
  json j = toy();
  j["pre_tokenizer"]["use_regex"] = false;
  j["normalizer"] = {{"type", "Lowercase"}};
  j["added_tokens"] = {added(300, "my", false, true, true), added(301, "name", false), added(302, "ony", false, false, false, true),
                       added(303, "[CLS]", true), added(304, "[SEP]", true)};
  EXPECT_EQ(show(make(j)->encode("[CLS] My name is Anthony [SEP]")), "[303][300][301] is anthony [304]");

  j["added_tokens"] = {added(300, "<mask>", false, false, false, true)};
  EXPECT_EQ(show(make(j)->encode("<mask> My name <mask> A<mask> <mask>ony <mask>")),
            "[300] my name [300] a<mask> <mask>ony [300]");
  EXPECT_EQ(show(make(j)->encode("<mask>, <mask>- \xE2\x97\x8C\xCC\xB0<mask>")), "[300], [300]- \xE2\x97\x8C\xCC\xB0<mask>");

  j["added_tokens"] = {added(300, "<mask>", false, true, true, true)};
  EXPECT_EQ(show(make(j)->encode("Hi <mask> there\t<mask>\t<mask>\xE2\x80\x80")), "hi[300]there[300][300]");
}

TEST(TokenizerJson, RawAddedTokensMatchBeforeNormalization) {
  json j = toy();
  j["pre_tokenizer"]["use_regex"] = false;
  j["normalizer"] = {{"type", "Lowercase"}};
  j["added_tokens"] = {added(300, "<S>", true)};  // special: normalized false, matched as written
  auto t = make(j);
  EXPECT_EQ(show(t->encode("A<S>B<s>")), "a[300]b<s>");
  EXPECT_EQ(t->decode(t->encode("A<S>B")), "a<S>b");
  EXPECT_EQ(t->decode(t->encode("A<S>B"), true), "ab");
  EXPECT_EQ(show(t->encode("A<S>B", {false, false})), "a<s>b");  // special tokens not parsed
}

TEST(TokenizerJson, TemplateProcessingAddsBosOnRequest) {
  json j = toy();
  j["added_tokens"] = {added(300, "<bos>", true), added(301, "<eos>", true)};
  j["post_processor"] = json::parse(R"({"type": "Sequence", "processors": [
      {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
      {"type": "TemplateProcessing",
       "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
       "pair": [], "special_tokens": {"<bos>": {"id": "<bos>", "ids": [300], "tokens": ["<bos>"]}}}]})");
  auto t = make(j);
  EXPECT_EQ(show(t->encode("hi")), "hi");
  EXPECT_EQ(show(t->encode("hi", {true, true})), "[300]hi");

  // tokenizer_config.json's add_bos_token / add_eos_token rebuild the template.
  TokenizerConfig cfg;
  cfg.bos_token = "<bos>";
  cfg.eos_token = "<eos>";
  cfg.add_bos_token = false;
  cfg.add_eos_token = true;
  auto c = parse_hf_tokenizer(j.dump(), cfg, "toy.json");
  EXPECT_EQ(show(c->encode("hi", {true, true})), "hi[301]");
  EXPECT_EQ(c->bos_id(), 300);
  EXPECT_EQ(c->eos_id(), 301);
}

TEST(TokenizerJson, ByteLevelDecoderReplacesInvalidUtf8LikeRust) {
  auto t = make(toy());
  // Lone continuation byte, truncated 3-byte sequence (one U+FFFD for the maximal subpart),
  // a surrogate encoding (one U+FFFD per byte), then valid text.
  const std::vector<int64_t> ids = {0x80, 'a', 0xE2, 0x82, 'b', 0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98, 0x80};
  EXPECT_EQ(t->decode(ids), "\xEF\xBF\xBD" "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xF0\x9F\x98\x80");
  EXPECT_EQ(utf8_lossy("Hello\xF0\x90\x80World"), "Hello\xEF\xBF\xBDWorld");  // Rust's documented example
  EXPECT_EQ(utf8_lossy("\xC0\xAF\xF5"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(utf8_lossy("\xF4\x90\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));
}

TEST(TokenizerJson, OtherDecoders) {
  json j = toy();
  j["decoder"] = json::parse(R"({"type": "Sequence", "decoders": [
      {"type": "Replace", "pattern": {"String": "_"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"},
      {"type": "Strip", "content": " ", "start": 1, "stop": 0}]})");
  j["model"]["vocab"]["<0x41>"] = 400;
  j["model"]["vocab"]["<0xE2>"] = 401;
  auto t = make(j);
  // No ByteLevel decoder here: tokens are shown as their vocabulary strings.
  EXPECT_EQ(t->decode({'_', 'h', 'i', 400}), "hiA");
  // A run of byte tokens that is not valid UTF-8 gives one U+FFFD per byte (Hugging Face).
  EXPECT_EQ(t->decode({'_', 'h', 'i', 400, 401}), "hi\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TokenizerJson, ByteFallbackAndUnkInTheModel) {
  json j = toy();
  j["pre_tokenizer"] = nullptr;
  j["decoder"] = nullptr;
  json vocab = {{"a", 0}, {"<unk>", 1}, {"<0xC3>", 2}, {"<0xA9>", 3}};
  j["model"]["vocab"] = vocab;
  j["model"]["merges"] = json::array();
  j["model"]["unk_token"] = "<unk>";
  EXPECT_EQ(make(j)->encode("a\xC3\xA9z"), (std::vector<int64_t>{0, 1, 1}));
  j["model"]["fuse_unk"] = true;
  EXPECT_EQ(make(j)->encode("a\xC3\xA9z"), (std::vector<int64_t>{0, 1}));
  j["model"]["byte_fallback"] = true;
  EXPECT_EQ(make(j)->encode("a\xC3\xA9z"), (std::vector<int64_t>{0, 2, 3, 1}));
  // Without a decoder Hugging Face joins the tokens with spaces.
  EXPECT_EQ(make(j)->decode({0, 1}), "a <unk>");
}

template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

TEST(TokenizerJson, MalformedOrUnsupportedFilesAreClearErrors) {
  auto msg = error_of([] { parse_hf_tokenizer("{\"model\": {", {}, "/m/tokenizer.json"); });
  EXPECT_NE(msg.find("/m/tokenizer.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;

  json j = toy();
  j["normalizer"] = {{"type", "BertNormalizer"}};
  msg = error_of([&] { make(j); });
  EXPECT_NE(msg.find("'BertNormalizer' is not supported"), std::string::npos) << msg;
  EXPECT_NE(msg.find("normalizer.type"), std::string::npos) << msg;

  j = toy();
  j["pre_tokenizer"] = json::parse(R"({"type": "Sequence", "pretokenizers": [{"type": "Metaspace"}]})");
  msg = error_of([&] { make(j); });
  EXPECT_NE(msg.find("pre_tokenizer.pretokenizers[0].type: pre-tokenizer 'Metaspace' is not supported"), std::string::npos) << msg;

  j = toy();
  j["model"]["type"] = "WordPiece";
  EXPECT_NE(error_of([&] { make(j); }).find("model 'WordPiece' is not supported"), std::string::npos);

  j = toy();
  j["model"]["merges"] = json::array({json::array({"x", "no-such-token"})});
  EXPECT_NE(error_of([&] { make(j); }).find("not in the vocabulary"), std::string::npos);

  j = toy();
  j["model"].erase("vocab");
  EXPECT_NE(error_of([&] { make(j); }).find("model.vocab: missing"), std::string::npos);

  j = toy();
  j["model"]["dropout"] = 0.1;
  EXPECT_NE(error_of([&] { make(j); }).find("dropout"), std::string::npos);

  j = toy();
  j["decoder"] = {{"type", "WordPiece"}};
  EXPECT_NE(error_of([&] { make(j); }).find("decoder 'WordPiece' is not supported"), std::string::npos);

  j = toy();
  j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(a"}}}, {"behavior", "Isolated"}, {"invert", false}};
  EXPECT_NE(error_of([&] { make(j); }).find("cannot compile regex '(a'"), std::string::npos);

  TokenizerConfig cfg;
  cfg.eos_token = "<nope>";
  EXPECT_NE(error_of([&] { parse_hf_tokenizer(toy().dump(), cfg, "t.json"); }).find("eos_token: '<nope>' is not in the vocabulary"),
            std::string::npos);
}

}  // namespace
}  // namespace reason
