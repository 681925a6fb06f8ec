#pragma once
// Equality of two parsed answers, following Math-Verify's sympy_expr_eq step by step:
// assignment/equation unwrapping, relation -> set on the gold side, structural equality,
// relations (flipped inequalities, equivalent equations), sets/intervals/tuples, symbols,
// and finally numbers and expressions (floats rounded to `float_rounding` places; exact and
// high-precision comparison otherwise; randomised evaluation when variables are present).
#include "math/expr.h"
#include "reason/math/verify.h"

namespace reason::math::detail {

bool expr_equal(const P& gold, const P& pred, const VerifyOptions& options);

}  // namespace reason::math::detail
