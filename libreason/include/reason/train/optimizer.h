#pragma once
// AdamW over the trained tensors, with the learning-rate schedules of transformers and global
// gradient-norm clipping. The state is plain tensors (float32) so checkpoints store it in
// safetensors and a resumed run continues bit-identically.
#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

namespace reason {

struct AdamWOptions {
  double lr = 1e-6;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

class AdamW {
 public:
  AdamW(std::vector<at::Tensor> params, AdamWOptions options);
  // One update with learning rate `lr` (torch.optim.AdamW's formula), then grads are zeroed.
  void step(double lr);
  void zero_grad();
  int64_t steps() const { return steps_; }
  const std::vector<at::Tensor>& params() const { return params_; }

  // exp_avg.N / exp_avg_sq.N (N = parameter index) and "step", for checkpoints.
  std::map<std::string, at::Tensor> state() const;
  void load_state(const std::map<std::string, at::Tensor>& state);

 private:
  std::vector<at::Tensor> params_;
  std::vector<at::Tensor> exp_avg_, exp_avg_sq_;
  AdamWOptions options_;
  int64_t steps_ = 0;
};

// Total L2 norm of the gradients; when max_norm > 0 and the norm exceeds it, gradients are
// scaled by max_norm / (norm + 1e-6) (torch.nn.utils.clip_grad_norm_). Returns the norm before
// clipping.
double clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm);

enum class LrSchedule { Constant, Linear, Cosine, CosineWithMinLr };
LrSchedule lr_schedule_from(const std::string& name);

struct LrScheduleOptions {
  LrSchedule schedule = LrSchedule::Constant;
  double lr = 1e-6;
  int64_t total_steps = 1;
  int64_t warmup_steps = 0;
  double min_lr_rate = 0.0;  // CosineWithMinLr
};

// Learning rate of optimizer step `step` (0-based), as transformers' LambdaLR schedules:
// linear warmup from 0, then constant, linear decay to 0, cosine to 0, or cosine to min_lr_rate.
double learning_rate(const LrScheduleOptions& options, int64_t step);

// transformers' get_warmup_steps: warmup_steps if > 0, else ceil(total_steps * warmup_ratio).
int64_t warmup_steps_for(int64_t total_steps, int64_t warmup_steps, double warmup_ratio);

}  // namespace reason
