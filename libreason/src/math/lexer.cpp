#include "math/lexer.h"

#include <array>
#include <cctype>

#include "math/budget.h"

namespace reason::math::detail {
namespace {

constexpr T kSkip = T::Eof;  // marker for skipped tokens in the rule table

struct Literal {
  const char* text;
  T type;
  int rule;          // rule order (ties go to the smaller)
  bool skip = false;
  bool opt_space = false;  // GREEK_CMD / OTHER_SYMBOL_CMD take one optional trailing space
};

// Rule numbers follow PS.g4's order; the parser-implied literals (transpose, degree) come first.
enum Rule {
  R_IMPLICIT = 0, R_WS, R_SPACES, R_DOLLAR, R_IGNORE, R_ADD, R_SUB, R_MUL, R_DIV, R_BRACKETS, R_PHANTOM,
  R_BAR, R_ANGLES, R_LIM, R_LIMAPP, R_INT, R_SUMPROD, R_FN, R_FNGAMMA, R_FNARC, R_NAMES1, R_SQRT, R_FNMULTI,
  R_FN2, R_NAMES2, R_CMDS, R_MATRIXTYPE, R_MATRIXSTART, R_ARRAY, R_DET, R_DELS, R_PUNCT, R_DIFF, R_EXPE,
  R_ENOTE, R_LETTER, R_XARROW, R_TRANSFORM, R_NUMBER, R_ENOTATION, R_REL, R_BANG, R_PERCENT, R_GREEK,
  R_OTHER, R_SYMBOL, R_VARIABLE, R_SETS, R_ACCENT, R_SETOPS,
};

std::vector<Literal> literals() {
  std::vector<Literal> v;
  auto L = [&](std::initializer_list<const char*> texts, T t, int rule, bool skip = false, bool opt_space = false) {
    for (const char* s : texts) v.push_back({s, t, rule, skip, opt_space});
  };
  L({"^T", "^{T}", "^{\\top}", "'"}, T::Transpose, R_IMPLICIT);
  L({"^\\circ", "^\\degree", "^\\circle", "^\u00b0", "^{\\circ}", "^{\\degree}", "^{\\circle}", "^{\u00b0}"}, T::Degree,
    R_IMPLICIT);
  L({"\\,", "\\thinspace", "\\:", "\\medspace", "\\;", "\\thickspace", "\\quad", "\\qquad", "\\!", "\\negthinspace",
     "\\negmedspace", "\\negthickspace"},
    kSkip, R_SPACES, true);
  L({"\\$"}, kSkip, R_DOLLAR, true);
  L({"\\vrule", "\\vcenter", "\\vbox", "\\vskip", "\\vspace", "\\hfil"}, kSkip, R_IGNORE, true);
  L({"+", "\u2214", "\u2295", "\u229e"}, T::Add, R_ADD);
  L({"-", "\u2212", "\u2238"}, T::Sub, R_SUB);
  L({"*", "\u00d7", "\u22c5", "\u22c4", "\u22a1", "\u2217", "\u22c6", "\u2218", "\u2219", "\u2297", "\u22a0", "\u22c8",
     "\u22c9", "\u22ca"},
    T::Mul, R_MUL);
  L({"/", "\u00f7", "\u2215", "\\over"}, T::Div, R_DIV);
  L({"("}, T::LParen, R_BRACKETS);
  L({")"}, T::RParen, R_BRACKETS);
  L({"\\("}, T::LParenVisual, R_BRACKETS);
  L({"\\)"}, T::RParenVisual, R_BRACKETS);
  L({"\\lgroup"}, T::LGroup, R_BRACKETS);
  L({"\\rgroup"}, T::RGroup, R_BRACKETS);
  L({"{"}, T::LBrace, R_BRACKETS);
  L({"}"}, T::RBrace, R_BRACKETS);
  L({"\\{"}, T::LBraceVisual, R_BRACKETS);
  L({"\\}"}, T::RBraceVisual, R_BRACKETS);
  L({"\\lbrace"}, T::LBraceCmd, R_BRACKETS);
  L({"\\rbrace"}, T::RBraceCmd, R_BRACKETS);
  L({"["}, T::LBracket, R_BRACKETS);
  L({"]"}, T::RBracket, R_BRACKETS);
  L({"\\lbrack"}, T::LBrack, R_BRACKETS);
  L({"\\rbrack"}, T::RBrack, R_BRACKETS);
  L({"\\phantom"}, T::Phantom, R_PHANTOM);
  L({"\\boxed"}, T::Boxed, R_PHANTOM);
  L({"|"}, T::Bar, R_BAR);
  L({"\\lvert"}, T::LVert, R_BAR);
  L({"\\rvert"}, T::RVert, R_BAR);
  L({"\\vert"}, T::Vert, R_BAR);
  L({"\\|"}, T::Norm, R_BAR);
  L({"\\langle"}, T::LAngle, R_ANGLES);
  L({"\\rangle"}, T::RAngle, R_ANGLES);
  L({"\\lfloor"}, T::LFloor, R_ANGLES);
  L({"\\rfloor"}, T::RFloor, R_ANGLES);
  L({"\\llcorner"}, T::LLCorner, R_ANGLES);
  L({"\\lrcorner"}, T::LRCorner, R_ANGLES);
  L({"\\lceil"}, T::LCeil, R_ANGLES);
  L({"\\rceil"}, T::RCeil, R_ANGLES);
  L({"\\ulcorner"}, T::ULCorner, R_ANGLES);
  L({"\\urcorner"}, T::URCorner, R_ANGLES);
  L({"\\lim"}, T::Lim, R_LIM);
  L({"\\to", "\\rightarrow", "\\Rightarrow", "\\longrightarrow", "\\Longrightarrow"}, T::LimApproach, R_LIMAPP);
  L({"\\int"}, T::Int, R_INT);
  L({"\\sum"}, T::Sum, R_SUMPROD);
  L({"\\prod"}, T::Prod, R_SUMPROD);
  L({"\\log", "\\ln", "\\exp", "\\sin", "\\cos", "\\tan", "\\csc", "\\sec", "\\cot"}, T::FnSingle, R_FN);
  L({"\\Gamma", "\\gamma"}, T::FnGamma, R_FNGAMMA);
  L({"\\arcsin", "\\arccos", "\\arctan", "\\arccsc", "\\arcsec", "\\arccot", "\\sinh", "\\cosh", "\\tanh", "\\arsinh",
     "\\arcosh", "\\artanh", "\\arcsinh", "\\arccosh", "\\arctanh"},
    T::FnSingle, R_FNARC);
  L({"arsinh", "arcsinh", "arcosh", "arccosh", "artanh", "arctanh"}, T::OpNameSingle, R_NAMES1);
  L({"gcd", "lcm"}, T::OpNameMulti, R_NAMES1);
  L({"floor", "ceil"}, T::OpNameSingle, R_NAMES1);
  L({"\\sqrt"}, T::Sqrt, R_SQRT);
  L({"\\gcd", "\\lcm"}, T::FnMulti, R_FNMULTI);
  L({"\\floor", "\\ceil"}, T::FnSingle, R_FNMULTI);
  L({"\\max", "\\min"}, T::FnMulti, R_FNMULTI);
  L({"\\det"}, T::FnSingle, R_FN2);
  L({"eye", "cols", "rows", "norm", "rank", "trace", "tr", "rref", "nullspace", "eig", "eigen", "diagonalize",
     "eigenvals", "eigenvalues", "eigenvects", "eigenvectors", "svd", "SVD"},
    T::OpNameSingle, R_NAMES2);
  L({"zeros", "ones", "diag", "hstack", "vstack", "orth", "ortho", "orthogonal", "orthogonalize"}, T::OpNameMulti,
    R_NAMES2);
  L({"\\times"}, T::Times, R_CMDS);
  L({"\\cdot"}, T::Cdot, R_CMDS);
  L({"\\div"}, T::CmdDiv, R_CMDS);
  L({"\\frac", "\\dfrac", "\\tfrac", "\\cfrac"}, T::Frac, R_CMDS);
  L({"\\binom", "\\tbinom", "\\dbinom"}, T::Binom, R_CMDS);
  L({"\\choose"}, T::Choose, R_CMDS);
  L({"\\mod"}, T::Mod, R_CMDS);
  L({"\\mathit"}, T::Mathit, R_CMDS);
  L({"\\operatorname"}, T::Operatorname, R_CMDS);
  L({"matrix", "pmatrix", "bmatrix", "vmatrix"}, T::MatrixTypeName, R_MATRIXTYPE);
  L({"\\begin{matrix}", "\\begin{pmatrix}", "\\begin{bmatrix}"}, T::MatrixStart, R_MATRIXSTART);
  L({"\\end{matrix}", "\\end{pmatrix}", "\\end{bmatrix}"}, T::MatrixEnd, R_MATRIXSTART);
  L({"\\end{array}"}, T::ArrayEnd, R_ARRAY);
  L({"\\begin{vmatrix}"}, T::DetStart, R_DET);
  L({"\\end{vmatrix}"}, T::DetEnd, R_DET);
  L({"&"}, T::ColSep, R_DELS);
  L({"\\\\"}, T::RowSep, R_DELS);
  L({"_"}, T::Underscore, R_PUNCT);
  L({"^"}, T::Caret, R_PUNCT);
  L({":"}, T::Colon, R_PUNCT);
  L({";"}, T::Semicolon, R_PUNCT);
  L({","}, T::Comma, R_PUNCT);
  L({"."}, T::Period, R_PUNCT);
  L({"e", "\\exponentialE"}, T::ExpE, R_EXPE);
  L({"E"}, T::ENotationE, R_ENOTE);
  L({"\\xrightarrow", "\\xRightarrow"}, T::XRightArrow, R_XARROW);
  L({"<->", "<=>", "\\leftrightarrow", "\\Leftrightarrow"}, T::TransformExchange, R_TRANSFORM);
  L({"\\in"}, T::In, R_REL);
  L({"=", "\u2261", "\u2263", "\u225f", "\u224e", "\u224f", "\u2250", "\u2251", "\u2252", "\u2253", "\u2254", "\u2255",
     "\u2256", "\u2257"},
    T::Assignment, R_REL);
  L({"==", "\\equiv"}, T::Equal, R_REL);
  L({"~=", "\u2248", "\u224a", "\u224b", "\u2243", "\u2245", "\\approx"}, T::Approx, R_REL);
  L({"<", "\u226a", "\u227a", "\u22d6", "\\lt"}, T::Lt, R_REL);
  L({"\\leq", "\\le", "\\leqslant", "\u2264", "\u2266", "\u2272", "\u227e", "<="}, T::Lte, R_REL);
  L({">", "\u226b", "\u227b", "\u22d7", "\\gt"}, T::Gt, R_REL);
  L({"\\geq", "\\ge", "\\geqslant", "\u2265", "\u2267", "\u2273", "\u227f", ">="}, T::Gte, R_REL);
  L({"!=", "!==", "\\ne", "\\neq", "\\not\\equiv", "\u2260", "\u2241", "\u2244", "\u2247", "\u2249", "\u2262"},
    T::Unequal, R_REL);
  L({"!"}, T::Bang, R_BANG);
  L({"\\alpha", "\u03b1", "\\beta", "\u03b2", "\\gamma", "\u03b3", "\\Gamma", "\u0393", "\\delta", "\u03b4", "\\Delta",
     "\u0394", "\\epsilon", "\u03b5", "\\varepsilon", "\u03f5", "\\zeta", "\u03b6", "\\eta", "\u03b7", "\\theta",
     "\u03b8", "\\Theta", "\u0398", "\\vartheta", "\u03d1", "\\iota", "\u03b9", "\\kappa", "\u03ba", "\\lambda", "\u03bb",
     "\\Lambda", "\u039b", "\\mu", "\u03bc", "\\nu", "\u03bd", "\\xi", "\u03be", "\\Xi", "\u039e", "\\omicron", "\u03bf",
     "\\pi", "\u03c0", "\\Pi", "\u03a0", "\\varpi", "\u03d6", "\\rho", "\u03c1", "\\varrho", "\u03f1", "\\sigma",
     "\u03c3", "\\Sigma", "\u03a3", "\\varsigma", "\u03c2", "\\tau", "\u03c4", "\\upsilon", "\u03c5", "\\Upsilon",
     "\u03a5", "\\phi", "\u03c6", "\\Phi", "\u03a6", "\\varphi", "\u03d5", "\\chi", "\u03c7", "\\psi", "\u03c8", "\\Psi",
     "\u03a8", "\\omega", "\u03c9", "\\Omega", "\u03a9"},
    T::Greek, R_GREEK, false, true);
  L({"\\Bbbk", "\\wp", "\\nabla", "\\bigstar", "\\angle", "\\nexists", "\\diagdown", "\\measuredangle", "\\eth",
     "\u2135", "\u2136", "\u2137", "\u2138", "\\diagup", "\\sphericalangle", "\\clubsuit", "\\varnothing", "\\Diamond",
     "\\complement", "\\diamondsuit", "\\imath", "\\Finv", "\\triangledown", "\\heartsuit", "\\jmath", "\\Game",
     "\\triangle", "\\spadesuit", "\\ell", "\\hbar", "\\vartriangle", "\\hslash", "\\blacklozenge", "\\lozenge",
     "\\blacksquare", "\\mho", "\\blacktriangle", "\\sharp", "\\prime", "\\Im", "\\flat", "\\square", "\\backprime",
     "\\Re", "\\natural", "\\surd", "\\circledS"},
    T::OtherSymbol, R_OTHER, false, true);
  L({"\\partial", "\\infty", "\\$\\infty", "\\infty\\%", "\\infty%"}, T::Symbol, R_SYMBOL);
  L({"\\mathbb{N}", "\u2115"}, T::SetNaturals, R_SETS);
  L({"\\mathbb{Z}", "\u2124"}, T::SetIntegers, R_SETS);
  L({"\\mathbb{Q}", "\u211a"}, T::SetRationals, R_SETS);
  L({"\\mathbb{R}", "\u211d"}, T::SetReals, R_SETS);
  L({"\\mathbb{C}", "\u2102"}, T::SetComplex, R_SETS);
  L({"\\mathbb{P}", "\u2119"}, T::SetPrimes, R_SETS);
  L({"\\cup", "\u222a"}, T::Union, R_SETOPS);
  L({"\\cap", "\u2229"}, T::Intersection, R_SETOPS);
  L({"\\setminus", "\u2216"}, T::SetMinus, R_SETOPS);
  L({"\\pm", "\u00b1", "\u2213", "\\mp"}, T::PlusMinus, R_SETOPS);
  L({"\\emptyset", "\u2205", "\\{\\}", "\\lbrace\\rbrace"}, T::SetEmpty, R_SETOPS);
  L({"\\supseteq", "\u2287"}, T::Supset, R_SETOPS);
  L({"\\subseteq", "\u2286"}, T::Subset, R_SETOPS);
  L({"\\notin", "\u2209"}, T::NotIn, R_SETOPS);
  return v;
}

const std::array<std::vector<Literal>, 256>& literal_index() {
  static const std::array<std::vector<Literal>, 256> index = [] {
    std::array<std::vector<Literal>, 256> idx;
    for (const Literal& l : literals()) idx[static_cast<unsigned char>(l.text[0])].push_back(l);
    return idx;
  }();
  return index;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// NUMBER: DIGIT+ | DIGIT* '.' DIGIT+ (longest).
size_t number_len(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && is_digit(s[j])) ++j;
  size_t best = j - i;
  if (j < s.size() && s[j] == '.') {
    size_t k = j + 1;
    while (k < s.size() && is_digit(s[k])) ++k;
    if (k > j + 1) best = k - i;
  }
  return best;
}

const char* kAccents[] = {"\\acute", "\\bar", "\\overline", "\\breve", "\\check", "\\widecheck", "\\dot", "\\ddot",
                          "\\grave", "\\hat", "\\tilde", "\\widetilde", "\\vec", "\\overrightarrow", "\\bm",
                          "\\boldsymbol", "\\text", "\\textit", "\\textbf", "\\textnormal", "\\mathbb", "\\mathbin",
                          "\\mathbf", "\\mathcal", "\\mathclap", "\\mathclose", "\\mathellipsis", "\\mathfrak",
                          "\\mathinner", "\\mathit", "\\mathnormal", "\\mathop", "\\mathopen", "\\mathord",
                          "\\mathpunct", "\\mathrel", "\\mathring", "\\mathrlap", "\\mathrm", "\\mathscr", "\\mathsf",
                          "\\mathsterling", "\\mathtt", "\\mbox"};

// ACCENT: cmd WS? '{' ('\}' | ~'}')*? '}'.
size_t accent_len(std::string_view s, size_t i) {
  size_t best = 0;
  for (const char* a : kAccents) {
    std::string_view cmd(a);
    if (s.compare(i, cmd.size(), cmd) != 0) continue;
    size_t j = i + cmd.size();
    if (j < s.size() && is_ws(s[j])) ++j;
    if (j >= s.size() || s[j] != '{') continue;
    ++j;
    while (j < s.size() && s[j] != '}') {
      if (s[j] == '\\' && j + 1 < s.size() && s[j + 1] == '}') {
        j += 2;
        continue;
      }
      ++j;
    }
    if (j < s.size()) best = std::max(best, j + 1 - i);
  }
  return best;
}

// CMD_ARRAY_START: '\begin{array}{' [clr]* '}'.
size_t array_start_len(std::string_view s, size_t i) {
  std::string_view head = "\\begin{array}{";
  if (s.compare(i, head.size(), head) != 0) return 0;
  size_t j = i + head.size();
  while (j < s.size() && (s[j] == 'c' || s[j] == 'l' || s[j] == 'r')) ++j;
  return j < s.size() && s[j] == '}' ? j + 1 - i : 0;
}

// DIFFERENTIAL: 'd' WS* ([a-zA-Z] | '\' [a-zA-Z]+).
size_t differential_len(std::string_view s, size_t i) {
  if (s[i] != 'd') return 0;
  size_t j = i + 1;
  while (j < s.size() && is_ws(s[j])) ++j;
  if (j < s.size() && is_alpha(s[j])) return j + 1 - i;
  if (j + 1 < s.size() && s[j] == '\\' && is_alpha(s[j + 1])) {
    size_t k = j + 1;
    while (k < s.size() && is_alpha(s[k])) ++k;
    return k - i;
  }
  return 0;
}

}  // namespace

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  const auto& index = literal_index();
  size_t i = 0;
  while (i < s.size()) {
    tick();
    if (is_ws(s[i])) {
      while (i < s.size() && is_ws(s[i])) ++i;
      continue;
    }
    size_t best_len = 0;
    int best_rule = 1 << 30;
    T best_type = T::Eof;
    bool best_skip = false;
    auto consider = [&](size_t len, int rule, T type, bool skip) {
      if (len > best_len || (len == best_len && len > 0 && rule < best_rule)) {
        best_len = len;
        best_rule = rule;
        best_type = type;
        best_skip = skip;
      }
    };
    for (const Literal& l : index[static_cast<unsigned char>(s[i])]) {
      std::string_view lit(l.text);
      if (s.compare(i, lit.size(), lit) != 0) continue;
      size_t len = lit.size();
      if (l.opt_space && i + len < s.size() && s[i + len] == ' ') ++len;
      consider(len, l.rule, l.type, l.skip);
    }
    if (s[i] == '\\') {
      consider(accent_len(s, i), R_ACCENT, T::Accent, false);
      consider(array_start_len(s, i), R_ARRAY, T::ArrayStart, false);
    }
    if (is_alpha(s[i]) && s[i] != 'e' && s[i] != 'E') consider(1, R_LETTER, T::Letter, false);
    consider(differential_len(s, i), R_DIFF, T::Differential, false);
    if (is_digit(s[i]) || s[i] == '.') {
      size_t n = number_len(s, i);
      if (n > 0) {
        consider(n, R_NUMBER, T::Number, false);
        // E_NOTATION: NUMBER 'E' [+-]? DIGIT+
        size_t j = i + n;
        if (j < s.size() && s[j] == 'E') {
          size_t k = j + 1;
          if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
          size_t d = k;
          while (d < s.size() && is_digit(s[d])) ++d;
          if (d > k) consider(d - i, R_ENOTATION, T::ENotation, false);
        }
        // PERCENT_NUMBER: NUMBER WS? ('\%' | '%')
        size_t k = j;
        if (k < s.size() && is_ws(s[k])) ++k;
        if (k < s.size() && s[k] == '%') consider(k + 1 - i, R_PERCENT, T::PercentNumber, false);
        if (k + 1 < s.size() && s[k] == '\\' && s[k + 1] == '%') consider(k + 2 - i, R_PERCENT, T::PercentNumber, false);
      }
    }
    if (best_len == 0) throw LexError{};
    if (!best_skip) {
      std::string text(s.substr(i, best_len));
      if ((best_type == T::Greek || best_type == T::OtherSymbol) && !text.empty() && text.back() == ' ') text.pop_back();
      out.push_back({best_type, std::move(text)});
    }
    i += best_len;
  }
  out.push_back({T::Eof, ""});
  return out;
}

}  // namespace reason::math::detail
