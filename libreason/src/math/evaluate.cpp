#include "math/evaluate.h"

#include <cstring>
#include <functional>

#include "math/budget.h"

namespace reason::math::detail {
namespace {

constexpr long kMaxSumTerms = 10000;

std::optional<long> small_int(const std::optional<mpq_class>& q, long limit) {
  if (!q || q->get_den() != 1) return std::nullopt;
  const mpz_class& n = q->get_num();
  if (!n.fits_slong_p() || n.get_si() > limit || n.get_si() < -limit) return std::nullopt;
  return n.get_si();
}

// Exact q-th root of a non-negative integer, if it is one.
std::optional<mpz_class> exact_root(const mpz_class& z, unsigned long q) {
  mpz_class r;
  if (mpz_root(r.get_mpz_t(), z.get_mpz_t(), q) == 0) return std::nullopt;
  return r;
}

struct Exact {
  const Env* env;

  std::optional<mpq_class> operator()(const P& e) {
    tick();
    switch (e->k) {
      case K::Int:
      case K::Rat:
      case K::Float:
        return e->q;
      case K::Sym: {
        if (env) {
          auto it = env->find(e->name);
          if (it != env->end()) return it->second;
        }
        return std::nullopt;
      }
      case K::Add: {
        mpq_class s = 0;
        for (const auto& x : e->a) {
          auto v = (*this)(x);
          if (!v) return std::nullopt;
          s += *v;
        }
        return s;
      }
      case K::Mul: {
        mpq_class s = 1;
        for (const auto& x : e->a) {
          auto v = (*this)(x);
          if (!v) return std::nullopt;
          s *= *v;
        }
        return s;
      }
      case K::Pow:
        return pow(e);
      case K::Fn:
        return function(e);
      case K::Opaque:
        return series(e);
      default:
        return std::nullopt;
    }
  }

  std::optional<mpq_class> pow(const P& e) {
    auto b = (*this)(e->a[0]);
    if (!b) return std::nullopt;
    auto x = (*this)(e->a[1]);
    if (!x) return std::nullopt;
    const mpz_class& xn = x->get_num();
    const mpz_class& xd = x->get_den();
    if (!xn.fits_slong_p() || !xd.fits_ulong_p()) return std::nullopt;
    long n = xn.get_si();
    unsigned long d = xd.get_ui();
    if (*b == 0) {
      if (n < 0) return std::nullopt;  // 1/0
      return n == 0 ? mpq_class(1) : mpq_class(0);
    }
    size_t bits = bit_length(b->get_num()) + bit_length(b->get_den());
    if (static_cast<double>(bits) * static_cast<double>(n < 0 ? -n : n) / static_cast<double>(d) >
        static_cast<double>(kMaxExactBits))
      return std::nullopt;
    mpz_class num = b->get_num(), den = b->get_den();
    if (d != 1) {
      if (num < 0 || d > 64) return std::nullopt;  // negative base: complex principal root
      auto rn = exact_root(num, d), rd = exact_root(den, d);
      if (!rn || !rd) return std::nullopt;
      num = *rn;
      den = *rd;
    }
    unsigned long m = static_cast<unsigned long>(n < 0 ? -n : n);
    mpz_class pn, pd;
    mpz_pow_ui(pn.get_mpz_t(), num.get_mpz_t(), m);
    mpz_pow_ui(pd.get_mpz_t(), den.get_mpz_t(), m);
    mpq_class r = n < 0 ? mpq_class(pd, pn) : mpq_class(pn, pd);
    r.canonicalize();
    return r;
  }

