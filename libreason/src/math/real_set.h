#pragma once
// Subsets of the real line as sorted, disjoint pieces with exact endpoints: what intervals,
// unions, finite sets of numbers and one-variable inequalities ("1 \le |z| \le 3/2") denote.
// Used to compare sets by content (sympy's symmetric difference) and to turn a gold inequality
// into its solution set (sympy's as_set()).
#include <optional>
#include <vector>

#include "math/expr.h"

namespace reason::math::detail {

struct Bound {
  P e;          // finite endpoint (a real constant); null when infinite
  int inf = 0;  // -1: -oo, +1: +oo
};

struct Piece {
  Bound lo, hi;
  bool lo_open = true, hi_open = true;
};

using RealSet = std::vector<Piece>;

// Interval, finite set of real constants, union/intersection/complement of those, Reals,
// EmptySet; nullopt for anything else (symbolic endpoints, tuples, ...).
std::optional<RealSet> to_real_set(const P& set);

// Solution set of a relation (or And of relations) in one variable, like sympy's as_set().
std::optional<RealSet> relation_set(const P& relation);

bool real_sets_equal(const RealSet& a, const RealSet& b);

// Back to an expression: Interval, FiniteSet of points, Union, EmptySet or Reals.
P real_set_expr(const RealSet& s);

// Replaces every subexpression structurally equal to `target`.
P substitute(const P& e, const P& target, const P& replacement);

}  // namespace reason::math::detail
