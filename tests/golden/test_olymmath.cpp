// OlymMATH gold answers (tests/data/olymmath, 200 distinct answers; the ZH files carry the
// same answers) through the grader: every gold answer must grade correct against itself as a
// \boxed{} completion (with Math-Verify's default extraction and with the accuracy reward's
// stricter one), against hand-made equivalent rewritings (fraction vs decimal, reordered sums,
// \left[ ... \right) spacing, mixed numbers, thousands separators) and wrong against perturbed
// values and flipped interval ends.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "reason/core/jsonl.h"
#include "reason/math/verify.h"
#include "support/test_support.h"

namespace reason {
namespace {

struct Gold {
  std::string id, answer;
};

std::vector<Gold> load_gold() {
  std::vector<Gold> out;
  for (const auto& row : read_jsonl(test::data_path("olymmath/answers.jsonl")))
    out.push_back({row["unique_id"].get<std::string>(), row["answer"].get<std::string>()});
  return out;
}

std::string completion(const std::string& answer) {
  return "Let me work through this carefully.\n\nAfter simplifying, the result follows.\n\nTherefore, the final answer is "
         "$\\boxed{" + answer + "}$.";
}

// The accuracy reward's prediction config (open-r1): LaTeX only, \boxed first, no malformed-
// operator repair, no anchor-free extraction.
math::ParseOptions reward_prediction_options() {
  math::LatexExtractionConfig c;
  c.boxed_match_priority = 0;
  c.try_extract_without_anchor = false;
  c.normalization = {true, true, false, false, math::BoxedMode::All, true};
  math::ParseOptions o;
  o.targets = {math::ExtractionTarget::Latex(c)};
  o.extraction_mode = math::ExtractionMode::FirstMatch;
  return o;
}

bool graded(const std::string& gold, const std::string& pred_text, const math::ParseOptions& pred_options = {}) {
  auto g = math::parse("$" + gold + "$");
  auto p = math::parse(pred_text, pred_options);
  return math::verify(g, p);
}

bool is_integer(const std::string& a) {
  size_t i = a[0] == '-' ? 1 : 0;
  return i < a.size() && a.find_first_not_of("0123456789", i) == std::string::npos;
}

std::string with_thousands(const std::string& n) {
  std::string out;
  int count = 0;
  for (size_t i = n.size(); i-- > 0;) {
    out.insert(out.begin(), n[i]);
    if (++count % 3 == 0 && i > 0 && n[i - 1] != '-') out.insert(out.begin(), ',');
  }
  return out;
}

// Interval answers with their brackets flipped at each finite end.
std::vector<std::string> flipped_intervals(const std::string& a) {
  std::vector<std::string> out;
  std::string s = a;
  bool left_cmd = s.rfind("\\left", 0) == 0;
  size_t open = left_cmd ? 5 : 0;
  if (open >= s.size() || (s[open] != '[' && s[open] != '(')) return out;
  size_t close = s.find_last_of("])");
  if (close == std::string::npos || close <= open || s.find(',') == std::string::npos) return out;
  bool right_infinite = s.rfind("\\infty") != std::string::npos && s.rfind("\\infty") > s.find(',');
  std::string l = s;
  l[open] = s[open] == '[' ? '(' : '[';
  out.push_back(l);
  if (!right_infinite) {
    std::string r = s;
    r[close] = s[close] == ']' ? ')' : ']';
    out.push_back(r);
  }
  return out;
}

TEST(OlymMath, GoldAnswersGradeCorrectAgainstThemselves) {
  auto gold = load_gold();
  ASSERT_EQ(gold.size(), 200u);
  int ok_default = 0, ok_reward = 0;
  for (const auto& g : gold) {
    bool a = graded(g.answer, completion(g.answer));
    bool b = graded(g.answer, completion(g.answer), reward_prediction_options());
    ok_default += a;
    ok_reward += b;
    EXPECT_TRUE(a) << g.id << ": " << g.answer;
    EXPECT_TRUE(b) << g.id << " (reward config): " << g.answer;
  }
  std::cout << "OlymMATH self-grading: " << ok_default << "/200 (default extraction), " << ok_reward
            << "/200 (accuracy-reward extraction)\n";
}

TEST(OlymMath, RewritingsAndPerturbations) {
  auto gold = load_gold();
  std::ifstream in(test::data_path("olymmath/rewritings.json"));
  nlohmann::json rw;
  in >> rw;
  std::map<std::string, std::string> answer_of;
  for (const auto& g : gold) answer_of[g.id] = g.answer;
  int eq_ok = 0, eq_n = 0, wrong_ok = 0, wrong_n = 0;
  for (const auto& [id, entry] : rw["answers"].items()) {
    ASSERT_TRUE(answer_of.count(id)) << id;
    const std::string& a = answer_of[id];
    for (const auto& e : entry["equivalent"]) {
      ++eq_n;
      bool ok = graded(a, completion(e.get<std::string>()));
      eq_ok += ok;
      EXPECT_TRUE(ok) << id << ": gold " << a << " vs equivalent " << e;
    }
    for (const auto& w : entry["wrong"]) {
      ++wrong_n;
      bool ok = !graded(a, completion(w.get<std::string>()));
      wrong_ok += ok;
      EXPECT_TRUE(ok) << id << ": gold " << a << " vs wrong " << w;
    }
  }
  // Integers: thousands separators and a plain "final answer is N" sentence.
  int int_ok = 0, int_n = 0;
  for (const auto& g : gold) {
    if (!is_integer(g.answer)) continue;
    ++int_n;
    bool ok = graded(g.answer, completion(with_thousands(g.answer))) &&
              graded(g.answer, "So we are done. The final answer is " + g.answer + ". I hope it is correct.");
    int_ok += ok;
    EXPECT_TRUE(ok) << g.id << ": " << g.answer;
  }
  // Automatic perturbations of every answer: +1, a tiny shift, doubling, and flipped interval
  // ends. The shift is 10^{-9} for exact answers and 10^{-5} for decimal ones (floats compare
  // after rounding to 6 places, as in Math-Verify).
  int pert_ok = 0, pert_n = 0, flip_ok = 0, flip_n = 0;
  for (const auto& g : gold) {
    auto flips = flipped_intervals(g.answer);
    if (flips.empty()) {
      std::string tiny = g.answer.find('.') != std::string::npos ? "10^{-5}" : "10^{-9}";
      for (const std::string w : {"(" + g.answer + ")+1", "(" + g.answer + ")+" + tiny, "2(" + g.answer + ")"}) {
        ++pert_n;
        bool ok = !graded(g.answer, completion(w));
        pert_ok += ok;
        EXPECT_TRUE(ok) << g.id << ": gold " << g.answer << " vs " << w;
      }
    }
    for (const auto& f : flips) {
      ++flip_n;
      bool ok = !graded(g.answer, completion(f));
      flip_ok += ok;
      EXPECT_TRUE(ok) << g.id << ": gold " << g.answer << " vs flipped " << f;
    }
  }
  std::cout << "OlymMATH rewritings: equivalent " << eq_ok << "/" << eq_n << " correct, hand-made wrong " << wrong_ok
            << "/" << wrong_n << " rejected; integers with separators/plain text " << int_ok << "/" << int_n
            << "; perturbed " << pert_ok << "/" << pert_n << " rejected; flipped interval ends " << flip_ok << "/"
            << flip_n << " rejected\n";
  EXPECT_GT(flip_n, 10);
}

}  // namespace
}  // namespace reason
