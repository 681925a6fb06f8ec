#include "math/normalize.h"

#include <cstring>

#include "math/budget.h"
#include "math/regex.h"

namespace reason::math::detail {
namespace {

// Unit words stripped from the end of an answer. The list (including its oddities, such as
// the fused "integerpoint" and the regex-active "." in "q .") is Math-Verify's, so that the
// same answers lose the same suffixes.
const char* const kUnits[] = {
    "integerpoint", "feet", "sue", "digit", "pound", "meal", "edge", "student", "children ticket", "multiple",
    "east", "degree", "mph", "kmph", "ft", "m square", " m east", "sq m", "deg", "mile", "q .", "monkey",
    "prime", "ratio", "profit of rs", "rd", "o", "gm", "p . m", "lb", "tile", "per", "dm", "lt", "gain", "ab",
    "way", "west", "a .", "b .", "c .", "d .", "e .", "f .", "g .", "h .", "t", "h", "no change", "men",
    "soldier", "pie", "bc", "excess", "st", "inches", "noon", "cent", "by", "gal", "kmh", "c", "acre", "rise",
    "a . m", "th", "\u03c0 r 2", "sq", "mark", "l", "toy", "coin", "sq . m", "gallon", "\u00b0 f", "profit",
    "minw", "yr", "women", "am", "pm", "hr", "cu cm", "square", "v \u00e2 \u20ac \u2122", "are", "rupee",
    "rounds", "cubic", "cc", "mtr", "s", "ohm", "number", "kmph", "day", "hour", "minute", "min", "second",
    "man", "woman", "sec", "cube", "mt", "sq inch", "mp", "\u220f cm \u00b3", "hectare", "more", "sec", "unit",
    "cu . m", "cm 2", "rs .", "rs", "kg", "g", "month", "km", "m", "cm", "mm", "apple", "liter", "loss", "yard",
    "pure", "year", "increase", "decrease", "d", "less", "Surface", "litre", "pi sq m", "s .", "metre", "meter",
    "inch"};

std::string units_pattern() {
  std::string alt;
  for (const char* u : kUnits) {
    if (!alt.empty()) alt += "|";
    alt += u;
  }
  return "(\\d|\\}|\\s)\\s*(?:(?:" + alt + ")(?:s|es)?)\\s*$";
}

struct Replacement {
  const char* pattern;
  const char* replacement;
};

// Rewrites applied in one left-to-right pass, earlier entries winning at the same position.
const Replacement kReplacements[] = {
    {R"(\\math(?:rm|it|bf))", "\\text"},
    {R"(\\text(?:normal|bf|it|rm))", "\\text"},
    {R"(\\(?:d|t|c)frac)", "\\frac"},
    {R"(\s\.)", " 0."},
    {R"(\{\.)", "{0."},
    {R"(\~\=)", "\\approx"},
    {R"(\s*\{\s*,\s*\})", ","},
    {R"((?<![a-zA-Z])(?:,?\s*(?:and|or))(?![a-zA-Z]))", ","},
    {R"((?:,?\s*\\text\{\s*(?:and|or)\s*\}))", ","},
    {R"((?<!\\)\\\s)", " "},
    {R"(infinity)", "\\infty"},
    {R"(,?(?:\\ldots))", " "},
    {R"(\s*\bpercentage\b)", "\\%"},
    {R"(\\text\{percentage\})", "%"},
    {R"(\s*\bpercent\b)", "\\%"},
    {R"(\\text\{percent\})", "%"},
    {R"(\s*\bpct\b)", "\\%"},
    {R"(\\text\{pct\})", "%"},
    {R"((?:(?<!\\)inf(?!inity)))", "\\infty"},
    {R"( sqrt)", "\\sqrt"},
};

struct Patterns {
  Regex left{R"(\\m?left(\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\vert|\\lvert|\\langle|\\llcorner|\\ulcorner))"};
  Regex right{R"(\\m?right(\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\rbrack|\\vert|\\rvert|\\rceil|\\rfloor|\\vert|\\rvert|\\rangle|\\lrcorner|\\urcorner))"};
  Regex permutation{R"(\(([a-zA-Z0-9+\-*/\\ ]+?)\)_\{([a-zA-Z0-9+\-*/\\ ]+?)\})"};
  Regex remove{R"(\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)["']|\\displaystyle)"};
  Regex replace_all{[] {
    std::string p;
    int i = 0;
    for (const auto& r : kReplacements) {
      if (i) p += "|";
      p += "(?<r" + std::to_string(i++) + ">" + r.pattern + ")";
    }
    return p;
  }()};
  std::vector<int> replace_groups = [this] {
    std::vector<int> g;
    for (size_t i = 0; i < std::size(kReplacements); ++i) g.push_back(replace_all.group_index("r" + std::to_string(i)));
    return g;
  }();
  Regex command_slash{R"(\\\\(?=[a-zA-Z]))"};
  Regex equation_split{R"((?<!\\|<|!|>)=)"};
  Regex unit_superscript{R"((\\(?:text|mbox)\{.*?\})(\^\d|\{\^\d\})?$)"};
  Regex units{units_pattern()};
  Regex separator{R"(\b(?:and|or)\b|,|;)"};
  Regex malformed[7] = {Regex(R"(\^\s?\((.*?)\))"),          Regex(R"(sqrt\s?\((.*?)\))"),
                        Regex(R"(\\frac\s?(\d)\s?(\d+))"),    Regex(R"(\\log_\s?(\d)\s?(\d+))"),
                        Regex(R"(\\frac\s?\{(.*?)\}\s?(\d))"), Regex(R"(\\frac\s?(\d)\s?\{(.*?)\})"),
                        Regex(R"(\\sqrt\s?(\d))")};
};

const Patterns& patterns() {
  static const Patterns p;
  return p;
}

void replace_all_literal(std::string& s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Python's str.isspace() for one code point at s[i]; returns its byte length or 0.
size_t space_at(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  static const char* const wide[] = {"\u0085", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003",
                                     "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a",
                                     "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"};
  if (c < 0x80) return 0;
  for (const char* w : wide) {
    size_t n = std::strlen(w);
    if (s.compare(i, n, w) == 0) return n;
  }
  return 0;
}

std::string py_lstrip(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t n = space_at(s, i);
    if (!n) break;
    i += n;
  }
  return std::string(s.substr(i));
}

size_t first_char_len(std::string_view s) {
  if (s.empty()) return 0;
  size_t n = 1;
  while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) ++n;
  return n;
}

std::vector<std::string> split(std::string_view s, std::string_view sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t at = s.find(sep, pos);
    if (at == std::string_view::npos) {
      out.emplace_back(s.substr(pos));
      return out;
    }
    out.emplace_back(s.substr(pos, at - pos));
    pos = at + sep.size();
  }
}

// \frac12 -> \frac{1}{2}, \frac1{2} -> \frac{1}{2} (the MATH dataset's fix).
std::string fix_fracs(const std::string& text) {
  auto parts = split(text, "\\frac");
  std::string out = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string sub = py_lstrip(parts[i]);
    out += "\\frac";
    if (!sub.empty() && sub[0] == '{') {
      out += sub;
      continue;
    }
    size_t la = first_char_len(sub);
    size_t lb = first_char_len(std::string_view(sub).substr(la));
    if (la == 0 || lb == 0) return text;
    std::string a = sub.substr(0, la), b = sub.substr(la, lb), rest = sub.substr(la + lb);
    if (b != "{")
      out += "{" + a + "}{" + b + "}" + rest;
    else
      out += "{" + a + "}" + b + rest;
  }
  return out;
}

