#include "reason/train/optimizer.h"

#include <cmath>

#include "reason/core/error.h"

namespace reason {

AdamW::AdamW(std::vector<at::Tensor> params, AdamWOptions options) : params_(std::move(params)), options_(options) {
  for (const auto& p : params_) {
    REASON_CHECK(p.requires_grad(), InvalidArgument, "AdamW: every parameter must require grad");
    exp_avg_.push_back(at::zeros_like(p, p.options().dtype(at::kFloat)));
    exp_avg_sq_.push_back(at::zeros_like(p, p.options().dtype(at::kFloat)));
  }
}

void AdamW::zero_grad() {
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad() = at::Tensor();
}

void AdamW::step(double lr) {
  at::NoGradGuard no_grad;
  ++steps_;
  const double b1 = options_.beta1, b2 = options_.beta2;
  const double bc1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
  const double bc2 = 1.0 - std::pow(b2, static_cast<double>(steps_));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    at::Tensor& p = params_[i];
    if (!p.grad().defined()) continue;
    at::Tensor g = p.grad().to(at::kFloat);
    if (options_.weight_decay != 0.0) p.mul_(1.0 - lr * options_.weight_decay);
    exp_avg_[i].lerp_(g, 1.0 - b1);  // as torch.optim.AdamW
    exp_avg_sq_[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
    at::Tensor denom = (exp_avg_sq_[i].sqrt() / std::sqrt(bc2)).add_(options_.eps);
    p.addcdiv_(exp_avg_[i], denom, -lr / bc1);
  }
  zero_grad();
}

std::map<std::string, at::Tensor> AdamW::state() const {
  std::map<std::string, at::Tensor> out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    out["exp_avg." + std::to_string(i)] = exp_avg_[i];
    out["exp_avg_sq." + std::to_string(i)] = exp_avg_sq_[i];
  }
  out["step"] = at::tensor({steps_}, at::kLong);
  return out;
}

void AdamW::load_state(const std::map<std::string, at::Tensor>& state) {
  at::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    for (auto* which : {&exp_avg_, &exp_avg_sq_}) {
      const std::string name = (which == &exp_avg_ ? "exp_avg." : "exp_avg_sq.") + std::to_string(i);
      auto it = state.find(name);
      if (it == state.end()) throw LoadError("optimizer state: missing '" + name + "'");
      if (it->second.sizes() != (*which)[i].sizes())
        throw LoadError("optimizer state: '" + name + "' has shape " + c10::str(it->second.sizes()) +
                        ", the parameter has " + c10::str((*which)[i].sizes()));
      (*which)[i].copy_(it->second);
    }
  }
  auto it = state.find("step");
  if (it == state.end()) throw LoadError("optimizer state: missing 'step'");
  steps_ = it->second.item<int64_t>();
  if (state.size() != 2 * params_.size() + 1)
    throw LoadError("optimizer state holds " + std::to_string(state.size()) + " tensors, expected " +
                    std::to_string(2 * params_.size() + 1) + " (different adapter configuration?)");
}

double clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm) {
  at::NoGradGuard no_grad;
  double total = 0.0;
  for (const auto& p : params)
    if (p.grad().defined()) total += p.grad().to(at::kDouble).pow(2).sum().item<double>();
  const double norm = std::sqrt(total);
  if (max_norm > 0.0) {
    const double coef = max_norm / (norm + 1e-6);
    if (coef < 1.0)
      for (const auto& p : params)
        if (p.grad().defined()) p.grad().mul_(coef);
  }
  return norm;
}

LrSchedule lr_schedule_from(const std::string& name) {
  if (name == "constant") return LrSchedule::Constant;
  if (name == "linear") return LrSchedule::Linear;
  if (name == "cosine") return LrSchedule::Cosine;
  if (name == "cosine_with_min_lr") return LrSchedule::CosineWithMinLr;
  throw InvalidArgument("unknown learning-rate schedule '" + name + "'");
}

int64_t warmup_steps_for(int64_t total_steps, int64_t warmup_steps, double warmup_ratio) {
  if (warmup_steps > 0) return warmup_steps;
  return static_cast<int64_t>(std::ceil(static_cast<double>(total_steps) * warmup_ratio));
}

double learning_rate(const LrScheduleOptions& o, int64_t step) {
  const double s = static_cast<double>(step);
  const double w = static_cast<double>(o.warmup_steps);
  if (step < o.warmup_steps) return o.lr * s / std::max(1.0, w);
  const double span = std::max(1.0, static_cast<double>(o.total_steps) - w);
  const double progress = (s - w) / span;
  switch (o.schedule) {
    case LrSchedule::Constant: return o.lr;
    case LrSchedule::Linear: return o.lr * std::max(0.0, (static_cast<double>(o.total_steps) - s) / span);
    case LrSchedule::Cosine: return o.lr * std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * progress)));
    case LrSchedule::CosineWithMinLr: {
      const double f = 0.5 * (1.0 + std::cos(M_PI * progress));
      return o.lr * std::max(0.0, f * (1.0 - o.min_lr_rate) + o.min_lr_rate);
    }
  }
  return o.lr;
}

}  // namespace reason
