#pragma once
// The embedded demo (`reason demo`): everything from nothing on one CPU in a few minutes.
// 1. writes a synthetic verifiable task (column addition with worked solutions, \boxed{} answers),
// 2. trains a SentencePiece tokenizer on it, 3. creates a tiny random Llama-style model,
// 4. warm-starts it with a short SFT phase (base weights), 5. measures held-out accuracy,
// 6. runs GRPO with LoRA and the math-grader accuracy reward, 7. measures held-out accuracy
// again and prints the reward curve. The LoRA adapter is written in PEFT layout.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace reason::demo {

struct DemoOptions {
  std::string output_dir = "demo-run";
  int digits = 2;               // operand size of the additions
  int64_t sft_examples = 4000;  // SFT training problems (with solutions)
  int64_t rl_prompts = 2000;    // GRPO training problems (answers only)
  int64_t heldout = 200;        // evaluation problems, never trained on
  int64_t sft_steps = 300;
  int64_t grpo_steps = 60;
  double teacher_noise = 0.3;   // share of SFT solutions whose boxed answer is wrong
  double sft_lr = 3e-3;
  double grpo_lr = 2e-4;
  uint64_t seed = 1234;
  int threads = 0;              // 0: LibTorch's default
  std::function<void(const std::string&)> log;  // progress lines (nullptr: silent)
};

struct Accuracy {
  double greedy = 0.0;   // share of held-out problems solved by greedy decoding
  double sampled = 0.0;  // mean over 4 samples per problem at temperature 1
};

struct DemoResult {
  Accuracy before;                  // after SFT, before RL
  Accuracy after;                   // after RL
  std::vector<double> reward_curve; // mean reward per GRPO step
  double sft_seconds = 0, grpo_seconds = 0, total_seconds = 0;
  std::string adapter_dir;
};

DemoResult run_demo(const DemoOptions& options);

}  // namespace reason::demo