// \sqrt3 -> \sqrt{3}.
std::string fix_sqrt(const std::string& text) {
  if (text.find("\\sqrt") == std::string::npos) return text;
  auto parts = split(text, "\\sqrt");
  std::string out = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string sp = py_lstrip(parts[i]);
    if (!sp.empty() && sp[0] != '{' && sp[0] != '[') {
      size_t n = first_char_len(sp);
      out += "\\sqrt{" + sp.substr(0, n) + "}" + sp.substr(n);
    } else {
      out += "\\sqrt" + sp;
    }
  }
  return out;
}

bool canonical_int(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0' && s.size() - i > 1) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return !(s == "-0");
}

// "2/3" -> \frac{2}{3} for plain integers only.
std::string fix_a_slash_b(const std::string& text) {
  auto parts = split(text, "/");
  if (parts.size() != 2) return text;
  if (!canonical_int(parts[0]) || !canonical_int(parts[1])) return text;
  return "\\frac{" + parts[0] + "}{" + parts[1] + "}";
}

std::string fix_malformed_operators(std::string text) {
  static const char* const templ[] = {"^{\\1}",          "\\\\sqrt{\\1}",         "\\\\frac{\\1}{\\2}",
                                      "\\\\log_{\\1}{\\2}", "\\\\frac{\\1}{\\2}", "\\\\frac{\\1}{\\2}",
                                      "\\\\sqrt{\\1}"};
  const Patterns& p = patterns();
  for (int i = 0; i < 7; ++i) text = p.malformed[i].replace(text, templ[i]);
  replace_all_literal(text, " sqrt", "\\sqrt");
  return text;
}

}  // namespace

std::string py_strip(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e) {
    size_t n = space_at(s, b);
    if (!n) break;
    b += n;
  }
  // Trailing: scan code points from the start of the remaining span.
  size_t last_non_space = b;
  for (size_t i = b; i < e;) {
    size_t n = space_at(s, i);
    size_t len = n ? n : std::max<size_t>(first_char_len(s.substr(i)), 1);
    if (!n) last_non_space = i + len;
    i += len;
  }
  return std::string(s.substr(b, last_non_space - b));
}

