// Math-Verify's own regression cases (tests/data/math_verify/cases.json) through
// reason::math::parse + verify with each case's options, exactly as Math-Verify's test helper
// runs them: LaTeX extraction with \boxed first and/or plain-expression extraction, then
// verify(gold, pred, float_rounding=precision, strict, allow_set_relation_comp).
// Prints every disagreement; the count of agreements is the parity figure quoted in docs.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "reason/math/verify.h"
#include "support/test_support.h"

namespace reason {
namespace {

nlohmann::json load_cases() {
  std::ifstream in(test::data_path("math_verify/cases.json"));
  EXPECT_TRUE(in.good());
  nlohmann::json doc;
  in >> doc;
  return doc["cases"];
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " | ") + x;
  return "[" + s + "]";
}

TEST(MathVerifyCases, AgreeWithMathVerify) {
  nlohmann::json cases = load_cases();
  ASSERT_GT(cases.size(), 100u);
  int agree = 0;
  std::vector<std::string> disagreements;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    math::ParseOptions po;
    po.targets = math::targets_from_names(c["match_types"].get<std::vector<std::string>>());
    math::VerifyOptions vo;
    if (c.contains("precision")) vo.float_rounding = c["precision"].get<int>();
    if (c.contains("strict")) vo.strict = c["strict"].get<bool>();
    if (c.contains("allow_set_relation_comp")) vo.allow_set_relation_comp = c["allow_set_relation_comp"].get<bool>();
    auto gold = math::parse(c["gold"].get<std::string>(), po);
    auto pred = math::parse(c["pred"].get<std::string>(), po);
    bool got = math::verify(gold, pred, vo);
    bool expected = c["expected"].get<int>() != 0;
    if (got == expected) {
      ++agree;
    } else {
      std::string g = c["gold"].get<std::string>(), p = c["pred"].get<std::string>();
      if (g.size() > 160) g = "..." + g.substr(g.size() - 160);
      if (p.size() > 160) p = "..." + p.substr(p.size() - 160);
      disagreements.push_back("case " + std::to_string(i) + " (" + c["group"].get<std::string>() + ") expected " +
                              std::to_string(expected) + " got " + std::to_string(got) + "\n  gold: " + g +
                              "\n  pred: " + p + "\n  gold parsed: " + join(gold.candidates()) +
                              "\n  pred parsed: " + join(pred.candidates()));
    }
  }
  std::cout << "Math-Verify cases: " << agree << "/" << cases.size() << " agree\n";
  for (const auto& d : disagreements) std::cout << d << "\n";
  EXPECT_EQ(agree, static_cast<int>(cases.size()));
}

}  // namespace
}  // namespace reason
