#include "reason/algo/policy_loss.h"

#include "reason/core/error.h"

namespace reason {

LossAggregation loss_aggregation_from(const std::string& name) {
  if (name == "grpo") return LossAggregation::Grpo;
  if (name == "bnpo") return LossAggregation::Bnpo;
  if (name == "dr_grpo") return LossAggregation::DrGrpo;
  if (name == "dapo") return LossAggregation::Dapo;
  throw InvalidArgument("loss_type must be grpo, bnpo, dr_grpo or dapo, got '" + name + "'");
}

at::Tensor kl_k3(const at::Tensor& logprobs, const at::Tensor& ref_logprobs) {
  at::Tensor d = ref_logprobs - logprobs;
  return d.exp() - d - 1;
}

PolicyLossOutput policy_loss(const PolicyLossInputs& in, const PolicyLossOptions& o) {
  REASON_CHECK(in.logprobs.dim() == 2 && in.mask.sizes() == in.logprobs.sizes(), InvalidArgument,
               "policy_loss: logprobs and mask must be (B, T) alike, got ", in.logprobs.sizes(), " and ", in.mask.sizes());
  REASON_CHECK(in.advantages.dim() == 1 && in.advantages.size(0) == in.logprobs.size(0), InvalidArgument,
               "policy_loss: advantages must be (B)");
  REASON_CHECK(o.beta == 0.0 || in.ref_logprobs.defined(), InvalidArgument, "policy_loss: beta != 0 needs ref_logprobs");
  REASON_CHECK(o.entropy_coef == 0.0 || in.entropy.defined(), InvalidArgument,
               "policy_loss: entropy_coef != 0 needs entropy");
  REASON_CHECK(o.accumulation_steps >= 1, InvalidArgument, "policy_loss: accumulation_steps must be >= 1");
  const at::Tensor mask = in.mask.to(at::kFloat);
  const at::Tensor& logp = in.logprobs;
  const at::Tensor old = in.old_logprobs.defined() ? in.old_logprobs : logp.detach();
  const at::Tensor adv = in.advantages.to(at::kFloat).unsqueeze(1);  // (B, 1)
  PolicyLossOutput out;
  out.tokens = mask.sum().item<double>();
  const double denom_tokens = std::max(out.tokens, 1.0);

  at::Tensor kl;
  if (in.ref_logprobs.defined()) kl = kl_k3(logp, in.ref_logprobs);

  at::Tensor per_token;
  if (o.trl_0_15) {
    per_token = -(at::exp(logp - logp.detach()) * adv);
    if (o.beta != 0.0) per_token = per_token + o.beta * kl;
    at::Tensor seq = (per_token * mask).sum(1) / mask.sum(1).clamp_min(1.0);
    out.loss = seq.mean() / static_cast<double>(o.accumulation_steps);
  } else {
    at::Tensor ratio = at::exp(logp - old);
    at::Tensor clipped = at::clamp(ratio, 1.0 - o.epsilon_low, 1.0 + o.epsilon_high);
    per_token = -at::min(ratio * adv, clipped * adv);
    if (o.beta != 0.0) per_token = per_token + o.beta * kl;
    if (o.entropy_coef != 0.0) per_token = per_token - o.entropy_coef * in.entropy;
    at::Tensor masked = per_token * mask;
    switch (o.aggregation) {
      case LossAggregation::Grpo:
        out.loss = (masked.sum(1) / mask.sum(1).clamp_min(1.0)).mean() / static_cast<double>(o.accumulation_steps);
        break;
      case LossAggregation::Bnpo:
        out.loss = masked.sum() / mask.sum().clamp_min(1.0) / static_cast<double>(o.accumulation_steps);
        break;
      case LossAggregation::DrGrpo:
        REASON_CHECK(o.max_completion_length > 0, InvalidArgument, "policy_loss: dr_grpo needs max_completion_length");
        out.loss = masked.sum() / static_cast<double>(logp.size(0) * o.max_completion_length) /
                   static_cast<double>(o.accumulation_steps);
        break;
      case LossAggregation::Dapo:
        REASON_CHECK(o.dapo_normalizer > 0, InvalidArgument, "policy_loss: dapo needs dapo_normalizer > 0");
        out.loss = masked.sum() / o.dapo_normalizer;
        break;
    }
    at::NoGradGuard no_grad;
    at::Tensor r = ratio.detach();
    at::Tensor low = (r < 1.0 - o.epsilon_low).logical_and(adv < 0).to(at::kFloat);
    at::Tensor high = (r > 1.0 + o.epsilon_high).logical_and(adv > 0).to(at::kFloat);
    out.clip_low = (low * mask).sum().item<double>() / denom_tokens;
    out.clip_high = (high * mask).sum().item<double>() / denom_tokens;
    out.clip_region = ((low + high).clamp_max(1.0) * mask).sum().item<double>() / denom_tokens;
  }
  if (kl.defined()) out.kl = (kl.detach() * mask).sum().item<double>() / denom_tokens;
  if (in.entropy.defined()) out.entropy = (in.entropy.detach() * mask).sum().item<double>() / denom_tokens;
  return out;
}

}  // namespace reason
