#pragma once
// The grader's expression tree: what a parsed answer is. Nodes are immutable and shared.
// Construction follows latex2sympy's (unevaluated) conventions so that comparisons see the
// same shapes Math-Verify sees: a - b is Add(a, Mul(-1, b)) (or Add(a, -n) for a number n),
// a / b is Mul(a, Pow(b, -1)) unless both are integers (then an exact Rational), 28\% is a
// Mul flagged as a percentage, and so on.
#include <gmpxx.h>

#include <memory>
#include <string>
#include <vector>

namespace reason::math::detail {

enum class K : uint8_t {
  Int, Rat, Float,        // exact value in q (Float: exact value of the decimal written)
  Inf,                    // +oo (q = 1) or -oo (q = -1)
  ComplexInf, NaN,        // 1/0 and 0/0
  Sym,                    // a variable (name)
  Pi, E, EulerGamma, I,   // constants
  Add, Mul, Pow,          // arithmetic (Pow: base, exponent)
  Fn,                     // a known function: name in {sin, cos, ..., log (x, base), abs, ...}
  UFn,                    // an undefined function applied to arguments: f(x)
  Rel,                    // lhs op rhs
  And, Not,               // chains a < b < c; \notin
  FSet, Tuple,            // {a, b}; (a, b, c)
  Interval,               // [a, b), ...
  Union, Intersect, Complement,
  NamedSet, EmptySet,     // \mathbb{R} ...; \emptyset
  Matrix,                 // rows x cols, elements row-major
  Opaque,                 // sums/products that could not be evaluated: compared by structure
};

enum class RelOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

struct Expr;
using P = std::shared_ptr<const Expr>;

struct Expr {
  K k = K::Int;
  RelOp op = RelOp::Eq;
  bool pct = false;                              // Mul(x, 1/100) written as x%
  bool left_open = false, right_open = false;    // Interval
  int rows = 0, cols = 0;                        // Matrix
  mpq_class q;                                   // numbers
  std::string name;                              // Sym, Fn, UFn, NamedSet, Opaque
  std::vector<P> a;                              // children
};

// --- construction --------------------------------------------------------------------------
P integer(const mpz_class& z);
P integer(long v);
P rational(const mpq_class& q);                   // Int when the denominator is 1
P rational(const mpz_class& p, const mpz_class& q);  // p/0 -> ComplexInf, 0/0 -> NaN
P float_number(const mpq_class& exact);
P infinity(int sign);
P constant(K k);                                   // Pi, E, EulerGamma, I, ComplexInf, NaN
P symbol(std::string name);
P add(std::vector<P> args);                        // flattens nested Adds (latex2sympy add_flat)
P mul(std::vector<P> args);                        // flattens nested Muls
P power(P base, P exponent);
P percent(P x);                                    // x% = Mul(x, 1/100), flagged
P fn(std::string name, std::vector<P> args);
P ufn(std::string name, std::vector<P> args);
P relation(RelOp op, P lhs, P rhs);
P conj(std::vector<P> relations);                  // And
P negation(P x);                                   // Not
P finite_set(std::vector<P> elements);             // keeps first-seen order, drops duplicates
P tuple(std::vector<P> elements);
P interval(P lo, P hi, bool left_open, bool right_open);
P set_op(K k, std::vector<P> args);                // Union, Intersect, Complement
P named_set(std::string name);
P empty_set();
P matrix(int rows, int cols, std::vector<P> elements);
P opaque(std::string name, std::vector<P> args);

// Negation as latex2sympy does it: numbers are negated, anything else becomes Mul(-1, x).
P negate(const P& x);

// --- inspection ----------------------------------------------------------------------------
inline bool is_number(const P& e) { return e->k == K::Int || e->k == K::Rat || e->k == K::Float || e->k == K::Inf; }
inline bool is_integer(const P& e) { return e->k == K::Int; }
inline bool is_rational(const P& e) { return e->k == K::Int || e->k == K::Rat; }
bool is_set(const P& e);              // a set in sympy's sense (not a Tuple)
bool is_relation(const P& e);         // Rel, or And of Rels
bool is_equation(const P& e);         // Eq, or And of Eqs
bool has_matrix(const P& e);          // a matrix somewhere in an arithmetic expression
bool is_only_symbols(const P& e);     // latex2sympy's is_expr_of_only_symbols

// Structural equality, like sympy's == on unevaluated expressions: Add/Mul argument order
// matters; sets, unions and And are compared as sets; Float never equals Int/Rat.
bool same(const P& a, const P& b);

// sympy-like text (used for fallbacks and messages).
std::string to_string(const P& e);

}  // namespace reason::math::detail