  std::optional<mpq_class> function(const P& e) {
    const std::string& f = e->name;
    std::vector<mpq_class> v;
    for (const auto& x : e->a) {
      auto y = (*this)(x);
      if (!y) return std::nullopt;
      v.push_back(*y);
    }
    auto floor_q = [](const mpq_class& q) {
      mpz_class r;
      mpz_fdiv_q(r.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
      return r;
    };
    if (f == "abs") return abs(v[0]);
    if (f == "floor") return mpq_class(floor_q(v[0]));
    if (f == "ceiling") return mpq_class(-floor_q(-v[0]));
    if (f == "Mod") {
      if (v[1] == 0) return std::nullopt;
      return v[0] - v[1] * mpq_class(floor_q(v[0] / v[1]));
    }
    if (f == "max" || f == "min") {
      mpq_class r = v[0];
      for (const auto& y : v) r = (f == "max") ? (y > r ? y : r) : (y < r ? y : r);
      return r;
    }
    if (f == "factorial" || f == "gamma") {
      auto n = small_int(v[0], kMaxFactorial);
      if (!n) return std::nullopt;
      long k = f == "gamma" ? *n - 1 : *n;
      if (k < 0) return std::nullopt;
      mpz_class r;
      mpz_fac_ui(r.get_mpz_t(), static_cast<unsigned long>(k));
      return mpq_class(r);
    }
    if (f == "binomial") {
      auto n = small_int(v[0], 100000), k = small_int(v[1], 100000);
      if (!n || !k) return std::nullopt;
      if (*k < 0) return mpq_class(0);
      mpz_class r;
      mpz_bin_ui(r.get_mpz_t(), mpz_class(*n).get_mpz_t(), static_cast<unsigned long>(*k));
      return mpq_class(r);
    }
    if (f == "gcd" || f == "lcm") {
      mpz_class r = f == "gcd" ? 0 : 1;
      for (const auto& y : v) {
        if (y.get_den() != 1) return std::nullopt;
        if (f == "gcd")
          mpz_gcd(r.get_mpz_t(), r.get_mpz_t(), y.get_num_mpz_t());
        else
          mpz_lcm(r.get_mpz_t(), r.get_mpz_t(), y.get_num_mpz_t());
      }
      return mpq_class(r);
    }
    return std::nullopt;
  }

  std::optional<mpq_class> series(const P& e) {
    if (e->name != "Sum" && e->name != "Product") return std::nullopt;
    if (e->a[1]->k != K::Sym) return std::nullopt;
    auto lo = small_int((*this)(e->a[2]), 1L << 40), hi = small_int((*this)(e->a[3]), 1L << 40);
    if (!lo || !hi || *hi - *lo > kMaxSumTerms) return std::nullopt;
    Env inner = env ? *env : Env{};
    Exact sub{&inner};
    mpq_class acc = e->name == "Sum" ? 0 : 1;
    for (long i = *lo; i <= *hi; ++i) {
      inner[e->a[1]->name] = i;
      auto v = sub(e->a[0]);
      if (!v) return std::nullopt;
      if (e->name == "Sum")
        acc += *v;
      else
        acc *= *v;
    }
    return acc;
  }
};

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t hash_text(const std::string& s, uint64_t h) {
  for (char c : s) h = splitmix(h ^ static_cast<unsigned char>(c));
  return h;
}

struct Numeric {
  const Env& env;
  mpfr_prec_t prec;
  long max_exp = 0;

  void note(const Real& r) {
    if (mpfr_regular_p(r.get())) max_exp = std::max(max_exp, static_cast<long>(mpfr_get_exp(r.get())));
  }

