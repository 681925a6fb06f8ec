#pragma once
// Key/value cache for batched generation. Every row (sequence slot) has its own length, so
// rows may hold prompts of different lengths, be reset and refilled while others continue
// (continuous batching) and never need a host synchronisation to be extended.
#include <ATen/ATen.h>

#include <vector>

#include "reason/model/model_config.h"

namespace reason {

class KvCache {
 public:
  // capacity: columns per row (prompt + new tokens). options: dtype/device of the keys.
  KvCache(const ModelConfig& config, int64_t batch, int64_t capacity, const at::TensorOptions& options);

  int64_t batch() const { return batch_; }
  int64_t capacity() const { return capacity_; }
  // Upper bound (host-side, exact) of the columns written in any row: attention looks at [0, used).
  int64_t used() const { return used_; }

  // Reserves `count` new columns in every row and returns their indices (B, count) int64;
  // `real` (B, count) marks which of them hold real tokens (0 = padding). Called once per
  // forward, before the layers write; throws when the capacity would be exceeded.
  at::Tensor append(const at::Tensor& real);
  // Positions (B, count) of the columns just appended: the number of real tokens before each.
  const at::Tensor& last_positions() const { return last_positions_; }

  // Writes one layer's new keys/values (B, kvH, count, D) into the columns of the last append()
  // and returns the layer's cached keys/values over [0, used()) (B, kvH, used, D).
  std::pair<at::Tensor, at::Tensor> update(int64_t layer, const at::Tensor& k, const at::Tensor& v);

  // Column validity (B, capacity) bool: true where a real token was written.
  const at::Tensor& valid() const { return valid_; }
  // Number of real tokens per row (B) int64.
  const at::Tensor& real_tokens() const { return real_tokens_; }

  // Empties the given rows so they can take new sequences.
  void reset_rows(const std::vector<int64_t>& rows);
  // Copies rows `src_rows` of `other` (same model, capacity <= ours) into rows `dst_rows` of this
  // cache, replacing their contents: how prefilled waiting sequences join a running batch.
  void assign_rows(const std::vector<int64_t>& dst_rows, const KvCache& other, const std::vector<int64_t>& src_rows);

 private:
  int64_t batch_;
  int64_t capacity_;
  int64_t used_ = 0;
  std::vector<int64_t> host_lengths_;  // mirror of lengths_, kept without device syncs
  std::vector<at::Tensor> keys_;       // per layer (B, kvH, capacity, D)
  std::vector<at::Tensor> values_;     // per layer (B, kvH, capacity, D)
  at::Tensor lengths_;                 // (B) int64 columns written
  at::Tensor valid_;                   // (B, capacity) bool
  at::Tensor real_tokens_;             // (B) int64
  at::Tensor last_columns_;            // (B, count) int64
  at::Tensor last_positions_;          // (B, count) int64
};

}  // namespace reason
