#pragma once
// Tensor comparison helpers for the LibTorch tests.
#include <ATen/ATen.h>

#include <map>
#include <string>

#include "support/test_support.h"

namespace reason::test {

// max |a - b| over all elements (both converted to float64 on CPU).
double max_abs_diff(const at::Tensor& a, const at::Tensor& b);
// max |a - b| / max(|b|, floor): relative error against the reference b.
double max_rel_diff(const at::Tensor& a, const at::Tensor& b, double floor = 1e-6);
// ||a - b|| / ||b|| (Frobenius): a scale-aware error for gradients.
double norm_rel_diff(const at::Tensor& a, const at::Tensor& b);

// The tensors of tests/data/hf/<arch>/reference.safetensors.
std::map<std::string, at::Tensor> hf_reference(const std::string& arch);
std::string hf_dir(const std::string& arch);

}  // namespace reason::test
