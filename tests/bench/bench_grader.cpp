// Math grader throughput: gradings per second on a realistic mix of completions.
//   bench_grader [--n N] [--threads T] [--data DIR]
// Each grading is what the accuracy reward does per sample: parse the gold (open-r1's gold
// config), extract + parse the answer from a completion (LaTeX, \boxed first) and verify.
// The mix: OlymMATH gold answers (integers, fractions, radicals, huge powers, intervals) with
// completions of 1-12k characters of reasoning text with inline math; 40% correct \boxed{},
// 20% equivalent rewrites, 25% wrong, 10% without any \boxed{}, 5% truncated mid-formula.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "reason/core/jsonl.h"
#include "reason/math/verify.h"

namespace {

struct Item {
  std::string gold, completion;
};

std::string filler(std::mt19937& rng, size_t chars) {
  static const char* pieces[] = {
      "Let us consider the expression $x^2 + 3x - 4$ and factor it as $(x+4)(x-1)$. ",
      "Since $a + b = 7$ and $ab = 12$, we get $a^2 + b^2 = 49 - 24 = 25$. ",
      "Therefore the sum telescopes: $\\sum_{k=1}^{n} \\frac{1}{k(k+1)} = 1 - \\frac{1}{n+1}$. ",
      "Wait, let me double-check this step. ",
      "By the AM-GM inequality, $\\frac{a+b}{2} \\ge \\sqrt{ab}$ with equality iff $a = b$. ",
      "Now substitute $t = \\tan\\theta$, so that $\\sin 2\\theta = \\frac{2t}{1+t^2}$. ",
      "So the number of such integers is 12, not 13, because 0 is excluded. ",
      "Hmm, that gives \\[ \\left( \\frac{3}{5} \\right)^2 + \\left( \\frac{4}{5} \\right)^2 = 1. \\] ",
      "We compute $2^{10} = 1024$ and $3^5 = 243$. ",
      "Step 3: combine the two cases.\n",
  };
  std::string s;
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
  while (s.size() < chars) s += pieces[pick(rng)];
  return s;
}

std::vector<Item> make_mix(const std::string& data_dir, size_t n) {
  std::vector<std::string> answers;
  for (const auto& row : reason::read_jsonl(data_dir + "/olymmath/answers.jsonl"))
    answers.push_back(row["answer"].get<std::string>());
  std::mt19937 rng(1234);
  std::uniform_int_distribution<size_t> pick(0, answers.size() - 1);
  std::uniform_int_distribution<size_t> len(1000, 12000);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Item> items;
  for (size_t i = 0; i < n; ++i) {
    const std::string& a = answers[pick(rng)];
    std::string body = "<think>\n" + filler(rng, len(rng)) + "\n</think>\n";
    double r = u(rng);
    std::string end;
    if (r < 0.40)
      end = "The final answer is $\\boxed{" + a + "}$.";
    else if (r < 0.60)
      end = "So the answer is $\\boxed{\\left(" + a + "\\right) + 0}$.";
    else if (r < 0.85)
      end = "Hence $\\boxed{" + a + " + 1}$.";
    else if (r < 0.95)
      end = "I think the answer is " + a + " but I am not sure.";
    else
      end = "So we get $\\frac{3}{";
    items.push_back({"$" + a + "$", body + end});
  }
  return items;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 2000;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string data = REASON_TEST_DATA_DIR;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) n = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
  }
  auto items = make_mix(data, n);
  size_t chars = 0;
  for (const auto& it : items) chars += it.completion.size();

  reason::math::ParseOptions gold;
  gold.extraction_mode = reason::math::ExtractionMode::FirstMatch;
  reason::math::LatexExtractionConfig pc;
  pc.boxed_match_priority = 0;
  pc.try_extract_without_anchor = false;
  pc.normalization = {true, true, false, false, reason::math::BoxedMode::All, true};
  reason::math::ParseOptions pred;
  pred.targets = {reason::math::ExtractionTarget::Latex(pc)};
  pred.extraction_mode = reason::math::ExtractionMode::FirstMatch;

  auto grade = [&](const Item& it) {
    auto g = reason::math::parse(it.gold, gold);
    auto p = reason::math::parse(it.completion, pred);
    return reason::math::verify(g, p);
  };
  auto timed = [&](int t) {
    std::vector<int> correct(static_cast<size_t>(t), 0);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int k = 0; k < t; ++k)
      pool.emplace_back([&, k] {
        for (size_t i = static_cast<size_t>(k); i < items.size(); i += static_cast<size_t>(t)) correct[static_cast<size_t>(k)] += grade(items[i]);
      });
    for (auto& th : pool) th.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int c = 0;
    for (int x : correct) c += x;
    std::printf("threads %d: %zu gradings in %.3f s = %.0f gradings/s (%.1f%% correct)\n", t, items.size(), s,
                static_cast<double>(items.size()) / s, 100.0 * c / static_cast<double>(items.size()));
  };
  std::printf("mix: %zu completions, mean %.0f characters\n", items.size(), static_cast<double>(chars) / static_cast<double>(items.size()));
  timed(1);
  if (threads > 1) timed(threads);
  return 0;
}
