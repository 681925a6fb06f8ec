#include "tokenizer/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "reason/core/error.h"

namespace reason {
namespace {

// Oniguruma's Unicode classes: \s is White_Space (PCRE2's UCP \s also takes U+180E), \w is
// letters, marks, decimal digits and connector punctuation (PCRE2 10.42 omits marks and Pc),
// \h is a hexadecimal digit (PCRE2: horizontal space).
constexpr const char* kSpace = "\\t-\\r\\x{85}\\p{Z}";
constexpr const char* kWord = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
constexpr const char* kHex = "0-9a-fA-F";

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  pcre2_get_error_message(code, buf, sizeof buf);
  return reinterpret_cast<const char*>(buf);
}

// Per-thread JIT stack: patterns like \s+(?!\S) backtrack once per character, so long runs of
// whitespace need more than PCRE2's default 32 KiB.
struct ThreadMatchContext {
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ThreadMatchContext() {
    context = pcre2_match_context_create(nullptr);
    stack = pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, nullptr);
    if (context && stack) pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~ThreadMatchContext() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(context);
  }
};

pcre2_match_context* thread_match_context() {
  static thread_local ThreadMatchContext ctx;
  return ctx.context;
}

}  // namespace

struct Regex::Impl {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Impl() { pcre2_code_free(code); }
};

std::string Regex::translate(const std::string& p) {
  std::string out;
  out.reserve(p.size() + 32);
  int class_depth = 0;  // inside [...] (POSIX [:alpha:] and nested sets count as depth)
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char e = p[i + 1];
      ++i;
      const char* expansion = e == 's' ? kSpace : e == 'w' ? kWord : e == 'h' ? kHex : nullptr;
      const char* negated = e == 'S' ? kSpace : e == 'W' ? kWord : e == 'H' ? kHex : nullptr;
      if (expansion) {
        out += class_depth ? std::string(expansion) : "[" + std::string(expansion) + "]";
      } else if (negated && !class_depth) {
        out += "[^" + std::string(negated) + "]";
      } else {
        out += '\\';
        out += e;
      }
      continue;
    }
    if (c == '[') {
      ++class_depth;
      out += c;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
      continue;
    }
    if (c == ']' && class_depth) --class_depth;
    out += c;
  }
  return out;
}

Regex::Regex(const std::string& pattern, bool literal, const std::string& where) : impl_(std::make_unique<Impl>()) {
  const std::string source = literal ? pattern : translate(pattern);
  uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK;
  if (literal) options = PCRE2_UTF | PCRE2_LITERAL;
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), options, &error, &offset,
                              nullptr);
  if (!impl_->code)
    throw ConfigError(where, "cannot compile regex '" + pattern + "': " + pcre2_message(error) + " at offset " +
                                 std::to_string(offset));
  impl_->jit = pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() = default;

void Regex::find_all(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& out) const {
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create_from_pattern(impl_->code, nullptr), &pcre2_match_data_free);
  pcre2_match_context* mctx = thread_match_context();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const std::size_t n = text.size();
  std::size_t pos = 0;
  bool have_last = false;
  std::size_t last_end = 0;
  while (pos <= n) {
    int rc = pcre2_match(impl_->code, subject, n, pos, PCRE2_NO_UTF_CHECK, md.get(), mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_NOMEMORY) {
      // Fall back to the interpreter, which keeps its backtracking frames on the heap.
      rc = pcre2_match(impl_->code, subject, n, pos, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md.get(), nullptr);
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw InvalidArgument("regex match failed: " + pcre2_message(rc));
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    const std::size_t s = ov[0], e = ov[1];
    if (s == e && have_last && last_end == e) {
      // Oniguruma's iterator refuses an empty match where the previous one ended: step one char.
      if (pos >= n) break;
      std::size_t step = 1;
      while (pos + step < n && (static_cast<unsigned char>(text[pos + step]) & 0xC0) == 0x80) ++step;
      pos += step;
      continue;
    }
    out.emplace_back(s, e);
    have_last = true;
    last_end = e;
    pos = e;
  }
}

}  // namespace reason
