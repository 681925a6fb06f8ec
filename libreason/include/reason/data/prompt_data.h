#pragma once
// Training data: JSON Lines rows (a problem and its reference answer, or a prompt and its target
// completion), and the order in which a run visits them: epochs, deterministic shuffling, a
// cursor, and an active pool that strategies may shrink between epochs (History Resampling).
#include <nlohmann/json.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace reason {

struct PromptRow {
  int64_t index = 0;      // position in the file (stable id of the prompt)
  nlohmann::json fields;  // the whole row, passed to rewards
};

// Loads every row; `required_fields` must be present in each (IoError naming file:line).
// `key` is the configuration key that named the file: a missing file is a ConfigError on it.
std::vector<PromptRow> load_prompt_rows(const std::string& path, const std::vector<std::string>& required_fields,
                                        const std::string& key = "data.train_file");

class PromptPool {
 public:
  // size: number of rows; seed: shuffle seed (epoch e uses seed + e); shuffle: off = file order.
  PromptPool(int64_t size, uint64_t seed, bool shuffle);

  // The next `count` row indices; crossing the end of an epoch starts the next one, reshuffled
  // (on_epoch_end runs first, so a strategy can change the active set).
  std::vector<int64_t> next(int64_t count);

  int64_t epoch() const { return epoch_; }
  int64_t cursor() const { return cursor_; }
  // Rows taking part in the current epoch (all rows at the start).
  const std::vector<int64_t>& active() const { return active_; }
  // Replaces the active set; takes effect when the next epoch starts.
  void set_next_active(std::vector<int64_t> rows);
  // Called when an epoch ends, before the next order is drawn.
  void set_epoch_end_hook(std::function<void(PromptPool&)> hook) { hook_ = std::move(hook); }

  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  void start_epoch();
  int64_t size_;
  uint64_t seed_;
  bool shuffle_;
  int64_t epoch_ = 0;
  int64_t cursor_ = 0;
  std::vector<int64_t> active_;
  std::vector<int64_t> pending_active_;
  bool has_pending_ = false;
  std::vector<int64_t> order_;
  std::function<void(PromptPool&)> hook_;
};

}  // namespace reason
