#pragma once
// Exact rationals (GMP) and arbitrary-precision reals (MPFR) for the grader. Nothing here is
// visible outside libreason/src/math.
#include <gmpxx.h>
#include <mpfr.h>

#include <optional>
#include <string>
#include <string_view>

namespace reason::math::detail {

// "12", "-0.50", ".5", "1.5E3", "2e-3" → exact value; nullopt if not a plain decimal.
std::optional<mpq_class> parse_decimal(std::string_view s);

// Round to `digits` decimal places, ties to even (what sympy's round() does).
mpq_class round_half_even(const mpq_class& q, int digits);

// Decimal text of a rational with at most `digits` fractional digits (for printing floats).
std::string decimal_string(const mpq_class& q, int digits = 15);

// Bits of |z| (0 for 0).
inline size_t bit_length(const mpz_class& z) { return z == 0 ? 0 : mpz_sizeinbase(z.get_mpz_t(), 2); }

// An MPFR number that frees itself.
class Real {
 public:
  explicit Real(mpfr_prec_t prec) { mpfr_init2(v_, prec); }
  Real(const Real& o) {
    mpfr_init2(v_, mpfr_get_prec(o.v_));
    mpfr_set(v_, o.v_, MPFR_RNDN);
  }
  Real& operator=(const Real& o) {
    if (this != &o) {
      mpfr_set_prec(v_, mpfr_get_prec(o.v_));
      mpfr_set(v_, o.v_, MPFR_RNDN);
    }
    return *this;
  }
  ~Real() { mpfr_clear(v_); }
  mpfr_ptr get() { return v_; }
  mpfr_srcptr get() const { return v_; }
  mpfr_prec_t prec() const { return mpfr_get_prec(v_); }
  bool finite() const { return mpfr_number_p(v_) != 0; }
  // Exact rational value of a finite number.
  mpq_class to_rational() const;

 private:
  mpfr_t v_;
};

}  // namespace reason::math::detail
