#include "reason/model/tensor_io.h"

#include <cstdint>

#include "reason/core/error.h"

namespace reason {

at::ScalarType to_scalar_type(DType dtype, const std::string& where) {
  switch (dtype) {
    case DType::F64: return at::kDouble;
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::Bool: return at::kBool;
    default: break;
  }
  throw LoadError(where + ": dtype " + dtype_name(dtype) + " is not supported by this LibTorch build");
}

DType to_dtype(at::ScalarType type) {
  switch (type) {
    case at::kDouble: return DType::F64;
    case at::kFloat: return DType::F32;
    case at::kHalf: return DType::F16;
    case at::kBFloat16: return DType::BF16;
    case at::kLong: return DType::I64;
    case at::kInt: return DType::I32;
    case at::kShort: return DType::I16;
    case at::kChar: return DType::I8;
    case at::kByte: return DType::U8;
    case at::kBool: return DType::Bool;
    default: break;
  }
  throw InvalidArgument(std::string("cannot store tensors of type ") + c10::toString(type) + " in safetensors");
}

at::ScalarType parse_dtype(const std::string& name) {
  if (name == "float32" || name == "fp32") return at::kFloat;
  if (name == "bfloat16" || name == "bf16") return at::kBFloat16;
  if (name == "float16" || name == "fp16") return at::kHalf;
  throw InvalidArgument("unknown dtype '" + name + "' (expected float32, bfloat16 or float16)");
}

std::string dtype_label(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    default: return c10::toString(type);
  }
}

at::Tensor load_tensor(const std::shared_ptr<const SafetensorsFile>& file, const TensorInfo& info) {
  const at::ScalarType type = to_scalar_type(info.dtype, file->path() + ": tensor '" + info.name + "'");
  void* data = file->data(info);
  auto options = at::TensorOptions().dtype(type);
  const auto elem = static_cast<std::uintptr_t>(dtype_size(info.dtype));
  if (info.numel() == 0) return at::empty(info.shape, options);
  auto keep_alive = file;  // the mapping lives while any tensor viewing it lives
  at::Tensor view = at::from_blob(data, info.shape, [keep_alive](void*) {}, options);
  // safetensors does not promise alignment; kernels may assume it, so copy when misaligned.
  if (reinterpret_cast<std::uintptr_t>(data) % elem != 0) return view.clone();
  return view;
}

at::Tensor load_tensor(const SafetensorsCheckpoint& ckpt, const std::string& name) {
  auto [file, info] = ckpt.find(name);
  return load_tensor(file, *info);
}

std::map<std::string, at::Tensor> load_safetensors(const std::string& path) {
  auto file = SafetensorsFile::open(path);
  std::map<std::string, at::Tensor> out;
  for (const auto& info : file->tensors()) out[info.name] = load_tensor(file, info);
  return out;
}

void save_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::map<std::string, at::Tensor> host;
  std::map<std::string, TensorView> views;
  for (const auto& [name, t] : tensors) {
    REASON_CHECK(t.defined(), InvalidArgument, "save_safetensors: tensor '", name, "' is undefined");
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    host[name] = c;
    views[name] = TensorView{to_dtype(c.scalar_type()), c.sizes().vec(), c.data_ptr()};
  }
  write_safetensors(path, views, metadata);
}

}  // namespace reason
