// The `reason` command line on the fixtures: score, generate and export agree with the
// Hugging Face references, and bad input ends with one error line and a non-zero exit.
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

// Real tokens of each reference row.
std::vector<std::vector<int64_t>> reference_rows(std::map<std::string, at::Tensor>& ref) {
  std::vector<std::vector<int64_t>> rows;
  const at::Tensor& ids = ref["input_ids"];
  const at::Tensor& mask = ref["attention_mask"];
  for (int64_t b = 0; b < ids.size(0); ++b) {
    rows.emplace_back();
    for (int64_t t = 0; t < ids.size(1); ++t)
      if (mask[b][t].item<int64_t>()) rows.back().push_back(ids[b][t].item<int64_t>());
  }
  return rows;
}

TEST(Cli, ScoreMatchesReferenceLogprobs) {
  test::TempDir tmp;
  auto ref = test::hf_reference("qwen2");
  auto rows = reference_rows(ref);
  std::vector<nlohmann::json> in;
  for (auto& r : rows) in.push_back({{"ids", r}});
  write_jsonl(tmp.file("in.jsonl"), in);
  CliRun r = run_cli("score --model " + test::hf_dir("qwen2") + " --input " + tmp.file("in.jsonl") + " --output " +
                  tmp.file("out.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto out = read_jsonl(tmp.file("out.jsonl"));
  ASSERT_EQ(out.size(), rows.size());
  const int64_t T = ref["input_ids"].size(1);
  double worst = 0;
  for (std::size_t b = 0; b < rows.size(); ++b) {
    auto lps = out[b]["token_logprobs"].get<std::vector<double>>();
    ASSERT_EQ(lps.size(), rows[b].size() - 1);
    const int64_t off = T - static_cast<int64_t>(rows[b].size());
    double sum = 0;
    for (std::size_t i = 0; i < lps.size(); ++i) {
      worst = std::max(worst, std::abs(lps[i] - ref["token_logprobs"][b][off + i].item<double>()));
      sum += lps[i];
    }
    EXPECT_NEAR(out[b]["nll"].get<double>(), -sum / lps.size(), 1e-9);
    EXPECT_NEAR(out[b]["ppl"].get<double>(), std::exp(out[b]["nll"].get<double>()), 1e-9);
  }
  EXPECT_LE(worst, 1e-4);
}

TEST(Cli, GreedyGenerateMatchesReference) {
  test::TempDir tmp;
  auto ref = test::hf_reference("llama31");
  auto rows = reference_rows(ref);
  std::vector<nlohmann::json> in;
  for (auto& r : rows) in.push_back({{"ids", r}});
  write_jsonl(tmp.file("in.jsonl"), in);
  CliRun r = run_cli("generate --greedy --ignore-eos --max-new-tokens 16 --model " + test::hf_dir("llama31") +
                  " --input " + tmp.file("in.jsonl") + " --output " + tmp.file("out.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto out = read_jsonl(tmp.file("out.jsonl"));
  ASSERT_EQ(out.size(), rows.size());
  const int64_t T = ref["input_ids"].size(1);
  for (std::size_t b = 0; b < rows.size(); ++b) {
    EXPECT_EQ(out[b]["index"], b);
    EXPECT_EQ(out[b]["finish_reason"], "length");
    auto got = out[b]["completion_ids"].get<std::vector<int64_t>>();
    std::vector<int64_t> want(ref["generated"][b].data_ptr<int64_t>() + T, ref["generated"][b].data_ptr<int64_t>() + T + 16);
    EXPECT_EQ(got, want) << "row " << b;
  }
}

TEST(Cli, ExportThenScoreWithMergedModel) {
  test::TempDir tmp;
  CliRun r = run_cli("export --model " + test::hf_dir("qwen3") + " --adapter " + test::hf_dir("qwen3") + "/lora --output " +
                  tmp.file("merged"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto cfg = nlohmann::json::parse(read_file(tmp.file("merged") + "/config.json"));
  EXPECT_EQ(cfg["dtype"], "float32");
  EXPECT_EQ(cfg["model_type"], "qwen3");
  // Scoring with the merged model equals scoring with base + adapter.
  write_jsonl(tmp.file("in.jsonl"), {{{"ids", {5, 17, 300, 42, 9, 1000}}}});
  ASSERT_EQ(run_cli("score --model " + tmp.file("merged") + " --input " + tmp.file("in.jsonl") + " --output " +
                    tmp.file("a.jsonl")).status, 0);
  ASSERT_EQ(run_cli("score --model " + test::hf_dir("qwen3") + " --adapter " + test::hf_dir("qwen3") + "/lora --input " +
                    tmp.file("in.jsonl") + " --output " + tmp.file("b.jsonl")).status, 0);
  auto a = read_jsonl(tmp.file("a.jsonl"))[0]["token_logprobs"].get<std::vector<double>>();
  auto b = read_jsonl(tmp.file("b.jsonl"))[0]["token_logprobs"].get<std::vector<double>>();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4);
}

TEST(Cli, TextRowsUseTheTokenizer) {
  // A SentencePiece tokenizer trained here (ids < the fixture's 1024) next to the fixture model.
  test::TempDir tmp;
  SentencePieceTrainOptions so;
  for (int i = 0; i < 200; ++i) so.texts.push_back("the cat sat on mat number " + std::to_string(i * 37 % 101));
  so.vocab_size = 60;
  so.model_type = "bpe";
  so.extra = {{"hard_vocab_limit", "false"}};
  train_sentencepiece(so, tmp.file("tokenizer.model"));
  auto tok = load_tokenizer(tmp.file("tokenizer.model"));
  EncodeOptions eo;
  eo.add_special_tokens = true;
  const std::vector<int64_t> ids = tok->encode("the cat sat", eo);

  // score {"text"} equals score {"ids"} of the same tokens (bos added as transformers does).
  write_jsonl(tmp.file("t.jsonl"), {{{"text", "the cat sat"}}});
  write_jsonl(tmp.file("i.jsonl"), {{{"ids", ids}}});
  const std::string common = "--model " + test::hf_dir("qwen2") + " --tokenizer " + tmp.path();
  ASSERT_EQ(run_cli("score " + common + " --input " + tmp.file("t.jsonl") + " --output " + tmp.file("ts.jsonl")).status, 0);
  ASSERT_EQ(run_cli("score " + common + " --input " + tmp.file("i.jsonl") + " --output " + tmp.file("is.jsonl")).status, 0);
  EXPECT_EQ(read_jsonl(tmp.file("ts.jsonl"))[0], read_jsonl(tmp.file("is.jsonl"))[0]);
  EXPECT_EQ(read_jsonl(tmp.file("ts.jsonl"))[0]["token_logprobs"].size(), ids.size() - 1);

  // generate {"prompt"}: completion text is the decoded completion ids.
  write_jsonl(tmp.file("p.jsonl"), {{{"prompt", "the cat"}}});
  CliRun r = run_cli("generate --greedy --ignore-eos --max-new-tokens 6 --samples 2 " + common + " --input " +
                     tmp.file("p.jsonl") + " --output " + tmp.file("g.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto out = read_jsonl(tmp.file("g.jsonl"));
  ASSERT_EQ(out.size(), 2u);
  for (const auto& row : out) {
    auto cids = row["completion_ids"].get<std::vector<int64_t>>();
    EXPECT_EQ(row["completion"], tok->decode(cids, true));
    EXPECT_EQ(cids.size(), 6u);
  }
  EXPECT_EQ(out[0]["completion_ids"], out[1]["completion_ids"]);  // greedy: both samples agree

  // {"messages"} without a chat template is a clear error.
  write_jsonl(tmp.file("m.jsonl"), {{{"messages", {{{"role", "user"}, {"content", "hi"}}}}}});
  r = run_cli("generate --greedy " + common + " --input " + tmp.file("m.jsonl") + " --output " + tmp.file("o.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("m.jsonl:1: --chat-format"), std::string::npos) << r.output;
}

TEST(Cli, BadInputGivesOneLineError) {
  test::TempDir tmp;
  test::write_bytes(tmp.file("in.jsonl"), "{\"ids\": [1, 2, 3]}\n{\"ids\": [1, \"x\"]}\n");
  CliRun r = run_cli("score --model " + test::hf_dir("qwen2") + " --input " + tmp.file("in.jsonl") + " --output " +
                  tmp.file("o.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.output, "error: " + tmp.file("in.jsonl") + ":2: field 'ids' must be a list of integers, found \"x\"\n");

  test::write_bytes(tmp.file("in.jsonl"), "{\"ids\": [1, 5000]}\n");
  r = run_cli("generate --greedy --model " + test::hf_dir("qwen2") + " --input " + tmp.file("in.jsonl") + " --output " +
              tmp.file("o.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("token id 5000 outside the vocabulary [0, 1024)"), std::string::npos) << r.output;

  r = run_cli("score --model " + tmp.path() + " --input " + tmp.file("in.jsonl") + " --output " + tmp.file("o.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("no config.json"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace reason
