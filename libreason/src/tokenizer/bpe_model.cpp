#include "tokenizer/bpe_model.h"

#include <cstdio>
#include <queue>

#include "reason/core/error.h"
#include "tokenizer/unicode.h"

namespace reason {
namespace {

uint64_t pair_key(int32_t a, int32_t b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }

std::size_t char_length(unsigned char lead) { return lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2; }

struct Symbol {
  int32_t id;
  int32_t prev, next;
  std::size_t len;  // 0 once merged into its left neighbour
};

struct Merge {
  std::size_t pos;
  int32_t rank, new_id;
  // priority_queue pops the largest: make the lowest rank, then the lowest position, largest.
  bool operator<(const Merge& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

uint64_t mix(uint64_t k) {  // splitmix64's finalizer
  k ^= k >> 30;
  k *= 0xbf58476d1ce4e5b9ULL;
  k ^= k >> 27;
  k *= 0x94d049bb133111ebULL;
  return k ^ (k >> 31);
}

}  // namespace

void BpeModel::MergeTable::reserve(std::size_t n) {
  std::size_t size = 16;
  while (size < 2 * n) size *= 2;  // load factor at most 1/2
  slots.assign(size, Slot{});
  mask = size - 1;
}

void BpeModel::MergeTable::put(uint64_t key, int32_t rank, int32_t id) {
  for (uint64_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (slots[i].key == key || slots[i].key == ~uint64_t{0}) {
      slots[i] = {key, rank, id};
      return;
    }
  }
}

const BpeModel::MergeTable::Slot* BpeModel::MergeTable::find(uint64_t key) const {
  for (uint64_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (slots[i].key == key) return &slots[i];
    if (slots[i].key == ~uint64_t{0}) return nullptr;
  }
}

BpeModel::BpeModel(const std::vector<std::pair<std::string, int32_t>>& vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
                   const std::string& where)
    : options_(std::move(options)) {
  int32_t max_id = -1;
  for (const auto& [token, id] : vocab) {
    if (id < 0) throw ConfigError(where + ".vocab", "negative id " + std::to_string(id) + " for '" + token + "'");
    max_id = std::max(max_id, id);
  }
  tokens_.resize(static_cast<std::size_t>(max_id + 1));
  present_.assign(tokens_.size(), false);
  for (const auto& [token, id] : vocab) {
    if (present_[id])
      throw ConfigError(where + ".vocab", "id " + std::to_string(id) + " is given to two tokens");
    tokens_[id] = token;
    present_[id] = true;
  }
  index_.reserve(vocab.size());
  for (std::size_t id = 0; id < tokens_.size(); ++id)
    if (present_[id]) index_.emplace(tokens_[id], static_cast<int32_t>(id));
  count_ = index_.size();

  const std::size_t prefix_len = options_.continuing_subword_prefix.size();
  merges_.reserve(merges.size());
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    auto ia = index_.find(a), ib = index_.find(b);
    if (ia == index_.end() || ib == index_.end())
      throw ConfigError(where + ".merges", "merge " + std::to_string(rank) + " ('" + a + "' '" + b +
                                               "') uses a token that is not in the vocabulary");
    // The merged token drops the right part's continuing-subword prefix (as Hugging Face).
    std::string merged = a + (b.size() >= prefix_len ? b.substr(prefix_len) : b);
    auto im = index_.find(merged);
    if (im == index_.end())
      throw ConfigError(where + ".merges", "merge " + std::to_string(rank) + " makes '" + merged +
                                               "', which is not in the vocabulary");
    merges_.put(pair_key(ia->second, ib->second), static_cast<int32_t>(rank), im->second);
  }
  small_char_id_.assign(0x200, -1);
  for (char32_t c = 0; c < 0x200; ++c) {
    std::string utf8;
    unicode::append_utf8(utf8, c);
    if (auto it = index_.find(utf8); it != index_.end()) small_char_id_[c] = it->second;
  }
  if (options_.unk_token) {
    auto it = index_.find(*options_.unk_token);
    if (it != index_.end()) unk_id_ = it->second;
  }
}

std::optional<int32_t> BpeModel::token_to_id(std::string_view token) const {
  auto it = index_.find(token);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::id_to_token(int64_t id) const {
  if (id < 0 || id >= static_cast<int64_t>(tokens_.size()) || !present_[id]) return nullptr;
  return &tokens_[id];
}

void BpeModel::merge_word(std::string_view w, std::vector<int32_t>& ids) const {
  std::vector<Symbol> symbols;
  symbols.reserve(w.size());
  auto add = [&](int32_t id, std::size_t len) {
    const int32_t n = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, n - 1, n + 1, len});
  };
  bool unk = false;  // an unknown run is pending
  std::size_t unk_len = 0;
  std::string piece;
  const bool affixes = !options_.continuing_subword_prefix.empty() || !options_.end_of_word_suffix.empty();
  for (std::size_t i = 0; i < w.size();) {
    const std::size_t len = std::min(char_length(static_cast<unsigned char>(w[i])), w.size() - i);
    if (!affixes && len <= 2) {
      std::size_t j = i;
      const char32_t c = unicode::next_char(w, j);
      if (c < 0x200 && small_char_id_[c] >= 0) {
        if (unk) add(*unk_id_, unk_len), unk = false;
        add(small_char_id_[c], len);
        i += len;
        continue;
      }
    }
    const bool first = i == 0, last = i + len == w.size();
    piece.assign(first ? "" : options_.continuing_subword_prefix);
    piece.append(w.data() + i, len);
    if (last) piece += options_.end_of_word_suffix;
    i += len;
    if (auto it = index_.find(piece); it != index_.end()) {
      if (unk) add(*unk_id_, unk_len), unk = false;
      add(it->second, len);
      continue;
    }
    if (options_.byte_fallback) {
      std::vector<int32_t> bytes;
      for (unsigned char b : piece) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        auto it = index_.find(name);
        if (it == index_.end()) break;
        bytes.push_back(it->second);
      }
      if (bytes.size() == piece.size()) {
        for (int32_t id : bytes) add(id, 1);
        continue;
      }
    }
    if (unk_id_) {
      if (unk && options_.fuse_unk) {
        unk_len += len;
      } else {
        if (unk) add(*unk_id_, unk_len);
        unk = true;
        unk_len = len;
      }
    } else if (options_.unk_token) {
      throw InvalidArgument("unk_token '" + *options_.unk_token + "' is not in the vocabulary");
    }
    // No unk token: the character is dropped, as Hugging Face does.
  }
  if (unk) add(*unk_id_, unk_len);
  if (!symbols.empty()) symbols.back().next = -1;

