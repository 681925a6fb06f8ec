#include "reason/reward/shaping.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "math/regex.h"

namespace reason {
namespace {

using math::detail::Regex;

size_t count_occurrences(std::string_view text, std::string_view needle) {
  size_t n = 0, pos = 0;
  while ((pos = text.find(needle, pos)) != std::string_view::npos) {
    ++n;
    pos += needle.size();
  }
  return n;
}

bool is_py_space(utf8proc_int32_t c) {
  return (c >= 9 && c <= 13) || (c >= 28 && c <= 32) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Python's text.lower().split().
std::vector<std::string> lower_words(std::string_view text) {
  std::string clean = math::detail::sanitize_utf8(text);
  std::vector<std::string> words;
  std::string cur;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(clean.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(clean.size());
  while (left > 0) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
    if (n <= 0) break;
    p += n;
    left -= n;
    if (is_py_space(c)) {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(c), buf);
    cur.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(m));
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

}  // namespace

size_t utf8_char_count(std::string_view text) { return math::detail::utf8_length(text); }

double format_reward_open_r1(std::string_view completion) {
  static const Regex re(R"(^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$)", Regex::kDotAll | Regex::kMultiline);
  std::string text = math::detail::sanitize_utf8(completion);
  Regex::Match m;
  return re.search(text, 0, m, /*anchored=*/true) ? 1.0 : 0.0;
}

double format_reward_think_once(std::string_view completion) {
  return count_occurrences(completion, "\n</think>\n") == 1 ? 1.0 : 0.0;
}

double tag_count_reward_open_r1(std::string_view c) {
  double r = 0;
  if (count_occurrences(c, "<think>\n") == 1) r += 0.25;
  if (count_occurrences(c, "\n</think>\n") == 1) r += 0.25;
  if (count_occurrences(c, "\n<answer>\n") == 1) r += 0.25;
  if (count_occurrences(c, "\n</answer>") == 1) r += 0.25;
  return r;
}

double tag_count_reward_think_only(std::string_view c) {
  double r = 0;
  if (count_occurrences(c, "<think>\n") == 1) r += 0.5;
  if (count_occurrences(c, "\n</think>\n") == 1) r += 0.5;
  return r;
}

double reasoning_steps_reward(std::string_view completion, double steps) {
  static const Regex re(R"((Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,))");
  std::string text = math::detail::sanitize_utf8(completion);
  double count = static_cast<double>(re.find_all(text).size());
  return std::min(1.0, count / steps);
}

double cosine_scaled_reward(double gen_len, bool correct, const CosineParams& p) {
  double progress = gen_len / p.max_len;
  if (p.clamp) progress = std::clamp(progress, 0.0, 1.0);
  double c = std::cos(progress * M_PI);
  double lo = correct ? p.min_value_correct : p.max_value_wrong;
  double hi = correct ? p.max_value_correct : p.min_value_wrong;
  return lo + 0.5 * (hi - lo) * (1.0 + c);
}

double repetition_penalty_reward(std::string_view completion, int n, double max_penalty) {
  if (completion.empty()) return 0.0;
  auto words = lower_words(completion);
  if (n <= 0 || words.size() < static_cast<size_t>(n)) return 0.0;
  std::set<std::vector<std::string>> unique;
  size_t total = 0;
  for (size_t i = 0; i + static_cast<size_t>(n) <= words.size(); ++i, ++total)
    unique.insert(std::vector<std::string>(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i) + n));
  double scaling = 1.0 - static_cast<double>(unique.size()) / static_cast<double>(total);
  return scaling * max_penalty;
}

double soft_overlong_punishment(int64_t length, int64_t max_len, int64_t cache) {
  if (length <= max_len - cache) return 0.0;
  if (length <= max_len) return static_cast<double>(max_len - cache - length) / static_cast<double>(cache);
  return -1.0;
}

std::vector<double> kimi_length_reward(const std::vector<double>& lengths, const std::vector<bool>& correct) {
  std::vector<double> out(lengths.size(), 0.0);
  if (lengths.empty()) return out;
  double lo = *std::min_element(lengths.begin(), lengths.end());
  double hi = *std::max_element(lengths.begin(), lengths.end());
  if (hi == lo) return out;
  for (size_t i = 0; i < lengths.size(); ++i) {
    double lambda = 0.5 - (lengths[i] - lo) / (hi - lo);
    out[i] = correct[i] ? lambda : std::min(0.0, lambda);
  }
  return out;
}

}  // namespace reason
