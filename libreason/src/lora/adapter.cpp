#include "reason/lora/adapter.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/model/causal_lm.h"
#include "reason/model/tensor_io.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace reason {
namespace {

const std::vector<std::string> kProjections = {"q_proj", "k_proj", "v_proj", "o_proj",
                                               "gate_proj", "up_proj", "down_proj"};
const std::string kPeftPrefix = "base_model.model.";

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Which projections a config selects, by module path.
std::vector<std::pair<std::string, LoraLinear>> selected(CausalLMImpl& model, const LoraConfig& config) {
  auto all = model.projections();
  std::vector<std::pair<std::string, LoraLinear>> out;
  if (!config.target_regex.empty()) {
    std::regex re;
    try {
      re = std::regex(config.target_regex);
    } catch (const std::regex_error& e) {
      throw InvalidArgument("LoRA target_modules: invalid regular expression '" + config.target_regex + "': " + e.what());
    }
    for (auto& p : all)
      if (std::regex_match(p.first, re)) out.push_back(p);
    if (out.empty()) throw InvalidArgument("LoRA target_modules regex '" + config.target_regex + "' matches no module");
    return out;
  }
  std::set<std::string> targets;
  for (const auto& t : config.target_modules) {
    if (t == "all-linear") {
      targets.insert(kProjections.begin(), kProjections.end());
      continue;
    }
    bool matched = false;
    for (auto& p : all) matched = matched || p.first == t || ends_with(p.first, "." + t);
    if (!matched) {
      std::string known;
      for (const auto& k : kProjections) known += (known.empty() ? "" : ", ") + k;
      throw InvalidArgument("LoRA target module '" + t + "' matches no module of the model (known: " + known + ")");
    }
    targets.insert(t);
  }
  for (auto& p : all)
    for (const auto& t : targets)
      if (p.first == t || ends_with(p.first, "." + t)) {
        out.push_back(p);
        break;
      }
  if (out.empty()) throw InvalidArgument("LoRA target_modules is empty");
  return out;
}

std::string peft_key(const std::string& module_path, const char* which) {
  return kPeftPrefix + module_path + "." + which + ".weight";
}

}  // namespace

int64_t attach_lora(CausalLMImpl& model, const LoraConfig& config) {
  auto chosen = selected(model, config);
  for (auto& [name, proj] : chosen) proj->attach(config.settings(), model.adapter_switch());
  return static_cast<int64_t>(chosen.size());
}

std::vector<at::Tensor> lora_parameters(CausalLMImpl& model) {
  std::vector<at::Tensor> out;
  for (auto& [name, proj] : model.projections())
    if (proj->has_adapter()) {
      out.push_back(proj->lora_A);
      out.push_back(proj->lora_B);
    }
  return out;
}

std::map<std::string, at::Tensor> adapter_tensors(CausalLMImpl& model) {
  std::map<std::string, at::Tensor> out;
  for (auto& [name, proj] : model.projections())
    if (proj->has_adapter()) {
      out[peft_key(name, "lora_A")] = proj->lora_A;
      out[peft_key(name, "lora_B")] = proj->lora_B;
    }
  return out;
}

void save_adapter(CausalLMImpl& model, const LoraConfig& config, const std::string& dir) {
  auto tensors = adapter_tensors(model);
  REASON_CHECK(!tensors.empty(), InvalidArgument, "save_adapter: the model has no LoRA adapters");
  // The fields PEFT writes and reads (and vLLM's PEFTHelper), with our values.
  std::set<std::string> modules;
  for (auto& [name, proj] : model.projections())
    if (proj->has_adapter()) modules.insert(name.substr(name.rfind('.') + 1));
  json cfg = {
      {"peft_type", "LORA"},
      {"task_type", "CAUSAL_LM"},
      {"base_model_name_or_path", config.base_model_name_or_path.empty() ? json(nullptr)
                                                                         : json(config.base_model_name_or_path)},
      {"r", config.r},
      {"lora_alpha", config.alpha},
      {"lora_dropout", config.dropout},
      {"use_rslora", config.use_rslora},
      {"target_modules", config.target_regex.empty() ? json(std::vector<std::string>(modules.begin(), modules.end()))
                                                     : json(config.target_regex)},
      {"bias", "none"},
      {"fan_in_fan_out", false},
      {"init_lora_weights", true},
      {"inference_mode", true},
      {"modules_to_save", nullptr},
      {"layers_to_transform", nullptr},
      {"layers_pattern", nullptr},
      {"rank_pattern", json::object()},
      {"alpha_pattern", json::object()},
      {"use_dora", false},
      {"lora_bias", false},
      {"revision", nullptr},
  };
  const fs::path final_dir = fs::absolute(dir);
  const fs::path staging = make_staging_directory(final_dir.string());
  save_safetensors((staging / "adapter_model.safetensors").string(), tensors);
  write_file_atomic((staging / "adapter_config.json").string(), cfg.dump(2) + "\n");
  commit_directory(staging.string(), final_dir.string());
}

