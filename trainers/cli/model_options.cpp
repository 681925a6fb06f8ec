#include "cli/model_options.h"

#include "reason/core/error.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"

namespace reason::cli {

void ModelOptions::add_to(CLI::App& cmd, bool with_adapter) {
  cmd.add_option("--model", model_dir, "Hugging Face model directory (config.json + safetensors)")->required();
  if (with_adapter) cmd.add_option("--adapter", adapter_dir, "PEFT LoRA adapter directory to apply");
  cmd.add_option("--dtype", dtype, "Compute dtype: float32 or bfloat16")->capture_default_str();
  cmd.add_option("--device", device, "cpu or cuda[:N]")->capture_default_str();
  cmd.add_option("--threads", threads, "CPU threads for LibTorch (0: default)");
}

CausalLM ModelOptions::load() const {
  if (threads > 0) at::set_num_threads(threads);
  LoadOptions options;
  options.dtype = parse_dtype(dtype);
  try {
    options.device = at::Device(device);
  } catch (const c10::Error&) {
    throw InvalidArgument("--device: unknown device '" + device + "' (expected cpu or cuda[:N])");
  }
  if (options.device.is_cuda() && !at::hasCUDA()) throw InvalidArgument("--device " + device + ": this build has no CUDA");
  CausalLM model = load_model(model_dir, options);
  if (!adapter_dir.empty()) load_adapter(*model, adapter_dir);
  model->eval();
  return model;
}

}  // namespace reason::cli
