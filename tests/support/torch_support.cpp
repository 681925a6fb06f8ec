#include "support/torch_support.h"

#include "reason/model/tensor_io.h"

namespace reason::test {

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble).cpu() - b.to(at::kDouble).cpu()).abs().max().item<double>();
}

double max_rel_diff(const at::Tensor& a, const at::Tensor& b, double floor) {
  at::Tensor bd = b.to(at::kDouble).cpu();
  return ((a.to(at::kDouble).cpu() - bd).abs() / bd.abs().clamp_min(floor)).max().item<double>();
}

double norm_rel_diff(const at::Tensor& a, const at::Tensor& b) {
  at::Tensor bd = b.to(at::kDouble).cpu();
  return ((a.to(at::kDouble).cpu() - bd).norm() / bd.norm()).item<double>();
}

std::string hf_dir(const std::string& arch) { return data_path("hf/" + arch); }

std::map<std::string, at::Tensor> hf_reference(const std::string& arch) {
  return load_safetensors(hf_dir(arch) + "/reference.safetensors");
}

}  // namespace reason::test
