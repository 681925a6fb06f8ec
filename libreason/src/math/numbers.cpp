#include "math/numbers.h"

#include <cctype>

namespace reason::math::detail {

std::optional<mpq_class> parse_decimal(std::string_view s) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  std::string digits;
  long frac = 0;
  bool any = false, dot = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
      any = true;
      if (dot) ++frac;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any) return std::nullopt;
  long exp10 = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
    if (i >= s.size()) return std::nullopt;
    long e = 0;
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      if (e > 100000) return std::nullopt;  // absurd exponents are not numbers we keep exactly
      e = e * 10 + (s[i] - '0');
    }
    exp10 = eneg ? -e : e;
  }
  if (i != s.size()) return std::nullopt;
  mpz_class num(digits, 10);
  long shift = exp10 - frac;
  mpz_class p10;
  mpz_ui_pow_ui(p10.get_mpz_t(), 10, static_cast<unsigned long>(shift < 0 ? -shift : shift));
  mpq_class q = shift >= 0 ? mpq_class(num * p10) : mpq_class(num, p10);
  q.canonicalize();
  if (neg) q = -q;
  return q;
}

mpq_class round_half_even(const mpq_class& q, int digits) {
  mpz_class scale;
  mpz_ui_pow_ui(scale.get_mpz_t(), 10, static_cast<unsigned long>(digits < 0 ? 0 : digits));
  mpq_class x = q * scale;
  mpz_class fl;
  mpz_fdiv_q(fl.get_mpz_t(), x.get_num_mpz_t(), x.get_den_mpz_t());
  mpq_class rest = x - fl;
  mpq_class half(1, 2);
  int c = cmp(rest, half);
  if (c > 0 || (c == 0 && mpz_odd_p(fl.get_mpz_t()))) fl += 1;
  mpq_class r(fl, scale);
  r.canonicalize();
  return r;
}

std::string decimal_string(const mpq_class& q, int digits) {
  mpq_class r = round_half_even(q, digits);
  bool neg = r < 0;
  if (neg) r = -r;
  mpz_class scale;
  mpz_ui_pow_ui(scale.get_mpz_t(), 10, static_cast<unsigned long>(digits));
  mpz_class scaled = r.get_num() * scale / r.get_den();
  std::string s = scaled.get_str();
  if (static_cast<int>(s.size()) <= digits) s.insert(0, static_cast<size_t>(digits) + 1 - s.size(), '0');
  std::string ip = s.substr(0, s.size() - static_cast<size_t>(digits));
  std::string fp = s.substr(s.size() - static_cast<size_t>(digits));
  while (!fp.empty() && fp.back() == '0') fp.pop_back();
  if (fp.empty()) fp = "0";
  return (neg ? "-" : "") + ip + "." + fp;
}

mpq_class Real::to_rational() const {
  mpz_class m;
  mpfr_exp_t e = mpfr_get_z_2exp(m.get_mpz_t(), v_);
  mpq_class q(m);
  if (e > 0) {
    mpz_class s;
    mpz_mul_2exp(s.get_mpz_t(), m.get_mpz_t(), static_cast<mp_bitcnt_t>(e));
    q = mpq_class(s);
  } else if (e < 0) {
    mpz_class d;
    mpz_ui_pow_ui(d.get_mpz_t(), 2, static_cast<unsigned long>(-e));
    q = mpq_class(m, d);
    q.canonicalize();
  }
  return q;
}

}  // namespace reason::math::detail
