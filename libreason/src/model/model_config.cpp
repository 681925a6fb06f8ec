#include "reason/model/model_config.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/core/files.h"

using nlohmann::json;

namespace reason {
namespace {

Architecture architecture_from(const std::string& model_type, const std::string& where) {
  if (model_type == "llama") return Architecture::Llama;
  if (model_type == "qwen2") return Architecture::Qwen2;
  if (model_type == "qwen3") return Architecture::Qwen3;
  throw ConfigError("model_type", where + ": unknown architecture '" + model_type +
                                      "' (supported: llama, qwen2, qwen3)");
}

// Typed accessors that name the key and the file on a wrong type.
struct Reader {
  const json& doc;
  const std::string& where;

  bool has(const char* key) const { return doc.contains(key) && !doc[key].is_null(); }
  int64_t integer(const char* key) const {
    if (!has(key)) throw ConfigError(key, where + ": missing required key");
    if (!doc[key].is_number_integer()) throw ConfigError(key, where + ": expected an integer, got " + doc[key].dump());
    return doc[key].get<int64_t>();
  }
  int64_t integer_or(const char* key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }
  double number_or(const json& obj, const char* key, double fallback) const {
    if (!obj.contains(key) || obj[key].is_null()) return fallback;
    if (!obj[key].is_number()) throw ConfigError(key, where + ": expected a number, got " + obj[key].dump());
    return obj[key].get<double>();
  }
  bool boolean_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!doc[key].is_boolean()) throw ConfigError(key, where + ": expected true/false, got " + doc[key].dump());
    return doc[key].get<bool>();
  }
  std::string string_or(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!doc[key].is_string()) throw ConfigError(key, where + ": expected a string, got " + doc[key].dump());
    return doc[key].get<std::string>();
  }
};

void positive(int64_t value, const char* key, const std::string& where) {
  if (value <= 0) throw ConfigError(key, where + ": must be positive, got " + std::to_string(value));
}

}  // namespace

const char* architecture_name(Architecture arch) {
  switch (arch) {
    case Architecture::Llama: return "llama";
    case Architecture::Qwen2: return "qwen2";
    case Architecture::Qwen3: return "qwen3";
  }
  return "?";
}

ModelConfig ModelConfig::from_json(const std::string& text, const std::string& where) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    throw ConfigError("", where + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw ConfigError("", where + ": expected a JSON object");
  Reader r{doc, where};
  ModelConfig c;
  // Multimodal/nested configs keep the decoder under text_config; we only load decoders.
  c.model_type = r.string_or("model_type", "");
  if (c.model_type.empty()) throw ConfigError("model_type", where + ": missing required key");
  c.arch = architecture_from(c.model_type, where);
  if (doc.contains("architectures") && doc["architectures"].is_array() && !doc["architectures"].empty() &&
      doc["architectures"][0].is_string())
    c.architectures_entry = doc["architectures"][0].get<std::string>();

  c.vocab_size = r.integer("vocab_size");
  c.hidden_size = r.integer("hidden_size");
  c.intermediate_size = r.integer("intermediate_size");
  c.num_hidden_layers = r.integer("num_hidden_layers");
  c.num_attention_heads = r.integer("num_attention_heads");
  c.num_key_value_heads = r.integer_or("num_key_value_heads", c.num_attention_heads);
  for (auto [v, k] : {std::pair{c.vocab_size, "vocab_size"}, {c.hidden_size, "hidden_size"},
                      {c.intermediate_size, "intermediate_size"}, {c.num_hidden_layers, "num_hidden_layers"},
                      {c.num_attention_heads, "num_attention_heads"}, {c.num_key_value_heads, "num_key_value_heads"}})
    positive(v, k, where);
  if (c.num_attention_heads % c.num_key_value_heads != 0)
    throw ConfigError("num_key_value_heads", where + ": num_attention_heads (" + std::to_string(c.num_attention_heads) +
                                                 ") is not a multiple of num_key_value_heads (" +
                                                 std::to_string(c.num_key_value_heads) + ")");
  c.head_dim = r.integer_or("head_dim", 0);
  if (c.head_dim == 0) {
    if (c.hidden_size % c.num_attention_heads != 0)
      throw ConfigError("head_dim", where + ": absent and hidden_size is not divisible by num_attention_heads");
    c.head_dim = c.hidden_size / c.num_attention_heads;
  }
  positive(c.head_dim, "head_dim", where);
  if (c.head_dim % 2 != 0) throw ConfigError("head_dim", where + ": must be even for rotary embeddings");
  c.max_position_embeddings = r.integer_or("max_position_embeddings", 0);
  c.rms_norm_eps = r.number_or(doc, "rms_norm_eps", 1e-6);
  c.tie_word_embeddings = r.boolean_or("tie_word_embeddings", false);

  const std::string act = r.string_or("hidden_act", "silu");
  if (act != "silu") throw ConfigError("hidden_act", where + ": unsupported activation '" + act + "' (supported: silu)");

  // Biases: Qwen2 always has q/k/v bias; Llama's attention_bias covers q/k/v/o; Qwen3's q/k/v/o.
  const bool attention_bias = r.boolean_or("attention_bias", false);
  switch (c.arch) {
    case Architecture::Qwen2: c.qkv_bias = true; c.o_bias = false; break;
    case Architecture::Llama: c.qkv_bias = attention_bias; c.o_bias = attention_bias; break;
    case Architecture::Qwen3: c.qkv_bias = attention_bias; c.o_bias = attention_bias; break;
  }
  c.mlp_bias = c.arch == Architecture::Llama && r.boolean_or("mlp_bias", false);
  c.qk_norm = c.arch == Architecture::Qwen3;

  if (r.boolean_or("use_sliding_window", false))
    throw ConfigError("use_sliding_window", where + ": sliding-window attention is not supported");

  // RoPE: transformers 5 writes rope_parameters {rope_theta, rope_type, ...}; older versions
  // write rope_theta and rope_scaling {type|rope_type, factor, ...} at the top level.
  json rope = json::object();
  if (doc.contains("rope_parameters") && doc["rope_parameters"].is_object()) {
    rope = doc["rope_parameters"];
  } else {
    if (doc.contains("rope_theta")) rope["rope_theta"] = doc["rope_theta"];
    if (doc.contains("rope_scaling") && doc["rope_scaling"].is_object())
      for (auto it = doc["rope_scaling"].begin(); it != doc["rope_scaling"].end(); ++it) rope[it.key()] = *it;
  }
  c.rope.theta = r.number_or(rope, "rope_theta", 10000.0);
  std::string rope_type = "default";
  for (const char* key : {"rope_type", "type"})
    if (rope.contains(key) && rope[key].is_string()) {
      rope_type = rope[key].get<std::string>();
      break;
    }
  if (rope_type != "default" && rope_type != "llama3")
    throw ConfigError("rope_type", where + ": unsupported rope_type '" + rope_type + "' (supported: default, llama3)");
  c.rope.type = rope_type;
  if (rope_type == "llama3") {
    c.rope.factor = r.number_or(rope, "factor", 8.0);
    c.rope.low_freq_factor = r.number_or(rope, "low_freq_factor", 1.0);
    c.rope.high_freq_factor = r.number_or(rope, "high_freq_factor", 4.0);
    c.rope.original_max_position_embeddings =
        static_cast<int64_t>(r.number_or(rope, "original_max_position_embeddings", 8192));
    if (c.rope.high_freq_factor == c.rope.low_freq_factor)
      throw ConfigError("rope_parameters.high_freq_factor", where + ": must differ from low_freq_factor");
  }

  c.bos_token_id = r.integer_or("bos_token_id", -1);
  c.pad_token_id = r.integer_or("pad_token_id", -1);
  if (r.has("eos_token_id")) {
    const json& eos = doc["eos_token_id"];
    if (eos.is_number_integer()) {
      c.eos_token_ids.push_back(eos.get<int64_t>());
    } else if (eos.is_array()) {
      for (const json& e : eos) {
        if (!e.is_number_integer()) throw ConfigError("eos_token_id", where + ": expected integers, got " + eos.dump());
        c.eos_token_ids.push_back(e.get<int64_t>());
      }
    } else {
      throw ConfigError("eos_token_id", where + ": expected an integer or a list, got " + eos.dump());
    }
  }
  return c;
}

