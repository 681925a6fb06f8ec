#pragma once
// Finds added tokens in text before the model sees it, with Hugging Face's rules: leftmost
// longest match, then single_word / lstrip / rstrip adjust or reject each match
// (AddedVocabulary::find_matches). One matcher holds either the raw-text tokens or the
// normalized ones.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reason/tokenizer/tokenizer.h"

namespace reason {

class AddedTokenMatcher {
 public:
  struct Segment {
    std::size_t start, end;
    int64_t id;  // -1: ordinary text
  };

  // `patterns[i]` is what is looked for (the content, or its normalized form) for tokens[i].
  void build(const std::vector<AddedToken>& tokens, const std::vector<std::string>& patterns);
  bool empty() const { return tokens_.empty(); }

  // Splits `text` into ordinary segments and added-token segments covering it in order.
  // With parse_special false, matches of special tokens are ignored.
  std::vector<Segment> split(std::string_view text, bool parse_special) const;

 private:
  struct Node {
    std::vector<std::pair<unsigned char, int32_t>> children;  // sorted by byte
    int32_t token = -1;                                       // index into tokens_
  };
  int32_t child(int32_t node, unsigned char b) const;

  std::vector<AddedToken> tokens_;
  std::vector<Node> nodes_;
  bool first_byte_[256] = {};
};

}  // namespace reason
