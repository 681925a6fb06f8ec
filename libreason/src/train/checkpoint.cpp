#include "reason/train/checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "reason/core/config.h"
#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"
#include "reason/train/trainer.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

bool is_checkpoint(const fs::path& p) {
  return fs::is_directory(p) && p.filename().string().rfind("checkpoint-", 0) == 0 &&
         fs::exists(p / "trainer_state.json");
}

}  // namespace

std::string checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "checkpoint-%06lld", static_cast<long long>(step));
  return buf;
}

std::string save_checkpoint(TrainContext& ctx, const Strategy& strategy, const std::string& run_dir) {
  const fs::path final_dir = fs::path(run_dir) / checkpoint_name(ctx.step);
  const fs::path staging = make_staging_directory(final_dir.string());
  const TrainConfig& cfg = ctx.config;
  if (cfg.lora.enabled) {
    save_adapter(*ctx.model, ctx.lora, (staging / "adapter").string());
  } else {
    save_model(*ctx.model, (staging / "model").string(), cfg.tokenizer.path.empty() ? cfg.model.path : cfg.tokenizer.path);
  }
  save_safetensors((staging / "optimizer.safetensors").string(), ctx.optimizer->state());
  std::map<std::string, at::Tensor> rng = {{"cpu", at::detail::getDefaultCPUGenerator().get_state()}};
  if (ctx.model->device().is_cuda()) rng["device"] = at::globalContext().defaultGenerator(ctx.model->device()).get_state();
  save_safetensors((staging / "rng.safetensors").string(), rng);
  nlohmann::json state = {{"format_version", kCheckpointFormatVersion},
                          {"step", ctx.step},
                          {"optimizer_steps", ctx.optimizer_step_count},
                          {"trainer", cfg.trainer},
                          {"strategy", strategy.state()}};
  write_file_atomic((staging / "trainer_state.json").string(), state.dump(2) + "\n");
  TrainConfig copy = cfg;
  write_file_atomic((staging / "config.yaml").string(), dump_config(copy));
  commit_directory(staging.string(), final_dir.string());
  return final_dir.string();
}

void load_checkpoint(TrainContext& ctx, Strategy& strategy, const std::string& dir) {
  const fs::path root(dir);
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(read_file((root / "trainer_state.json").string()));
  } catch (const nlohmann::json::exception& e) {
    throw LoadError((root / "trainer_state.json").string() + ": not valid JSON: " + e.what());
  }
  const int version = state.value("format_version", 0);
  if (version != kCheckpointFormatVersion)
    throw LoadError(dir + ": checkpoint format version " + std::to_string(version) + ", this build reads " +
                    std::to_string(kCheckpointFormatVersion));
  if (state.value("trainer", "") != ctx.config.trainer)
    throw LoadError(dir + ": checkpoint of trainer '" + state.value("trainer", "") + "', the config says '" +
                    ctx.config.trainer + "'");
  at::NoGradGuard no_grad;
  if (ctx.config.lora.enabled) {
    // Overwrite the attached adapters' values in place (the optimizer holds these tensors).
    auto file = SafetensorsFile::open((root / "adapter" / "adapter_model.safetensors").string());
    for (auto& [key, param] : adapter_tensors(*ctx.model)) {
      if (!file->contains(key)) throw LoadError(file->path() + ": missing tensor '" + key + "' (different lora config?)");
      at::Tensor src = load_tensor(file, file->info(key));
      if (src.sizes() != param.sizes())
        throw LoadError(file->path() + ": '" + key + "' has shape " + c10::str(src.sizes()) + ", expected " +
                        c10::str(param.sizes()));
      param.copy_(src);
    }
  } else {
    load_weights(*ctx.model, SafetensorsCheckpoint::open_dir((root / "model").string()));
  }
  ctx.optimizer->load_state(load_safetensors((root / "optimizer.safetensors").string()));
  auto rng = load_safetensors((root / "rng.safetensors").string());
  at::Generator cpu_gen = at::detail::getDefaultCPUGenerator();  // a handle on the global state
  cpu_gen.set_state(rng.at("cpu"));
  if (ctx.model->device().is_cuda() && rng.count("device"))
  {
    at::Generator dev_gen = at::globalContext().defaultGenerator(ctx.model->device());
    dev_gen.set_state(rng.at("device"));
  }
  ctx.step = state.at("step").get<int64_t>();
  ctx.optimizer_step_count = state.at("optimizer_steps").get<int64_t>();
  strategy.load_state(state.at("strategy"));
}

std::vector<std::string> list_checkpoints(const std::string& run_dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(run_dir)) return out;
  for (const auto& e : fs::directory_iterator(run_dir))
    if (is_checkpoint(e.path()) && e.path().extension() != ".partial") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());  // zero-padded step numbers sort by step
  return out;
}

std::string resolve_checkpoint(const std::string& path) {
  if (is_checkpoint(path)) return path;
  auto all = list_checkpoints(path);
  if (all.empty()) throw IoError(path + ": no checkpoint to resume from");
  return all.back();
}

void prune_checkpoints(const std::string& run_dir, int64_t keep_last) {
  if (keep_last <= 0) return;
  auto all = list_checkpoints(run_dir);
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep_last) < all.size(); ++i) fs::remove_all(all[i]);
}

}  // namespace reason
