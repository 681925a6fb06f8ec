#include "reason/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/core/files.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace reason {
namespace {

struct DTypeRow {
  DType dtype;
  const char* name;
  std::size_t size;
};
constexpr DTypeRow kDTypes[] = {
    {DType::F64, "F64", 8},         {DType::F32, "F32", 4},         {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},       {DType::F8_E4M3, "F8_E4M3", 1}, {DType::F8_E5M2, "F8_E5M2", 1},
    {DType::I64, "I64", 8},         {DType::I32, "I32", 4},         {DType::I16, "I16", 2},
    {DType::I8, "I8", 1},           {DType::U64, "U64", 8},         {DType::U32, "U32", 4},
    {DType::U16, "U16", 2},         {DType::U8, "U8", 1},           {DType::Bool, "BOOL", 1},
};

// The reference implementation refuses headers above 100 MB.
constexpr std::uint64_t kMaxHeaderBytes = 100u * 1024u * 1024u;

}  // namespace

std::size_t dtype_size(DType dtype) {
  for (const auto& row : kDTypes)
    if (row.dtype == dtype) return row.size;
  throw InvalidArgument("dtype_size: unknown dtype");
}

const char* dtype_name(DType dtype) {
  for (const auto& row : kDTypes)
    if (row.dtype == dtype) return row.name;
  throw InvalidArgument("dtype_name: unknown dtype");
}

DType dtype_from_name(const std::string& name) {
  for (const auto& row : kDTypes)
    if (name == row.name) return row.dtype;
  throw IoError("unknown safetensors dtype '" + name + "'");
}

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsFile::~SafetensorsFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;
  auto fail = [&](const std::string& what) { return IoError(path + ": " + what); };

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw IoError("cannot stat " + path + ": " + std::strerror(errno));
  }
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (file_size < 8) {
    ::close(fd);
    throw fail("truncated safetensors file (" + std::to_string(file_size) + " bytes, need at least 8)");
  }
  // MAP_PRIVATE + PROT_WRITE: callers may modify tensors in place (e.g. merging LoRA) without
  // touching the file.
  void* map = ::mmap(nullptr, file_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw IoError("cannot map " + path + ": " + std::strerror(errno));
  file->map_ = map;
  file->map_size_ = file_size;

  const auto* bytes = static_cast<const unsigned char*>(map);
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > kMaxHeaderBytes) throw fail("header length " + std::to_string(header_len) + " exceeds the 100 MB limit");
  if (header_len > file_size - 8)
    throw fail("truncated safetensors file: header says " + std::to_string(header_len) +
               " header bytes but only " + std::to_string(file_size - 8) + " follow");
  file->data_start_ = 8 + header_len;
  const std::uint64_t data_size = file_size - file->data_start_;

  json header;
  try {
    header = json::parse(reinterpret_cast<const char*>(bytes + 8), reinterpret_cast<const char*>(bytes + 8 + header_len));
  } catch (const json::exception& e) {
    throw fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw fail("header is not a JSON object");

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") {
      if (!it->is_object()) throw fail("__metadata__ is not an object");
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string()) throw fail("__metadata__ value '" + m.key() + "' is not a string");
        file->metadata_[m.key()] = m->get<std::string>();
      }
      continue;
    }
    auto bad = [&](const std::string& what) { return fail("tensor '" + name + "': " + what); };
    const json& entry = *it;
    if (!entry.is_object()) throw bad("entry is not an object");
    if (!entry.contains("dtype") || !entry["dtype"].is_string()) throw bad("missing or non-string 'dtype'");
    if (!entry.contains("shape") || !entry["shape"].is_array()) throw bad("missing or non-array 'shape'");
    if (!entry.contains("data_offsets") || !entry["data_offsets"].is_array() || entry["data_offsets"].size() != 2)
      throw bad("'data_offsets' must be an array of two integers");
    TensorInfo info;
    info.name = name;
    try {
      info.dtype = dtype_from_name(entry["dtype"].get<std::string>());
    } catch (const IoError& e) {
      throw bad(e.what());
    }
    // Element count with overflow checks: a header must not be able to lie its way past them.
    std::uint64_t numel = 1;
    for (const json& d : entry["shape"]) {
      if (!d.is_number_unsigned()) throw bad("shape entries must be non-negative integers");
      const auto dim = d.get<std::uint64_t>();
      if (dim != 0 && numel > std::numeric_limits<std::uint64_t>::max() / dim) throw bad("shape overflows");
      numel *= dim;
      info.shape.push_back(static_cast<int64_t>(dim));
    }
    for (const json& o : entry["data_offsets"])
      if (!o.is_number_unsigned()) throw bad("data_offsets must be non-negative integers");
    info.begin = entry["data_offsets"][0].get<std::uint64_t>();
    info.end = entry["data_offsets"][1].get<std::uint64_t>();
    if (info.end < info.begin) throw bad("data_offsets end before begin");
    if (info.end > data_size)
      throw bad("data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
                ") lie outside the data section of " + std::to_string(data_size) + " bytes (file truncated?)");
    const std::size_t elem = dtype_size(info.dtype);
    if (numel > std::numeric_limits<std::uint64_t>::max() / elem || numel * elem != info.end - info.begin)
      throw bad("dtype " + std::string(dtype_name(info.dtype)) + " x shape needs " + std::to_string(numel * elem) +
                " bytes but data_offsets span " + std::to_string(info.end - info.begin));
    file->tensors_.push_back(std::move(info));
  }

  // As the reference: sorted by offset, tensors tile the data section without gaps or overlap.
  std::vector<const TensorInfo*> by_offset;
  for (const auto& t : file->tensors_) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t cursor = 0;
  for (const TensorInfo* t : by_offset) {
    if (t->begin != cursor)
      throw fail("tensor '" + t->name + "': data_offsets start at " + std::to_string(t->begin) + ", expected " +
                 std::to_string(cursor) + (t->begin < cursor ? " (overlaps the previous tensor)" : " (gap)"));
    cursor = t->end;
  }
  if (cursor != data_size)
    throw fail("data section has " + std::to_string(data_size) + " bytes but the tensors cover " + std::to_string(cursor));

  std::sort(file->tensors_.begin(), file->tensors_.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.begin < b.begin; });
  for (std::size_t i = 0; i < file->tensors_.size(); ++i) file->index_[file->tensors_[i].name] = i;
  return file;
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw LoadError(path_ + ": no tensor named '" + name + "'");
  return tensors_[it->second];
}

