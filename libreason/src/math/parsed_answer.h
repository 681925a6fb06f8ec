#pragma once
// What parse() returns, seen from inside the grader.
#include <string>
#include <vector>

#include "math/expr.h"
#include "reason/math/verify.h"

namespace reason::math {

struct ParsedAnswer::Impl {
  struct Candidate {
    detail::P expr;    // null for a string candidate
    std::string text;  // the string (string candidates) or the normalised source text
  };
  std::vector<Candidate> items;
  std::string extracted;
  bool timed_out = false;
};

}  // namespace reason::math
