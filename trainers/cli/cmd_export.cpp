// reason export: merge a LoRA adapter into its base model and write a Hugging Face checkpoint.
#include <memory>

#include "cli/commands.h"
#include "reason/core/error.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"

namespace reason::cli {
namespace {

struct ExportArgs {
  std::string model_dir, adapter_dir, output, dtype = "auto";
};

void run(const ExportArgs& a) {
  // Merge in float32, then store in the requested dtype (auto: the base checkpoint's).
  at::ScalarType out_dtype = at::kFloat;
  if (a.dtype == "auto") {
    auto ckpt = SafetensorsCheckpoint::open_dir(a.model_dir);
    auto [file, info] = ckpt.find("model.embed_tokens.weight");
    out_dtype = to_scalar_type(info->dtype, file->path());
  } else {
    out_dtype = parse_dtype(a.dtype);
  }
  CausalLM model = load_model(a.model_dir, LoadOptions{at::kFloat, at::kCPU});
  load_adapter(*model, a.adapter_dir);
  merge_adapters(*model);
  model->to(out_dtype);
  save_model(*model, a.output, a.model_dir);
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Merge a LoRA adapter into the base model and save it");
  cmd->add_option("--model", a->model_dir, "Base Hugging Face model directory")->required();
  cmd->add_option("--adapter", a->adapter_dir, "PEFT LoRA adapter directory")->required();
  cmd->add_option("--output", a->output, "Output directory (written atomically)")->required();
  cmd->add_option("--dtype", a->dtype, "Stored dtype: auto (as the base), float32 or bfloat16")->capture_default_str();
  cmd->callback([a] { run(*a); });
}

}  // namespace reason::cli
