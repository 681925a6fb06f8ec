// Plain arithmetic in Python syntax, the way sympy.parse_expr(..., evaluate=False) reads the
// expressions the "expr" extraction target finds. Anything else (e.g. "×", "2 3", "007") is
// a syntax error, as in Python.
#include <cctype>

#include "math/budget.h"
#include "math/latex_parser.h"
#include "math/numbers.h"

namespace reason::math::detail {
namespace {

class PlainParser {
 public:
  explicit PlainParser(std::string_view s) : s_(s) {}

  P parse() {
    P e = sum();
    skip();
    if (!e || i_ != s_.size()) throw ParseError{};
    return e;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;

  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(std::string_view tok) {
    skip();
    if (s_.compare(i_, tok.size(), tok) != 0) return false;
    i_ += tok.size();
    return true;
  }

  P sum() {
    P l = term();
    for (;;) {
      skip();
      if (eat("+")) {
        l = add({l, term()});
      } else if (eat("-")) {
        l = add({l, mul({integer(-1), term()})});
      } else {
        return l;
      }
    }
  }

  P term() {
    P l = factor();
    for (;;) {
      skip();
      if (s_.compare(i_, 2, "**") == 0) return l;
      if (eat("*")) {
        l = mul({l, factor()});
      } else if (eat("/")) {
        l = mul({l, power(factor(), integer(-1))});
      } else {
        return l;
      }
    }
  }

  P factor() {
    tick();
    if (++depth_ > 200) throw ParseError{};  // nesting bound
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    skip();
    if (eat("+")) return factor();
    if (eat("-")) {
      P x = factor();
      return is_number(x) ? negate(x) : mul({integer(-1), x});
    }
    P base = atom();
    if (eat("**")) return power(base, factor());
    return base;
  }

  P atom() {
    skip();
    if (eat("(")) {
      P e = sum();
      if (!eat(")")) throw ParseError{};
      return e;
    }
    size_t start = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
    std::string_view num = s_.substr(start, i_ - start);
    if (num.empty() || num == ".") throw ParseError{};
    bool is_float = num.find('.') != std::string_view::npos;
    // Python rejects leading zeros in integers ("007") but not in "0" or floats.
    if (!is_float && num.size() > 1 && num[0] == '0') throw ParseError{};
    auto q = parse_decimal(num);
    if (!q) throw ParseError{};
    return is_float ? float_number(*q) : rational(*q);
  }
};

}  // namespace

P parse_plain(std::string_view text) { return PlainParser(text).parse(); }

}  // namespace reason::math::detail
