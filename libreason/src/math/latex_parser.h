#pragma once
// LaTeX answer text -> expression, following latex2sympy2_extended's grammar (PS.g4) and its
// conversion rules (mixed fractions "2\frac{1}{2}", "(1,2)" as an open interval but "(2,1)"
// as a tuple, "x \in [a,b]" as an equation, chains a < b < c, \pm as two elements, ...).
// Throws ParseError when the text is not in the language.
#include <string_view>

#include "math/expr.h"

namespace reason::math::detail {

struct ParseError {};

P parse_latex(std::string_view latex);

// Plain (Python-syntax) arithmetic: numbers, + - * / ** and parentheses, as sympy's
// parse_expr sees the expressions the "expr" extraction finds ("2/3", "(1+2)*3").
P parse_plain(std::string_view text);

}  // namespace reason::math::detail
