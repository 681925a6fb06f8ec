// The math grader's behaviour beyond Math-Verify's regression cases: exact big numbers, the
// time bound on pathological input, interval and set semantics, the anti-echo asymmetry,
// variables, and thread safety.
#include <gmpxx.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "reason/core/error.h"
#include "reason/math/verify.h"

namespace reason {
namespace {

math::ParseOptions grade_options() {
  math::ParseOptions o;
  o.targets = math::targets_from_names({"latex", "expr"});
  return o;
}

bool eq(const std::string& gold, const std::string& pred, math::VerifyOptions vo = {}) {
  return math::grade(gold, pred, grade_options(), vo).correct;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(MathGrader, FractionsDecimalsAndPercent) {
  EXPECT_TRUE(eq("$\\frac{1}{2}$", "so it is $\\boxed{0.5}$"));
  EXPECT_TRUE(eq("$\\frac{1}{2}$", "$\\boxed{50\\%}$"));
  EXPECT_TRUE(eq("$\\frac{1}{2}$", "The final answer is 1/2. I hope it is correct."));
  EXPECT_TRUE(eq("$\\frac{1}{3}$", "$\\boxed{0.333333}$"));
  EXPECT_FALSE(eq("$\\frac{1}{3}$", "$\\boxed{0.33}$"));
  math::VerifyOptions two;
  two.float_rounding = 2;
  EXPECT_TRUE(eq("$\\frac{1}{3}$", "$\\boxed{0.33}$", two));
  EXPECT_TRUE(eq("$1000$", "the total is $1,000$ dollars"));
  EXPECT_TRUE(eq("$2.74$", "Soucis : 2,74 $ a.."));
}

TEST(MathGrader, BigIntegersStayExact) {
  mpz_class p;
  mpz_ui_pow_ui(p.get_mpz_t(), 2, 2019);
  std::string digits = p.get_str();
  EXPECT_TRUE(eq("$2^{2019}$", "$\\boxed{" + digits + "}$"));
  mpz_class q = p + 1;
  EXPECT_FALSE(eq("$2^{2019}$", "$\\boxed{" + q.get_str() + "}$"));
  EXPECT_FALSE(eq("$2^{2019} - 2020$", "$\\boxed{2^{2019} - 2021}$"));
  EXPECT_TRUE(eq("$2^{2019} - 2020$", "$\\boxed{2 \\cdot 2^{2018} - 2020}$"));
  // Irrational values of very different size still compare to full precision.
  EXPECT_FALSE(eq("$\\sqrt{2}\\cdot 10^{40}$", "$\\boxed{\\sqrt{2}\\cdot 10^{40} + 1}$"));
  EXPECT_FALSE(eq("$10^{-100}$", "$\\boxed{0}$"));
}

TEST(MathGrader, PathologicalInputIsTimeBounded) {
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(eq("$10^{10^{10}}$", "$\\boxed{10^{10^{10}}}$"));  // same expression
  EXPECT_FALSE(eq("$10^{10^{10}}$", "$\\boxed{10^{10^{10}}+1}$"));
  EXPECT_FALSE(eq("$10^{10^{10}}$", "$\\boxed{2^{10^{11}}}$"));
  EXPECT_FALSE(eq("$5$", "$\\boxed{(10^{10^{5}})!}$"));
  EXPECT_FALSE(eq("$5$", "$\\boxed{\\sum_{i=1}^{10^{12}} i}$"));
  EXPECT_FALSE(eq("$5$", "$\\boxed{2^{2^{2^{2^{2^{2}}}}}}$"));
  EXPECT_LT(seconds_since(t0), 5.0);

  // Deep nesting is refused, not a stack overflow.
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(eq("$1$", "$\\boxed{" + deep + "}$"));
  EXPECT_LT(seconds_since(t0), 3.0);

  // A long completion full of half-open LaTeX stays within the parse deadline.
  std::string junk;
  for (int i = 0; i < 20000; ++i) junk += "$x_" + std::to_string(i) + " \\frac{ [ ( \\left\\{ $$ \\boxed{";
  math::ParseOptions po = grade_options();
  po.timeout_seconds = 1.0;
  t0 = std::chrono::steady_clock::now();
  auto parsed = math::parse(junk, po);
  EXPECT_LT(seconds_since(t0), 4.0);
  (void)parsed;
}

TEST(MathGrader, TimeoutIsReported) {
  math::ParseOptions po;
  po.timeout_seconds = 1e-9;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "$\\frac{1}{" + std::to_string(i) + "}$ and ";
  auto p = math::parse(text, po);
  EXPECT_TRUE(p.timed_out());
  EXPECT_TRUE(p.empty());
}

TEST(MathGrader, IntervalsKeepTheirEnds) {
  EXPECT_TRUE(eq("$\\left[2, \\frac{4}{3}\\sqrt{3}\\right)$", "$\\boxed{[2,\\frac{4\\sqrt{3}}{3})}$"));
  EXPECT_FALSE(eq("$\\left[2, \\frac{4}{3}\\sqrt{3}\\right)$", "$\\boxed{[2,\\frac{4\\sqrt{3}}{3}]}$"));
  EXPECT_FALSE(eq("$\\left[2, \\frac{4}{3}\\sqrt{3}\\right)$", "$\\boxed{(2,\\frac{4\\sqrt{3}}{3})}$"));
  EXPECT_TRUE(eq("$(1, +\\infty)$", "$\\boxed{(1,\\infty]}$"));  // infinite ends are open
  EXPECT_TRUE(eq("$(-\\infty, -3] \\cup [2, \\infty)$", "$\\boxed{[2,\\infty) \\cup (-\\infty,-3]}$"));
  EXPECT_FALSE(eq("$(-\\infty, -3] \\cup [2, \\infty)$", "$\\boxed{(-\\infty,-3) \\cup [2,\\infty)}$"));
  // A gold inequality matches its solution set.
  EXPECT_TRUE(eq("$x^2 < 4$", "$\\boxed{(-2, 2)}$"));
  EXPECT_TRUE(eq("$|x - 1| \\ge 2$", "$\\boxed{(-\\infty, -1] \\cup [3, \\infty)}$"));
}

TEST(MathGrader, EchoingARelationIsNotRewarded) {
  // The prediction restates the constraint instead of solving it.
  EXPECT_FALSE(eq("$x \\in [-2,7]$", "$\\boxed{-2 \\le x \\le 7}$"));
  EXPECT_TRUE(eq("$-2 \\le x \\le 7$", "$\\boxed{x \\in [-2,7]}$"));
  math::VerifyOptions allow;
  allow.allow_set_relation_comp = true;
  EXPECT_TRUE(eq("$[-2,7]$", "$\\boxed{-2 \\le x \\le 7}$", allow));
  EXPECT_FALSE(eq("$[-2,7]$", "$\\boxed{-2 \\le x \\le 7}$"));
}

TEST(MathGrader, EquationsReduceToTheirValue) {
  EXPECT_TRUE(eq("$11$", "$\\boxed{x = 11}$"));
  EXPECT_TRUE(eq("$x = 11$", "$\\boxed{11}$"));
  EXPECT_FALSE(eq("$2x + z = 1$", "$\\boxed{1}$"));
  EXPECT_TRUE(eq("$2x+4y-3=0$", "$\\boxed{y=-\\frac{1}{2}x+\\frac{3}{4}}$"));
  EXPECT_FALSE(eq("$2x+4y-3=0$", "$\\boxed{y=-\\frac{1}{2}x+\\frac{1}{4}}$"));
}

TEST(MathGrader, ExpressionsWithVariables) {
  EXPECT_TRUE(eq("$(x+1)^2$", "$\\boxed{x^2+2x+1}$"));
  EXPECT_FALSE(eq("$(x+1)^2$", "$\\boxed{x^2+2x}$"));
  EXPECT_TRUE(eq("$1$", "$\\boxed{\\sin^2 x + \\cos^2 x}$"));
  EXPECT_TRUE(eq("$\\frac{n(n+1)}{2}$", "$\\boxed{\\frac{n^2+n}{2}}$"));
  EXPECT_FALSE(eq("$\\sqrt{x^2}$", "$\\boxed{x}$"));  // real variables: |x| is not x
  EXPECT_TRUE(eq("$\\sqrt{x^2}$", "$\\boxed{|x|}$"));
  math::VerifyOptions loose;
  loose.strict = false;
  EXPECT_FALSE(eq("$f(x)$", "$\\boxed{f(y)}$"));
  EXPECT_TRUE(eq("$f(x)$", "$\\boxed{f(y)}$", loose));
}

TEST(MathGrader, SetsTuplesAndText) {
  EXPECT_TRUE(eq("$\\{1,2,3\\}$", "$\\boxed{\\{3, 2, 1\\}}$"));
  EXPECT_FALSE(eq("$(1,2,3)$", "$\\boxed{(3,2,1)}$"));
  EXPECT_TRUE(eq("$3 \\pm 2\\sqrt{2}$", "$\\boxed{3 - 2\\sqrt{2}, 3 + 2\\sqrt{2}}$"));
  EXPECT_TRUE(eq("$5$", "$\\boxed{5\\text{ cm}}$"));
  EXPECT_TRUE(eq("$90^\\circ$", "$\\boxed{90}$"));
  EXPECT_TRUE(eq("$\\text{odd}$", "$\\boxed{odd}$"));
}

TEST(MathGrader, ExtractionPriorities) {
  // \boxed{} first (grade config), rightmost match first within a priority.
  EXPECT_TRUE(eq("$3$", "First $\\boxed{2}$ was wrong; the answer is $\\boxed{3}$."));
  EXPECT_FALSE(eq("$2$", "First $\\boxed{2}$ was wrong; the answer is $\\boxed{3}$."));
  // Without LaTeX anchors the plain number is found.
  EXPECT_TRUE(eq("$42$", "Hence the number of ways is 42."));
  auto p = math::parse("so $\\boxed{\\dfrac{7}{2}}$", grade_options());
  EXPECT_EQ(p.extracted(), "\\frac{7}{2}");
}

TEST(MathGrader, InvalidUtf8AndEmptyInput) {
  EXPECT_FALSE(eq("$1$", std::string("\xff\xfe$\\boxed{\xc3}$\x80")));
  EXPECT_FALSE(eq("$1$", ""));
  EXPECT_FALSE(eq("", "$1$"));
  auto g = math::grade("", "$1$");
  EXPECT_FALSE(g.gold_parsed);
}

TEST(MathGrader, UnknownTargetIsAConfigError) {
  EXPECT_THROW(math::targets_from_names({"latex", "string"}), ConfigError);
}

TEST(MathGrader, ThreadsGradeIndependently) {
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &good] {
      for (int i = 0; i < 50; ++i) {
        bool a = eq("$\\frac{" + std::to_string(i + 1) + "}{7}$", "$\\boxed{\\frac{" + std::to_string(2 * i + 2) + "}{14}}$");
        bool b = eq("$" + std::to_string(i) + "$", "$\\boxed{" + std::to_string(i + 1) + "}$");
        good[t] += a && !b;
      }
    });
  for (auto& th : threads) th.join();
  for (int g : good) EXPECT_EQ(g, 50);
}

}  // namespace
}  // namespace reason
