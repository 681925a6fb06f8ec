#include "reason/lora/lora_linear.h"

#include <cmath>

#include "reason/core/error.h"

namespace reason {

double LoraSettings::scaling() const {
  return use_rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r);
}

LoraLinearImpl::LoraLinearImpl(int64_t in, int64_t out, bool with_bias, const at::TensorOptions& options)
    : in_features(in), out_features(out) {
  weight = register_parameter("weight", at::empty({out, in}, options), /*requires_grad=*/false);
  if (with_bias) bias = register_parameter("bias", at::empty({out}, options), /*requires_grad=*/false);
}

at::Tensor LoraLinearImpl::forward(const at::Tensor& x) {
  at::Tensor y = at::linear(x, weight, bias);
  if (!lora_A.defined() || (switch_ && !switch_->enabled)) return y;
  // As PEFT: the adapter runs in its own dtype (float32) and the sum is cast back.
  at::Tensor h = x.to(lora_A.scalar_type());
  if (settings.dropout > 0.0 && is_training()) h = at::dropout(h, settings.dropout, /*train=*/true);
  at::Tensor delta = at::linear(at::linear(h, lora_A), lora_B) * settings.scaling();
  return (y + delta).to(y.scalar_type());
}

void LoraLinearImpl::attach(const LoraSettings& s, std::shared_ptr<const AdapterSwitch> adapter_switch) {
  REASON_CHECK(s.r > 0, InvalidArgument, "LoRA rank r must be positive, got ", s.r);
  REASON_CHECK(s.dropout >= 0.0 && s.dropout < 1.0, InvalidArgument, "LoRA dropout must be in [0, 1), got ", s.dropout);
  if (lora_A.defined()) detach();
  settings = s;
  switch_ = std::move(adapter_switch);
  // float32 adapters on float32/bfloat16 bases; float64 bases (gradient checks) keep float64.
  const at::ScalarType type = weight.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  auto opts = at::TensorOptions().dtype(type).device(weight.device());
  at::Tensor a = at::empty({s.r, in_features}, opts);
  {
    at::NoGradGuard no_grad;
    // PEFT: nn.init.kaiming_uniform_(lora_A.weight, a=math.sqrt(5)); lora_B zeros.
    torch::nn::init::kaiming_uniform_(a, std::sqrt(5.0));
  }
  lora_A = register_parameter("lora_A", a, /*requires_grad=*/true);
  lora_B = register_parameter("lora_B", at::zeros({out_features, s.r}, opts), /*requires_grad=*/true);
}

void LoraLinearImpl::detach() {
  if (!lora_A.defined()) return;
  // Module has no unregister; replace by undefined tensors and drop them from the registry.
  parameters_.erase("lora_A");
  parameters_.erase("lora_B");
  lora_A = at::Tensor();
  lora_B = at::Tensor();
}

void LoraLinearImpl::merge_and_detach() {
  if (!lora_A.defined()) return;
  {
    at::NoGradGuard no_grad;
    at::Tensor delta = at::matmul(lora_B.detach(), lora_A.detach()) * settings.scaling();  // (out, in) float32
    weight.copy_((weight.to(at::kFloat) + delta).to(weight.scalar_type()));
  }
  detach();
}

}  // namespace reason