  // false: not a real number here.
  bool eval(const P& e, Real& out) {
    tick();
    mpfr_ptr o = out.get();
    switch (e->k) {
      case K::Int:
      case K::Rat:
      case K::Float:
        mpfr_set_q(o, e->q.get_mpq_t(), MPFR_RNDN);
        break;
      case K::Inf:
        mpfr_set_inf(o, e->q < 0 ? -1 : 1);
        return true;
      case K::Sym: {
        auto it = env.find(e->name);
        if (it == env.end()) return false;
        mpfr_set_q(o, it->second.get_mpq_t(), MPFR_RNDN);
        break;
      }
      case K::Pi:
        mpfr_const_pi(o, MPFR_RNDN);
        break;
      case K::E:
        mpfr_set_ui(o, 1, MPFR_RNDN);
        mpfr_exp(o, o, MPFR_RNDN);
        break;
      case K::EulerGamma:
        mpfr_const_euler(o, MPFR_RNDN);
        break;
      case K::Add: {
        mpfr_set_zero(o, 1);
        Real t(prec);
        for (const auto& x : e->a) {
          if (!eval(x, t)) return false;
          mpfr_add(o, o, t.get(), MPFR_RNDN);
          note(t);
        }
        break;
      }
      case K::Mul: {
        mpfr_set_ui(o, 1, MPFR_RNDN);
        Real t(prec);
        for (const auto& x : e->a) {
          if (!eval(x, t)) return false;
          mpfr_mul(o, o, t.get(), MPFR_RNDN);
          note(t);
        }
        break;
      }
      case K::Pow:
        if (!pow(e, out)) return false;
        break;
      case K::Fn:
        if (!function(e, out)) return false;
        break;
      case K::UFn: {
        // A fixed pseudo-random function of the argument values: f(x) and f(y) differ, f(2x)
        // and f(x+x) agree.
        uint64_t h = hash_text(e->name, 0x1234567ull);
        Real t(prec);
        for (const auto& x : e->a) {
          if (!eval(x, t)) return false;
          char buf[64];
          mpfr_snprintf(buf, sizeof buf, "%.25Rg", t.get());
          h = hash_text(buf, h);
        }
        double u = static_cast<double>(splitmix(h) >> 11) / 9007199254740992.0;
        mpfr_set_d(o, 0.5 + 2.0 * u, MPFR_RNDN);
        break;
      }
      case K::Opaque: {
        if (e->name != "Sum" && e->name != "Product") return false;
        if (e->a[1]->k != K::Sym) return false;
        auto lo = small_int(Exact{&env}(e->a[2]), 1L << 40), hi = small_int(Exact{&env}(e->a[3]), 1L << 40);
        if (!lo || !hi || *hi - *lo > kMaxSumTerms) return false;
        Env inner = env;
        Numeric sub{inner, prec};
        bool sum = e->name == "Sum";
        mpfr_set_ui(o, sum ? 0 : 1, MPFR_RNDN);
        Real t(prec);
        for (long i = *lo; i <= *hi; ++i) {
          inner[e->a[1]->name] = i;
          if (!sub.eval(e->a[0], t)) return false;
          if (sum)
            mpfr_add(o, o, t.get(), MPFR_RNDN);
          else
            mpfr_mul(o, o, t.get(), MPFR_RNDN);
        }
        max_exp = std::max(max_exp, sub.max_exp);
        break;
      }
      default:
        return false;
    }
    if (mpfr_nan_p(o)) return false;
    note(out);
    return true;
  }

  bool pow(const P& e, Real& out) {
    mpfr_ptr o = out.get();
    Real b(prec);
    if (!eval(e->a[0], b)) return false;
    auto ex = Exact{&env}(e->a[1]);
    if (ex && ex->get_den() == 1) {
      mpfr_pow_z(o, b.get(), ex->get_num_mpz_t(), MPFR_RNDN);
      return !mpfr_nan_p(o);
    }
    Real x(prec);
    if (!eval(e->a[1], x)) return false;
    if (mpfr_sgn(b.get()) < 0) return false;  // sympy's principal root of a negative base is complex
    mpfr_pow(o, b.get(), x.get(), MPFR_RNDN);
    return !mpfr_nan_p(o);
  }