LoraConfig read_adapter_config(const std::string& dir) {
  const std::string path = (fs::path(dir) / "adapter_config.json").string();
  if (!fs::exists(path)) throw IoError(dir + ": no adapter_config.json (not a PEFT adapter directory)");
  json doc;
  try {
    doc = json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw ConfigError("", path + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw ConfigError("", path + ": expected a JSON object");
  auto bad = [&](const std::string& key, const std::string& what) { return ConfigError(key, path + ": " + what); };
  auto get = [&](const char* key) -> const json* {
    return doc.contains(key) && !doc[key].is_null() ? &doc[key] : nullptr;
  };
  LoraConfig c;
  if (const json* v = get("peft_type"); v && (!v->is_string() || v->get<std::string>() != "LORA"))
    throw bad("peft_type", "only LORA adapters are supported, got " + v->dump());
  const json* r = get("r");
  if (!r || !r->is_number_integer() || r->get<int64_t>() <= 0) throw bad("r", "expected a positive integer");
  c.r = r->get<int64_t>();
  const json* alpha = get("lora_alpha");
  if (!alpha || !alpha->is_number()) throw bad("lora_alpha", "expected a number");
  c.alpha = alpha->get<double>();
  if (const json* v = get("lora_dropout")) {
    if (!v->is_number()) throw bad("lora_dropout", "expected a number");
    c.dropout = v->get<double>();
  }
  if (const json* v = get("use_rslora")) {
    if (!v->is_boolean()) throw bad("use_rslora", "expected true/false");
    c.use_rslora = v->get<bool>();
  }
  const json* targets = get("target_modules");
  if (!targets) throw bad("target_modules", "missing");
  if (targets->is_string()) {
    const std::string t = targets->get<std::string>();
    if (t == "all-linear") c.target_modules = {"all-linear"};
    else c.target_regex = t;
  } else if (targets->is_array()) {
    c.target_modules.clear();
    for (const json& t : *targets) {
      if (!t.is_string()) throw bad("target_modules", "expected strings, got " + t.dump());
      c.target_modules.push_back(t.get<std::string>());
    }
  } else {
    throw bad("target_modules", "expected a list or a string");
  }
  if (const json* v = get("base_model_name_or_path"); v && v->is_string()) c.base_model_name_or_path = v->get<std::string>();
  // Settings that change what the adapter computes and that we do not implement: refuse.
  auto refuse_true = [&](const char* key) {
    if (const json* v = get(key); v && v->is_boolean() && v->get<bool>())
      throw bad(key, std::string(key) + "=true is not supported");
  };
  refuse_true("use_dora");
  refuse_true("fan_in_fan_out");
  refuse_true("lora_bias");
  if (const json* v = get("bias"); v && !(v->is_string() && v->get<std::string>() == "none"))
    throw bad("bias", "only bias=\"none\" is supported, got " + v->dump());
  for (const char* key : {"rank_pattern", "alpha_pattern"})
    if (const json* v = get(key); v && !(v->is_object() && v->empty())) throw bad(key, "per-module patterns are not supported");
  for (const char* key : {"modules_to_save", "layers_to_transform", "trainable_token_indices"})
    if (const json* v = get(key); v && !(v->is_array() && v->empty())) throw bad(key, "is not supported");
  return c;
}

LoraConfig load_adapter(CausalLMImpl& model, const std::string& dir) {
  LoraConfig config = read_adapter_config(dir);
  attach_lora(model, config);
  const std::string path = (fs::path(dir) / "adapter_model.safetensors").string();
  if (!fs::exists(path)) throw IoError(dir + ": no adapter_model.safetensors");
  auto file = SafetensorsFile::open(path);
  // Accept the in-memory PEFT spelling (lora_A.default.weight) as well as the saved one.
  std::map<std::string, const TensorInfo*> by_key;
  for (const auto& info : file->tensors()) {
    std::string key = info.name;
    auto pos = key.find(".default.");
    if (pos != std::string::npos) key.erase(pos, 8);
    if (key.compare(0, kPeftPrefix.size(), kPeftPrefix) != 0) key = kPeftPrefix + key;
    by_key[key] = &info;
  }
  std::set<std::string> used;
  at::NoGradGuard no_grad;
  for (auto& [key, param] : adapter_tensors(model)) {
    auto it = by_key.find(key);
    if (it == by_key.end()) throw LoadError(path + ": missing tensor '" + key + "'");
    at::Tensor src = load_tensor(file, *it->second);
    if (src.sizes() != param.sizes())
      throw LoadError(path + ": tensor '" + it->second->name + "' has shape " + c10::str(src.sizes()) +
                      ", the model expects " + c10::str(param.sizes()) + " (r=" + std::to_string(config.r) + ")");
    param.copy_(src);
    used.insert(key);
  }
  for (const auto& [key, info] : by_key)
    if (!used.count(key)) throw LoadError(path + ": unused tensor '" + info->name + "' (no such adapted module)");
  return config;
}

void merge_adapters(CausalLMImpl& model) {
  for (auto& [name, proj] : model.projections()) proj->merge_and_detach();
}

}  // namespace reason
