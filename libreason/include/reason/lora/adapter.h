#pragma once
// LoRA adapters on a CausalLM: attaching by target names, the trainable parameters, and the
// PEFT file layout (adapter_config.json + adapter_model.safetensors with keys
// base_model.model.<module path>.lora_A.weight / lora_B.weight), merging and export.
#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include "reason/lora/lora_linear.h"

namespace reason {

class CausalLMImpl;

struct LoraConfig {
  int64_t r = 8;
  double alpha = 16.0;
  double dropout = 0.0;
  bool use_rslora = false;
  // Module-name suffixes, as PEFT's list form: any of q_proj, k_proj, v_proj, o_proj,
  // gate_proj, up_proj, down_proj; "all-linear" selects all seven.
  std::vector<std::string> target_modules = {"q_proj", "k_proj", "v_proj", "o_proj",
                                             "gate_proj", "up_proj", "down_proj"};
  // PEFT's string form: a regular expression that must match the whole module path
  // ("model.layers.0.self_attn.q_proj"); used instead of target_modules when non-empty.
  std::string target_regex;
  std::string base_model_name_or_path;  // written to adapter_config.json

  LoraSettings settings() const { return LoraSettings{r, alpha, dropout, use_rslora}; }
};

// Attaches freshly initialised adapters (A kaiming-uniform, B zero) to the matching projections.
// Returns how many; throws InvalidArgument for a target that matches no module.
int64_t attach_lora(CausalLMImpl& model, const LoraConfig& config);

// The adapters' trainable tensors in a fixed order (layer, projection, A then B).
std::vector<at::Tensor> lora_parameters(CausalLMImpl& model);

// PEFT key -> tensor for every attached adapter (float32, live tensors, not copies).
std::map<std::string, at::Tensor> adapter_tensors(CausalLMImpl& model);

// Writes DIR/adapter_config.json and DIR/adapter_model.safetensors atomically.
void save_adapter(CausalLMImpl& model, const LoraConfig& config, const std::string& dir);

// Parses DIR/adapter_config.json; throws ConfigError naming the file and key for settings this
// library does not implement (DoRA, bias training, rank/alpha patterns, modules_to_save...).
LoraConfig read_adapter_config(const std::string& dir);

// Attaches adapters as DIR/adapter_config.json says and loads their weights strictly (a missing
// or unused tensor, or a wrong shape, is a LoadError naming it). Returns the config.
LoraConfig load_adapter(CausalLMImpl& model, const std::string& dir);

// Folds every adapter into its base weight (W += scaling B A) and removes the adapters.
void merge_adapters(CausalLMImpl& model);

}  // namespace reason
