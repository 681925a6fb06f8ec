#include "math/budget.h"

namespace reason::math::detail {
namespace {
thread_local Budget* current = nullptr;
}

BudgetScope::BudgetScope(double seconds, uint64_t max_steps) : previous_(current) {
  auto now = std::chrono::steady_clock::now();
  auto span = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(
      seconds > 0 ? seconds : 3600.0));
  budget_.deadline = now + span;
  budget_.max_steps = max_steps;
  if (previous_ && previous_->deadline < budget_.deadline) budget_.deadline = previous_->deadline;
  current = &budget_;
}

BudgetScope::~BudgetScope() {
  if (previous_) previous_->steps += budget_.steps;
  current = previous_;
}

void tick(uint64_t n) {
  Budget* b = current;
  if (!b) return;
  uint64_t before = b->steps;
  b->steps += n;
  if (b->max_steps && b->steps > b->max_steps) throw Timeout();
  if ((before >> 8) != (b->steps >> 8) && std::chrono::steady_clock::now() > b->deadline) throw Timeout();
}

}  // namespace reason::math::detail
