#include "math/real_set.h"

#include <algorithm>
#include <functional>
#include <set>

#include "math/budget.h"
#include "math/evaluate.h"

namespace reason::math::detail {
namespace {

struct Undecidable {};

// -1/0/1 ordering of bounds; throws Undecidable when the values cannot be compared.
int cmp_bound(const Bound& a, const Bound& b) {
  if (a.inf || b.inf) return a.inf == b.inf ? 0 : (a.inf < b.inf ? -1 : 1);
  auto c = compare_values(a.e, b.e);
  if (!c) throw Undecidable{};
  return *c;
}

bool empty_piece(const Piece& p) {
  int c = cmp_bound(p.lo, p.hi);
  return c > 0 || (c == 0 && (p.lo_open || p.hi_open || p.lo.inf));
}

// Sorted, merged, without empty pieces.
RealSet normalize(RealSet s) {
  s.erase(std::remove_if(s.begin(), s.end(), empty_piece), s.end());
  std::sort(s.begin(), s.end(), [](const Piece& a, const Piece& b) {
    int c = cmp_bound(a.lo, b.lo);
    if (c) return c < 0;
    return !a.lo_open && b.lo_open;
  });
  RealSet out;
  for (const Piece& p : s) {
    tick();
    if (!out.empty()) {
      Piece& q = out.back();
      int c = cmp_bound(p.lo, q.hi);
      if (c < 0 || (c == 0 && !(p.lo_open && q.hi_open))) {
        int h = cmp_bound(p.hi, q.hi);
        if (h > 0 || (h == 0 && !p.hi_open)) {
          if (h > 0) q.hi = p.hi;
          q.hi_open = h > 0 ? p.hi_open : (q.hi_open && p.hi_open);
        }
        continue;
      }
    }
    out.push_back(p);
  }
  return out;
}

RealSet intersect(const RealSet& a, const RealSet& b) {
  RealSet out;
  for (const Piece& x : a)
    for (const Piece& y : b) {
      tick();
      Piece p;
      int l = cmp_bound(x.lo, y.lo);
      p.lo = l >= 0 ? x.lo : y.lo;
      p.lo_open = l > 0 ? x.lo_open : (l < 0 ? y.lo_open : (x.lo_open || y.lo_open));
      int h = cmp_bound(x.hi, y.hi);
      p.hi = h <= 0 ? x.hi : y.hi;
      p.hi_open = h < 0 ? x.hi_open : (h > 0 ? y.hi_open : (x.hi_open || y.hi_open));
      out.push_back(p);
    }
  return normalize(out);
}

Piece reals() {
  Piece p;
  p.lo.inf = -1;
  p.hi.inf = 1;
  return p;
}

RealSet complement(const RealSet& a) {
  RealSet n = normalize(a);
  RealSet out;
  Bound prev;
  prev.inf = -1;
  bool prev_open = true;
  for (const Piece& p : n) {
    Piece g;
    g.lo = prev;
    g.lo_open = prev_open;
    g.hi = p.lo;
    g.hi_open = !p.lo_open;
    out.push_back(g);
    prev = p.hi;
    prev_open = !p.hi_open;
  }
  Piece last;
  last.lo = prev;
  last.lo_open = prev_open;
  last.hi.inf = 1;
  out.push_back(last);
  return normalize(out);
}

RealSet unite(RealSet a, const RealSet& b) {
  a.insert(a.end(), b.begin(), b.end());
  return normalize(a);
}

Bound finite(const P& e) {
  Bound b;
  if (e->k == K::Inf) {
    b.inf = e->q < 0 ? -1 : 1;
  } else {
    b.e = e;
  }
  return b;
}

bool is_real_constant(const P& e) {
  std::set<std::string> syms;
  free_symbols(e, syms);
  if (!syms.empty() || has_undefined_function(e)) return false;
  return compare_values(e, e).has_value();
}

std::optional<RealSet> to_set(const P& s) {
  tick();
  switch (s->k) {
    case K::Interval: {
      if (!is_real_constant(s->a[0]) || !is_real_constant(s->a[1])) return std::nullopt;
      Piece p;
      p.lo = finite(s->a[0]);
      p.hi = finite(s->a[1]);
      p.lo_open = s->left_open || p.lo.inf;
      p.hi_open = s->right_open || p.hi.inf;
      return normalize({p});
    }
    case K::FSet: {
      RealSet out;
      for (const auto& x : s->a) {
        if (x->k == K::Inf || !is_real_constant(x)) return std::nullopt;
        Piece p;
        p.lo = p.hi = finite(x);
        p.lo_open = p.hi_open = false;
        out.push_back(p);
      }
      return normalize(out);
    }
    case K::EmptySet:
      return RealSet{};
    case K::NamedSet:
      if (s->name == "Reals") return RealSet{reals()};
      return std::nullopt;
    case K::Union:
    case K::Intersect:
    case K::Complement: {
      std::optional<RealSet> acc;
      for (const auto& x : s->a) {
        auto y = to_set(x);
        if (!y) return std::nullopt;
        if (!acc)
          acc = *y;
        else if (s->k == K::Union)
          acc = unite(*acc, *y);
        else if (s->k == K::Intersect)
          acc = intersect(*acc, *y);
        else
          acc = intersect(*acc, complement(*y));
      }
      return acc;
    }
    default:
      return std::nullopt;
  }
}

// ---- one-variable relations ------------------------------------------------------------------

bool contains_symbol(const P& e, const std::string& x) {
  if (e->k == K::Sym) return e->name == x;
  for (const auto& c : e->a)
    if (contains_symbol(c, x)) return true;
  return false;
}

using Poly = std::vector<P>;  // coefficients, constant first

Poly poly_add(const Poly& a, const Poly& b) {
  Poly r(std::max(a.size(), b.size()));
  for (size_t i = 0; i < r.size(); ++i) {
    if (i < a.size() && i < b.size())
      r[i] = add({a[i], b[i]});
    else
      r[i] = i < a.size() ? a[i] : b[i];
  }
  return r;
}

Poly poly_mul(const Poly& a, const Poly& b) {
  Poly r(a.size() + b.size() - 1);
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) {
      P t = mul({a[i], b[j]});
      r[i + j] = r[i + j] ? add({r[i + j], t}) : t;
    }
  return r;
}

std::optional<Poly> poly(const P& e, const std::string& x) {
  tick();
  if (!contains_symbol(e, x)) return Poly{e};
  switch (e->k) {
    case K::Sym:
      return Poly{integer(0), integer(1)};
    case K::Add: {
      Poly acc{integer(0)};
      for (const auto& c : e->a) {
        auto p = poly(c, x);
        if (!p) return std::nullopt;
        acc = poly_add(acc, *p);
      }
      return acc;
    }
    case K::Mul: {
      Poly acc{integer(1)};
      for (const auto& c : e->a) {
        auto p = poly(c, x);
        if (!p) return std::nullopt;
        acc = poly_mul(acc, *p);
        if (acc.size() > 3) return std::nullopt;
      }
      return acc;
    }
    case K::Pow: {
      auto n = exact_value(e->a[1]);
      if (!n || n->get_den() != 1 || *n < 0 || *n > 2) return std::nullopt;
      auto b = poly(e->a[0], x);
      if (!b) return std::nullopt;
      Poly acc{integer(1)};
      for (long i = 0; i < n->get_num().get_si(); ++i) acc = poly_mul(acc, *b);
      return acc;
    }
    default:
      return std::nullopt;
  }
}

int sign_of(const P& e) {
  auto c = compare_values(e, integer(0));
  if (!c) throw Undecidable{};
  return *c;
}

// Simplest exact form of a constant for an endpoint.
P tidy(const P& e) {
  if (auto q = exact_value(e)) return rational(*q);
  return e;
}

Piece make_piece(Bound lo, bool lo_open, Bound hi, bool hi_open) {
  Piece p;
  p.lo = std::move(lo);
  p.hi = std::move(hi);
  p.lo_open = lo_open || p.lo.inf;
  p.hi_open = hi_open || p.hi.inf;
  return p;
}

Bound minus_inf() {
  Bound b;
  b.inf = -1;
  return b;
}
Bound plus_inf() {
  Bound b;
  b.inf = 1;
  return b;
}

// {x : g(x) op 0} where `pos` means g > 0 (strict) or g >= 0, and sign tells which.
// `roots` sorted, `outer_sign` is g's sign beyond the largest root.
RealSet sign_set(const std::vector<P>& roots, const std::vector<int>& signs, RelOp op) {
  // pieces: (-oo, r0), {r0}, (r0, r1), {r1}, ..., (rk, oo) with signs[0..k+1] on the open
  // pieces and 0 at the roots.
  auto want = [&](int s) {
    switch (op) {
      case RelOp::Lt: return s < 0;
      case RelOp::Le: return s <= 0;
      case RelOp::Gt: return s > 0;
      case RelOp::Ge: return s >= 0;
      case RelOp::Eq: return s == 0;
      case RelOp::Ne: return s != 0;
    }
    return false;
  };
  RealSet out;
  Bound prev = minus_inf();
  for (size_t i = 0; i <= roots.size(); ++i) {
    Bound next = i < roots.size() ? Bound{roots[i], 0} : plus_inf();
    if (want(signs[i])) out.push_back(make_piece(prev, true, next, true));
    if (i < roots.size() && want(0)) out.push_back(make_piece(Bound{roots[i], 0}, false, Bound{roots[i], 0}, false));
    prev = next;
  }
  return normalize(out);
}

std::optional<RealSet> solve_poly(const P& g, const std::string& x, RelOp op) {
  auto c = poly(g, x);
  if (!c) return std::nullopt;
  for (const auto& k : *c)
    if (!is_real_constant(k)) return std::nullopt;
  Poly p = *c;
  while (p.size() > 1 && sign_of(p.back()) == 0) p.pop_back();
  if (p.size() == 1) return sign_set({}, {sign_of(p[0])}, op);
  if (p.size() == 2) {
    const P &b = p[0], &a = p[1];
    int sa = sign_of(a);
    P r = tidy(mul({integer(-1), b, power(a, integer(-1))}));
    return sign_set({r}, {-sa, sa}, op);
  }
  const P &cc = p[0], &b = p[1], &a = p[2];
  int sa = sign_of(a);
  P disc = tidy(add({power(b, integer(2)), mul({integer(-4), a, cc})}));
  int sd = sign_of(disc);
  P two_a_inv = power(mul({integer(2), a}), integer(-1));
  if (sd < 0) return sign_set({}, {sa}, op);
  if (sd == 0) {
    P r = tidy(mul({integer(-1), b, two_a_inv}));
    return sign_set({r}, {sa, sa}, op);
  }
  P root = power(disc, rational(mpq_class(1, 2)));
  if (auto q = exact_value(disc)) {
    if (auto rt = exact_value(root)) root = rational(*rt);
  }
  P r1 = tidy(mul({add({mul({integer(-1), b}), mul({integer(-1), root})}), two_a_inv}));
  P r2 = tidy(mul({add({mul({integer(-1), b}), root}), two_a_inv}));
  auto order = compare_values(r1, r2);
  if (!order) return std::nullopt;
  if (*order > 0) std::swap(r1, r2);
  return sign_set({r1, r2}, {sa, -sa, sa}, op);
}

const Expr* find_abs(const P& e, const std::string& x) {
  if (e->k == K::Fn && e->name == "abs" && contains_symbol(e->a[0], x)) return e.get();
  for (const auto& c : e->a)
    if (const Expr* f = find_abs(c, x)) return f;
  return nullptr;
}

std::optional<RealSet> solve(const P& g, const std::string& x, RelOp op, int depth) {
  tick();
  const Expr* abs_node = find_abs(g, x);
  if (!abs_node) return solve_poly(g, x, op);
  if (depth > 3) return std::nullopt;
  // |u| with u linear in x: split the line where u changes sign.
  P target;
  std::function<P(const P&)> locate = [&](const P& e) -> P {
    if (e.get() == abs_node) return e;
    for (const auto& c : e->a)
      if (P f = locate(c)) return f;
    return nullptr;
  };
  target = locate(g);
  P u = target->a[0];
  auto lin = poly(u, x);
  if (!lin || lin->size() != 2 || !is_real_constant((*lin)[0]) || !is_real_constant((*lin)[1])) return std::nullopt;
  int sa = sign_of((*lin)[1]);
  if (sa == 0) return std::nullopt;
  P r = tidy(mul({integer(-1), (*lin)[0], power((*lin)[1], integer(-1))}));
  // x >= r: u >= 0 when u increases (sa > 0).
  RealSet right{make_piece(Bound{r, 0}, false, plus_inf(), true)};
  RealSet left{make_piece(minus_inf(), true, Bound{r, 0}, true)};
  P pos = substitute(g, target, u);
  P neg = substitute(g, target, mul({integer(-1), u}));
  auto on_right = solve(sa > 0 ? pos : neg, x, op, depth + 1);
  auto on_left = solve(sa > 0 ? neg : pos, x, op, depth + 1);
  if (!on_right || !on_left) return std::nullopt;
  return unite(intersect(*on_right, right), intersect(*on_left, left));
}

std::optional<RealSet> relation_to_set(const P& rel, const std::string& x) {
  if (rel->k == K::And) {
    std::optional<RealSet> acc;
    for (const auto& r : rel->a) {
      auto s = relation_to_set(r, x);
      if (!s) return std::nullopt;
      acc = acc ? intersect(*acc, *s) : *s;
    }
    return acc;
  }
  if (rel->k != K::Rel) return std::nullopt;
  P g = add({rel->a[0], mul({integer(-1), rel->a[1]})});
  return solve(g, x, rel->op, 0);
}

}  // namespace

