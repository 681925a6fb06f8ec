#pragma once
// The BPE model of tokenizer.json: a word (one pre-token) starts as one symbol per character
// and adjacent pairs are merged by rank, lowest first, leftmost among equal ranks, exactly as
// Hugging Face's Word::merge_all; unknown characters go through byte_fallback / unk_token.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace reason {

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::string continuing_subword_prefix;
  std::string end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;  // a word that is itself in the vocabulary is one token
};

class BpeModel {
 public:
  // Throws ConfigError(where...) when a merge names a token that is not in the vocabulary.
  BpeModel(const std::vector<std::pair<std::string, int32_t>>& vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
           const std::string& where);

  // Appends the ids of `word` to out.
  void tokenize(std::string_view word, std::vector<int64_t>& out) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  // nullptr when the id is not in the vocabulary.
  const std::string* id_to_token(int64_t id) const;
  std::size_t size() const { return count_; }
  int64_t max_id() const { return static_cast<int64_t>(tokens_.size()) - 1; }

 private:
  void merge_word(std::string_view word, std::vector<int32_t>& ids) const;

  std::vector<std::string> tokens_;  // by id; owns the strings the index views
  std::vector<bool> present_;
  std::unordered_map<std::string_view, int32_t> index_;
  // (a, b) -> (rank, merged id), open addressing: this lookup is the inner loop of BPE.
  struct MergeTable {
    struct Slot {
      uint64_t key = ~uint64_t{0};  // ids are below 2^31, so this key never occurs
      int32_t rank = 0, id = 0;
    };
    std::vector<Slot> slots;
    uint64_t mask = 0;
    void reserve(std::size_t n);
    void put(uint64_t key, int32_t rank, int32_t id);  // a later merge of the same pair wins
    const Slot* find(uint64_t key) const;
  };
  MergeTable merges_;
  std::size_t count_ = 0;
  BpeOptions options_;
  std::optional<int32_t> unk_id_;
  // Id of each one-character token below U+0200 (the whole byte-level alphabet), -1 if none:
  // spares a string hash per character of every word.
  std::vector<int32_t> small_char_id_;

  // Words seen before (Hugging Face keeps the same kind of cache); filled until full.
  static constexpr std::size_t kCacheCapacity = 50000;
  static constexpr std::size_t kCacheMaxWord = 256;
  mutable std::mutex cache_mutex_;
  mutable std::deque<std::string> cache_keys_;  // owns the words the cache's keys view
  mutable std::unordered_map<std::string_view, std::vector<int32_t>> cache_;
};

}  // namespace reason
