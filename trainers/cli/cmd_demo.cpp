// reason demo: the embedded end-to-end demo (trainers/demo/demo.h): a synthetic verifiable task,
// a SentencePiece tokenizer and a tiny model trained from nothing, SFT, then GRPO with LoRA.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "demo/demo.h"
#include "reason/core/error.h"

namespace reason::cli {
namespace {

struct DemoArgs {
  demo::DemoOptions options;
  bool quick = false;
  bool require_gain = false;
};

int run(DemoArgs a) {
  if (a.quick) {  // the end-to-end test's schedule
    a.options.grpo_steps = 40;
    a.options.rl_prompts = 1000;
  }
  a.options.log = [](const std::string& s) { std::cout << s << std::endl; };
  demo::DemoResult r = demo::run_demo(a.options);
  // The reward curve, averaged over blocks of steps so it fits a screen.
  const std::size_t n = r.reward_curve.size(), block = std::max<std::size_t>(1, (n + 11) / 12);
  std::printf("[demo] GRPO training reward (mean over %zu-step blocks of 128 completions each):\n", block);
  for (std::size_t s = 0; s < n; s += block) {
    double sum = 0;
    const std::size_t e = std::min(n, s + block);
    for (std::size_t i = s; i < e; ++i) sum += r.reward_curve[i];
    const double v = sum / static_cast<double>(e - s);
    std::printf("  steps %3zu-%3zu  %.3f  %s\n", s + 1, e, v, std::string(static_cast<std::size_t>(std::lround(v * 40)), '#').c_str());
  }
  std::printf("[demo] held-out accuracy   greedy %.3f -> %.3f   sampled(T=1) %.3f -> %.3f\n", r.before.greedy,
              r.after.greedy, r.before.sampled, r.after.sampled);
  std::printf("[demo] time: SFT %.0f s, GRPO %.0f s, total %.0f s; adapter: %s\n", r.sft_seconds, r.grpo_seconds,
              r.total_seconds, r.adapter_dir.c_str());
  // The gain RL optimises for is sampled accuracy; greedy decoding must not get clearly worse.
  if (a.require_gain && !(r.after.sampled >= r.before.sampled + 0.1 && r.after.greedy >= r.before.greedy - 0.01)) {
    std::fprintf(stderr, "error: RL did not raise held-out accuracy\n");
    return 1;
  }
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand("demo", "End-to-end demo on one CPU: SFT then GRPO with LoRA on a synthetic task");
  cmd->add_option("--output", a->options.output_dir, "Run directory")->capture_default_str();
  cmd->add_option("--digits", a->options.digits, "Operand digits of the additions")->capture_default_str();
  cmd->add_option("--sft-steps", a->options.sft_steps, "SFT steps")->capture_default_str();
  cmd->add_option("--grpo-steps", a->options.grpo_steps, "GRPO steps")->capture_default_str();
  cmd->add_option("--teacher-noise", a->options.teacher_noise, "Share of SFT solutions with a wrong boxed answer")
      ->capture_default_str();
  cmd->add_option("--sft-lr", a->options.sft_lr, "SFT learning rate")->capture_default_str();
  cmd->add_option("--grpo-lr", a->options.grpo_lr, "GRPO learning rate (LoRA)")->capture_default_str();
  cmd->add_option("--seed", a->options.seed, "Seed of everything")->capture_default_str();
  cmd->add_option("--threads", a->options.threads, "CPU threads (0: LibTorch's default)");
  cmd->add_flag("--quick", a->quick, "A shorter schedule (used by the end-to-end test)");
  cmd->add_flag("--require-gain", a->require_gain, "Exit non-zero unless RL raised held-out accuracy");
  cmd->callback([a, exit_code] { *exit_code = run(*a); });
}

}  // namespace reason::cli
