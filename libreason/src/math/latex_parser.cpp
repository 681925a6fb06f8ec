#include "math/latex_parser.h"

#include <algorithm>

#include "math/budget.h"
#include "math/evaluate.h"
#include "math/lexer.h"
#include "math/regex.h"

namespace reason::math::detail {
namespace {

// A construct the grammar accepted but latex2sympy cannot convert: fails the whole parse
// (ANTLR picks the parse tree first and converts afterwards, so no other reading is tried).
struct ConvertError {};

using Group = std::vector<P>;
using Groups = std::vector<Group>;

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Unevaluated two-term sum (sympy.Add(l, r, evaluate=False)): no flattening.
P add2(P l, P r) {
  auto e = std::make_shared<Expr>();
  e->k = K::Add;
  e->a = {std::move(l), std::move(r)};
  return e;
}

P mul2(P l, P r) {
  auto e = std::make_shared<Expr>();
  e->k = K::Mul;
  e->a = {std::move(l), std::move(r)};
  return e;
}

P as_unary_minus(const P& x) {
  if (x->k == K::Rat || x->k == K::Int) return rational(mpq_class(-x->q));
  return mul2(integer(-1), x);
}

P number_from_text(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ','), text.end());
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    size_t nz = text.find_first_not_of('0');
    text = nz == std::string::npos ? "0" : text.substr(nz);
    return integer(mpz_class(text, 10));
  }
  auto q = parse_decimal(text);
  if (!q) throw ConvertError{};
  bool is_float = text.find_first_of(".eE") != std::string::npos;
  return is_float ? float_number(*q) : rational(*q);
}

// Greek names as latex2sympy's symbol table has them.
std::string greek_name(const std::string& text) {
  static const std::pair<const char*, const char*> table[] = {
      {"\u03b1", "alpha"}, {"\u03b2", "beta"}, {"\u03b3", "gamma"}, {"\u0393", "Gamma"}, {"\u03b4", "delta"},
      {"\u0394", "Delta"}, {"\u03b5", "epsilon"}, {"\u03f5", "varepsilon"}, {"\u03b6", "zeta"}, {"\u03b7", "eta"},
      {"\u03b8", "theta"}, {"\u0398", "Theta"}, {"\u03d1", "vartheta"}, {"\u03b9", "iota"}, {"\u03ba", "kappa"},
      {"\u03bb", "lambda"}, {"\u039b", "Lambda"}, {"\u03bc", "mu"}, {"\u03bd", "nu"}, {"\u03be", "xi"},
      {"\u039e", "Xi"}, {"\u03bf", "omicron"}, {"\u03c0", "pi"}, {"\u03a0", "Pi"}, {"\u03d6", "varpi"},
      {"\u03c1", "rho"}, {"\u03f1", "varrho"}, {"\u03c3", "sigma"}, {"\u03a3", "Sigma"}, {"\u03c2", "varsigma"},
      {"\u03c4", "tau"}, {"\u03c5", "upsilon"}, {"\u03a5", "Upsilon"}, {"\u03c6", "phi"}, {"\u03a6", "Phi"},
      {"\u03d5", "varphi"}, {"\u03c7", "chi"}, {"\u03c8", "psi"}, {"\u03a8", "Psi"}, {"\u03c9", "omega"},
      {"\u03a9", "Omega"}};
  for (const auto& [u, n] : table)
    if (text == u) return n;
  return text;
}

// latex2sympy's get_symbol with lowercase_symbols: pi and gamma are the constants, every
// other name becomes a lowercased symbol.
P make_symbol(std::string text) {
  while (!text.empty() && text.back() == ' ') text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  text = greek_name(text);
  if (!text.empty() && text[0] == '\\') text.erase(0, 1);
  if (text == "pi") return constant(K::Pi);
  if (text == "gamma" || text == "Gamma") return constant(K::EulerGamma);
  text = lower(text);
  if (text == "pi") return constant(K::Pi);
  if (text == "gamma") return constant(K::EulerGamma);
  return symbol(text);
}

bool is_relop(T t) {
  switch (t) {
    case T::In:
    case T::Assignment:
    case T::Equal:
    case T::Approx:
    case T::Lt:
    case T::Lte:
    case T::Gt:
    case T::Gte:
    case T::Unequal:
      return true;
    default:
      return false;
  }
}

bool is_mulop(T t) {
  switch (t) {
    case T::Mul:
    case T::Times:
    case T::Cdot:
    case T::Div:
    case T::CmdDiv:
    case T::Colon:
    case T::Mod:
      return true;
    default:
      return false;
  }
}

bool is_open(T t) {
  return t == T::LBracket || t == T::LParen || t == T::LParenVisual || t == T::LBrack || t == T::LGroup;
}
bool is_close(T t) {
  return t == T::RBracket || t == T::RParen || t == T::RParenVisual || t == T::RBrack || t == T::RGroup;
}

