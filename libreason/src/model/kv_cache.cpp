#include "reason/model/kv_cache.h"

#include <algorithm>

#include "reason/core/error.h"

namespace reason {
namespace {
at::Tensor row_index(const std::vector<int64_t>& rows, const at::Device& device) {
  return at::tensor(rows, at::TensorOptions().dtype(at::kLong)).to(device);
}
}  // namespace

KvCache::KvCache(const ModelConfig& config, int64_t batch, int64_t capacity, const at::TensorOptions& options)
    : batch_(batch), capacity_(capacity), host_lengths_(static_cast<std::size_t>(batch), 0) {
  REASON_CHECK(batch > 0 && capacity > 0, InvalidArgument, "KvCache: batch and capacity must be positive, got ", batch,
               " and ", capacity);
  for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
    keys_.push_back(at::zeros({batch, config.num_key_value_heads, capacity, config.head_dim}, options));
    values_.push_back(at::zeros({batch, config.num_key_value_heads, capacity, config.head_dim}, options));
  }
  auto long_opts = at::TensorOptions().dtype(at::kLong).device(options.device());
  lengths_ = at::zeros({batch}, long_opts);
  real_tokens_ = at::zeros({batch}, long_opts);
  valid_ = at::zeros({batch, capacity}, long_opts.dtype(at::kBool));
}

at::Tensor KvCache::append(const at::Tensor& real) {
  REASON_CHECK(real.dim() == 2 && real.size(0) == batch_, InvalidArgument, "KvCache::append: expected (", batch_,
               ", count) mask, got ", real.sizes());
  const int64_t count = real.size(1);
  for (int64_t b = 0; b < batch_; ++b)
    REASON_CHECK(host_lengths_[b] + count <= capacity_, InvalidArgument, "KvCache: row ", b, " would hold ",
                 host_lengths_[b] + count, " tokens, capacity is ", capacity_);
  at::Tensor real_long = real.to(lengths_.device(), at::kLong);
  at::Tensor cols = lengths_.unsqueeze(1) + at::arange(count, lengths_.options()).unsqueeze(0);  // (B, count)
  valid_.scatter_(1, cols, real_long.to(at::kBool));
  last_positions_ = (real_tokens_.unsqueeze(1) + real_long.cumsum(1) - 1).clamp_min(0);
  real_tokens_.add_(real_long.sum(1));
  lengths_.add_(count);
  for (auto& n : host_lengths_) n += count;
  used_ = *std::max_element(host_lengths_.begin(), host_lengths_.end());
  last_columns_ = cols;
  return cols;
}

std::pair<at::Tensor, at::Tensor> KvCache::update(int64_t layer, const at::Tensor& k, const at::Tensor& v) {
  REASON_CHECK(layer >= 0 && layer < static_cast<int64_t>(keys_.size()), InvalidArgument, "KvCache: no layer ", layer);
  const int64_t count = last_columns_.size(1);
  at::Tensor idx = last_columns_.view({batch_, 1, count, 1}).expand({batch_, k.size(1), count, k.size(3)});
  keys_[layer].scatter_(2, idx, k.to(keys_[layer].scalar_type()));
  values_[layer].scatter_(2, idx, v.to(values_[layer].scalar_type()));
  return {keys_[layer].narrow(2, 0, used_), values_[layer].narrow(2, 0, used_)};
}

void KvCache::reset_rows(const std::vector<int64_t>& rows) {
  if (rows.empty()) return;
  for (int64_t r : rows)
    REASON_CHECK(r >= 0 && r < batch_, InvalidArgument, "KvCache::reset_rows: row ", r, " out of range");
  at::Tensor idx = row_index(rows, lengths_.device());
  lengths_.index_fill_(0, idx, 0);
  real_tokens_.index_fill_(0, idx, 0);
  valid_.index_fill_(0, idx, false);
  for (int64_t r : rows) host_lengths_[r] = 0;
  used_ = *std::max_element(host_lengths_.begin(), host_lengths_.end());
}

void KvCache::assign_rows(const std::vector<int64_t>& dst_rows, const KvCache& other,
                          const std::vector<int64_t>& src_rows) {
  REASON_CHECK(dst_rows.size() == src_rows.size(), InvalidArgument, "KvCache::assign_rows: row lists differ in size");
  REASON_CHECK(other.keys_.size() == keys_.size() && other.capacity_ <= capacity_, InvalidArgument,
               "KvCache::assign_rows: incompatible caches");
  for (std::size_t i = 0; i < dst_rows.size(); ++i)
    REASON_CHECK(dst_rows[i] >= 0 && dst_rows[i] < batch_ && src_rows[i] >= 0 && src_rows[i] < other.batch_,
                 InvalidArgument, "KvCache::assign_rows: row out of range");
  if (dst_rows.empty()) return;
  at::Tensor dst = row_index(dst_rows, lengths_.device());
  at::Tensor src = row_index(src_rows, lengths_.device());
  const int64_t cols = other.capacity_;
  for (std::size_t l = 0; l < keys_.size(); ++l) {
    keys_[l].narrow(2, 0, cols).index_copy_(0, dst, other.keys_[l].index_select(0, src));
    values_[l].narrow(2, 0, cols).index_copy_(0, dst, other.values_[l].index_select(0, src));
  }
  valid_.index_fill_(0, dst, false);
  valid_.narrow(1, 0, cols).index_copy_(0, dst, other.valid_.index_select(0, src));
  lengths_.index_copy_(0, dst, other.lengths_.index_select(0, src));
  real_tokens_.index_copy_(0, dst, other.real_tokens_.index_select(0, src));
  for (std::size_t i = 0; i < dst_rows.size(); ++i) host_lengths_[dst_rows[i]] = other.host_lengths_[src_rows[i]];
  used_ = *std::max_element(host_lengths_.begin(), host_lengths_.end());
}

}  // namespace reason