ModelConfig ModelConfig::from_file(const std::string& path) { return from_json(read_file(path), path); }

ModelConfig ModelConfig::from_dir(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "config.json").string();
  if (!std::filesystem::exists(path)) throw IoError(dir + ": no config.json (not a Hugging Face model directory)");
  return from_file(path);
}

std::string ModelConfig::to_json(const std::string& dtype_name) const {
  json doc;
  doc["architectures"] = {architectures_entry.empty() ? std::string(architecture_name(arch)) : architectures_entry};
  doc["model_type"] = model_type;
  doc["vocab_size"] = vocab_size;
  doc["hidden_size"] = hidden_size;
  doc["intermediate_size"] = intermediate_size;
  doc["num_hidden_layers"] = num_hidden_layers;
  doc["num_attention_heads"] = num_attention_heads;
  doc["num_key_value_heads"] = num_key_value_heads;
  doc["head_dim"] = head_dim;
  doc["max_position_embeddings"] = max_position_embeddings;
  doc["rms_norm_eps"] = rms_norm_eps;
  doc["hidden_act"] = "silu";
  doc["tie_word_embeddings"] = tie_word_embeddings;
  if (arch != Architecture::Qwen2) doc["attention_bias"] = qkv_bias;
  if (arch == Architecture::Llama) doc["mlp_bias"] = mlp_bias;
  // The older top-level layout: transformers 4.x and vLLM read it, transformers 5 converts it.
  doc["rope_theta"] = rope.theta;
  if (rope.type == "llama3") {
    doc["rope_scaling"] = {{"rope_type", "llama3"},
                           {"factor", rope.factor},
                           {"low_freq_factor", rope.low_freq_factor},
                           {"high_freq_factor", rope.high_freq_factor},
                           {"original_max_position_embeddings", rope.original_max_position_embeddings}};
  } else {
    doc["rope_scaling"] = nullptr;
  }
  if (bos_token_id >= 0) doc["bos_token_id"] = bos_token_id;
  if (pad_token_id >= 0) doc["pad_token_id"] = pad_token_id;
  if (eos_token_ids.size() == 1) doc["eos_token_id"] = eos_token_ids[0];
  else if (!eos_token_ids.empty()) doc["eos_token_id"] = eos_token_ids;
  doc["dtype"] = dtype_name;
  return doc.dump(2) + "\n";
}

}  // namespace reason
