#pragma once
// The architecture hyper-parameters of a decoder, read from a Hugging Face config.json.
// One decoder implementation covers llama, qwen2 and qwen3; the differences are traits here.
#include <cstdint>
#include <string>
#include <vector>

namespace reason {

enum class Architecture { Llama, Qwen2, Qwen3 };

// "llama", "qwen2", "qwen3" (config.json's model_type).
const char* architecture_name(Architecture arch);

struct RopeConfig {
  std::string type = "default";  // "default" or "llama3"
  double theta = 10000.0;
  // llama3 frequency scaling (rope_type "llama3"); unused for "default".
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct ModelConfig {
  Architecture arch = Architecture::Llama;
  std::string model_type;           // as written in config.json
  std::string architectures_entry;  // e.g. "Qwen2ForCausalLM", written back on export
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;  // == heads: MHA, 1: MQA, else GQA
  int64_t head_dim = 0;             // independent of hidden_size / heads (qwen3)
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  RopeConfig rope;
  bool tie_word_embeddings = false;
  bool qkv_bias = false;  // bias on q/k/v projections (qwen2 always, llama/qwen3 attention_bias)
  bool o_bias = false;    // bias on o_proj (llama attention_bias)
  bool mlp_bias = false;  // bias on gate/up/down (llama mlp_bias)
  bool qk_norm = false;   // per-head RMSNorm on q and k before RoPE (qwen3)
  int64_t bos_token_id = -1;
  std::vector<int64_t> eos_token_ids;
  int64_t pad_token_id = -1;

  // Parses config.json text; `where` names the file in errors. Accepts both the older
  // top-level rope_theta/rope_scaling layout and transformers-5's rope_parameters.
  // Throws ConfigError naming the key for unsupported or inconsistent settings.
  static ModelConfig from_json(const std::string& text, const std::string& where);
  static ModelConfig from_file(const std::string& path);
  // Directory form: reads DIR/config.json.
  static ModelConfig from_dir(const std::string& dir);

  // config.json for a merged export (top-level rope_theta/rope_scaling, read by every
  // transformers version and vLLM); dtype_name is "float32" or "bfloat16".
  std::string to_json(const std::string& dtype_name) const;
};

}  // namespace reason
