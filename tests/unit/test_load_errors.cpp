// Bad model and adapter directories: each gives one clear error naming what and where.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"
#include "support/torch_support.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

// A writable copy of a fixture directory.
std::string copy_fixture(const test::TempDir& tmp, const std::string& arch) {
  const std::string dst = tmp.file(arch);
  fs::copy(test::hf_dir(arch), dst, fs::copy_options::recursive);
  for (auto& e : fs::recursive_directory_iterator(dst))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  return dst;
}

template <typename E, typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("unexpected exception type: ") + e.what();
  }
  return "no error";
}

TEST(LoadErrors, TruncatedWeights) {
  test::TempDir tmp;
  std::string dir = copy_fixture(tmp, "qwen2");
  std::string raw = read_file(dir + "/model.safetensors");
  test::write_bytes(dir + "/model.safetensors", raw.substr(0, raw.size() / 2));
  std::string msg = message_of<IoError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("model.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(file truncated?)"), std::string::npos) << msg;
}

TEST(LoadErrors, WrongShape) {
  test::TempDir tmp;
  std::string dir = copy_fixture(tmp, "llama");
  auto t = load_safetensors(dir + "/model.safetensors");
  t["model.layers.1.self_attn.k_proj.weight"] = at::zeros({48, 64});
  save_safetensors(dir + "/model.safetensors", t);
  std::string msg = message_of<LoadError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("tensor 'model.layers.1.self_attn.k_proj.weight' has shape [48, 64], the model expects [32, 64]"),
            std::string::npos)
      << msg;
}

TEST(LoadErrors, MissingAndUnusedTensors) {
  test::TempDir tmp;
  std::string dir = copy_fixture(tmp, "llama");
  auto t = load_safetensors(dir + "/model.safetensors");
  auto kept = t;
  kept.erase("model.layers.0.mlp.up_proj.weight");
  save_safetensors(dir + "/model.safetensors", kept);
  std::string msg = message_of<LoadError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("missing tensor 'model.layers.0.mlp.up_proj.weight' (expected shape [160, 64])"), std::string::npos)
      << msg;

  t["model.layers.0.self_attn.q_proj.bias"] = at::zeros({64});  // llama has no q bias here
  save_safetensors(dir + "/model.safetensors", t);
  msg = message_of<LoadError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("unused tensor 'model.layers.0.self_attn.q_proj.bias'"), std::string::npos) << msg;
}

TEST(LoadErrors, ConfigProblems) {
  test::TempDir tmp;
  std::string dir = copy_fixture(tmp, "qwen3");
  auto doc = nlohmann::json::parse(read_file(dir + "/config.json"));
  doc["model_type"] = "mamba";
  test::write_bytes(dir + "/config.json", doc.dump());
  std::string msg = message_of<ConfigError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("unknown architecture 'mamba' (supported: llama, qwen2, qwen3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find(dir + "/config.json"), std::string::npos) << msg;

  test::write_bytes(dir + "/config.json", "{\"model_type\": \"qwen3\", ");
  msg = message_of<ConfigError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("config.json: not valid JSON"), std::string::npos) << msg;

  fs::remove(dir + "/config.json");
  msg = message_of<IoError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("no config.json"), std::string::npos) << msg;

  // A config that disagrees with the weights: the shape error names the tensor.
  doc = nlohmann::json::parse(read_file(test::hf_dir("qwen3") + "/config.json"));
  doc["intermediate_size"] = 128;
  test::write_bytes(dir + "/config.json", doc.dump());
  msg = message_of<LoadError>([&] { load_model(dir); });
  EXPECT_NE(msg.find("model.layers.0.mlp.gate_proj.weight' has shape [160, 64], the model expects [128, 64]"),
            std::string::npos)
      << msg;
}

TEST(LoadErrors, AdapterProblems) {
  test::TempDir tmp;
  std::string dir = copy_fixture(tmp, "qwen2");
  const std::string lora = dir + "/lora";
  auto cfg = nlohmann::json::parse(read_file(lora + "/adapter_config.json"));

  auto with_config = [&](const nlohmann::json& c) {
    test::write_bytes(lora + "/adapter_config.json", c.dump());
    CausalLM model = load_model(dir);
    load_adapter(*model, lora);
  };
  auto c = cfg;
  c["use_dora"] = true;
  EXPECT_NE(message_of<ConfigError>([&] { with_config(c); }).find("use_dora=true is not supported"), std::string::npos);
  c = cfg;
  c["r"] = 4;  // tensors have r = 8
  std::string msg = message_of<LoadError>([&] { with_config(c); });
  EXPECT_NE(msg.find("down_proj.lora_A.weight' has shape [8, 160], the model expects [4, 160] (r=4)"), std::string::npos) << msg;
  c = cfg;
  c["target_modules"] = {"q_proj"};  // file has all seven: the rest is unused
  msg = message_of<LoadError>([&] { with_config(c); });
  EXPECT_NE(msg.find("unused tensor 'base_model.model.model.layers.0.mlp.down_proj.lora_A.weight'"), std::string::npos)
      << msg;
  c = cfg;
  c["lora_alpha"] = "sixteen";
  msg = message_of<ConfigError>([&] { with_config(c); });
  EXPECT_NE(msg.find("lora_alpha: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("adapter_config.json: expected a number"), std::string::npos) << msg;

  test::write_bytes(lora + "/adapter_config.json", cfg.dump());
  auto t = load_safetensors(lora + "/adapter_model.safetensors");
  t.erase("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
  save_safetensors(lora + "/adapter_model.safetensors", t);
  msg = message_of<LoadError>([&] {
    CausalLM model = load_model(dir);
    load_adapter(*model, lora);
  });
  EXPECT_NE(msg.find("missing tensor 'base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight'"),
            std::string::npos)
      << msg;
}

}  // namespace
}  // namespace reason
