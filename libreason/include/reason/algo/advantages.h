#pragma once
// Group-relative advantages as TRL's GRPOTrainer computes them (reference/algorithms.md §1.1):
//   A_i = r_i - mean_group(r),  divided by (std + eps) unless scaling is None,
// std Bessel-corrected (n - 1), over the group ("group") or the whole batch ("batch").
// NaN rewards ("not applicable" from every reward) are left out of the means and stds and get
// advantage 0.
#include <ATen/ATen.h>

#include <string>

namespace reason {

enum class RewardScaling { Group, Batch, None };
RewardScaling reward_scaling_from(const std::string& name);  // "group" | "batch" | "none"

struct GroupStats {
  at::Tensor mean;       // (groups) nan-mean reward per group
  at::Tensor std;        // (groups) Bessel nan-std per group
  int64_t zero_std = 0;  // groups whose std is < 1e-6 (no learning signal)
};

// rewards (N) float, N = groups * group_size, samples of one prompt contiguous
// -> advantages (N) float32. `stats` (optional) receives the per-group statistics.
at::Tensor group_advantages(const at::Tensor& rewards, int64_t group_size, RewardScaling scaling,
                            double eps = 1e-4, GroupStats* stats = nullptr);

}  // namespace reason
