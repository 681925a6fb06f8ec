#include "reason/data/prompt_data.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include "reason/core/error.h"
#include "reason/core/jsonl.h"

namespace reason {

std::vector<PromptRow> load_prompt_rows(const std::string& path, const std::vector<std::string>& required_fields,
                                        const std::string& key) {
  if (path.empty()) throw ConfigError(key, "is required");
  if (!std::filesystem::exists(path)) throw ConfigError(key, "'" + path + "' does not exist");
  std::vector<PromptRow> rows;
  for_each_jsonl(path, [&](const nlohmann::json& row, int64_t) {
    for (const auto& f : required_fields)
      if (!f.empty() && !row.contains(f)) throw IoError("missing field '" + f + "'");
    rows.push_back({static_cast<int64_t>(rows.size()), row});
  });
  if (rows.empty()) throw IoError(path + ": no rows");
  return rows;
}

PromptPool::PromptPool(int64_t size, uint64_t seed, bool shuffle) : size_(size), seed_(seed), shuffle_(shuffle) {
  REASON_CHECK(size > 0, InvalidArgument, "PromptPool: empty dataset");
  for (int64_t i = 0; i < size; ++i) active_.push_back(i);
  start_epoch();
}

void PromptPool::start_epoch() {
  order_ = active_;
  if (shuffle_) {
    // std::shuffle's algorithm is not specified across standard libraries; Fisher-Yates with
    // mt19937_64 keeps the order identical everywhere for a seed.
    std::mt19937_64 rng(seed_ + static_cast<uint64_t>(epoch_));
    for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng() % i]);
  }
  cursor_ = 0;
}

std::vector<int64_t> PromptPool::next(int64_t count) {
  std::vector<int64_t> out;
  while (static_cast<int64_t>(out.size()) < count) {
    if (cursor_ >= static_cast<int64_t>(order_.size())) {
      if (hook_) hook_(*this);
      if (has_pending_) {
        active_ = std::move(pending_active_);
        has_pending_ = false;
      }
      REASON_CHECK(!active_.empty(), Error, "the prompt pool is empty (every prompt was removed)");
      ++epoch_;
      start_epoch();
    }
    out.push_back(order_[cursor_++]);
  }
  return out;
}

void PromptPool::set_next_active(std::vector<int64_t> rows) {
  pending_active_ = std::move(rows);
  has_pending_ = true;
}

nlohmann::json PromptPool::state() const {
  nlohmann::json s = {{"epoch", epoch_}, {"cursor", cursor_}, {"active", active_}};
  if (has_pending_) s["pending_active"] = pending_active_;
  return s;
}

void PromptPool::load_state(const nlohmann::json& s) {
  try {
    epoch_ = s.at("epoch").get<int64_t>();
    active_ = s.at("active").get<std::vector<int64_t>>();
    has_pending_ = s.contains("pending_active");
    if (has_pending_) pending_active_ = s["pending_active"].get<std::vector<int64_t>>();
    start_epoch();
    cursor_ = s.at("cursor").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw LoadError(std::string("prompt pool state: ") + e.what());
  }
  for (int64_t r : active_)
    if (r < 0 || r >= size_) throw LoadError("prompt pool state names row " + std::to_string(r) + " of " + std::to_string(size_));
}

}  // namespace reason
