#pragma once
// Time bound of one grading. Every loop of the parser, the evaluator and the comparison calls
// tick(); past the deadline or the step cap it throws Timeout, which the public entry points
// turn into "not equal" / "nothing extracted". A thread-local pointer keeps the API free of it.
#include <chrono>
#include <cstdint>
#include <exception>

namespace reason::math::detail {

struct Timeout : std::exception {
  const char* what() const noexcept override { return "math grading timed out"; }
};

struct Budget {
  std::chrono::steady_clock::time_point deadline;
  uint64_t steps = 0;
  uint64_t max_steps = 0;  // 0: unlimited (the deadline still applies)
};

// Installs a budget for the current thread for the lifetime of the object (nesting keeps the
// stricter outer deadline).
class BudgetScope {
 public:
  BudgetScope(double seconds, uint64_t max_steps = 0);
  ~BudgetScope();
  BudgetScope(const BudgetScope&) = delete;
  BudgetScope& operator=(const BudgetScope&) = delete;

 private:
  Budget budget_;
  Budget* previous_;
};

// Counts `n` steps; checks the clock every 256 steps.
void tick(uint64_t n = 1);

}  // namespace reason::math::detail
