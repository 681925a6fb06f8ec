// `reason tokenize` end to end: the Qwen tokenizer against the Hugging Face golden ids, decode,
// chat rendering, a SentencePiece model (trained here, in a process that has LibTorch loaded:
// the dlmopen isolation at work) and a clear error for a bad row.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "reason/core/files.h"
#include "reason/core/jsonl.h"
#include "reason/tokenizer/sentencepiece.h"
#include "reason/tokenizer/tokenizer.h"
#include "support/torch_support.h"

namespace reason {
namespace {

using CliRun = test::CommandRun;
CliRun run_cli(const std::string& args) { return test::run_command(std::string(REASON_CLI) + " " + args); }

nlohmann::json golden() { return nlohmann::json::parse(read_file(test::data_path("tokenizers/qwen/golden.json"))); }

std::string io(const test::TempDir& tmp) { return " --input " + tmp.file("in.jsonl") + " --output " + tmp.file("out.jsonl"); }

TEST(CliTokenize, EncodesAndDecodesLikeHuggingFace) {
  test::TempDir tmp;
  const auto g = golden();
  std::vector<nlohmann::json> in;
  for (const auto& c : g["cases"]) in.push_back({{"text", c["text"]}});
  write_jsonl(tmp.file("in.jsonl"), in);
  CliRun r = run_cli("tokenize --tokenizer " + std::string(REASON_QWEN_TOKENIZER_DIR) + io(tmp));
  ASSERT_EQ(r.status, 0) << r.output;
  auto out = read_jsonl(tmp.file("out.jsonl"));
  ASSERT_EQ(out.size(), g["cases"].size());
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i]["ids"], g["cases"][i]["ids"]) << g["cases"][i]["text"];

  in.clear();
  for (const auto& c : g["cases"]) in.push_back({{"ids", c["ids"]}});
  write_jsonl(tmp.file("in.jsonl"), in);
  r = run_cli("tokenize --decode --tokenizer " + std::string(REASON_QWEN_TOKENIZER_DIR) + io(tmp));
  ASSERT_EQ(r.status, 0) << r.output;
  out = read_jsonl(tmp.file("out.jsonl"));
  ASSERT_EQ(out.size(), g["cases"].size());
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i]["text"], g["cases"][i]["decoded"]);
}

TEST(CliTokenize, RendersChat) {
  test::TempDir tmp;
  const auto g = golden();
  write_jsonl(tmp.file("in.jsonl"), {{{"messages", g["chat_template"]["messages"]}, {"add_generation_prompt", true}},
                                     {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}}});
  CliRun r = run_cli("tokenize --chat --tokenizer " + std::string(REASON_QWEN_TOKENIZER_DIR) + io(tmp));
  ASSERT_EQ(r.status, 0) << r.output;
  auto out = read_jsonl(tmp.file("out.jsonl"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]["text"], g["chat_template"]["rendered"]);
  EXPECT_EQ(out[0]["ids"][0], 151644);
  EXPECT_EQ(out[1]["text"], "<|im_start|>user\nHi<|im_end|>\n");  // no generation prompt unless asked

  r = run_cli("tokenize --chat --chat-format llama3 --tokenizer " + std::string(REASON_QWEN_TOKENIZER_DIR) + io(tmp));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_jsonl(tmp.file("out.jsonl"))[1]["text"],
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
}

TEST(CliTokenize, SentencePieceNextToLibTorch) {
  at::Tensor t = at::ones({2, 2});  // LibTorch is loaded and working in this process
  test::TempDir tmp;
  SentencePieceTrainOptions o;
  for (int i = 0; i < 200; ++i) o.texts.push_back("the sum of " + std::to_string(i) + " and " + std::to_string(i * 7) + " is even");
  o.vocab_size = 60;
  o.model_type = "bpe";
  train_sentencepiece(o, tmp.file("tokenizer.model"));
  auto tok = load_tokenizer(tmp.path());
  const auto ids = tok->encode("the sum of 12 and 84", {true, true});
  EXPECT_EQ(ids.front(), *tok->bos_id());
  EXPECT_EQ(tok->decode(ids, true), "the sum of 12 and 84");
  EXPECT_EQ(t.sum().item<float>(), 4.0f);

  write_jsonl(tmp.file("in.jsonl"), {{{"text", "the sum of 12 and 84"}, {"add_special_tokens", false}}});
  CliRun r = run_cli("tokenize --tokenizer " + tmp.path() + io(tmp));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_jsonl(tmp.file("out.jsonl"))[0]["ids"].get<std::vector<int64_t>>(), tok->encode("the sum of 12 and 84"));
}

TEST(CliTokenize, BadRowsAreOneClearError) {
  test::TempDir tmp;
  write_jsonl(tmp.file("in.jsonl"), {{{"text", "ok"}}, {{"prompt", "no text field"}}});
  CliRun r = run_cli("tokenize --tokenizer " + std::string(REASON_QWEN_TOKENIZER_DIR) + io(tmp));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("in.jsonl:2: expected a string field 'text'"), std::string::npos) << r.output;

  r = run_cli("tokenize --tokenizer " + tmp.path() + io(tmp));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("no tokenizer in"), std::string::npos) << r.output;

  write_jsonl(tmp.file("in.jsonl"), {{{"messages", {{{"role", "user"}, {"content", "x"}}}}}});
  r = run_cli("tokenize --chat --chat-format nope --tokenizer " + std::string(REASON_QWEN_TOKENIZER_DIR) + io(tmp));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("unknown chat format 'nope'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace reason
