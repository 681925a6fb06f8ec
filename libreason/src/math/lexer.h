#pragma once
// Tokens of the LaTeX answer language (the token set of latex2sympy2_extended's PS.g4).
// Like an ANTLR lexer: at each position the longest token wins, ties go to the rule defined
// first, and whitespace/spacing commands are skipped. "\pmod" therefore lexes as "\pm" "o" "d",
// "tr" as the trace operator name and "dx" as a differential, exactly as Math-Verify sees them.
#include <string>
#include <string_view>
#include <vector>

namespace reason::math::detail {

enum class T : uint16_t {
  Eof,
  Transpose, Degree,
  Add, Sub, Mul, Div,
  LParen, RParen, LParenVisual, RParenVisual, LGroup, RGroup, LBrace, RBrace, LBraceVisual, RBraceVisual,
  LBraceCmd, RBraceCmd, LBracket, RBracket, LBrack, RBrack,
  Phantom, Boxed,
  Bar, LVert, RVert, Vert, Norm,
  LAngle, RAngle, LFloor, RFloor, LLCorner, LRCorner, LCeil, RCeil, ULCorner, URCorner,
  Lim, LimApproach, Int, Sum, Prod,
  FnSingle,      // \log \ln \exp \sin ... \arctanh \floor \ceil \det (text tells which)
  FnGamma,       // \Gamma \gamma
  OpNameSingle,  // operator names usable in \operatorname{..}: arsinh floor ceil eye rank tr ...
  OpNameMulti,   // gcd lcm zeros ones diag hstack vstack orth
  Sqrt,
  FnMulti,       // \gcd \lcm \max \min
  Times, Cdot, CmdDiv, Frac, Binom, Choose, Mod, Mathit, Operatorname,
  MatrixTypeName,  // matrix pmatrix bmatrix vmatrix as bare words
  MatrixStart, MatrixEnd, ArrayStart, ArrayEnd, DetStart, DetEnd, ColSep, RowSep,
  Underscore, Caret, Colon, Semicolon, Comma, Period,
  Differential, ExpE, ENotationE, Letter,
  XRightArrow, TransformExchange,
  Number, ENotation,
  In, Assignment, Equal, Approx, Lt, Lte, Gt, Gte, Unequal, Bang,
  PercentNumber,
  Greek, OtherSymbol, Symbol, Variable,
  SetNaturals, SetIntegers, SetRationals, SetReals, SetComplex, SetPrimes,
  Accent,
  Union, Intersection, SetMinus, PlusMinus, SetEmpty, Supset, Subset, NotIn,
};

struct Token {
  T type;
  std::string text;
};

// Throws LexError on a character no token covers.
struct LexError {};
std::vector<Token> lex(std::string_view text);

}  // namespace reason::math::detail
