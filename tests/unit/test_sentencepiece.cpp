// SentencePiece through the dlmopen'ed wrapper: a small model trained from text the test
// writes, then encode/decode, special tokens, the model-directory loader and errors.
#include <gtest/gtest.h>

#include <random>

#include "reason/core/error.h"
#include "reason/tokenizer/sentencepiece.h"
#include "reason/tokenizer/tokenizer.h"
#include "reason/tokenizer/utf8.h"
#include "support/test_support.h"

namespace reason {
namespace {

std::vector<std::string> corpus() {
  const char* words[] = {"the", "answer", "is", "four", "two", "plus", "equals", "we", "compute", "sum", "of", "numbers",
                         "first", "then", "so", "result", "think", "step", "by", "square", "root", "prime", "factor"};
  std::mt19937 rng(3);
  std::vector<std::string> lines;
  for (int i = 0; i < 400; ++i) {
    std::string line;
    const int n = 4 + static_cast<int>(rng() % 8);
    for (int w = 0; w < n; ++w) line += std::string(w ? " " : "") + words[rng() % std::size(words)];
    line += " " + std::to_string(rng() % 1000) + " <tool> .";
    lines.push_back(line);
  }
  return lines;
}

struct Trained {
  test::TempDir dir;
  std::string model;
  Trained(const std::string& type, int vocab) {
    SentencePieceTrainOptions o;
    o.texts = corpus();
    o.vocab_size = vocab;
    o.model_type = type;
    o.user_defined_symbols = {"<tool>"};
    model = dir.file("tokenizer.model");
    train_sentencepiece(o, model);
  }
};

TEST(SentencePiece, TrainedBpeModelRoundTrips) {
  Trained t("bpe", 120);
  auto tok = load_sentencepiece(t.model);
  EXPECT_EQ(tok->kind(), "sentencepiece");
  EXPECT_EQ(tok->vocab_size(), 120);
  const std::string text = "we compute the sum of numbers 42 <tool> .";
  const auto ids = tok->encode(text);
  EXPECT_FALSE(ids.empty());
  for (int64_t id : ids) EXPECT_TRUE(id >= 0 && id < 120);
  EXPECT_EQ(tok->decode(ids), text);
  // The user-defined symbol is always one piece.
  const auto tool = tok->token_to_id("<tool>");
  ASSERT_TRUE(tool.has_value());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), *tool), 1);
  EXPECT_EQ(tok->id_to_token(*tool), "<tool>");
  EXPECT_FALSE(tok->token_to_id("definitely-not-a-piece").has_value());
}

TEST(SentencePiece, SpecialTokensFromTheModel) {
  Trained t("unigram", 100);
  auto tok = load_sentencepiece(t.model);
  // sentencepiece's defaults: unk 0, bos 1, eos 2, no pad.
  EXPECT_EQ(tok->bos_id(), 1);
  EXPECT_EQ(tok->eos_id(), 2);
  EXPECT_FALSE(tok->pad_id().has_value());
  EXPECT_TRUE(tok->is_special(1));
  const auto plain = tok->encode("the answer is four");
  const auto with_bos = tok->encode("the answer is four", {true, true});
  ASSERT_EQ(with_bos.size(), plain.size() + 1);
  EXPECT_EQ(with_bos[0], 1);
  std::vector<int64_t> framed = with_bos;
  framed.push_back(2);
  EXPECT_EQ(tok->decode(framed, true), "the answer is four");
  EXPECT_EQ(tok->decode(framed, false), "<s>the answer is four</s>");
}

TEST(SentencePiece, ModelDirectoryWithTokenizerConfig) {
  Trained t("bpe", 120);
  test::write_bytes(t.dir.file("tokenizer_config.json"), R"({
    "bos_token": "<s>", "eos_token": "</s>", "add_bos_token": false,
    "added_tokens_decoder": {"120": {"content": "<|user|>", "special": true}},
    "chat_template": "{% for m in messages %}<|user|>{{ m.content }}{% endfor %}"})");
  auto tok = load_tokenizer(t.dir.path());
  EXPECT_EQ(tok->kind(), "sentencepiece");
  EXPECT_EQ(tok->vocab_size(), 121);
  EXPECT_FALSE(tok->chat_template().empty());
  const auto ids = tok->encode("<|user|>the sum", {true, true});  // add_bos_token false: no bos
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids[0], 120);
  EXPECT_EQ(tok->decode(ids), "<|user|>the sum");
  EXPECT_EQ(tok->decode(ids, true), "the sum");
  EXPECT_NE(tok->encode("<|user|>", {false, false})[0], 120);
}

TEST(SentencePiece, AnyInputIsSafe) {
  Trained t("bpe", 120);
  auto tok = load_sentencepiece(t.model);
  std::mt19937 rng(5);
  for (int iter = 0; iter < 300; ++iter) {
    std::string s;
    for (int i = 0; i < 20; ++i) s += static_cast<char>(rng() % 256);
    std::vector<int64_t> ids;
    ASSERT_NO_THROW(ids = tok->encode(s));
    std::string back;
    ASSERT_NO_THROW(back = tok->decode(ids));
    EXPECT_TRUE(is_valid_utf8(back));
    std::vector<int64_t> random_ids(10);
    for (auto& id : random_ids) id = static_cast<int64_t>(rng() % 300) - 50;
    ASSERT_NO_THROW(back = tok->decode(random_ids));
    EXPECT_TRUE(is_valid_utf8(back));
  }
}

TEST(SentencePiece, ErrorsAreClear) {
  test::TempDir dir;
  test::write_bytes(dir.file("tokenizer.model"), "this is not a model");
  EXPECT_THROW(load_tokenizer(dir.path()), IoError);
  EXPECT_THROW(load_sentencepiece(dir.file("missing.model")), IoError);
  SentencePieceTrainOptions o;
  o.texts = {"a b c"};
  o.model_type = "nonsense";
  EXPECT_THROW(train_sentencepiece(o, dir.file("x.model")), InvalidArgument);
  o.model_type = "bpe";
  o.vocab_size = 100000;  // far more pieces than the text has
  EXPECT_THROW(train_sentencepiece(o, dir.file("x.model")), InvalidArgument);
  EXPECT_THROW(load_tokenizer(dir.file("nothing-here")), IoError);
}

}  // namespace
}  // namespace reason
