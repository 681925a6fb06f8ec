#include "math/compare.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "math/budget.h"
#include "math/evaluate.h"
#include "math/real_set.h"

namespace reason::math::detail {
namespace {

using Opts = VerifyOptions;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

P diff(const P& a, const P& b) { return add({a, mul({integer(-1), b})}); }

const P& first_relation(const P& e) { return e->k == K::And ? e->a.front() : e; }
const P& last_relation(const P& e) { return e->k == K::And ? last_relation(e->a.back()) : e; }

bool is_assignment(const P& e) {
  if (e->k == K::Rel) return e->op == RelOp::Eq && is_only_symbols(e->a[0]);
  if (e->k == K::And && !e->a.empty())
    return is_equation(e) && is_only_symbols(e->a[0]->a[0]);
  return false;
}

bool atomic(const P& e, bool floats_only) {
  auto is = [&](const P& x) { return floats_only ? x->k == K::Float : is_number(x); };
  if (is(e)) return true;
  return e->k == K::Mul && e->pct && is(e->a[0]);
}

// f(x) -> the symbol "f_x", so that a relation in f(x) has a solution set.
P unwrap_functions(const P& e) {
  if (e->k == K::UFn) {
    std::string name = e->name;
    for (const auto& a : e->a) name += "_" + to_string(unwrap_functions(a));
    return symbol(name);
  }
  if (e->a.empty()) return e;
  auto copy = std::make_shared<Expr>(*e);
  for (auto& a : copy->a) a = unwrap_functions(a);
  return copy;
}

P rename_symbols(const P& e, const std::map<std::string, std::string>& names) {
  if (e->k == K::Sym) {
    auto it = names.find(e->name);
    return it == names.end() ? e : symbol(it->second);
  }
  if (e->a.empty()) return e;
  auto copy = std::make_shared<Expr>(*e);
  for (auto& a : copy->a) a = rename_symbols(a, names);
  return copy;
}

// Deterministic sample points for expressions with variables: positive values first, then
// mixed signs (so that sqrt(x^2) and x differ, as they do for sympy's real symbols).
Env sample_point(const std::set<std::string>& syms, int i) {
  Env env;
  uint64_t h = 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(i + 1);
  for (const auto& s : syms) {
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    long k = 311 + static_cast<long>(h % 2689);  // value k / 997 in (0.31, 3.0)
    if (i >= 4 && ((h >> 17) & 1)) k = -k;
    env[s] = mpq_class(k, 997);
  }
  return env;
}

// sympy's numeric/symbolic equality of two expressions without relations or sets.
bool values_equal(const P& a, const P& b) {
  std::set<std::string> syms;
  free_symbols(a, syms);
  free_symbols(b, syms);
  if (syms.empty()) {
    auto ea = exact_value(a), eb = exact_value(b);
    if (ea && eb) return *ea == *eb;
    auto s = numeric_sign(a, b, Env{});
    return s && *s == 0;
  }
  int agree = 0;
  for (int i = 0; i < 10; ++i) {
    auto s = numeric_sign(a, b, sample_point(syms, i));
    if (!s) continue;
    if (*s != 0) return false;
    if (++agree >= 4) return true;
  }
  return agree >= 2;
}

// h = c * k for a constant c != 0 (c > 0 when `positive`): the same equation/inequality.
bool proportional(const P& h, const P& k, bool positive) {
  std::set<std::string> syms;
  free_symbols(h, syms);
  free_symbols(k, syms);
  if (syms.empty()) return false;
  const mpfr_prec_t prec = 320;
  std::optional<Real> ratio;
  int agree = 0;
  for (int i = 0; i < 10; ++i) {
    Env env = sample_point(syms, i);
    Real vh(prec), vk(prec);
    if (!numeric_value(h, env, prec, vh).ok || !numeric_value(k, env, prec, vk).ok) continue;
    if (!vh.finite() || !vk.finite() || mpfr_zero_p(vk.get())) continue;
    Real r(prec);
    mpfr_div(r.get(), vh.get(), vk.get(), MPFR_RNDN);
    if (!ratio) {
      if (mpfr_zero_p(r.get()) || (positive && mpfr_sgn(r.get()) < 0)) return false;
      ratio = r;
      ++agree;
      continue;
    }
    Real d(prec);
    mpfr_sub(d.get(), r.get(), ratio->get(), MPFR_RNDN);
    long scale = std::max(0L, static_cast<long>(mpfr_get_exp(ratio->get())));
    if (!mpfr_zero_p(d.get()) && static_cast<long>(mpfr_get_exp(d.get())) > scale - 200) return false;
    if (++agree >= 4) return true;
  }
  return agree >= 2;
}

// An explicit matrix for matrix arithmetic (sums, products, scalar multiples), or null.
P materialize(const P& e) {
  tick();
  if (e->k == K::Matrix) return e;
  if (!has_matrix(e)) return nullptr;
  if (e->k == K::Add) {
    P acc;
    for (const auto& t : e->a) {
      P m = materialize(t);
      if (!m) return nullptr;
      if (!acc) {
        acc = m;
        continue;
      }
      if (m->rows != acc->rows || m->cols != acc->cols) return nullptr;
      std::vector<P> el;
      for (size_t i = 0; i < m->a.size(); ++i) el.push_back(add({acc->a[i], m->a[i]}));
      acc = matrix(m->rows, m->cols, el);
    }
    return acc;
  }
  if (e->k == K::Mul) {
    std::vector<P> scalars;
    P acc;
    for (const auto& t : e->a) {
      if (!has_matrix(t)) {
        scalars.push_back(t);
        continue;
      }
      P m = materialize(t);
      if (!m) return nullptr;
      if (!acc) {
        acc = m;
        continue;
      }
      if (acc->cols != m->rows) return nullptr;
      std::vector<P> el;
      for (int r = 0; r < acc->rows; ++r)
        for (int c = 0; c < m->cols; ++c) {
          std::vector<P> terms;
          for (int k = 0; k < acc->cols; ++k)
            terms.push_back(mul({acc->a[static_cast<size_t>(r * acc->cols + k)], m->a[static_cast<size_t>(k * m->cols + c)]}));
          el.push_back(add(terms));
        }
      acc = matrix(acc->rows, m->cols, el);
    }
    if (!acc) return nullptr;
    if (scalars.empty()) return acc;
    std::vector<P> el;
    for (const auto& x : acc->a) {
      std::vector<P> f = scalars;
      f.push_back(x);
      el.push_back(mul(f));
    }
    return matrix(acc->rows, acc->cols, el);
  }
  return nullptr;
}

bool scalar_equal(const P& a, const P& b, const Opts& o);

bool matrices_equal(const P& a, const P& b, const Opts& o) {
  P ma = materialize(a), mb = materialize(b);
  if (!ma || !mb || ma->rows != mb->rows || ma->cols != mb->cols) return false;
  for (size_t i = 0; i < ma->a.size(); ++i)
    if (!scalar_equal(ma->a[i], mb->a[i], o)) return false;
  return true;
}

bool is_arith(const P& e) {
  // Everything that is neither a set nor a truth value nor a tuple is a number-valued expression.
  return !is_set(e) && e->k != K::Rel && e->k != K::And && e->k != K::Not && e->k != K::Tuple;
}

// sympy_numeric_eq, then sympy_symbolic_eq.
bool scalar_equal(const P& a, const P& b, const Opts& o) {
  tick();
  if (!is_arith(a) || !is_arith(b)) return false;
  if (has_matrix(a) || has_matrix(b)) return matrices_equal(a, b, o);
  if ((atomic(a, false) || atomic(b, false)) && (atomic(a, true) || atomic(b, true))) {
    // One side is a float: equal when both round to the same `float_rounding` decimals.
    auto ra = rounded_value(a, o.float_rounding), rb = rounded_value(b, o.float_rounding);
    if (ra && rb && *ra == *rb) return true;
  }
  return values_equal(a, b);
}

bool expr_eq(P gold, P pred, const Opts& o);

// Elementwise comparison of finite sets / tuples of the same size: a set matches in any order
// (Math-Verify sorts both sides), a tuple against a tuple in order, a tuple gold against a set
// prediction in the order the prediction was written.
bool compare_elements(const P& gold, const P& pred, const Opts& o) {
  if (gold->a.size() != pred->a.size()) return false;
  if (gold->k == K::FSet) {
    std::vector<bool> used(pred->a.size(), false);
    for (const auto& g : gold->a) {
      bool found = false;
      for (size_t j = 0; j < pred->a.size(); ++j) {
        if (used[j]) continue;
        if (expr_eq(g, pred->a[j], o)) {
          used[j] = true;
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  for (size_t i = 0; i < gold->a.size(); ++i)
    if (!expr_eq(gold->a[i], pred->a[i], o)) return false;
  return true;
}

bool compare_sets(const P& gold, const P& pred, const Opts& o) {
  P a = (is_set(gold) || gold->k == K::Tuple) ? gold : finite_set({gold});
  P b = (is_set(pred) || pred->k == K::Tuple) ? pred : finite_set({pred});
  if (a->k == K::Interval && b->k == K::Interval)
    return a->left_open == b->left_open && a->right_open == b->right_open && expr_eq(a->a[0], b->a[0], o) &&
           expr_eq(a->a[1], b->a[1], o);
  if (same(a, b)) return true;
  if (is_set(a) && is_set(b)) {
    auto sa = to_real_set(a), sb = to_real_set(b);
    if (sa && sb && real_sets_equal(*sa, *sb)) return true;
  }
  bool a_list = a->k == K::FSet || a->k == K::Tuple, b_list = b->k == K::FSet || b->k == K::Tuple;
  if (a_list && b_list) return compare_elements(a, b, o);
  // "(1,2)" reads as an open interval but may have meant the pair.
  if (a->k == K::Interval && a->left_open && a->right_open && b_list && b->a.size() == 2)
    return compare_elements(tuple({a->a[0], a->a[1]}), b, o);
  if (b->k == K::Interval && b->left_open && b->right_open && a_list && a->a.size() == 2)
    return compare_elements(a, tuple({b->a[0], b->a[1]}), o);
  return false;
}

RelOp inverse(RelOp op) {
  switch (op) {
    case RelOp::Lt: return RelOp::Gt;
    case RelOp::Gt: return RelOp::Lt;
    case RelOp::Le: return RelOp::Ge;
    case RelOp::Ge: return RelOp::Le;
    default: return op;
  }
}

// The relation as "expr > 0" or "expr >= 0".
P positive_side(const P& r) {
  return (r->op == RelOp::Lt || r->op == RelOp::Le) ? diff(r->a[1], r->a[0]) : diff(r->a[0], r->a[1]);
}

bool compare_relations(const P& gold, const P& pred, const Opts& o) {
  if (gold->k == K::And && pred->k == K::And) {
    if (gold->a.size() != pred->a.size()) return false;
    for (size_t i = 0; i < gold->a.size(); ++i)
      if (!compare_relations(gold->a[i], pred->a[i], o)) return false;
    return true;
  }
  if (gold->k != K::Rel || pred->k != K::Rel) return false;
  if (gold->op == pred->op && expr_eq(diff(gold->a[0], gold->a[1]), diff(pred->a[0], pred->a[1]), o)) return true;
  if (gold->op == RelOp::Ne) return false;  // Math-Verify has no inverse for != and gives up here
  if (inverse(gold->op) == pred->op && expr_eq(diff(gold->a[0], gold->a[1]), diff(pred->a[1], pred->a[0]), o))
    return true;
  // Equivalent by solving: the same solution set (one variable) or proportional sides.
  auto sg = relation_set(gold), sp = relation_set(pred);
  if (sg && sp) return real_sets_equal(*sg, *sp);
  bool eq_g = gold->op == RelOp::Eq, eq_p = pred->op == RelOp::Eq;
  if (eq_g && eq_p) return proportional(diff(gold->a[0], gold->a[1]), diff(pred->a[0], pred->a[1]), false);
  if (eq_g || eq_p || pred->op == RelOp::Ne) return false;
  bool strict_g = gold->op == RelOp::Lt || gold->op == RelOp::Gt;
  bool strict_p = pred->op == RelOp::Lt || pred->op == RelOp::Gt;
  return strict_g == strict_p && proportional(positive_side(gold), positive_side(pred), true);
}

bool compare_symbols(const P& gold, const P& pred) {
  auto is_e_symbol = [](const P& x) { return x->k == K::Sym && lower(x->name) == "e"; };
  if ((is_e_symbol(gold) && pred->k == K::E) || (is_e_symbol(pred) && gold->k == K::E)) return true;
  auto concat = [](const P& m, std::string& out) {
    if (m->k != K::Mul || m->pct) return false;
    for (const auto& x : m->a) {
      if (x->k == K::Sym)
        out += x->name;
      else if (x->k == K::E)
        out += "e";
      else
        return false;
    }
    return true;
  };
  std::string joined;
  if (gold->k == K::Sym && concat(pred, joined)) return lower(gold->name) == lower(joined);
  if (pred->k == K::Sym && concat(gold, joined)) return lower(pred->name) == lower(joined);
  if (gold->k == K::Sym && pred->k == K::Sym) {
    std::string g = gold->name, p = pred->name;
    if (g.size() > 1) g = lower(g);
    if (p.size() > 1) p = lower(p);
    return g == p;
  }
  return to_string(gold) == to_string(pred);
}

bool expr_eq(P gold, P pred, const Opts& o) {
  tick();
  if (!o.strict) {
    // f(x) == f(y): rename the prediction's variables to the gold's, in name order.
    std::set<std::string> gs, ps;
    free_symbols(gold, gs);
    free_symbols(pred, ps);
    if (gs.size() == ps.size() && !gs.empty()) {
      std::map<std::string, std::string> names;
      auto g = gs.begin();
      for (const auto& p : ps) names[p] = *g++;
      pred = rename_symbols(pred, names);
    }
  }
  bool gold_assign = is_assignment(gold), pred_assign = is_assignment(pred);
  bool gold_eq = is_equation(gold), pred_eq = is_equation(pred);
  // x = 5+5+1 = 11 is x = 11.
  if (gold_assign) gold = relation(RelOp::Eq, first_relation(gold)->a[0], last_relation(gold)->a[1]);
  if (pred_assign) pred = relation(RelOp::Eq, first_relation(pred)->a[0], last_relation(pred)->a[1]);
  // The gold's form decides: "x = 1" against "1" compares 1 with 1, but "2x + z = 1" stays.
  if (pred_eq && !gold_eq)
    pred = last_relation(pred)->a[1];
  else if (gold_assign && !pred_eq)
    gold = last_relation(gold)->a[1];
  // A gold inequality against a predicted set compares solution sets; the reverse only when
  // allowed (a model that echoes the inequality is not rewarded).
  if (is_relation(gold) && is_set(pred))
    if (auto s = relation_set(unwrap_functions(gold))) gold = real_set_expr(*s);
  if (o.allow_set_relation_comp && is_relation(pred) && is_set(gold))
    if (auto s = relation_set(unwrap_functions(pred))) pred = real_set_expr(*s);
  if (gold->k == K::NaN || gold->k == K::ComplexInf) return false;  // sympy cannot compare nan/zoo
  if (same(gold, pred)) return true;
  if (is_relation(gold) && is_relation(pred)) return compare_relations(gold, pred, o);
  if (is_set(gold) || gold->k == K::Tuple || is_set(pred) || pred->k == K::Tuple) return compare_sets(gold, pred, o);
  if (gold->k == K::Sym || pred->k == K::Sym) return compare_symbols(gold, pred);
  return scalar_equal(gold, pred, o);
}

}  // namespace

bool expr_equal(const P& gold, const P& pred, const VerifyOptions& options) { return expr_eq(gold, pred, options); }

}  // namespace reason::math::detail
