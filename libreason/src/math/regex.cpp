#include "math/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "math/budget.h"
#include "reason/core/error.h"

namespace reason::math::detail {
namespace {

// Per-thread match context with a JIT stack big enough for the long lazy patterns, and a
// backtracking limit so that no input can make a match run away.
struct ThreadMatch {
  pcre2_match_context* ctx = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ThreadMatch() {
    ctx = pcre2_match_context_create(nullptr);
    stack = pcre2_jit_stack_create(64 * 1024, 8 * 1024 * 1024, nullptr);
    pcre2_jit_stack_assign(ctx, nullptr, stack);
    pcre2_set_match_limit(ctx, 20'000'000);
    pcre2_set_depth_limit(ctx, 200'000);
  }
  ~ThreadMatch() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(ctx);
  }
};

ThreadMatch& thread_match() {
  static thread_local ThreadMatch tm;
  return tm;
}

}  // namespace

Regex::Regex(const std::string& pattern, uint32_t flags) {
  uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK;
  if (flags & kDotAll) opts |= PCRE2_DOTALL;
  if (flags & kCaseless) opts |= PCRE2_CASELESS;
  if (flags & kMultiline) opts |= PCRE2_MULTILINE;
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), opts, &err, &off, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    throw InvalidArgument("internal regex does not compile at offset " + std::to_string(off) + ": " +
                          reinterpret_cast<const char*>(buf) + ": " + pattern);
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
  uint32_t n = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n);
  groups_ = static_cast<int>(n);
  code_ = code;
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

int Regex::group_index(const std::string& name) const {
  int n = pcre2_substring_number_from_name(static_cast<pcre2_code*>(code_), reinterpret_cast<PCRE2_SPTR>(name.c_str()));
  return n < 0 ? -1 : n;
}

bool Regex::search(std::string_view subject, size_t from, Match& m, bool anchored) const {
  tick();
  auto* code = static_cast<pcre2_code*>(code_);
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), from,
                       anchored ? PCRE2_ANCHORED : 0, md, thread_match().ctx);
  if (rc < 0) {
    pcre2_match_data_free(md);
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT)
      throw Timeout();
    return false;  // e.g. a bad offset: treat as no match
  }
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  m.spans.assign(2 * static_cast<size_t>(groups_ + 1), std::string::npos);
  for (int g = 0; g < rc && g <= groups_; ++g) {
    if (ov[2 * g] == PCRE2_UNSET) continue;
    m.spans[2 * static_cast<size_t>(g)] = ov[2 * g];
    m.spans[2 * static_cast<size_t>(g) + 1] = ov[2 * g + 1];
  }
  m.start = ov[0];
  m.end = ov[1];
  pcre2_match_data_free(md);
  return true;
}

namespace {
size_t next_char(std::string_view s, size_t i) {
  if (i >= s.size()) return i + 1;
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}
}  // namespace

std::vector<Regex::Match> Regex::find_all(std::string_view subject) const {
  std::vector<Match> out;
  size_t pos = 0;
  while (pos <= subject.size()) {
    Match m;
    if (!search(subject, pos, m)) break;
    pos = m.end == m.start ? next_char(subject, m.end) : m.end;
    out.push_back(std::move(m));
  }
  return out;
}

std::string Regex::replace(std::string_view subject, const std::function<std::string(const Match&)>& fn) const {
  std::string out;
  size_t pos = 0, copied = 0;
  while (pos <= subject.size()) {
    Match m;
    if (!search(subject, pos, m)) break;
    out.append(subject.substr(copied, m.start - copied));
    out += fn(m);
    copied = m.end;
    if (m.end == m.start) {
      size_t nx = next_char(subject, m.end);
      if (m.end < subject.size()) out.append(subject.substr(m.end, nx - m.end));
      copied = nx;
      pos = nx;
    } else {
      pos = m.end;
    }
  }
  if (copied < subject.size()) out.append(subject.substr(copied));
  return out;
}

std::string Regex::replace(std::string_view subject, std::string_view templ) const {
  return replace(subject, [&](const Match& m) {
    std::string r;
    for (size_t i = 0; i < templ.size(); ++i) {
      if (templ[i] == '\\' && i + 1 < templ.size()) {
        char c = templ[i + 1];
        if (c >= '1' && c <= '9') {
          r.append(m.group(subject, c - '0'));
          ++i;
          continue;
        }
        if (c == '\\') {
          r += '\\';
          ++i;
          continue;
        }
      }
      r += templ[i];
    }
    return r;
  });
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t j = 1; ok && j < len; ++j) ok = (static_cast<unsigned char>(s[i + j]) & 0xC0) == 0x80;
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and values past U+10FFFF.
      uint32_t cp = c & (0xFF >> (len + 1));
      for (size_t j = 1; j < len; ++j) cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3F);
      static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min_cp[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace reason::math::detail