std::string extract_boxed_content(std::string_view text, BoxedMode mode) {
  const Patterns& p = patterns();
  std::vector<std::string> results;
  size_t current = text.size(), max_pos = text.size();
  bool have_last = false;
  size_t last_start = 0;
  for (;;) {
    tick();
    size_t boxed = current >= 6 ? text.rfind("\\boxed", current - 6) : std::string_view::npos;
    size_t fbox = current >= 5 ? text.rfind("\\fbox", current - 5) : std::string_view::npos;
    if (boxed == std::string_view::npos && fbox == std::string_view::npos) break;
    bool is_boxed = boxed != std::string_view::npos && (fbox == std::string_view::npos || boxed > fbox);
    size_t start = is_boxed ? boxed : fbox;
    size_t next = start + (is_boxed ? 6 : 5);
    while (next < max_pos && space_at(text, next)) next += space_at(text, next);
    if (next >= max_pos) break;
    if (text[next] != '{') {
      if (results.empty()) results.emplace_back(text.substr(next));
      break;
    }
    // matching brace, not looking past max_pos
    size_t i = next, depth = 1;
    bool closed = false;
    while (i + 1 < max_pos) {
      ++i;
      if (text[i] == '{') {
        ++depth;
      } else if (text[i] == '}') {
        if (--depth == 0) {
          closed = true;
          break;
        }
      }
    }
    if (!closed) {
      if (results.empty()) results.emplace_back(text.substr(next));
      break;
    }
    std::string content = py_strip(text.substr(next + 1, i - next - 1));
    if (mode == BoxedMode::Last && have_last) {
      std::string_view between = text.substr(i + 1, last_start > i + 1 ? last_start - i - 1 : 0);
      size_t len = utf8_length(between);
      const std::string& later = results.empty() ? std::string() : results.back();
      bool keep = len < 10 || (later != content && len < 70 && p.separator.contains(between));
      if (!keep) break;
    }
    if (results.empty() || results.back() != content) results.push_back(content);
    have_last = true;
    last_start = start;
    max_pos = start;
    current = start;
  }
  if (results.empty()) return std::string(text);
  std::string out;
  for (size_t k = results.size(); k-- > 0;) {
    out += results[k];
    if (k) out += ",";
  }
  return out;
}

std::string normalize_latex(std::string_view input, const NormalizationConfig& c) {
  const Patterns& p = patterns();
  std::string text(input);
  if (c.boxed == BoxedMode::All || c.boxed == BoxedMode::Last) text = extract_boxed_content(text, c.boxed);
  if (c.basic_latex) {
    replace_all_literal(text, "\\mathrm{T}", "T");
    replace_all_literal(text, "\\mathrm{d}", "d");
    replace_all_literal(text, "{\\rm d}", "d");
    replace_all_literal(text, "\\left[\\begin{matrix}", "\\begin{bmatrix}");
    replace_all_literal(text, "\\end{matrix}\\right]", "\\end{bmatrix}");
    text = p.left.replace(text, "\\1");
    text = p.right.replace(text, "\\1");
    text = p.permutation.replace(text, "\\\\frac{(\\1)!}{((\\1)-(\\2))!}");
    text = p.remove.replace(text, "");
    text = p.replace_all.replace(text, [&](const Regex::Match& m) -> std::string {
      for (size_t i = 0; i < p.replace_groups.size(); ++i)
        if (m.has(p.replace_groups[i])) return kReplacements[i].replacement;
      return "";
    });
    for (char& ch : text)
      if (ch == '\n' || ch == '\t') ch = ' ';
    if (text.find("matrix") == std::string::npos) text = p.command_slash.replace(text, "\\\\");
  }
  if (c.equations && text.find(',') == std::string::npos && text.find(';') == std::string::npos) {
    auto matches = p.equation_split.find_all(text);
    if (matches.size() >= 2) text = text.substr(matches.back().end);
  }
  if (c.units) {
    std::string t = py_strip(p.unit_superscript.replace(text, ""));
    if (!t.empty() && t != text) text = t;
    for (int round = 0; round < 2; ++round) {
      t = p.units.replace(text, "\\1");
      if (!t.empty() && t != text) text = t;
    }
  }
  if (c.nits) {
    if (!text.empty() && text[0] == '.') text = "0" + text;
    if (text == "0.5") text = "\\frac{1}{2}";
  }
  if (c.malformed_operators) {
    text = fix_malformed_operators(text);
    text = fix_sqrt(text);
    text = fix_fracs(text);
    text = fix_a_slash_b(text);
  }
  return py_strip(text);
}

}  // namespace reason::math::detail
