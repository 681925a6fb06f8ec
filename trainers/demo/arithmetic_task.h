#pragma once
// The embedded demo's task: column addition of two numbers, with a short worked solution that
// adds digit by digit (carries written out) and ends in \boxed{sum}. Verifiable by a math grader.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace reason::demo {

struct ArithmeticProblem {
  std::string question;  // "Q: 47+85\nA:"
  std::string solution;  // " 7+5=12 4+8+1=13 \boxed{132}"
  std::string answer;    // "132"
};

// digits: largest number of digits of each operand. Deterministic for the generator's state.
ArithmeticProblem make_arithmetic_problem(std::mt19937_64& rng, int digits);

// A noisy teacher: the same worked solution, but the boxed result has one digit changed
// (the steps stay right; `answer` stays the true sum). SFT on such data learns to slip.
void corrupt_boxed_answer(ArithmeticProblem& problem, std::mt19937_64& rng);

// `count` distinct problems (no question repeated), drawn from `seed`; `exclude` questions are
// never produced (keeps held-out problems out of training).
std::vector<ArithmeticProblem> make_arithmetic_set(uint64_t seed, int64_t count, int digits,
                                                   const std::vector<ArithmeticProblem>& exclude = {});

}  // namespace reason::demo