P substitute(const P& e, const P& target, const P& replacement) {
  tick();
  if (same(e, target)) return replacement;
  if (e->a.empty()) return e;
  bool changed = false;
  std::vector<P> args;
  args.reserve(e->a.size());
  for (const auto& c : e->a) {
    args.push_back(substitute(c, target, replacement));
    changed |= args.back() != c;
  }
  if (!changed) return e;
  auto copy = std::make_shared<Expr>(*e);
  copy->a = std::move(args);
  return copy;
}

std::optional<RealSet> to_real_set(const P& set) {
  try {
    return to_set(set);
  } catch (const Undecidable&) {
    return std::nullopt;
  }
}

std::optional<RealSet> relation_set(const P& relation) {
  std::set<std::string> syms;
  free_symbols(relation, syms);
  if (syms.size() != 1 || has_undefined_function(relation)) return std::nullopt;
  try {
    return relation_to_set(relation, *syms.begin());
  } catch (const Undecidable&) {
    return std::nullopt;
  }
}

bool real_sets_equal(const RealSet& a, const RealSet& b) {
  try {
    RealSet x = normalize(a), y = normalize(b);
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].lo_open != y[i].lo_open || x[i].hi_open != y[i].hi_open) return false;
      if (cmp_bound(x[i].lo, y[i].lo) != 0 || cmp_bound(x[i].hi, y[i].hi) != 0) return false;
    }
    return true;
  } catch (const Undecidable&) {
    return false;
  }
}

P real_set_expr(const RealSet& s) try {
  auto bound_expr = [](const Bound& b) { return b.inf ? infinity(b.inf) : tidy(b.e); };
  std::vector<P> parts, points;
  for (const Piece& p : s) {
    bool point = !p.lo.inf && !p.hi.inf && !p.lo_open && !p.hi_open && cmp_bound(p.lo, p.hi) == 0;
    if (point)
      points.push_back(bound_expr(p.lo));
    else if (p.lo.inf < 0 && p.hi.inf > 0)
      parts.push_back(named_set("Reals"));
    else
      parts.push_back(interval(bound_expr(p.lo), bound_expr(p.hi), p.lo_open, p.hi_open));
  }
  if (!points.empty()) parts.push_back(finite_set(points));
  if (parts.empty()) return empty_set();
  if (parts.size() == 1) return parts[0];
  return set_op(K::Union, parts);
} catch (const Undecidable&) {
  return empty_set();
}

}  // namespace reason::math::detail