// Nesting deeper than this is not an answer; refusing it keeps recursion (and time) bounded.
constexpr int kMaxDepth = 200;

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

  P math() {
    // math: (set_elements_relation | set_elements | set_relation) EOF, first alternative that
    // reads the whole input.
    p_ = 0;
    if (P lhs = atom_expr_list(); lhs && (peek() == T::In || peek() == T::Assignment)) {
      ++p_;
      Groups g;
      if (semicolon_elements(g, T::Eof, true) && peek() == T::Eof) {
        P rhs = elements_to_set_or_tuple(g);
        return relation(RelOp::Eq, lhs, rhs);
      }
    }
    p_ = 0;
    {
      Groups g;
      if (semicolon_elements(g, T::Eof, false) && peek() == T::Eof) return elements_to_set_or_tuple(g);
    }
    p_ = 0;
    if (P r = set_relation(); r && peek() == T::Eof) return r;
    throw ParseError{};
  }

 private:
  std::vector<Token> t_;
  size_t p_ = 0;
  int depth_ = 0;

  struct Nest {
    int& d;
    explicit Nest(int& depth) : d(depth) {
      if (++d > kMaxDepth) throw ConvertError{};
    }
    ~Nest() { --d; }
  };

  T peek(size_t k = 0) const { return t_[std::min(p_ + k, t_.size() - 1)].type; }
  const Token& tok(size_t k = 0) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
  bool accept(T x) {
    if (peek() != x) return false;
    ++p_;
    return true;
  }
  std::string text_range(size_t from, size_t to) const {
    std::string s;
    for (size_t i = from; i < to && i < t_.size(); ++i) s += t_[i].text;
    return s;
  }

  // ---- element lists ---------------------------------------------------------------------
  static P elements_to_set_or_tuple(const Groups& g) {
    if (g.size() == 1) {
      if (g[0].size() == 1) return g[0][0];
      return finite_set(g[0]);
    }
    if (std::all_of(g.begin(), g.end(), [](const Group& x) { return x.size() == 1; })) {
      std::vector<P> v;
      for (const auto& x : g) v.push_back(x[0]);
      return finite_set(v);
    }
    std::vector<P> v;
    for (const auto& x : g) v.push_back(tuple(x));
    return finite_set(v);
  }

  static std::vector<P> flatten(const Groups& g) {
    std::vector<P> v;
    for (const auto& x : g) v.insert(v.end(), x.begin(), x.end());
    return v;
  }

  bool at_follow(T close) const {
    T x = peek();
    return x == T::Comma || x == T::Semicolon || x == close;
  }

  bool semicolon_elements(Groups& out, T close, bool no_relation) {
    do {
      Group g;
      do {
        if (!element(g, close, no_relation)) return false;
      } while (accept(T::Comma));
      out.push_back(std::move(g));
    } while (accept(T::Semicolon));
    return true;
  }

  // element: plus_minus_expr | set_atom | relation (expr when no_relation); an alternative
  // counts when it is followed by what may follow an element.
  bool element(Group& out, T close, bool no_relation) {
    tick();
    Nest nest(depth_);
    size_t s = p_;
    if (accept(T::PlusMinus)) {
      if (P e = expr(); e && at_follow(close)) {
        out.push_back(as_unary_minus(e));
        out.push_back(e);
        return true;
      }
    } else if (P l = expr(); l && accept(T::PlusMinus)) {
      if (P r = expr(); r && at_follow(close)) {
        out.push_back(add2(l, r));
        out.push_back(add2(l, as_unary_minus(r)));
        return true;
      }
    }
    p_ = s;
    if (P a = set_atom(); a && at_follow(close)) {
      out.push_back(a);
      return true;
    }
    p_ = s;
    P r = no_relation ? expr() : parse_relation();
    if (r && at_follow(close)) {
      out.push_back(r);
      return true;
    }
    p_ = s;
    return false;
  }

  // ---- sets ------------------------------------------------------------------------------
  P set_atom() {
    size_t s = p_;
    if (P x = parse_interval()) return x;
    p_ = s;
    if (P x = literal_set()) return x;
    p_ = s;
    if (P x = ordered_tuple()) return x;
    p_ = s;
    if (P x = finite_set_atom()) return x;
    p_ = s;
    return nullptr;
  }

  P parse_interval() {
    T open = peek();
    if (!is_open(open)) return nullptr;
    ++p_;
    P lo = expr();
    if (!lo || !accept(T::Comma)) return nullptr;
    P hi = expr();
    if (!hi) return nullptr;
    T close = peek();
    if (!is_close(close)) return nullptr;
    ++p_;
    bool lopen = open == T::LParen || open == T::LGroup || open == T::LParenVisual;
    bool ropen = close == T::RParen || close == T::RGroup || close == T::RParenVisual;
    // An interval that would be empty is read as a pair: "(3,1)" is the tuple (3, 1).
    auto c = compare_values(hi, lo);
    if (c && ((lopen && ropen && *c <= 0) || (!lopen && !ropen && *c < 0))) return tuple({lo, hi});
    if (c && (*c < 0 || (*c == 0 && (lopen || ropen)))) return empty_set();
    if (c && *c == 0) return finite_set({lo});
    return interval(lo, hi, lopen, ropen);
  }

  P literal_set() {
    switch (peek()) {
      case T::SetNaturals:
        ++p_;
        return named_set("Naturals");
      case T::SetIntegers:
        ++p_;
        return named_set("Integers");
      case T::SetRationals:
        ++p_;
        return named_set("Rationals");
      case T::SetReals:
        ++p_;
        return named_set("Reals");
      case T::SetComplex:
        ++p_;
        return named_set("Complexes");
      case T::SetPrimes:
        throw ConvertError{};
      case T::SetEmpty:
        ++p_;
        return empty_set();
      case T::LBrace:
        if (peek(1) == T::RBrace) {
          p_ += 2;
          return empty_set();
        }
        return nullptr;
      default:
        return nullptr;
    }
  }

  P ordered_tuple() {
    T open = peek(), close;
    if (open == T::LParen)
      close = T::RParen;
    else if (open == T::LParenVisual)
      close = T::RParenVisual;
    else if (open == T::LBracket)
      close = T::RBracket;
    else
      return nullptr;
    ++p_;
    Groups g;
    if (!semicolon_elements(g, close, false) || !accept(close)) return nullptr;
    if (g.size() == 1 && g[0].size() == 1) return g[0][0];
    return tuple(flatten(g));
  }

  P finite_set_atom() {
    bool boxed = false;
    T close;
    if (peek() == T::LBrace) {
      close = T::RBrace;
    } else if (peek() == T::LBraceVisual) {
      close = T::RBraceVisual;
    } else if (peek() == T::Boxed && peek(1) == T::LBrace) {
      boxed = true;
      close = T::RBrace;
      ++p_;
    } else {
      return nullptr;
    }
    ++p_;
    Groups g;
    if (!semicolon_elements(g, close, false) || !accept(close)) return nullptr;
    if (boxed) return elements_to_set_or_tuple(g);
    return finite_set(flatten(g));
  }

  P atom_expr_list() {
    size_t s = p_;
    if (accept(T::LParen)) {
      std::vector<P> items;
      do {
        P a = atom_expr();
        if (!a) {
          p_ = s;
          return nullptr;
        }
        items.push_back(a);
      } while (accept(T::Comma));
      if (!accept(T::RParen)) {
        p_ = s;
        return nullptr;
      }
      return items.size() == 1 ? items[0] : tuple(items);
    }
    return atom_expr();
  }

  P set_relation() {
    tick();
    Nest nest(depth_);
    size_t s = p_;
    if (P lhs = atom_expr_list(); lhs && (peek() == T::In || peek() == T::NotIn || peek() == T::Assignment)) {
      T op = peek();
      ++p_;
      if (P rhs = set_relation()) {
        if (op == T::NotIn) return negation(relation(RelOp::Eq, lhs, rhs));
        return relation(RelOp::Eq, lhs, rhs);
      }
    }
    p_ = s;
    P m = minus_expr();
    if (m && (peek() == T::Subset || peek() == T::Supset)) throw ConvertError{};  // a truth value, not an answer
    return m;
  }

  P minus_expr() {
    P l = union_expr();
    if (!l) return nullptr;
    while (peek() == T::SetMinus) {
      size_t s = p_++;
      P r = union_expr();
      if (!r) {
        p_ = s;
        break;
      }
      l = set_op(K::Complement, {l, r});
    }
    return l;
  }

  static P tuple_as_set(const P& x) { return x->k == K::Tuple ? finite_set(x->a) : x; }

  P union_expr() {
    P l = intersection_expr();
    if (!l) return nullptr;
    while (peek() == T::Union) {
      size_t s = p_++;
      P r = intersection_expr();
      if (!r) {
        p_ = s;
        break;
      }
      std::vector<P> args;
      P lt = tuple_as_set(l);
      if (lt->k == K::Union)
        args = lt->a;
      else
        args.push_back(lt);
      args.push_back(tuple_as_set(r));
      l = set_op(K::Union, args);
    }
    return l;
  }

  P intersection_expr() {
    P l = set_group();
    if (!l) return nullptr;
    while (peek() == T::Intersection) {
      size_t s = p_++;
      P r = set_group();
      if (!r) {
        p_ = s;
        break;
      }
      l = set_op(K::Intersect, {tuple_as_set(l), tuple_as_set(r)});
    }
    return l;
  }

  P set_group() {
    size_t s = p_;
    if (accept(T::LParen)) {
      if (P m = minus_expr(); m && accept(T::RParen)) return m;
      p_ = s;
    }
    return set_atom();
  }

  // ---- relations and arithmetic ------------------------------------------------------------
  P parse_relation() {
    P lh = expr();
    if (!lh) return nullptr;
    while (is_relop(peek())) {
      size_t s = p_;
      T op = peek();
      ++p_;
      P rh = expr();
      if (!rh) {
        p_ = s;
        break;
      }
      lh = convert_relation(op, lh, rh);
    }
    return lh;
  }

  static P chain(RelOp op, const P& lh, const P& rh) {
    if (lh->k == K::And) {
      std::vector<P> v = lh->a;
      v.push_back(relation(op, v.back()->a[1], rh));
      return conj(v);
    }
    if (lh->k == K::Rel) return conj({lh, relation(op, lh->a[1], rh)});
    return relation(op, lh, rh);
  }

  static P convert_relation(T op, const P& lh, const P& rh) {
    switch (op) {
      case T::Lt:
        return chain(RelOp::Lt, lh, rh);
      case T::Lte:
        return chain(RelOp::Le, lh, rh);
      case T::Gt:
        return chain(RelOp::Gt, lh, rh);
      case T::Gte:
        return chain(RelOp::Ge, lh, rh);
      case T::Equal:
      case T::Assignment:
        return chain(RelOp::Eq, lh, rh);
      case T::Unequal:
        return chain(RelOp::Ne, lh, rh);
      case T::Approx:
        // x \approx 3 keeps the value; "expr \approx 3" keeps the exact expression.
        return is_only_symbols(lh) ? rh : lh;
      default:
        throw ConvertError{};  // \in inside an arithmetic relation
    }
  }

  P expr() { return additive(); }

  P additive() {
    P l = mp(false);
    if (!l) return nullptr;
    while (peek() == T::Add || peek() == T::Sub) {
      size_t s = p_;
      bool sub = peek() == T::Sub;
      ++p_;
      P r = mp(false);
      if (!r) {
        p_ = s;
        break;
      }
      if (sub) r = (is_number(r) && !has_matrix(l)) ? negate(r) : mul({integer(-1), r});
      l = add({l, r});
    }
    return l;
  }

  P mp(bool nofunc) {
    P l = unary(nofunc);
    if (!l) return nullptr;
    while (is_mulop(peek())) {
      size_t s = p_;
      T op = peek();
      ++p_;
      P r = unary(nofunc);
      if (!r) {
        p_ = s;
        break;
      }
      if (op == T::Mod) {
        l = fn("Mod", {l, r});
      } else if (op == T::Div || op == T::CmdDiv || op == T::Colon) {
        if (is_integer(l) && is_integer(r))
          l = rational(l->q.get_num(), r->q.get_num());
        else
          l = mul2(l, power(r, integer(-1)));
      } else {
        l = mul({l, r});
      }
    }
    return l;
  }

  P unary(bool nofunc) {
    tick();
    Nest nest(depth_);
    if (peek() == T::Add || peek() == T::Sub) {
      size_t s = p_;
      bool neg = peek() == T::Sub;
      ++p_;
      P x = unary(nofunc);
      if (!x) {
        p_ = s;
        return nullptr;
      }
      if (!neg) return x;
      if (is_number(x)) return negate(x);
      return mul({integer(-1), x});
    }
    std::vector<P> list;
    P first = postfix(false);
    if (!first) return nullptr;
    list.push_back(first);
    for (;;) {
      T n = peek();
      if (n == T::Eof || n == T::Comma || n == T::Semicolon || is_relop(n) || is_mulop(n) || n == T::Add ||
          n == T::Sub || n == T::RParen || n == T::RBrace || n == T::RBracket)
        break;
      size_t s = p_;
      P next = postfix(nofunc);
      if (!next) {
        p_ = s;
        break;
      }
      list.push_back(next);
    }
    return postfix_product(list);
  }

  // latex2sympy multiplies juxtaposed factors right to left, reading "integer rational" as a
  // mixed number: 2\frac{1}{2} = 5/2 (and, as a consequence, "2 3" = 5).
  static P postfix_product(const std::vector<P>& list) {
    P acc = list.back();
    for (size_t i = list.size() - 1; i-- > 0;) {
      const P& res = list[i];
      if (res->k == K::Int && is_rational(acc) && acc->q.get_num() > 0 && acc->q.get_den() > 0) {
        const mpz_class& p = acc->q.get_num();
        const mpz_class& q = acc->q.get_den();
        mpz_class n = res->q.get_num();
        mpz_class top = n < 0 ? mpz_class(n * q - p) : mpz_class(n * q + p);
        acc = rational(top, q);
      } else {
        acc = mul({res, acc});
      }
    }
    return acc;
  }

  P postfix(bool nofunc) {
    P e = exp(nofunc);
    if (!e) return nullptr;
    for (;;) {
      if (accept(T::Bang)) {
        e = fn("factorial", {e});
      } else if (accept(T::Transpose)) {
        if (e->k == K::Matrix) {
          std::vector<P> el(e->a.size());
          for (int r = 0; r < e->rows; ++r)
            for (int c = 0; c < e->cols; ++c)
              el[static_cast<size_t>(c * e->rows + r)] = e->a[static_cast<size_t>(r * e->cols + c)];
          e = matrix(e->cols, e->rows, el);
        }
      } else if (accept(T::Degree)) {
        // degrees are kept as plain numbers (convert_degrees=False in Math-Verify)
      } else {
        break;
      }
    }
    return e;
  }

  P exp(bool nofunc) {
    P base = comp(nofunc);
    if (!base) return nullptr;
    while (peek() == T::Caret) {
      size_t s = p_;
      ++p_;
      P ex;
      if (accept(T::LBrace)) {
        ex = expr();
        if (!ex || !accept(T::RBrace)) ex = nullptr;
      } else {
        ex = atom();
      }
      if (!ex) {
        p_ = s;
        break;
      }
      if (peek() == T::Underscore) {
        std::string ignored;
        size_t s2 = p_;
        if (!subexpr(ignored, nullptr)) p_ = s2;
      }
      base = power(base, ex);
    }
    return base;
  }

  P closing(T close) {
    P e = expr();
    if (!e || !accept(close)) return nullptr;
    return e;
  }

  P comp(bool nofunc) {
    tick();
    Nest nest(depth_);
    size_t s = p_;
    T x = peek();
    switch (x) {
      case T::LParen:
        ++p_;
        if (P e = closing(T::RParen)) return e;
        break;
      case T::LGroup:
        ++p_;
        if (P e = closing(T::RGroup)) return e;
        break;
      case T::LBrace:
        ++p_;
        if (P e = closing(T::RBrace)) return e;
        p_ = s;
        if (P b = binom()) return b;
        break;
      case T::LBracket:
        ++p_;
        if (P e = closing(T::RBracket)) return e;
        break;
      case T::LBraceVisual:
        ++p_;
        if (P e = closing(T::RBraceVisual)) return e;
        break;
      case T::LBraceCmd:
        ++p_;
        if (P e = closing(T::RBraceCmd)) return e;
        break;
      case T::LBrack:
        ++p_;
        if (P e = closing(T::RBrack)) return e;
        break;
      case T::Phantom:
      case T::Boxed:
        ++p_;
        if (accept(T::LBrace))
          if (P e = closing(T::RBrace)) return e;
        break;
      case T::Norm:
        ++p_;
        if (P e = closing(T::Norm)) return fn("abs", {e});
        break;
      case T::Bar:
        ++p_;
        if (P e = closing(T::Bar)) return fn("abs", {e});
        break;
      case T::LVert:
        ++p_;
        if (P e = closing(T::RVert)) return fn("abs", {e});
        break;
      case T::Vert:
        ++p_;
        if (P e = closing(T::Vert)) return fn("abs", {e});
        break;
      case T::LAngle:
        throw ConvertError{};
      case T::LFloor:
        ++p_;
        if (P e = closing(T::RFloor)) return fn("floor", {e});
        break;
      case T::LLCorner:
        ++p_;
        if (P e = closing(T::LRCorner)) return fn("floor", {e});
        break;
      case T::LCeil:
        ++p_;
        if (P e = closing(T::RCeil)) return fn("ceiling", {e});
        break;
      case T::ULCorner:
        ++p_;
        if (P e = closing(T::URCorner)) return fn("ceiling", {e});
        break;
      case T::Frac:
        return frac();
      case T::Binom:
        return binom();
      case T::MatrixStart:
      case T::ArrayStart:
        return matrix_literal();
      case T::DetStart:
        return determinant();
      default:
        break;
    }
    p_ = s;
    if (!nofunc) {
      if (P f = func()) return f;
      p_ = s;
    }
    if (P a = atom()) return a;
    p_ = s;
    return nullptr;
  }

  // subexpr: '_' (atom | '{' (expr | args) '}'); `text` gets the subscript as written.
  bool subexpr(std::string& text, P* value) {
    if (!accept(T::Underscore)) return false;
    size_t s = p_;
    if (accept(T::LBrace)) {
      size_t inner = p_;
      P e = expr();
      if (e && peek() == T::RBrace) {
        text = text_range(inner, p_);
        ++p_;
        if (value) *value = e;
        return true;
      }
      p_ = inner;
      bool ok = true;
      do {
        if (!expr()) {
          ok = false;
          break;
        }
      } while (accept(T::Comma));
      if (ok && peek() == T::RBrace) {
        text = text_range(inner, p_);
        ++p_;
        if (value) *value = nullptr;
        return true;
      }
      p_ = s;
      return false;
    }
    P a = atom();
    if (!a) return false;
    text = text_range(s, p_);
    if (value) *value = a;
    return true;
  }

  bool supexpr(P& value) {
    if (!accept(T::Caret)) return false;
    size_t s = p_;
    if (accept(T::LBrace)) {
      P e = expr();
      if (e && accept(T::RBrace)) {
        value = e;
        return true;
      }
      p_ = s;
      return false;
    }
    P a = atom();
    if (!a) return false;
    value = a;
    return true;
  }

  static bool is_atom_head(T t) { return t == T::Letter || t == T::Greek || t == T::OtherSymbol || t == T::Accent; }

  // The name latex2sympy gives the head of an atom_expr (before lowercasing).
  std::string atom_head_text(const Token& head) {
    if (head.type != T::Accent) return head.text;
    const std::string& s = head.text;
    size_t brace = s.find('{');
    std::string name = s.substr(1, brace - 1);
    std::string content = s.substr(brace + 1, s.size() - brace - 2);
    content.erase(std::remove(content.begin(), content.end(), ' '), content.end());
    if (name == "bar" || name == "overline") {
      name = "bar";
    } else if (name == "vec" || name == "overrightarrow") {
      name = "vec";
    } else if (name == "tilde" || name == "widetilde") {
      name = "tilde";
    } else if (name.find("text") != std::string::npos || name.find("mbox") != std::string::npos) {
      content.erase(std::remove_if(content.begin(), content.end(), [](char c) { return c == '(' || c == ')'; }),
                    content.end());
      return content;
    } else if (name.find("math") != std::string::npos) {
      name = "math";
    }
    return name + "{" + content + "}";
  }

  // atom_expr: (LETTER | GREEK | OTHER | ACCENT) (supexpr subexpr | subexpr supexpr | subexpr | supexpr)?
  P atom_expr(bool allow_sup = true) {
    if (!is_atom_head(peek())) return nullptr;
    const Token head = tok();
    ++p_;
    std::string sub;
    P sup;
    bool has_sub = false, has_sup = false;
    for (int round = 0; round < 2; ++round) {
      size_t s = p_;
      if (!has_sub && peek() == T::Underscore) {
        if (subexpr(sub, nullptr))
          has_sub = true;
        else
          p_ = s;
      } else if (allow_sup && !has_sup && peek() == T::Caret) {
        if (supexpr(sup))
          has_sup = true;
        else
          p_ = s;
      }
    }
    if (head.type == T::Letter && head.text == "I") return constant(K::I);
    std::string name = atom_head_text(head);
    if (has_sub) {
      while (!sub.empty() && sub.back() == ' ') sub.pop_back();
      name += utf8_length(sub) > 1 ? "_{" + sub + "}" : "_" + sub;
    }
    P sym = make_symbol(name);
    if (has_sup) return power(sym, sup);
    return sym;
  }

  P atom() {
    tick();
    size_t s = p_;
    switch (peek()) {
      case T::Letter:
      case T::Greek:
      case T::OtherSymbol:
      case T::Accent:
        return atom_expr();
      case T::Symbol: {
        std::string t = tok().text;
        ++p_;
        for (const char* rm : {"\\$", "\\%"}) {
          size_t at;
          while ((at = t.find(rm)) != std::string::npos) t.erase(at, 2);
        }
        if (t == "\\infty") return infinity(1);
        throw ConvertError{};
      }
      case T::Number: {
        P n = number_from_text(tok().text);
        ++p_;
        size_t s2 = p_;
        std::string ignored;
        if (peek() == T::Underscore && !subexpr(ignored, nullptr)) p_ = s2;  // 204_5: base ignored
        return n;
      }
      case T::PercentNumber: {
        std::string t = tok().text;
        ++p_;
        std::string digits;
        for (char c : t)
          if ((c >= '0' && c <= '9') || c == '.') digits += c;
        return percent(number_from_text(digits));
      }
      case T::ENotation: {
        auto q = parse_decimal(tok().text);
        ++p_;
        if (!q) throw ConvertError{};
        return float_number(*q);
      }
      case T::ENotationE:
        ++p_;
        return symbol("e");
      case T::Differential: {
        std::string t = tok().text.substr(1);
        ++p_;
        size_t i = t.find_first_not_of(" \t\r\n");
        t = i == std::string::npos ? "" : t.substr(i);
        if (!t.empty() && t[0] == '\\') t.erase(0, 1);
        return symbol("d" + t);
      }
      case T::FnGamma:
        ++p_;
        return constant(K::EulerGamma);
      default:
        p_ = s;
        return nullptr;
    }
  }

  P frac() {
    if (!accept(T::Frac) || !accept(T::LBrace)) return nullptr;
    P top = expr();
    if (!top || !accept(T::RBrace) || !accept(T::LBrace)) return nullptr;
    P bot = expr();
    if (!bot || !accept(T::RBrace)) return nullptr;
    if (has_matrix(top) || has_matrix(bot)) return mul2(top, power(bot, integer(-1)));
    if (is_integer(top) && is_integer(bot)) return rational(top->q.get_num(), bot->q.get_num());
    return mul2(top, power(bot, integer(-1)));
  }

  P binom() {
    P n, k;
    if (accept(T::LBrace)) {
      n = expr();
      if (!n || !accept(T::Choose)) return nullptr;
      k = expr();
      if (!k || !accept(T::RBrace)) return nullptr;
    } else if (accept(T::Binom)) {
      if (!accept(T::LBrace)) return nullptr;
      n = expr();
      if (!n || !accept(T::RBrace) || !accept(T::LBrace)) return nullptr;
      k = expr();
      if (!k || !accept(T::RBrace)) return nullptr;
    } else {
      return nullptr;
    }
    return fn("binomial", {n, k});
  }

  bool matrix_rows(std::vector<std::vector<P>>& rows, T end) {
    for (;;) {
      std::vector<P> row;
      do {
        P e = expr();
        if (!e) return false;
        row.push_back(e);
      } while (accept(T::ColSep));
      rows.push_back(row);
      if (accept(T::RowSep)) {
        if (accept(end)) return true;
        continue;
      }
      return accept(end);
    }
  }

  static P build_matrix(const std::vector<std::vector<P>>& rows) {
    size_t cols = rows[0].size();
    std::vector<P> el;
    for (const auto& r : rows) {
      if (r.size() != cols) throw ConvertError{};
      el.insert(el.end(), r.begin(), r.end());
    }
    return matrix(static_cast<int>(rows.size()), static_cast<int>(cols), el);
  }

  P matrix_literal() {
    T start = peek();
    ++p_;
    std::vector<std::vector<P>> rows;
    if (!matrix_rows(rows, start == T::MatrixStart ? T::MatrixEnd : T::ArrayEnd)) return nullptr;
    if (peek() == T::XRightArrow) throw ConvertError{};  // elementary transforms: not graded
    return build_matrix(rows);
  }

  static P det_expr(const P& m) {
    int n = m->rows;
    auto at = [&](int r, int c) { return m->a[static_cast<size_t>(r * m->cols + c)]; };
    if (n == 1) return at(0, 0);
    std::vector<P> terms;
    for (int c = 0; c < n; ++c) {
      std::vector<P> minor;
      for (int r = 1; r < n; ++r)
        for (int cc = 0; cc < n; ++cc)
          if (cc != c) minor.push_back(at(r, cc));
      P sub = det_expr(matrix(n - 1, n - 1, minor));
      P term = mul({at(0, c), sub});
      terms.push_back(c % 2 ? mul({integer(-1), term}) : term);
    }
    return add(terms);
  }

  P determinant() {
    ++p_;
    std::vector<std::vector<P>> rows;
    if (!matrix_rows(rows, T::DetEnd)) return nullptr;
    P m = build_matrix(rows);
    if (m->rows != m->cols || m->rows > 4) throw ConvertError{};
    return det_expr(m);
  }

  // ---- functions ---------------------------------------------------------------------------
  // (subexpr? supexpr? | supexpr? subexpr?)
  void sub_sup(P& sub, P& sup, std::string& sub_text) {
    for (int round = 0; round < 2; ++round) {
      size_t s = p_;
      if (!sub && peek() == T::Underscore) {
        P v;
        if (subexpr(sub_text, &v) && v)
          sub = v;
        else
          p_ = s;
      } else if (!sup && peek() == T::Caret) {
        if (!supexpr(sup)) p_ = s;
      }
    }
  }

  P single_arg() {
    size_t s = p_;
    if (accept(T::LParen)) {
      if (P e = expr(); e && accept(T::RParen)) return e;
      p_ = s;
    }
    return mp(true);
  }

  P func() {
    tick();
    T x = peek();
    if (x == T::FnSingle || x == T::FnGamma || (x == T::Operatorname && peek(1) == T::LBrace && peek(2) == T::OpNameSingle && peek(3) == T::RBrace)) {
      std::string name;
      if (x == T::Operatorname) {
        name = "operatorname:" + tok(2).text;
        p_ += 4;
      } else {
        name = tok().text.substr(1);
        ++p_;
      }
      P sub, sup;
      std::string sub_text;
      sub_sup(sub, sup, sub_text);
      P arg = single_arg();
      if (!arg) return nullptr;
      return apply_single(name, arg, sub, sup);
    }
    if (x == T::FnMulti || (x == T::Operatorname && peek(1) == T::LBrace && peek(2) == T::OpNameMulti && peek(3) == T::RBrace)) {
      std::string name;
      if (x == T::Operatorname) {
        name = tok(2).text;
        p_ += 4;
      } else {
        name = tok().text.substr(1);
        ++p_;
      }
      P sub, sup;
      std::string sub_text;
      sub_sup(sub, sup, sub_text);
      if (!accept(T::LParen)) {
        // func_multi_arg_noparens cannot be converted by latex2sympy
        if (mp(true)) throw ConvertError{};
        return nullptr;
      }
      std::vector<P> args;
      do {
        P e = expr();
        if (!e) return nullptr;
        args.push_back(e);
      } while (accept(T::Comma));
      if (!accept(T::RParen)) return nullptr;
      P f = fn(name, args);
      if (sup) f = power(f, sup);
      return f;
    }
    if (is_atom_head(x)) return applied_function();
    if (x == T::Sqrt) {
      ++p_;
      P root;
      if (accept(T::LBracket)) {
        root = expr();
        if (!root || !accept(T::RBracket)) return nullptr;
      }
      if (!accept(T::LBrace)) return nullptr;
      P base = expr();
      if (!base || !accept(T::RBrace)) return nullptr;
      if (!root) return power(base, rational(mpq_class(1, 2)));
      if (is_integer(root)) return power(base, rational(mpz_class(1), root->q.get_num()));
      return power(base, power(root, integer(-1)));
    }
    if (x == T::Sum || x == T::Prod) return sum_or_product(x == T::Sum ? "Sum" : "Product");
    if (x == T::Int || x == T::Lim) {
      throw ConvertError{};  // integrals and limits are not graded
    }
    if (x == T::ExpE) {
      ++p_;
      P sup;
      size_t s = p_;
      if (peek() == T::Caret && !supexpr(sup)) p_ = s;
      if (!sup) return constant(K::E);
      if (sup->k == K::Int && sup->q == 1) return constant(K::E);
      if (sup->k == K::Int && sup->q == 0) return integer(1);
      return fn("exp", {sup});
    }
    return nullptr;
  }

  static P apply_single(std::string name, const P& arg, const P& sub, const P& sup) {
    P power_of = sup;
    P f;
    static const char* trig[] = {"sin", "cos", "tan", "csc", "sec", "cot", "sinh", "cosh", "tanh"};
    auto is_minus_one = [](const P& p) { return p && p->k == K::Int && p->q == -1; };
    if (name.rfind("operatorname:", 0) == 0) {
      std::string op = name.substr(13);
      if (op == "arsinh" || op == "arcosh" || op == "artanh") op = "a" + op.substr(2);
      if (op == "arcsinh" || op == "arccosh" || op == "arctanh") op = "a" + op.substr(3);
      if (op == "ceil") op = "ceiling";
      if (op == "asinh" || op == "acosh" || op == "atanh" || op == "floor" || op == "ceiling" || op == "norm")
        f = fn(op == "norm" ? "abs" : op, {arg});
      else
        throw ConvertError{};  // matrix operators (rank, trace, eig, ...) are not graded
    } else if (name.rfind("arc", 0) == 0 && name.size() == 6) {
      f = fn("a" + name.substr(3), {arg});  // arcsin -> asin, ...
    } else if (name == "arsinh" || name == "arcosh" || name == "artanh") {
      f = fn("a" + name.substr(2), {arg});
    } else if (name == "arcsinh" || name == "arccosh" || name == "arctanh") {
      f = fn("a" + name.substr(3), {arg});
    } else if (name == "log" || name == "ln") {
      P base = sub ? sub : (name == "log" ? integer(10) : constant(K::E));
      f = fn("log", {arg, base});
    } else if (name == "exp") {
      f = fn("exp", {arg});
    } else if (name == "floor") {
      f = fn("floor", {arg});
    } else if (name == "ceil") {
      f = fn("ceiling", {arg});
    } else if (name == "det") {
      throw ConvertError{};
    } else if (name == "Gamma" || name == "gamma") {
      f = fn("gamma", {arg});
    } else if (std::find(std::begin(trig), std::end(trig), name) != std::end(trig)) {
      if (is_minus_one(power_of)) {
        name = "a" + name;
        power_of = nullptr;
      }
      f = fn(name, {arg});
    } else {
      f = ufn(name, {arg});
    }
    if (power_of) f = power(f, power_of);
    return f;
  }

  // f(x), f(x, y): an undefined function. The arguments must be one atom, or contain a comma
  // (func_common_args), otherwise "a(b+c)" is a product.
  P applied_function() {
    size_t head = p_;
    ++p_;
    std::string sub_text;
    size_t s = p_;
    if (peek() == T::Underscore && !subexpr(sub_text, nullptr)) p_ = s;
    std::string name = text_range(head, p_);
    P sup;
    s = p_;
    if (peek() == T::Caret && !supexpr(sup)) p_ = s;
    T open = peek(), close;
    bool braced = false;
    if (open == T::LBrace && (peek(1) == T::LParen || peek(1) == T::LBracket)) {
      braced = true;
      ++p_;
      open = peek();
    }
    if (open == T::LParen)
      close = T::RParen;
    else if (open == T::LBracket)
      close = T::RBracket;
    else
      return nullptr;
    ++p_;
    std::vector<P> args;
    size_t inner = p_;
    if (P a = atom(); a && peek() == close) {
      args.push_back(a);
    } else {
      p_ = inner;
      P first = expr();
      if (!first || !accept(T::Comma)) return nullptr;
      args.push_back(first);
      while (peek() != close) {
        P e = expr();
        if (!e) return nullptr;
        args.push_back(e);
        if (!accept(T::Comma)) break;
      }
    }
    if (!accept(close)) return nullptr;
    if (braced && !accept(T::RBrace)) return nullptr;
    P f = ufn(name, args);
    if (sup) f = power(f, sup);
    return f;
  }

  P sum_or_product(const char* kind) {
    ++p_;
    P var, start, end;
    for (int round = 0; round < 2; ++round) {
      if (!var && peek() == T::Underscore) {
        ++p_;
        if (!accept(T::LBrace)) return nullptr;
        var = expr();
        if (!var || !(accept(T::Assignment) || accept(T::Equal))) return nullptr;
        start = expr();
        if (!start || !accept(T::RBrace)) return nullptr;
      } else if (!end && peek() == T::Caret) {
        if (!supexpr(end)) return nullptr;
      }
    }
    if (!var || !end) return nullptr;
    P body = mp(false);
    if (!body) return nullptr;
    return opaque(kind, {body, var, start, end});
  }
};

}  // namespace

P parse_latex(std::string_view latex) {
  // "1,234" and "0,5" are numbers, not sets (latex2sympy's comma_number_regex).
  static const Regex comma_number(R"(^\s*-?\d{1,3}(,\d{3})+(\.\d+)?\s*$)");
  if (comma_number.contains(latex)) {
    std::string n(latex);
    if (n.find(',') != std::string::npos && !n.empty() && n[0] == '0')
      std::replace(n.begin(), n.end(), ',', '.');
    n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return c == ',' || c == ' '; }), n.end());
    size_t nz = n.find_first_not_of('0');
    n = nz == std::string::npos ? "0" : n.substr(nz);
    auto q = parse_decimal(n);
    if (!q) throw ParseError{};
    return n.find('.') != std::string::npos ? float_number(*q) : rational(*q);
  }
  std::vector<Token> toks;
  try {
    toks = lex(latex);
  } catch (const LexError&) {
    throw ParseError{};
  }
  try {
    Parser parser(std::move(toks));
    return parser.math();
  } catch (const ConvertError&) {
    throw ParseError{};
  }
}

}  // namespace reason::math::detail
