#pragma once
// Options shared by the commands that load a model: --model, --adapter, --dtype, --device, --threads.
#include <CLI/CLI.hpp>
#include <string>

#include "reason/model/causal_lm.h"

namespace reason::cli {

struct ModelOptions {
  std::string model_dir;
  std::string adapter_dir;
  std::string dtype = "float32";
  std::string device = "cpu";
  int threads = 0;  // 0: LibTorch's default

  void add_to(CLI::App& cmd, bool with_adapter = true);
  // Loads the model (and the adapter, when given) in eval mode.
  CausalLM load() const;
};

}  // namespace reason::cli
