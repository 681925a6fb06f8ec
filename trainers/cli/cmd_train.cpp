// reason train (also started as `train`): runs a training strategy from a YAML config.
#include <csignal>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "reason/core/error.h"
#include "reason/train/trainer.h"

namespace reason::cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  Trainer::request_stop();
}

struct TrainArgs {
  std::string config;
  std::vector<std::string> overrides;
  bool dump = false, validate_only = false, reference = false;
  std::string resume;
};

int run(const TrainArgs& a) {
  register_builtin_strategies();
  if (a.reference) {
    TrainConfig defaults;
    std::cout << config_reference_markdown(defaults);
    return 0;
  }
  if (a.config.empty()) throw ConfigError("--config", "is required");
  TrainConfig cfg = load_train_config(a.config, a.overrides);
  if (!StrategyRegistry::global().contains(cfg.trainer)) StrategyRegistry::global().create(cfg.trainer, cfg);  // throws
  if (a.dump) {
    std::cout << dump_config(cfg);
    return 0;
  }
  Trainer trainer(cfg);
  if (a.validate_only) {
    trainer.run(TrainOptions{"", true});
    std::cout << "config OK: " << a.config << " (trainer " << cfg.trainer << ")\n";
    return 0;
  }
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  TrainResult r = trainer.run(TrainOptions{a.resume, false});
  if (r.interrupted) {
    std::cerr << "[train] stopped by signal " << g_signal << " at step " << r.steps << "; checkpoint " << r.last_checkpoint
              << "\n";
    return 128 + static_cast<int>(g_signal);
  }
  std::cerr << "[train] done: " << r.steps << " steps; output " << r.final_dir << "\n";
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train LoRA adapters (GRPO, SFT, ...) from a YAML config");
  cmd->add_option("--config", a->config, "YAML configuration (docs/configuration.md)");
  cmd->add_option("--set", a->overrides, "Override a key: --set algo.beta=0.04 (repeatable)");
  cmd->add_flag("--dump-config", a->dump, "Print the resolved configuration and exit");
  cmd->add_flag("--validate-only", a->validate_only, "Check the config, model, tokenizer, data and rewards, then exit");
  cmd->add_option("--resume", a->resume, "Continue from a checkpoint (or the latest one in a run directory)");
  cmd->add_flag("--print-reference", a->reference, "Print every configuration key with its default (Markdown)");
  cmd->callback([a, exit_code] { *exit_code = run(*a); });
}

}  // namespace reason::cli
