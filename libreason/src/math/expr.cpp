#include "math/expr.h"

#include <algorithm>

#include "math/budget.h"
#include "math/numbers.h"

namespace reason::math::detail {
namespace {

std::shared_ptr<Expr> node(K k) {
  auto e = std::make_shared<Expr>();
  e->k = k;
  return e;
}

}  // namespace

P integer(const mpz_class& z) {
  auto e = node(K::Int);
  e->q = z;
  return e;
}

P integer(long v) { return integer(mpz_class(v)); }

P rational(const mpq_class& q) {
  auto e = node(q.get_den() == 1 ? K::Int : K::Rat);
  e->q = q;
  return e;
}

P rational(const mpz_class& p, const mpz_class& q) {
  if (q == 0) return constant(p == 0 ? K::NaN : K::ComplexInf);
  mpq_class r(p, q);
  r.canonicalize();
  return rational(r);
}

P float_number(const mpq_class& exact) {
  auto e = node(K::Float);
  e->q = exact;
  return e;
}

P infinity(int sign) {
  auto e = node(K::Inf);
  e->q = sign < 0 ? -1 : 1;
  return e;
}

P constant(K k) { return node(k); }

P symbol(std::string name) {
  auto e = node(K::Sym);
  e->name = std::move(name);
  return e;
}

namespace {
P assoc(K k, std::vector<P> args) {
  std::vector<P> flat;
  for (auto& x : args) {
    if (x->k == k && !x->pct) {
      flat.insert(flat.end(), x->a.begin(), x->a.end());
    } else {
      flat.push_back(std::move(x));
    }
  }
  if (flat.size() == 1) return flat[0];
  auto e = node(k);
  e->a = std::move(flat);
  return e;
}
}  // namespace

P add(std::vector<P> args) { return assoc(K::Add, std::move(args)); }
P mul(std::vector<P> args) { return assoc(K::Mul, std::move(args)); }

P power(P base, P exponent) {
  auto e = node(K::Pow);
  e->a = {std::move(base), std::move(exponent)};
  return e;
}

P percent(P x) {
  auto e = node(K::Mul);
  e->pct = true;
  e->a = {std::move(x), rational(mpq_class(1, 100))};
  return e;
}

P fn(std::string name, std::vector<P> args) {
  auto e = node(K::Fn);
  e->name = std::move(name);
  e->a = std::move(args);
  return e;
}

P ufn(std::string name, std::vector<P> args) {
  auto e = node(K::UFn);
  e->name = std::move(name);
  e->a = std::move(args);
  return e;
}

P relation(RelOp op, P lhs, P rhs) {
  auto e = node(K::Rel);
  e->op = op;
  e->a = {std::move(lhs), std::move(rhs)};
  return e;
}

P conj(std::vector<P> relations) {
  auto e = node(K::And);
  e->a = std::move(relations);
  return e;
}

P negation(P x) {
  auto e = node(K::Not);
  e->a = {std::move(x)};
  return e;
}

P finite_set(std::vector<P> elements) {
  auto e = node(K::FSet);
  for (auto& x : elements) {
    bool dup = false;
    for (const auto& y : e->a) {
      tick();
      if (same(x, y)) {
        dup = true;
        break;
      }
    }
    if (!dup) e->a.push_back(std::move(x));
  }
  if (e->a.empty()) return empty_set();
  return e;
}

P tuple(std::vector<P> elements) {
  auto e = node(K::Tuple);
  e->a = std::move(elements);
  return e;
}

P interval(P lo, P hi, bool left_open, bool right_open) {
  auto e = node(K::Interval);
  // sympy opens infinite ends: [2, oo] is [2, oo).
  if (lo->k == K::Inf) left_open = true;
  if (hi->k == K::Inf) right_open = true;
  e->left_open = left_open;
  e->right_open = right_open;
  e->a = {std::move(lo), std::move(hi)};
  return e;
}

P set_op(K k, std::vector<P> args) {
  auto e = node(k);
  e->a = std::move(args);
  return e;
}

P named_set(std::string name) {
  auto e = node(K::NamedSet);
  e->name = std::move(name);
  return e;
}

P empty_set() { return node(K::EmptySet); }

P matrix(int rows, int cols, std::vector<P> elements) {
  auto e = node(K::Matrix);
  e->rows = rows;
  e->cols = cols;
  e->a = std::move(elements);
  return e;
}

P opaque(std::string name, std::vector<P> args) {
  auto e = node(K::Opaque);
  e->name = std::move(name);
  e->a = std::move(args);
  return e;
}

P negate(const P& x) {
  switch (x->k) {
    case K::Int:
    case K::Rat:
      return rational(mpq_class(-x->q));
    case K::Float:
      return float_number(-x->q);
    case K::Inf:
      return infinity(x->q < 0 ? 1 : -1);
    default:
      return mul({integer(-1), x});
  }
}

bool is_set(const P& e) {
  switch (e->k) {
    case K::FSet:
    case K::Interval:
    case K::Union:
    case K::Intersect:
    case K::Complement:
    case K::NamedSet:
    case K::EmptySet:
      return true;
    default:
      return false;
  }
}

bool is_relation(const P& e) {
  if (e->k == K::Rel) return true;
  if (e->k == K::And && !e->a.empty())
    return std::all_of(e->a.begin(), e->a.end(), [](const P& x) { return x->k == K::Rel; });
  return false;
}

bool is_equation(const P& e) {
  if (e->k == K::Rel) return e->op == RelOp::Eq;
  if (e->k == K::And && !e->a.empty())
    return std::all_of(e->a.begin(), e->a.end(), [](const P& x) { return x->k == K::Rel && x->op == RelOp::Eq; });
  return false;
}

bool has_matrix(const P& e) {
  if (e->k == K::Matrix) return true;
  if (e->k == K::Add || e->k == K::Mul || e->k == K::Pow)
    return std::any_of(e->a.begin(), e->a.end(), has_matrix);
  return false;
}

bool is_only_symbols(const P& e) {
  if (e->k == K::Sym) return true;
  if (e->k == K::Pow && e->a[1]->k == K::Int && e->a[1]->q == -1) {
    const P& b = e->a[0];
    if (b->k == K::Sym) return true;
    if (!b->a.empty() && std::all_of(b->a.begin(), b->a.end(), is_only_symbols)) return true;
  }
  // Nodes with children (Add, Mul, f(x), tuples, ...) are symbols-only when all children are;
  // numbers and constants (no children) are not.
  if (e->k == K::Interval || e->k == K::Matrix) return false;
  if (!e->a.empty()) return std::all_of(e->a.begin(), e->a.end(), is_only_symbols);
  return false;
}

namespace {

bool same_list(const std::vector<P>& x, const std::vector<P>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (!same(x[i], y[i])) return false;
  return true;
}

bool same_as_sets(const std::vector<P>& x, const std::vector<P>& y) {
  auto covered = [](const std::vector<P>& from, const std::vector<P>& in) {
    for (const auto& e : from) {
      bool found = false;
      for (const auto& f : in)
        if (same(e, f)) {
          found = true;
          break;
        }
      if (!found) return false;
    }
    return true;
  };
  return covered(x, y) && covered(y, x);
}

}  // namespace

bool same(const P& a, const P& b) {
  tick();
  if (a == b) return true;
  if (a->k != b->k) return false;
  switch (a->k) {
    case K::Int:
    case K::Rat:
    case K::Float:
    case K::Inf:
      return a->q == b->q;
    case K::ComplexInf:
    case K::Pi:
    case K::E:
    case K::EulerGamma:
    case K::I:
    case K::EmptySet:
      return true;
    case K::NaN:
      return false;
    case K::Sym:
    case K::NamedSet:
      return a->name == b->name;
    case K::Rel:
      return a->op == b->op && same_list(a->a, b->a);
    case K::Interval:
      return a->left_open == b->left_open && a->right_open == b->right_open && same_list(a->a, b->a);
    case K::Matrix:
      return a->rows == b->rows && a->cols == b->cols && same_list(a->a, b->a);
    case K::FSet:
    case K::And:
    case K::Union:
    case K::Intersect:
      return same_as_sets(a->a, b->a);
    case K::Fn:
    case K::UFn:
    case K::Opaque:
      return a->name == b->name && same_list(a->a, b->a);
    default:
      return a->pct == b->pct && same_list(a->a, b->a);
  }
}

namespace {

std::string join(const std::vector<P>& xs, const char* sep) {
  std::string s;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i) s += sep;
    s += to_string(xs[i]);
  }
  return s;
}

