// Rollout and training throughput on a tiny fixture model (CPU), so regressions show.
//   bench_rl [--model DIR] [--prompts N] [--samples G] [--new-tokens T] [--repeats R] [--threads K]
// Prints the median of R repeats for: rollout tokens/s (sampling with the KV cache, continuous
// batching) and training tokens/s (LoRA forward + chunked log-probs + GRPO loss + backward).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "reason/algo/policy_loss.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/rollout/rollout_engine.h"
#include "reason/train/sequence_batch.h"

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  std::string model_dir = std::string(REASON_TEST_DATA_DIR) + "/hf/qwen2";
  int64_t prompts = 8, samples = 8, new_tokens = 64, repeats = 5, threads = 0, prompt_len = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--model") model_dir = v;
    else if (k == "--prompts") prompts = std::stoll(v);
    else if (k == "--samples") samples = std::stoll(v);
    else if (k == "--new-tokens") new_tokens = std::stoll(v);
    else if (k == "--repeats") repeats = std::stoll(v);
    else if (k == "--threads") threads = std::stoll(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (threads > 0) at::set_num_threads(static_cast<int>(threads));
  reason::CausalLM model = reason::load_model(model_dir);
  reason::LoraConfig lora;
  lora.r = 16;
  reason::attach_lora(*model, lora);
  const int64_t vocab = model->config().vocab_size;
  std::vector<std::vector<int64_t>> ps(prompts);
  for (int64_t i = 0; i < prompts; ++i)
    for (int64_t t = 0; t < prompt_len; ++t) ps[i].push_back(3 + (i * 131 + t * 17) % (vocab - 3));

  reason::SamplingParams sp;
  sp.temperature = 1.0;
  sp.max_new_tokens = new_tokens;  // no stop tokens: every sequence runs to the limit
  reason::RolloutEngine engine(*model);
  std::vector<double> rollout_tps, train_tps;
  std::vector<reason::Completion> out;
  for (int64_t r = 0; r < repeats; ++r) {
    model->eval();
    sp.seed = static_cast<uint64_t>(r);
    auto t0 = std::chrono::steady_clock::now();
    out = engine.generate(ps, samples, sp);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rollout_tps.push_back(static_cast<double>(engine.last_generated_tokens()) / s);

    model->train();
    std::vector<const std::vector<int64_t>*> p, c;
    int64_t tokens = 0;
    for (auto& comp : out) {
      p.push_back(&ps[comp.prompt_index]);
      c.push_back(&comp.ids);
      tokens += static_cast<int64_t>(ps[comp.prompt_index].size() + comp.ids.size());
    }
    t0 = std::chrono::steady_clock::now();
    reason::SequenceBatch sb = reason::make_sequence_batch(p, c, 0, model->device());
    reason::CompletionLogprobs cl = reason::completion_logprobs(*model, sb, {});
    reason::PolicyLossInputs in;
    in.logprobs = cl.logprobs;
    in.advantages = at::randn({static_cast<int64_t>(out.size())});
    in.mask = sb.completion_mask;
    reason::PolicyLossOptions po;
    po.dapo_normalizer = sb.completion_mask.sum().item<double>();
    reason::policy_loss(in, po).loss.backward();
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    train_tps.push_back(static_cast<double>(tokens) / s);
    for (auto& t : reason::lora_parameters(*model)) t.mutable_grad() = at::Tensor();
  }
  std::cout << "model " << model_dir << " (hidden " << model->config().hidden_size << ", layers "
            << model->config().num_hidden_layers << "), threads " << at::get_num_threads() << "\n";
  std::cout << "rollout: " << prompts << " prompts x " << samples << " samples x " << new_tokens
            << " new tokens: median " << median(rollout_tps) << " tokens/s over " << repeats << " runs\n";
  std::cout << "training: same batch, LoRA r=16 forward+backward: median " << median(train_tps)
            << " tokens/s (prompt + completion tokens)\n";
  return 0;
}
