// `reason grade` end to end: Math-Verify options per row, the extracted answer, row order kept
// over several threads, and one clear error line for a bad row.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "reason/core/jsonl.h"
#include "support/test_support.h"

namespace reason {
namespace {

using CliRun = test::CommandRun;
CliRun run_cli(const std::string& args) { return test::run_command(std::string(REASON_CLI) + " " + args); }

TEST(CliGrade, GradesRowsWithTheirOptions) {
  test::TempDir tmp;
  std::vector<nlohmann::json> rows = {
      {{"gold", "$\\frac{1}{2}$"}, {"pred", "so the answer is $\\boxed{0.5}$"}},
      {{"gold", "$[0,1)$"}, {"pred", "$\\boxed{[0,1]}$"}},
      {{"gold", "$\\frac{1}{3}$"}, {"pred", "$0.33$"}, {"precision", 2}},
      {{"gold", "$\\frac{1}{3}$"}, {"pred", "$0.33$"}},
      {{"gold", "$f(x)$"}, {"pred", "$f(y)$"}, {"strict", false}},
      {{"gold", "$[-2,7]$"}, {"pred", "$-2 \\le x \\le 7$"}, {"allow_set_relation_comp", true}, {"targets", {"latex"}}},
      {{"gold", "1000.99"}, {"pred", "it costs $1,000.99"}, {"targets", {"expr"}}},
      {{"gold", "$2^{2019} - 2020$"}, {"pred", "$\\boxed{2^{2019} - 2021}$"}, {"id", 7}},
  };
  write_jsonl(tmp.file("in.jsonl"), rows);
  CliRun r = run_cli("grade --threads 3 --input " + tmp.file("in.jsonl") + " --output " + tmp.file("out.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto out = read_jsonl(tmp.file("out.jsonl"));
  ASSERT_EQ(out.size(), rows.size());
  std::vector<bool> expected = {true, false, true, false, true, true, true, false};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(out[i]["correct"].get<bool>(), expected[i]) << "row " << i << ": " << rows[i].dump();
    EXPECT_TRUE(out[i]["extracted"].is_string());
  }
  EXPECT_EQ(out[0]["extracted"], "\\frac{1}{2}");  // Math-Verify's "nits" normalisation: 0.5 -> \frac{1}{2}
  EXPECT_EQ(out[1]["extracted"], "[0,1]");
}

TEST(CliGrade, BadRowsFailWithOneLine) {
  test::TempDir tmp;
  test::write_bytes(tmp.file("in.jsonl"), "{\"gold\": \"1\", \"pred\": \"1\"}\n{\"gold\": \"1\"}\n");
  CliRun r = run_cli("grade --input " + tmp.file("in.jsonl") + " --output " + tmp.file("out.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("in.jsonl:2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pred"), std::string::npos) << r.output;
  test::write_bytes(tmp.file("bad.jsonl"), "{\"gold\": \"1\", \"pred\": \"1\", \"targets\": [\"latex\", \"string\"]}\n");
  r = run_cli("grade --input " + tmp.file("bad.jsonl") + " --output " + tmp.file("out.jsonl"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("string"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace reason
