// config.json parsing: both transformers layouts, architecture traits, and clear errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/model/model_config.h"
#include "support/test_support.h"

namespace reason {
namespace {

nlohmann::json base_config() {
  return nlohmann::json::parse(read_file(test::data_path("hf/llama31/config.json")));
}

std::string config_error(const nlohmann::json& doc) {
  try {
    ModelConfig::from_json(doc.dump(), "dir/config.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ModelConfig, ReadsAllFixtures) {
  auto q3 = ModelConfig::from_dir(test::data_path("hf/qwen3"));
  EXPECT_EQ(q3.arch, Architecture::Qwen3);
  EXPECT_EQ(q3.head_dim, 32);  // independent of hidden/heads = 16
  EXPECT_TRUE(q3.qk_norm);
  EXPECT_TRUE(q3.tie_word_embeddings);
  EXPECT_DOUBLE_EQ(q3.rope.theta, 1e6);
  auto q2 = ModelConfig::from_dir(test::data_path("hf/qwen2"));
  EXPECT_TRUE(q2.qkv_bias);
  EXPECT_FALSE(q2.o_bias);
  EXPECT_EQ(q2.eos_token_ids, std::vector<int64_t>{2});
  auto l31 = ModelConfig::from_dir(test::data_path("hf/llama31"));
  EXPECT_EQ(l31.rope.type, "llama3");
  EXPECT_DOUBLE_EQ(l31.rope.factor, 8.0);
  EXPECT_EQ(l31.rope.original_max_position_embeddings, 64);
  EXPECT_EQ(l31.num_key_value_heads, 2);
}

TEST(ModelConfig, OlderTopLevelRopeLayoutIsEquivalent) {
  nlohmann::json doc = base_config();
  nlohmann::json rope = doc["rope_parameters"];
  doc.erase("rope_parameters");
  doc["rope_theta"] = rope["rope_theta"];
  rope.erase("rope_theta");
  rope["type"] = rope["rope_type"];  // the oldest spelling
  rope.erase("rope_type");
  doc["rope_scaling"] = rope;
  auto old = ModelConfig::from_json(doc.dump(), "old");
  auto now = ModelConfig::from_dir(test::data_path("hf/llama31"));
  EXPECT_EQ(old.rope.type, now.rope.type);
  EXPECT_DOUBLE_EQ(old.rope.theta, now.rope.theta);
  EXPECT_DOUBLE_EQ(old.rope.factor, now.rope.factor);
  EXPECT_DOUBLE_EQ(old.rope.low_freq_factor, now.rope.low_freq_factor);
  EXPECT_DOUBLE_EQ(old.rope.high_freq_factor, now.rope.high_freq_factor);
  EXPECT_EQ(old.rope.original_max_position_embeddings, now.rope.original_max_position_embeddings);
}

TEST(ModelConfig, ExportRoundTrip) {
  auto c = ModelConfig::from_dir(test::data_path("hf/llama31"));
  auto back = ModelConfig::from_json(c.to_json("bfloat16"), "export");
  EXPECT_EQ(back.rope.type, "llama3");
  EXPECT_EQ(back.head_dim, c.head_dim);
  EXPECT_EQ(back.eos_token_ids, c.eos_token_ids);
  EXPECT_EQ(nlohmann::json::parse(c.to_json("bfloat16"))["dtype"], "bfloat16");
}

TEST(ModelConfig, Errors) {
  auto doc = base_config();
  doc["model_type"] = "gpt2";
  EXPECT_NE(config_error(doc).find("dir/config.json: unknown architecture 'gpt2'"), std::string::npos);
  doc = base_config();
  doc.erase("hidden_size");
  EXPECT_NE(config_error(doc).find("hidden_size: dir/config.json: missing required key"), std::string::npos);
  doc = base_config();
  doc["num_attention_heads"] = "four";
  EXPECT_NE(config_error(doc).find("num_attention_heads: dir/config.json: expected an integer"), std::string::npos);
  doc = base_config();
  doc["num_key_value_heads"] = 3;
  EXPECT_NE(config_error(doc).find("not a multiple of num_key_value_heads"), std::string::npos);
  doc = base_config();
  doc["rope_parameters"]["rope_type"] = "yarn";
  EXPECT_NE(config_error(doc).find("unsupported rope_type 'yarn'"), std::string::npos);
  doc = base_config();
  doc["hidden_act"] = "gelu";
  EXPECT_NE(config_error(doc).find("unsupported activation 'gelu'"), std::string::npos);
  EXPECT_NE(config_error(nlohmann::json::array()).find("expected a JSON object"), std::string::npos);
  try {
    ModelConfig::from_json("{not json", "dir/config.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("dir/config.json: not valid JSON"), std::string::npos);
  }
}

}  // namespace
}  // namespace reason