bool needs_parens(const P& e) { return e->k == K::Add || e->k == K::Mul || e->k == K::Rat || e->k == K::Pow; }

}  // namespace

std::string to_string(const P& e) {
  switch (e->k) {
    case K::Int:
      return e->q.get_num().get_str();
    case K::Rat:
      return e->q.get_str();
    case K::Float:
      return decimal_string(e->q);
    case K::Inf:
      return e->q < 0 ? "-oo" : "oo";
    case K::ComplexInf:
      return "zoo";
    case K::NaN:
      return "nan";
    case K::Sym:
      return e->name;
    case K::Pi:
      return "pi";
    case K::E:
      return "E";
    case K::EulerGamma:
      return "EulerGamma";
    case K::I:
      return "I";
    case K::Add: {
      std::string s = to_string(e->a[0]);
      for (size_t i = 1; i < e->a.size(); ++i) {
        std::string t = to_string(e->a[i]);
        if (!t.empty() && t[0] == '-')
          s += " - " + t.substr(1);
        else
          s += " + " + t;
      }
      return s;
    }
    case K::Mul: {
      if (e->pct) return to_string(e->a[0]) + "%";
      std::string s;
      size_t i = 0;
      if (e->a.size() > 1 && e->a[0]->k == K::Int && e->a[0]->q == -1) {
        s = "-";
        i = 1;
      }
      for (size_t j = i; j < e->a.size(); ++j) {
        if (j > i) s += "*";
        s += e->a[j]->k == K::Add ? "(" + to_string(e->a[j]) + ")" : to_string(e->a[j]);
      }
      return s;
    }
    case K::Pow: {
      std::string b = to_string(e->a[0]), x = to_string(e->a[1]);
      if (needs_parens(e->a[0]) || (e->a[0]->k == K::Int && e->a[0]->q < 0)) b = "(" + b + ")";
      if (needs_parens(e->a[1]) || (!x.empty() && x[0] == '-')) x = "(" + x + ")";
      return b + "**" + x;
    }
    case K::Fn:
    case K::UFn:
      return e->name + "(" + join(e->a, ", ") + ")";
    case K::Rel: {
      static const char* ops[] = {"=", "!=", "<", "<=", ">", ">="};
      return to_string(e->a[0]) + " " + ops[static_cast<int>(e->op)] + " " + to_string(e->a[1]);
    }
    case K::And:
      return join(e->a, " & ");
    case K::Not:
      return "~(" + to_string(e->a[0]) + ")";
    case K::FSet:
      return "{" + join(e->a, ", ") + "}";
    case K::Tuple:
      return "(" + join(e->a, ", ") + ")";
    case K::Interval:
      return std::string(e->left_open ? "(" : "[") + to_string(e->a[0]) + ", " + to_string(e->a[1]) +
             (e->right_open ? ")" : "]");
    case K::Union:
      return join(e->a, " U ");
    case K::Intersect:
      return join(e->a, " n ");
    case K::Complement:
      return join(e->a, " \\ ");
    case K::NamedSet:
      return e->name;
    case K::EmptySet:
      return "EmptySet";
    case K::Matrix: {
      std::string s = "Matrix([";
      for (int r = 0; r < e->rows; ++r) {
        if (r) s += ", ";
        s += "[";
        for (int c = 0; c < e->cols; ++c) {
          if (c) s += ", ";
          s += to_string(e->a[static_cast<size_t>(r * e->cols + c)]);
        }
        s += "]";
      }
      return s + "])";
    }
    case K::Opaque:
      return e->name + "(" + join(e->a, ", ") + ")";
  }
  return "?";
}

}  // namespace reason::math::detail