  std::priority_queue<Merge> queue;
  for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
    if (auto m = merges_.find(pair_key(symbols[i].id, symbols[i + 1].id))) queue.push({i, m->rank, m->id});
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Symbol& cur = symbols[top.pos];
    if (cur.len == 0 || cur.next == -1) continue;
    const Symbol right = symbols[cur.next];
    auto current = merges_.find(pair_key(cur.id, right.id));
    if (!current || current->id != top.new_id) continue;  // stale entry
    const int32_t right_pos = cur.next;
    cur.id = top.new_id;
    cur.len += right.len;
    cur.next = right.next;
    symbols[right_pos].len = 0;
    if (right.next >= 0) symbols[right.next].prev = static_cast<int32_t>(top.pos);
    if (cur.prev >= 0) {
      if (auto m = merges_.find(pair_key(symbols[cur.prev].id, cur.id)))
        queue.push({static_cast<std::size_t>(cur.prev), m->rank, m->id});
    }
    if (cur.next >= 0) {
      if (auto m = merges_.find(pair_key(cur.id, symbols[cur.next].id))) queue.push({top.pos, m->rank, m->id});
    }
  }
  for (const Symbol& s : symbols)
    if (s.len) ids.push_back(s.id);
}

void BpeModel::tokenize(std::string_view word, std::vector<int64_t>& out) const {
  if (word.empty()) return;
  if (options_.ignore_merges) {
    if (auto it = index_.find(word); it != index_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  const bool cacheable = word.size() < kCacheMaxWord;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids;
  merge_word(word, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity && !cache_.count(word)) {
      cache_keys_.emplace_back(word);
      cache_.emplace(cache_keys_.back(), std::move(ids));
    }
  }
}

}  // namespace reason
