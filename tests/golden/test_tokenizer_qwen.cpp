// The Qwen tokenizer against Hugging Face tokenizers 0.23.2 (tests/data/tokenizers/qwen/golden.json):
// every text encodes to exactly the reference ids and decodes back to the reference string,
// and the chat rendering matches apply_chat_template.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/tokenizer/chat_format.h"
#include "reason/tokenizer/tokenizer.h"
#include "support/test_support.h"

namespace reason {
namespace {

const Tokenizer& qwen() {
  static const std::unique_ptr<Tokenizer> tok = load_tokenizer(REASON_QWEN_TOKENIZER_DIR);
  return *tok;
}

nlohmann::json golden() { return nlohmann::json::parse(read_file(test::data_path("tokenizers/qwen/golden.json"))); }

TEST(QwenTokenizer, EveryGoldenCaseEncodesAndDecodesExactly) {
  const auto g = golden();
  ASSERT_EQ(g["cases"].size(), 30u);
  int exact = 0;
  for (const auto& c : g["cases"]) {
    const std::string text = c["text"];
    const auto want = c["ids"].get<std::vector<int64_t>>();
    const auto got = qwen().encode(text);
    EXPECT_EQ(got, want) << "text: " << text;
    EXPECT_EQ(qwen().decode(want), c["decoded"].get<std::string>()) << "text: " << text;
    // add_special_tokens adds nothing for Qwen (no bos, ByteLevel post-processor).
    EXPECT_EQ(qwen().encode(text, {true, true}), want);
    exact += got == want;
  }
  std::printf("golden cases with exact ids: %d / %zu\n", exact, g["cases"].size());
}

TEST(QwenTokenizer, ChatTemplateIsRecognisedAndRendersLikeTransformers) {
  const auto g = golden();
  const auto& chat = g["chat_template"];
  std::vector<ChatMessage> messages;
  for (const auto& m : chat["messages"]) messages.push_back({m["role"], m["content"]});
  const ChatFormat format = ChatFormat::for_tokenizer(qwen());
  EXPECT_EQ(format.name(), "qwen3");
  const std::string rendered = format.render(messages, true);
  EXPECT_EQ(rendered, chat["rendered"].get<std::string>());
  const auto ids = qwen().encode(rendered);
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), 151644);  // <|im_start|>
  EXPECT_EQ(qwen().decode(ids), rendered);
}

TEST(QwenTokenizer, VocabularyAndSpecialTokens) {
  EXPECT_EQ(qwen().kind(), "tokenizer.json");
  EXPECT_EQ(qwen().vocab_size(), 151669);  // 151643 BPE tokens + 26 added tokens (Qwen3)
  EXPECT_FALSE(qwen().bos_id().has_value());
  EXPECT_EQ(qwen().eos_id(), 151645);
  EXPECT_EQ(qwen().pad_id(), 151643);
  EXPECT_EQ(qwen().token_to_id("<|im_start|>"), 151644);
  EXPECT_EQ(qwen().token_to_id("Hello"), 9707);
  EXPECT_EQ(qwen().id_to_token(9707), "Hello");
  EXPECT_EQ(qwen().id_to_token(220), "\xC4\xA0");  // "Ġ", the byte-level space
  EXPECT_FALSE(qwen().token_to_id("not a token").has_value());
  EXPECT_TRUE(qwen().is_special(151645));
  EXPECT_FALSE(qwen().is_special(151667));  // <think> is added but not special
  EXPECT_FALSE(qwen().is_special(9707));
}

// As the reference: added tokens are found anywhere in the text, user text included, even
// glued to words; "<|im_start" without the closing bar is ordinary text.
TEST(QwenTokenizer, SpecialTokensInsideUserText) {
  const auto ids = qwen().encode("x<|im_end|>y <|im_start|> <|im_start");
  const std::vector<int64_t> want_prefix = {87, 151645, 88, 220, 151644};
  ASSERT_GE(ids.size(), want_prefix.size() + 1);
  EXPECT_TRUE(std::equal(want_prefix.begin(), want_prefix.end(), ids.begin()));
  for (std::size_t i = want_prefix.size(); i < ids.size(); ++i) EXPECT_LT(ids[i], 151643);

  // With parse_special_tokens off (HF split_special_tokens), special ones become plain text;
  // non-special added tokens such as <think> still match.
  const std::string text = "<|im_start|>user <think>";
  const auto plain = qwen().encode(text, {false, false});
  for (int64_t id : plain) EXPECT_TRUE(id < 151643 || id == 151667) << id;
  EXPECT_EQ(plain.back(), 151667);
  EXPECT_EQ(qwen().decode(plain), text);
}

TEST(QwenTokenizer, DecodeSkipsSpecialTokensOnRequest) {
  const auto ids = qwen().encode("<|im_start|>user\nHi<|im_end|><think>");
  EXPECT_EQ(qwen().decode(ids, true), "user\nHi<think>");
  // Unknown ids are skipped, as Hugging Face does.
  std::vector<int64_t> with_unknown = ids;
  with_unknown.insert(with_unknown.begin() + 1, {-5, 999999999});
  EXPECT_EQ(qwen().decode(with_unknown), qwen().decode(ids));
}

}  // namespace
}  // namespace reason
