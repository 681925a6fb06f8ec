#include "demo/arithmetic_task.h"

#include <set>

#include "reason/core/error.h"

namespace reason::demo {

ArithmeticProblem make_arithmetic_problem(std::mt19937_64& rng, int digits) {
  int64_t limit = 1;
  for (int i = 0; i < digits; ++i) limit *= 10;
  std::uniform_int_distribution<int64_t> dist(0, limit - 1);
  const int64_t a = dist(rng), b = dist(rng);
  ArithmeticProblem p;
  p.question = "Q: " + std::to_string(a) + "+" + std::to_string(b) + "\nA:";
  p.answer = std::to_string(a + b);
  // Column by column from the units: "d1+d2(+carry)=s".
  int64_t x = a, y = b, carry = 0;
  do {
    const int64_t dx = x % 10, dy = y % 10, s = dx + dy + carry;
    p.solution += " " + std::to_string(dx) + "+" + std::to_string(dy) + (carry ? "+1" : "") + "=" + std::to_string(s);
    carry = s >= 10;
    x /= 10;
    y /= 10;
  } while (x > 0 || y > 0);
  p.solution += " \\boxed{" + p.answer + "}";
  return p;
}

void corrupt_boxed_answer(ArithmeticProblem& p, std::mt19937_64& rng) {
  std::string wrong = p.answer;
  const std::size_t pos = rng() % wrong.size();
  const int old_digit = wrong[pos] - '0';
  int digit = static_cast<int>(rng() % 9);
  if (digit >= old_digit) ++digit;  // any other digit
  if (pos == 0 && digit == 0 && wrong.size() > 1) digit = old_digit == 9 ? 8 : old_digit + 1;  // no leading zero
  wrong[pos] = static_cast<char>('0' + digit);
  const std::string box = "\\boxed{" + p.answer + "}";
  p.solution.replace(p.solution.rfind(box), box.size(), "\\boxed{" + wrong + "}");
}

std::vector<ArithmeticProblem> make_arithmetic_set(uint64_t seed, int64_t count, int digits,
                                                   const std::vector<ArithmeticProblem>& exclude) {
  std::mt19937_64 rng(seed);
  std::set<std::string> seen;
  for (const auto& e : exclude) seen.insert(e.question);
  std::vector<ArithmeticProblem> out;
  int64_t attempts = 0;
  while (static_cast<int64_t>(out.size()) < count) {
    REASON_CHECK(++attempts < count * 100 + 1000, InvalidArgument, "cannot draw ", count, " distinct ", digits,
                 "-digit problems");
    ArithmeticProblem p = make_arithmetic_problem(rng, digits);
    if (seen.insert(p.question).second) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace reason::demo