  bool function(const P& e, Real& out) {
    mpfr_ptr o = out.get();
    const std::string& f = e->name;
    if (f == "gcd" || f == "lcm") {
      auto v = Exact{&env}(e);
      if (!v) return false;
      mpfr_set_q(o, v->get_mpq_t(), MPFR_RNDN);
      return true;
    }
    std::vector<Real> v;
    v.reserve(e->a.size());
    for (const auto& x : e->a) {
      v.emplace_back(prec);
      if (!eval(x, v.back())) return false;
    }
    mpfr_srcptr x = v[0].get();
    using F1 = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
    static const std::pair<const char*, F1> unary[] = {
        {"sin", mpfr_sin},     {"cos", mpfr_cos},     {"tan", mpfr_tan},     {"csc", mpfr_csc},
        {"sec", mpfr_sec},     {"cot", mpfr_cot},     {"asin", mpfr_asin},   {"acos", mpfr_acos},
        {"atan", mpfr_atan},   {"sinh", mpfr_sinh},   {"cosh", mpfr_cosh},   {"tanh", mpfr_tanh},
        {"asinh", mpfr_asinh}, {"acosh", mpfr_acosh}, {"atanh", mpfr_atanh}, {"exp", mpfr_exp},
        {"abs", mpfr_abs},     {"gamma", mpfr_gamma},
    };
    for (const auto& [name, fn1] : unary)
      if (f == name) {
        fn1(o, x, MPFR_RNDN);
        return !mpfr_nan_p(o);
      }
    if (f == "acsc" || f == "asec" || f == "acot") {
      Real inv(prec);
      mpfr_ui_div(inv.get(), 1, x, MPFR_RNDN);
      if (f == "acsc") mpfr_asin(o, inv.get(), MPFR_RNDN);
      if (f == "asec") mpfr_acos(o, inv.get(), MPFR_RNDN);
      if (f == "acot") mpfr_atan(o, inv.get(), MPFR_RNDN);
      return !mpfr_nan_p(o);
    }
    if (f == "log") {
      if (mpfr_sgn(x) <= 0) return false;
      Real lb(prec);
      mpfr_log(o, x, MPFR_RNDN);
      if (mpfr_sgn(v[1].get()) <= 0) return false;
      mpfr_log(lb.get(), v[1].get(), MPFR_RNDN);
      if (mpfr_zero_p(lb.get())) return false;
      mpfr_div(o, o, lb.get(), MPFR_RNDN);
      return !mpfr_nan_p(o);
    }
    if (f == "floor") return mpfr_floor(o, x), true;
    if (f == "ceiling") return mpfr_ceil(o, x), true;
    if (f == "factorial" || f == "binomial") {
      if (auto exact = Exact{&env}(e)) {
        mpfr_set_q(o, exact->get_mpq_t(), MPFR_RNDN);
        return true;
      }
      if (f == "factorial") {
        mpfr_add_ui(o, x, 1, MPFR_RNDN);
        mpfr_gamma(o, o, MPFR_RNDN);
        return !mpfr_nan_p(o);
      }
      // C(n, k) = Gamma(n+1) / (Gamma(k+1) Gamma(n-k+1))
      Real a(prec), b(prec), c(prec);
      mpfr_add_ui(a.get(), x, 1, MPFR_RNDN);
      mpfr_gamma(a.get(), a.get(), MPFR_RNDN);
      mpfr_add_ui(b.get(), v[1].get(), 1, MPFR_RNDN);
      mpfr_gamma(b.get(), b.get(), MPFR_RNDN);
      mpfr_sub(c.get(), x, v[1].get(), MPFR_RNDN);
      mpfr_add_ui(c.get(), c.get(), 1, MPFR_RNDN);
      mpfr_gamma(c.get(), c.get(), MPFR_RNDN);
      mpfr_mul(b.get(), b.get(), c.get(), MPFR_RNDN);
      mpfr_div(o, a.get(), b.get(), MPFR_RNDN);
      return !mpfr_nan_p(o);
    }
    if (f == "max" || f == "min") {
      mpfr_set(o, x, MPFR_RNDN);
      for (const auto& y : v) {
        if (f == "max")
          mpfr_max(o, o, y.get(), MPFR_RNDN);
        else
          mpfr_min(o, o, y.get(), MPFR_RNDN);
      }
      return true;
    }
    if (f == "Mod") {
      if (mpfr_zero_p(v[1].get())) return false;
      Real t(prec);
      mpfr_div(t.get(), x, v[1].get(), MPFR_RNDN);
      mpfr_floor(t.get(), t.get());
      mpfr_mul(t.get(), t.get(), v[1].get(), MPFR_RNDN);
      mpfr_sub(o, x, t.get(), MPFR_RNDN);
      return true;
    }
    return false;
  }
};

}  // namespace

std::optional<mpq_class> exact_value(const P& e) { return Exact{nullptr}(e); }

NumericResult numeric_value(const P& e, const Env& env, mpfr_prec_t prec, Real& out) {
  mpfr_set_prec(out.get(), prec);
  Numeric n{env, prec};
  NumericResult r;
  // Overflow (10^{10^{10}}) and division by zero must not pass for an infinite value: only
  // an explicit \infty is infinite.
  mpfr_clear_flags();
  r.ok = n.eval(e, out) && !mpfr_overflow_p() && !mpfr_divby0_p() && !mpfr_nanflag_p();
  r.max_exp = n.max_exp;
  return r;
}

void free_symbols(const P& e, std::set<std::string>& out) {
  if (e->k == K::Sym) {
    out.insert(e->name);
    return;
  }
  if (e->k == K::Opaque && (e->name == "Sum" || e->name == "Product") && e->a[1]->k == K::Sym) {
    std::set<std::string> body;
    free_symbols(e->a[0], body);
    body.erase(e->a[1]->name);
    out.insert(body.begin(), body.end());
    free_symbols(e->a[2], out);
    free_symbols(e->a[3], out);
    return;
  }
  for (const auto& x : e->a) free_symbols(x, out);
}

bool has_undefined_function(const P& e) {
  if (e->k == K::UFn) return true;
  for (const auto& x : e->a)
    if (has_undefined_function(x)) return true;
  return false;
}

std::optional<int> numeric_sign(const P& a, const P& b, const Env& env) {
  mpfr_prec_t prec = 256;
  bool confirming = false;
  for (int round = 0; round < 6; ++round) {
    Real va(prec), vb(prec);
    auto ra = numeric_value(a, env, prec, va), rb = numeric_value(b, env, prec, vb);
    if (!ra.ok || !rb.ok) return std::nullopt;
    if (mpfr_inf_p(va.get()) || mpfr_inf_p(vb.get())) {
      if (mpfr_inf_p(va.get()) && mpfr_inf_p(vb.get()) && mpfr_sgn(va.get()) == mpfr_sgn(vb.get())) return 0;
      return mpfr_cmp(va.get(), vb.get()) < 0 ? -1 : 1;
    }
    // Rounding noise is relative to the largest magnitude met (cancellation); the working
    // precision follows it so that 2^{2019} - 2020 and 2^{2019} - 2021 differ.
    long e = std::max({ra.max_exp, rb.max_exp, 0L});
    mpfr_prec_t need = static_cast<mpfr_prec_t>(e) + 192;
    if (need > kMaxPrecision) return std::nullopt;
    if (need > prec) {
      prec = need;
      continue;
    }
    Real d(prec);
    mpfr_sub(d.get(), va.get(), vb.get(), MPFR_RNDN);
    long noise = e - static_cast<long>(prec) + 48;
    bool tiny = mpfr_zero_p(d.get()) || static_cast<long>(mpfr_get_exp(d.get())) < noise;
    if (!tiny) return mpfr_sgn(d.get()) < 0 ? -1 : 1;
    if (confirming || prec * 2 > kMaxPrecision) return 0;
    // A zero difference must stay at noise level when the precision doubles; a tiny true
    // difference (1e-100) does not.
    prec *= 2;
    confirming = true;
  }
  return std::nullopt;
}

std::optional<int> compare_values(const P& a, const P& b) {
  auto ea = exact_value(a), eb = exact_value(b);
  if (ea && eb) return cmp(*ea, *eb) < 0 ? -1 : (cmp(*ea, *eb) > 0 ? 1 : 0);
  std::set<std::string> syms;
  free_symbols(a, syms);
  free_symbols(b, syms);
  if (!syms.empty()) return std::nullopt;
  return numeric_sign(a, b, Env{});
}

std::optional<mpq_class> rounded_value(const P& e, int digits) {
  if (auto ex = exact_value(e)) return round_half_even(*ex, digits);
  std::set<std::string> syms;
  free_symbols(e, syms);
  if (!syms.empty()) return std::nullopt;
  Env env;
  mpfr_prec_t prec = 256;
  Real v(prec);
  auto r = numeric_value(e, env, prec, v);
  if (!r.ok || !v.finite()) return std::nullopt;
  if (r.max_exp + 192 > prec) {
    if (r.max_exp + 192 > kMaxPrecision) return std::nullopt;
    prec = static_cast<mpfr_prec_t>(r.max_exp) + 192;
    r = numeric_value(e, env, prec, v);
    if (!r.ok || !v.finite()) return std::nullopt;
  }
  return round_half_even(v.to_rational(), digits);
}

}  // namespace reason::math::detail
