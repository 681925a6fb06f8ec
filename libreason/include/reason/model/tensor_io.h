#pragma once
// Bridge between safetensors files and at::Tensor.
#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <string>

#include "reason/io/safetensors.h"

namespace reason {

// The tensor as stored (CPU, zero-copy onto the copy-on-write mapping; the mapping stays alive
// as long as the tensor). Throws LoadError naming file and tensor for dtypes LibTorch lacks.
at::Tensor load_tensor(const std::shared_ptr<const SafetensorsFile>& file, const TensorInfo& info);
at::Tensor load_tensor(const SafetensorsCheckpoint& ckpt, const std::string& name);

// All tensors of one file, by name.
std::map<std::string, at::Tensor> load_safetensors(const std::string& path);

// Writes tensors (any device/layout; copied to contiguous CPU) atomically.
void save_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

at::ScalarType to_scalar_type(DType dtype, const std::string& where);
DType to_dtype(at::ScalarType type);

// "float32" -> kFloat, "bfloat16" -> kBFloat16, "float16" -> kHalf; InvalidArgument otherwise.
at::ScalarType parse_dtype(const std::string& name);
std::string dtype_label(at::ScalarType type);

}  // namespace reason
