#pragma once
// Values of expressions: exact rationals where the arithmetic stays rational (with caps, so
// 2^{2019} is exact but 10^{10^{10}} is not attempted), and MPFR reals at a chosen precision
// otherwise. Symbols take values from an environment; undefined functions f(...) act as fixed
// pseudo-random functions of their arguments' values.
#include <map>
#include <optional>
#include <set>
#include <string>

#include "math/expr.h"
#include "math/numbers.h"

namespace reason::math::detail {

// Limits that keep pathological answers cheap (documented in docs/rewards.md).
constexpr size_t kMaxExactBits = 1u << 20;      // exact integers/rationals up to ~315k digits
constexpr long kMaxFactorial = 20000;           // n! computed exactly up to this n
constexpr mpfr_prec_t kMaxPrecision = 1 << 16;  // bits used by numeric comparisons (~19,700 digits)

std::optional<mpq_class> exact_value(const P& e);

using Env = std::map<std::string, mpq_class>;

struct NumericResult {
  bool ok = false;      // false: not a real number here (unsupported node, complex, NaN, ...)
  long max_exp = 0;     // largest binary exponent met while evaluating (for cancellation)
};

// Evaluates `e` at precision `prec` into `out`.
NumericResult numeric_value(const P& e, const Env& env, mpfr_prec_t prec, Real& out);

// Names of the free variables (symbols; undefined functions count by their arguments).
void free_symbols(const P& e, std::set<std::string>& out);
bool has_undefined_function(const P& e);

// Sign of a - b at the point `env` (adaptive precision); nullopt when either side is not a
// real number there.
std::optional<int> numeric_sign(const P& a, const P& b, const Env& env);

// Sign of a - b for two real constants: -1, 0, 1, or nullopt when undecidable.
std::optional<int> compare_values(const P& a, const P& b);

// The value rounded to `digits` decimals (exact when possible), if `e` is a real constant.
std::optional<mpq_class> rounded_value(const P& e, int digits);

}  // namespace reason::math::detail
