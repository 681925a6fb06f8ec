// safetensors reader/writer: round trip, sharded checkpoints, and every malformed input gives
// an IoError naming the file (and the tensor), never a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/io/safetensors.h"
#include "support/test_support.h"

namespace reason {
namespace {

using test::TempDir;
using test::write_bytes;

// A raw safetensors file from a header (as written) and a data section.
std::string raw_file(const std::string& header, const std::string& data) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no error";
}

TEST(Safetensors, RoundTripAllDtypes) {
  TempDir tmp;
  std::vector<float> f32 = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -1e-3f};
  std::vector<uint16_t> bf16 = {0x3f80, 0xc000, 0x4040};
  std::vector<uint16_t> f16 = {0x3c00, 0xc000};
  std::vector<int64_t> i64 = {1, -2, 1LL << 40};
  std::vector<int32_t> i32 = {7, -9};
  std::vector<uint8_t> u8 = {0, 255, 17};
  std::vector<double> f64 = {3.141592653589793};
  std::map<std::string, TensorView> t = {
      {"a.f32", {DType::F32, {2, 3}, f32.data()}},   {"b.bf16", {DType::BF16, {3}, bf16.data()}},
      {"c.f16", {DType::F16, {1, 2}, f16.data()}},   {"d.i64", {DType::I64, {3}, i64.data()}},
      {"e.i32", {DType::I32, {2}, i32.data()}},      {"f.u8", {DType::U8, {3}, u8.data()}},
      {"g.f64", {DType::F64, {}, f64.data()}},       {"h.empty", {DType::F32, {0, 4}, nullptr}},
  };
  write_safetensors(tmp.file("x.safetensors"), t, {{"format", "pt"}, {"note", "hi"}});
  auto file = SafetensorsFile::open(tmp.file("x.safetensors"));
  ASSERT_EQ(file->tensors().size(), t.size());
  EXPECT_EQ(file->metadata().at("note"), "hi");
  for (const auto& [name, view] : t) {
    const TensorInfo& info = file->info(name);
    EXPECT_EQ(info.dtype, view.dtype) << name;
    EXPECT_EQ(info.shape, view.shape) << name;
    const std::size_t bytes = static_cast<std::size_t>(info.numel()) * dtype_size(info.dtype);
    EXPECT_EQ(info.end - info.begin, bytes);
    if (bytes) EXPECT_EQ(std::memcmp(file->data(info), view.data, bytes), 0) << name;
  }
  // The data section starts 8-byte aligned, as the reference writer pads the header.
  std::string raw = read_file(tmp.file("x.safetensors"));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(raw[i]);
  EXPECT_EQ(n % 8, 0u);
}

TEST(Safetensors, ReadsHuggingFaceFile) {
  auto file = SafetensorsFile::open(test::data_path("hf/qwen2/model.safetensors"));
  const TensorInfo& e = file->info("model.embed_tokens.weight");
  EXPECT_EQ(e.dtype, DType::F32);
  EXPECT_EQ(e.shape, (std::vector<int64_t>{1024, 64}));
  EXPECT_EQ(file->metadata().at("format"), "pt");
}

TEST(Safetensors, DataIsCopyOnWrite) {
  TempDir tmp;
  std::vector<float> v = {1, 2, 3};
  write_safetensors(tmp.file("w.safetensors"), {{"w", {DType::F32, {3}, v.data()}}});
  {
    auto f = SafetensorsFile::open(tmp.file("w.safetensors"));
    static_cast<float*>(f->data(f->info("w")))[0] = 42.0f;  // allowed, private mapping
  }
  auto again = SafetensorsFile::open(tmp.file("w.safetensors"));
  EXPECT_EQ(static_cast<float*>(again->data(again->info("w")))[0], 1.0f);
}

