#include "reason/model/loader.h"

#include <filesystem>
#include <set>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/model/tensor_io.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

std::string shape_str(at::IntArrayRef s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// Tensors transformers drops on load without complaint.
bool ignored_by_transformers(const std::string& name, const ModelConfig& config) {
  if (name.find("rotary_emb.inv_freq") != std::string::npos) return true;  // older checkpoints
  if (config.tie_word_embeddings && name == "lm_head.weight") return true;  // tied: embedding wins
  return false;
}

}  // namespace

void load_weights(CausalLMImpl& model, const SafetensorsCheckpoint& checkpoint) {
  std::set<std::string> used;
  at::NoGradGuard no_grad;
  for (auto& [name, param] : model.base_weights()) {
    if (!checkpoint.contains(name))
      throw LoadError(checkpoint.description() + ": missing tensor '" + name + "' (expected shape " +
                      shape_str(param.sizes()) + ")");
    at::Tensor src = load_tensor(checkpoint, name);
    if (src.sizes() != param.sizes())
      throw LoadError(checkpoint.description() + ": tensor '" + name + "' has shape " + shape_str(src.sizes()) +
                      ", the model expects " + shape_str(param.sizes()));
    if (!at::isFloatingType(src.scalar_type()))
      throw LoadError(checkpoint.description() + ": tensor '" + name + "' has non-floating dtype " +
                      c10::toString(src.scalar_type()));
    param.copy_(src);
    used.insert(name);
  }
  for (const std::string& name : checkpoint.names())
    if (!used.count(name) && !ignored_by_transformers(name, model.config()))
      throw LoadError(checkpoint.description() + ": unused tensor '" + name + "' (not part of a " +
                      architecture_name(model.config().arch) + " model with this config)");
}

CausalLM load_model(const std::string& dir, const LoadOptions& options) {
  ModelConfig config = ModelConfig::from_dir(dir);
  CausalLM model(config, at::TensorOptions().dtype(options.dtype).device(options.device));
  load_weights(*model, SafetensorsCheckpoint::open_dir(dir));
  model->eval();
  return model;
}

void init_random_weights(CausalLMImpl& model, uint64_t seed, double std) {
  at::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(seed);
  for (auto& [name, w] : model.base_weights()) {
    const bool norm = name.find("norm") != std::string::npos;
    const bool bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    if (norm) w.fill_(1.0);
    else if (bias) w.zero_();
    else w.copy_(at::normal(0.0, std, w.sizes(), gen, at::TensorOptions().dtype(at::kFloat)));
  }
}

void save_model(CausalLMImpl& model, const std::string& dir, const std::string& copy_files_from) {
  const fs::path final_dir = fs::absolute(dir);
  const fs::path staging = make_staging_directory(final_dir.string());
  std::map<std::string, at::Tensor> tensors;
  for (auto& [name, t] : model.base_weights()) tensors[name] = t;
  save_safetensors((staging / "model.safetensors").string(), tensors);
  const at::ScalarType stored = model.model->embed_tokens->weight.scalar_type();
  write_file_atomic((staging / "config.json").string(), model.config().to_json(dtype_label(stored)));
  if (!copy_files_from.empty()) {
    for (const char* name : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                             "generation_config.json", "vocab.json", "merges.txt"}) {
      fs::path src = fs::path(copy_files_from) / name;
      if (fs::exists(src)) fs::copy_file(src, staging / name, fs::copy_options::overwrite_existing);
    }
  }
  commit_directory(staging.string(), final_dir.string());
}

}  // namespace reason
