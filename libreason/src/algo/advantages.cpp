#include "reason/algo/advantages.h"

#include "reason/core/error.h"

namespace reason {
namespace {

// Bessel-corrected std ignoring NaN along `dim` (TRL's nanstd): (..., n) -> (...)
at::Tensor nanstd(const at::Tensor& x, int64_t dim) {
  at::Tensor valid = x.isnan().logical_not();
  at::Tensor count = valid.sum(dim).to(at::kDouble);
  at::Tensor mean = at::nansum(x, {dim}, true) / valid.sum(dim, true).to(x.scalar_type());
  at::Tensor sq = at::where(valid, (x - mean).pow(2), at::zeros_like(x));
  return (sq.sum(dim).to(at::kDouble) / (count - 1)).sqrt().to(x.scalar_type());
}

}  // namespace

RewardScaling reward_scaling_from(const std::string& name) {
  if (name == "group") return RewardScaling::Group;
  if (name == "batch") return RewardScaling::Batch;
  if (name == "none") return RewardScaling::None;
  throw InvalidArgument("scale_rewards must be group, batch or none, got '" + name + "'");
}

at::Tensor group_advantages(const at::Tensor& rewards, int64_t group_size, RewardScaling scaling, double eps,
                            GroupStats* stats) {
  REASON_CHECK(rewards.dim() == 1, InvalidArgument, "group_advantages: rewards must be (N), got ", rewards.sizes());
  REASON_CHECK(group_size >= 1 && rewards.size(0) % group_size == 0, InvalidArgument, "group_advantages: ",
               rewards.size(0), " rewards are not a multiple of the group size ", group_size);
  at::Tensor r = rewards.to(at::kFloat).view({-1, group_size});                // (groups, G)
  at::Tensor valid = r.isnan().logical_not();
  at::Tensor mean = at::nansum(r, {1}, true) / valid.sum(1, true).to(at::kFloat);  // (groups, 1)
  at::Tensor group_std = nanstd(r, 1);                                             // (groups)
  at::Tensor adv = r - mean;
  if (scaling == RewardScaling::Group) {
    adv = adv / (group_std.unsqueeze(1) + eps);
  } else if (scaling == RewardScaling::Batch) {
    adv = adv / (nanstd(r.reshape({1, -1}), 1) + eps);
  }
  adv = at::where(adv.isnan(), at::zeros_like(adv), adv);
  if (stats) {
    stats->mean = mean.squeeze(1);
    stats->std = group_std;
    stats->zero_std = (group_std.isnan().logical_or(group_std < 1e-6)).sum().item<int64_t>();
  }
  return adv.reshape({-1});
}

}  // namespace reason
