#pragma once
// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian data.
// Reading memory-maps the file (copy-on-write, so callers may modify what they get) and
// validates the header completely before any tensor is touched. Torch-free; see
// reason/model/tensor_io.h for the bridge to at::Tensor.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace reason {

enum class DType { F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U64, U32, U16, U8, Bool };

// Bytes per element.
std::size_t dtype_size(DType dtype);
// The safetensors spelling ("F32", "BF16", ...).
const char* dtype_name(DType dtype);
// Parses the safetensors spelling; throws IoError naming the value when unknown.
DType dtype_from_name(const std::string& name);

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::uint64_t begin = 0;  // byte offsets relative to the start of the data section
  std::uint64_t end = 0;
  int64_t numel() const;
};

// One memory-mapped safetensors file. Immutable after open(); safe to share between threads.
class SafetensorsFile {
 public:
  // Maps and validates `path`; throws IoError naming the file (and tensor) on any defect:
  // truncation, bad JSON, unknown dtype, offsets outside the data or overlapping, size that
  // does not match dtype x shape.
  static std::shared_ptr<const SafetensorsFile> open(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in file order
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // Throws LoadError naming the file and tensor when absent.
  const TensorInfo& info(const std::string& name) const;
  // Start of the tensor's bytes (mapped copy-on-write: writable, never written back).
  void* data(const TensorInfo& info) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile() = default;
  std::string path_;
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::size_t data_start_ = 0;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// A read-only view of a tensor's bytes to write (row-major, contiguous, little-endian).
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
};

// Writes a safetensors file atomically (temporary file in the same directory, fsync, rename):
// a crash never leaves a half-written file under `path`. Tensors are stored sorted by name,
// as the reference writer does; the header is padded to an 8-byte boundary.
void write_safetensors(const std::string& path, const std::map<std::string, TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// The weights of a Hugging Face model directory: `model.safetensors`, or
// `model.safetensors.index.json` with its shards (every shard and every mapped name checked).
class SafetensorsCheckpoint {
 public:
  // Throws IoError when the directory holds neither layout or a shard is missing/broken.
  static SafetensorsCheckpoint open_dir(const std::string& dir);
  // Opens one file as a checkpoint (adapter_model.safetensors, reference files).
  static SafetensorsCheckpoint open_file(const std::string& path);

  std::vector<std::string> names() const;  // sorted
  bool contains(const std::string& name) const { return where_.count(name) != 0; }
  // The file holding `name` and its entry there; throws LoadError naming the tensor when absent.
  std::pair<std::shared_ptr<const SafetensorsFile>, const TensorInfo*> find(const std::string& name) const;
  const std::string& description() const { return description_; }  // for error messages

 private:
  std::string description_;
  std::map<std::string, std::shared_ptr<const SafetensorsFile>> where_;
};

}  // namespace reason