void* SafetensorsFile::data(const TensorInfo& info) const {
  return static_cast<unsigned char*>(map_) + data_start_ + info.begin;
}

void write_safetensors(const std::string& path, const std::map<std::string, TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, view] : tensors) {
    std::uint64_t numel = 1;
    for (int64_t d : view.shape) {
      REASON_CHECK(d >= 0, InvalidArgument, "write_safetensors: negative dimension in '", name, "'");
      numel *= static_cast<std::uint64_t>(d);
    }
    const std::uint64_t bytes = numel * dtype_size(view.dtype);
    REASON_CHECK(bytes == 0 || view.data != nullptr, InvalidArgument, "write_safetensors: no data for '", name, "'");
    header[name] = {{"dtype", dtype_name(view.dtype)}, {"shape", view.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string head = header.dump();
  head.append((8 - head.size() % 8) % 8, ' ');  // data section starts 8-byte aligned
  std::string out;
  out.reserve(8 + head.size() + offset);
  std::uint64_t n = head.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += head;
  for (const auto& [name, view] : tensors) {
    std::uint64_t bytes = dtype_size(view.dtype);
    for (int64_t d : view.shape) bytes *= static_cast<std::uint64_t>(d);
    out.append(static_cast<const char*>(view.data), bytes);
  }
  write_file_atomic(path, out);
}

SafetensorsCheckpoint SafetensorsCheckpoint::open_file(const std::string& path) {
  SafetensorsCheckpoint ckpt;
  ckpt.description_ = path;
  auto file = SafetensorsFile::open(path);
  for (const auto& t : file->tensors()) ckpt.where_[t.name] = file;
  return ckpt;
}

SafetensorsCheckpoint SafetensorsCheckpoint::open_dir(const std::string& dir) {
  const fs::path root(dir);
  const fs::path single = root / "model.safetensors";
  const fs::path index = root / "model.safetensors.index.json";
  if (fs::exists(single)) return open_file(single.string());
  if (!fs::exists(index))
    throw IoError(dir + ": no model.safetensors or model.safetensors.index.json");

  SafetensorsCheckpoint ckpt;
  ckpt.description_ = index.string();
  json doc;
  try {
    doc = json::parse(read_file(index.string()));
  } catch (const json::exception& e) {
    throw IoError(index.string() + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("weight_map") || !doc["weight_map"].is_object())
    throw IoError(index.string() + ": missing object 'weight_map'");
  std::map<std::string, std::shared_ptr<const SafetensorsFile>> shards;
  for (auto it = doc["weight_map"].begin(); it != doc["weight_map"].end(); ++it) {
    if (!it->is_string()) throw IoError(index.string() + ": weight_map['" + it.key() + "'] is not a file name");
    const std::string shard = it->get<std::string>();
    if (shard.find('/') != std::string::npos || shard == "..")
      throw IoError(index.string() + ": weight_map['" + it.key() + "'] = '" + shard + "' is not a plain file name");
    auto& file = shards[shard];
    if (!file) file = SafetensorsFile::open((root / shard).string());
    if (!file->contains(it.key()))
      throw IoError(index.string() + ": tensor '" + it.key() + "' is mapped to " + shard + " which does not contain it");
    ckpt.where_[it.key()] = file;
  }
  for (const auto& [shard, file] : shards)
    for (const auto& t : file->tensors())
      if (!ckpt.where_.count(t.name))
        throw IoError(index.string() + ": tensor '" + t.name + "' in " + shard + " is not listed in weight_map");
  return ckpt;
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
  std::vector<std::string> out;
  for (const auto& kv : where_) out.push_back(kv.first);
  return out;
}

std::pair<std::shared_ptr<const SafetensorsFile>, const TensorInfo*> SafetensorsCheckpoint::find(
    const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw LoadError(description_ + ": missing tensor '" + name + "'");
  return {it->second, &it->second->info(name)};
}

}  // namespace reason