TEST(Safetensors, Truncated) {
  TempDir tmp;
  std::vector<float> v(16, 1.0f);
  write_safetensors(tmp.file("ok.safetensors"), {{"w", {DType::F32, {16}, v.data()}}});
  std::string raw = read_file(tmp.file("ok.safetensors"));
  write_bytes(tmp.file("cut.safetensors"), raw.substr(0, raw.size() - 10));
  std::string msg = error_of([&] { SafetensorsFile::open(tmp.file("cut.safetensors")); });
  EXPECT_NE(msg.find("cut.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'w'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

  write_bytes(tmp.file("tiny.safetensors"), "abc");
  msg = error_of([&] { SafetensorsFile::open(tmp.file("tiny.safetensors")); });
  EXPECT_NE(msg.find("truncated safetensors file (3 bytes"), std::string::npos) << msg;

  write_bytes(tmp.file("head.safetensors"), raw.substr(0, 20));
  msg = error_of([&] { SafetensorsFile::open(tmp.file("head.safetensors")); });
  EXPECT_NE(msg.find("header says"), std::string::npos) << msg;
}

TEST(Safetensors, HeaderLies) {
  TempDir tmp;
  const std::string data(24, '\0');
  struct Case {
    std::string header, expect;
  };
  std::vector<Case> cases = {
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,24]}})", "needs 8 bytes but data_offsets span 24"},
      {R"({"w":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}})", "outside the data section"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"v":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
       "overlaps"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "cover 8"},
      {R"({"w":{"dtype":"Q4","shape":[6],"data_offsets":[0,24]}})", "unknown safetensors dtype 'Q4'"},
      {R"({"w":{"dtype":"F32","shape":[-6],"data_offsets":[0,24]}})", "non-negative"},
      {R"({"w":{"dtype":"F32","shape":[6],"data_offsets":[24,0]}})", "end before begin"},
      {R"({"w":{"dtype":"F32","shape":[6]}})", "data_offsets"},
      {R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,24]}})", "overflows"},
      {R"({"w": 3})", "not an object"},
      {R"({"w":)", "not valid JSON"},
      {R"([1,2])", "not a JSON object"},
  };
  for (const auto& c : cases) {
    write_bytes(tmp.file("bad.safetensors"), raw_file(c.header, data));
    std::string msg = error_of([&] { SafetensorsFile::open(tmp.file("bad.safetensors")); });
    EXPECT_NE(msg.find(c.expect), std::string::npos) << "header " << c.header << "\n got: " << msg;
    EXPECT_NE(msg.find("bad.safetensors"), std::string::npos) << msg;
  }
}

TEST(Safetensors, ShardedCheckpoint) {
  TempDir tmp;
  std::vector<float> a = {1, 2}, b = {3, 4, 5};
  write_safetensors(tmp.file("model-00001-of-00002.safetensors"), {{"x.a", {DType::F32, {2}, a.data()}}});
  write_safetensors(tmp.file("model-00002-of-00002.safetensors"), {{"x.b", {DType::F32, {3}, b.data()}}});
  nlohmann::json index = {{"metadata", {{"total_size", 20}}},
                          {"weight_map", {{"x.a", "model-00001-of-00002.safetensors"},
                                          {"x.b", "model-00002-of-00002.safetensors"}}}};
  write_bytes(tmp.file("model.safetensors.index.json"), index.dump());
  auto ckpt = SafetensorsCheckpoint::open_dir(tmp.path());
  EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"x.a", "x.b"}));
  auto [file, info] = ckpt.find("x.b");
  EXPECT_EQ(static_cast<float*>(file->data(*info))[2], 5.0f);

  // An index entry pointing at the wrong shard, and a missing shard.
  index["weight_map"]["x.b"] = "model-00001-of-00002.safetensors";
  write_bytes(tmp.file("model.safetensors.index.json"), index.dump());
  std::string msg = error_of([&] { SafetensorsCheckpoint::open_dir(tmp.path()); });
  EXPECT_NE(msg.find("'x.b' is mapped to model-00001-of-00002.safetensors which does not contain it"), std::string::npos)
      << msg;
  index["weight_map"]["x.b"] = "model-00003-of-00002.safetensors";
  write_bytes(tmp.file("model.safetensors.index.json"), index.dump());
  msg = error_of([&] { SafetensorsCheckpoint::open_dir(tmp.path()); });
  EXPECT_NE(msg.find("model-00003-of-00002.safetensors"), std::string::npos) << msg;

  TempDir empty;
  msg = error_of([&] { SafetensorsCheckpoint::open_dir(empty.path()); });
  EXPECT_NE(msg.find("no model.safetensors or model.safetensors.index.json"), std::string::npos) << msg;
}

TEST(Safetensors, MissingTensorIsLoadError) {
  auto file = SafetensorsFile::open(test::data_path("hf/llama/model.safetensors"));
  try {
    file->info("model.nope.weight");
    FAIL() << "expected LoadError";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("no tensor named 'model.nope.weight'"), std::string::npos);
  }
}

}  // namespace
}  // namespace reason
