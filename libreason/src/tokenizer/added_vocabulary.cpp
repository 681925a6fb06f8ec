#include "tokenizer/added_vocabulary.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace reason {

void AddedTokenMatcher::build(const std::vector<AddedToken>& tokens, const std::vector<std::string>& patterns) {
  tokens_ = tokens;
  nodes_.assign(1, Node{});
  std::fill(std::begin(first_byte_), std::end(first_byte_), false);
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const std::string& p = patterns[t];
    if (p.empty()) continue;
    first_byte_[static_cast<unsigned char>(p[0])] = true;
    int32_t node = 0;
    for (unsigned char b : p) {
      int32_t next = child(node, b);
      if (next < 0) {
        next = static_cast<int32_t>(nodes_.size());
        auto& ch = nodes_[node].children;
        ch.insert(std::upper_bound(ch.begin(), ch.end(), std::make_pair(b, INT32_MIN),
                                   [](const auto& x, const auto& y) { return x.first < y.first; }),
                  {b, next});
        nodes_.emplace_back();
      }
      node = next;
    }
    nodes_[node].token = static_cast<int32_t>(t);
  }
}

int32_t AddedTokenMatcher::child(int32_t node, unsigned char b) const {
  const auto& ch = nodes_[node].children;
  auto it = std::lower_bound(ch.begin(), ch.end(), b, [](const auto& x, unsigned char v) { return x.first < v; });
  return it != ch.end() && it->first == b ? it->second : -1;
}

std::vector<AddedTokenMatcher::Segment> AddedTokenMatcher::split(std::string_view s, bool parse_special) const {
  std::vector<Segment> out;
  if (s.empty() || tokens_.empty()) {
    if (!s.empty()) out.push_back({0, s.size(), -1});
    return out;
  }
  std::size_t start_offset = 0;  // end of the previous accepted match
  std::size_t pos = 0;           // where the leftmost-longest search resumes
  while (pos < s.size()) {
    // Leftmost position where some token starts, longest token there.
    std::size_t mstart = s.size(), mend = 0;
    int32_t mtoken = -1;
    for (std::size_t i = pos; i < s.size(); ++i) {
      if (!first_byte_[static_cast<unsigned char>(s[i])]) continue;
      int32_t node = 0;
      for (std::size_t j = i; j < s.size(); ++j) {
        node = child(node, static_cast<unsigned char>(s[j]));
        if (node < 0) break;
        if (nodes_[node].token >= 0) mtoken = nodes_[node].token, mend = j + 1;
      }
      if (mtoken >= 0) {
        mstart = i;
        break;
      }
    }
    if (mtoken < 0) break;
    pos = mend;  // the search goes on after this match whatever is decided below
    const AddedToken& tok = tokens_[mtoken];
    if (!parse_special && tok.special) continue;
    std::size_t start = mstart, stop = mend;
    if (start < start_offset) continue;  // overlaps a previous token's stripped spaces
    if (tok.single_word) {
      bool start_space = true, stop_space = true;
      if (start > 0) {
        std::size_t e = start;
        start_space = !unicode::is_word_char(unicode::prev_char(s, e));
      }
      if (stop < s.size()) {
        std::size_t i = stop;
        stop_space = !unicode::is_word_char(unicode::next_char(s, i));
      }
      if (!start_space || !stop_space) continue;
    }
    if (tok.lstrip) {
      std::size_t e = start;
      while (e > 0) {
        std::size_t p = e;
        if (!unicode::is_white_space(unicode::prev_char(s, p))) break;
        e = p;
      }
      start = std::max(e, start_offset);
    }
    if (tok.rstrip) {
      while (stop < s.size()) {
        std::size_t i = stop;
        if (!unicode::is_white_space(unicode::next_char(s, i))) break;
        stop = i;
      }
    }
    if (start_offset < start) out.push_back({start_offset, start, -1});
    out.push_back({start, stop, tok.id});
    start_offset = stop;
  }
  if (start_offset < s.size()) out.push_back({start_offset, s.size(), -1});
  return out;
}

}  // namespace reason
