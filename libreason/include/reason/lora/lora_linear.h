#pragma once
// A frozen linear projection that can carry a LoRA adapter (Hu et al. 2021; PEFT's layout):
//   y = x W^T + b  +  scaling * B(A(dropout(x)))
// W and b are the base model's, never trained; A (r, in) and B (out, r) are float32 parameters.
#include <torch/torch.h>

#include <memory>

namespace reason {

struct LoraSettings {
  int64_t r = 8;
  double alpha = 16.0;
  double dropout = 0.0;
  bool use_rslora = false;  // scaling alpha / sqrt(r) instead of alpha / r
  double scaling() const;
};

// Shared by all adapters of one model: switching it off turns the model into its base, which
// is the reference policy for KL (no second copy of the weights).
struct AdapterSwitch {
  bool enabled = true;
};

class LoraLinearImpl : public torch::nn::Module {
 public:
  // Base weight (out, in) and optional bias (out) are allocated uninitialised with `options`
  // and filled by the weight loader.
  LoraLinearImpl(int64_t in_features, int64_t out_features, bool bias, const at::TensorOptions& options);

  // x (..., in) -> (..., out) in x's dtype.
  at::Tensor forward(const at::Tensor& x);

  // Adds A (kaiming-uniform, a = sqrt(5), as PEFT) and B (zeros), float32 on the weight's device.
  void attach(const LoraSettings& settings, std::shared_ptr<const AdapterSwitch> adapter_switch);
  bool has_adapter() const { return lora_A.defined(); }
  // W += scaling * B A (computed in float32), then removes the adapter.
  void merge_and_detach();
  void detach();

  int64_t in_features;
  int64_t out_features;
  at::Tensor weight;  // (out, in), frozen
  at::Tensor bias;    // (out) or undefined, frozen
  at::Tensor lora_A;  // (r, in) float32, trainable, or undefined
  at::Tensor lora_B;  // (out, r) float32, trainable, or undefined
  LoraSettings settings;

 private:
  std::shared_ptr<const AdapterSwitch> switch_;
};
TORCH_MODULE(LoraLinear);

}  // namespace reason
