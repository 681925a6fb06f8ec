#include "demo/demo.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "demo/arithmetic_task.h"
#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/core/jsonl.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/reward/reward.h"
#include "reason/rollout/rollout_engine.h"
#include "reason/tokenizer/sentencepiece.h"
#include "reason/tokenizer/tokenizer.h"
#include "reason/train/trainer.h"

namespace fs = std::filesystem;

namespace reason::demo {
namespace {

void write_rows(const std::string& path, const std::vector<ArithmeticProblem>& problems, bool with_solution) {
  std::vector<nlohmann::json> rows;
  for (const auto& p : problems) {
    nlohmann::json r = {{"problem", p.question}, {"answer", p.answer}};
    if (with_solution) r["completion"] = p.solution;
    rows.push_back(r);
  }
  write_jsonl(path, rows);
}

// The tiny model: Llama-style, sized so that SFT + GRPO fit in minutes on one CPU.
ModelConfig tiny_config(int64_t vocab) {
  ModelConfig c;
  c.arch = Architecture::Llama;
  c.model_type = "llama";
  c.architectures_entry = "LlamaForCausalLM";
  c.vocab_size = vocab;
  c.hidden_size = 96;
  c.intermediate_size = 256;
  c.num_hidden_layers = 3;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.head_dim = 24;
  c.max_position_embeddings = 256;
  c.rms_norm_eps = 1e-6;
  c.rope.theta = 10000.0;
  c.bos_token_id = 1;
  c.eos_token_ids = {2};
  c.pad_token_id = 0;
  return c;
}

// Held-out accuracy with the same grader the RL reward uses.
Accuracy evaluate(CausalLMImpl& model, const Tokenizer& tok, const std::vector<ArithmeticProblem>& problems,
                  Reward& accuracy, uint64_t seed) {
  std::vector<std::vector<int64_t>> prompts;
  EncodeOptions eo;
  eo.add_special_tokens = true;
  for (const auto& p : problems) prompts.push_back(tok.encode(p.question, eo));
  at::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  RolloutEngine engine(model, RolloutEngineOptions{256, 8});
  auto grade = [&](const std::vector<Completion>& cs, int64_t samples) {
    std::vector<RewardSample> batch;
    for (const auto& c : cs) {
      RewardSample s;
      s.prompt = problems[c.prompt_index].question;
      s.completion = tok.decode(c.ids, true);
      s.completion_ids = c.ids;
      s.truncated = c.finish_reason == "length";
      s.fields = {{"answer", problems[c.prompt_index].answer}};
      batch.push_back(std::move(s));
    }
    double sum = 0;
    for (double v : accuracy.score(batch)) sum += std::isnan(v) ? 0.0 : v;
    return sum / static_cast<double>(cs.size());
    (void)samples;
  };
  SamplingParams sp;
  sp.max_new_tokens = 48;
  sp.stop_token_ids = {*tok.eos_id()};
  sp.greedy = true;
  Accuracy a;
  a.greedy = grade(engine.generate(prompts, 1, sp), 1);
  sp.greedy = false;
  sp.temperature = 1.0;
  sp.seed = seed;
  a.sampled = grade(engine.generate(prompts, 4, sp), 4);
  if (was_training) model.train();
  return a;
}

std::string fmt(double v, int precision = 3) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(precision);
  o << v;
  return o.str();
}

}  // namespace

DemoResult run_demo(const DemoOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  register_builtin_strategies();
  if (o.threads > 0) at::set_num_threads(o.threads);
  const fs::path root = fs::absolute(o.output_dir);
  fs::create_directories(root / "data");

  // 1. Data: held-out first, then training sets that never contain a held-out question.
  auto heldout = make_arithmetic_set(o.seed, o.heldout, o.digits);
  auto sft = make_arithmetic_set(o.seed + 1, o.sft_examples, o.digits, heldout);
  {
    std::mt19937_64 rng(o.seed + 3);
    std::bernoulli_distribution noisy(o.teacher_noise);
    for (auto& p : sft)
      if (noisy(rng)) corrupt_boxed_answer(p, rng);
  }
  auto rl = make_arithmetic_set(o.seed + 2, o.rl_prompts, o.digits, heldout);
  write_rows((root / "data/sft.jsonl").string(), sft, true);
  write_rows((root / "data/rl.jsonl").string(), rl, false);
  write_rows((root / "data/heldout.jsonl").string(), heldout, false);
  log("[demo] task: " + std::to_string(o.digits) + "-digit addition; " + std::to_string(sft.size()) +
      " SFT (noisy teacher: " + fmt(o.teacher_noise, 2) + " of boxed answers wrong), " +
      std::to_string(rl.size()) + " RL, " + std::to_string(heldout.size()) + " held-out problems");

  // 2. Tokenizer: SentencePiece trained on the task's text, digits kept apart.
  const fs::path tok_dir = root / "tokenizer";
  fs::create_directories(tok_dir);
  SentencePieceTrainOptions so;
  for (const auto& p : sft) so.texts.push_back(p.question + p.solution);
  so.vocab_size = 48;
  so.model_type = "bpe";
  so.user_defined_symbols = {"\\boxed{"};
  so.seed = static_cast<unsigned>(o.seed);
  so.extra = {{"split_digits", "true"}, {"add_dummy_prefix", "false"}, {"hard_vocab_limit", "false"}};
  train_sentencepiece(so, (tok_dir / "tokenizer.model").string());
  auto tok = load_tokenizer((tok_dir / "tokenizer.model").string());
  log("[demo] tokenizer: SentencePiece BPE, " + std::to_string(tok->vocab_size()) + " pieces");

  // 3. A random tiny model (with the tokenizer beside it).
  const fs::path base = root / "base";
  {
    CausalLM model(tiny_config(tok->vocab_size()), at::TensorOptions().dtype(at::kFloat));
    init_random_weights(*model, o.seed);
    save_model(*model, base.string(), tok_dir.string());
  }

  // 4. SFT warm start of the whole (tiny) model.
  TrainConfig sft_cfg;
  sft_cfg.trainer = "sft";
  sft_cfg.model.path = base.string();
  sft_cfg.model.threads = o.threads;
  sft_cfg.tokenizer.chat_format = "none";
  sft_cfg.lora.enabled = false;
  sft_cfg.data.train_file = (root / "data/sft.jsonl").string();
  sft_cfg.train.max_steps = o.sft_steps;
  sft_cfg.train.batch_size = 64;
  sft_cfg.train.micro_batch_size = 64;
  sft_cfg.train.seed = static_cast<int64_t>(o.seed);
  sft_cfg.optim.lr = o.sft_lr;
  sft_cfg.optim.weight_decay = 0.01;
  sft_cfg.optim.scheduler = "cosine";
  sft_cfg.optim.warmup_steps = 20;
  sft_cfg.checkpoint.output_dir = (root / "sft").string();
  sft_cfg.checkpoint.save_steps = 0;
  sft_cfg.checkpoint.keep_last = 1;
  sft_cfg.logging.progress = "never";
  log("[demo] SFT: " + std::to_string(o.sft_steps) + " steps of 64 worked solutions (full weights)");
  auto t0 = std::chrono::steady_clock::now();
  TrainResult sft_result = Trainer(sft_cfg).run();
  DemoResult result;
  result.sft_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string sft_model = (fs::path(sft_result.final_dir) / "model").string();

  auto accuracy = RewardRegistry::global().create("accuracy", {{"solution_field", "answer"}});
  {
    CausalLM m = load_model(sft_model);
    result.before = evaluate(*m, *tok, heldout, *accuracy, o.seed + 7);
  }
  log("[demo] held-out accuracy after SFT: greedy " + fmt(result.before.greedy) + ", sampled (T=1) " +
      fmt(result.before.sampled));

  // 5. GRPO with LoRA and the verifiable accuracy reward.
  TrainConfig rl_cfg;
  rl_cfg.trainer = "grpo";
  rl_cfg.model.path = sft_model;
  rl_cfg.model.threads = o.threads;
  rl_cfg.tokenizer.chat_format = "none";
  rl_cfg.lora.r = 16;
  rl_cfg.lora.alpha = 32;
  rl_cfg.data.train_file = (root / "data/rl.jsonl").string();
  rl_cfg.data.answer_field = "answer";
  rl_cfg.rollout.samples_per_prompt = 8;
  rl_cfg.rollout.max_new_tokens = 48;
  rl_cfg.rollout.temperature = 1.0;
  rl_cfg.rollout.max_batch = 128;
  RewardEntry acc;
  acc.name = "accuracy";
  acc.options = {{"solution_field", "answer"}};
  rl_cfg.rewards.items = {acc};
  rl_cfg.algo.loss_type = "dapo";
  rl_cfg.algo.beta = 0.0;
  rl_cfg.train.max_steps = o.grpo_steps;
  rl_cfg.train.batch_size = 128;
  rl_cfg.train.micro_batch_size = 128;
  rl_cfg.train.seed = static_cast<int64_t>(o.seed);
  rl_cfg.optim.lr = o.grpo_lr;
  rl_cfg.optim.scheduler = "constant";
  rl_cfg.checkpoint.output_dir = (root / "grpo").string();
  rl_cfg.checkpoint.save_steps = 0;
  rl_cfg.checkpoint.keep_last = 1;
  rl_cfg.logging.progress = "never";
  rl_cfg.logging.log_completions_every = 10;
  log("[demo] GRPO: " + std::to_string(o.grpo_steps) + " steps x 16 prompts x 8 samples, LoRA r=16");
  t0 = std::chrono::steady_clock::now();
  TrainResult rl_result = Trainer(rl_cfg).run();
  result.grpo_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.adapter_dir = (fs::path(rl_result.final_dir) / "adapter").string();
  for (const auto& row : read_jsonl((root / "grpo/metrics.jsonl").string()))
    result.reward_curve.push_back(row.value("reward", std::nan("")));

  {
    CausalLM m = load_model(sft_model);
    load_adapter(*m, result.adapter_dir);
    result.after = evaluate(*m, *tok, heldout, *accuracy, o.seed + 7);
  }
  log("[demo] held-out accuracy after GRPO: greedy " + fmt(result.after.greedy) + ", sampled (T=1) " +
      fmt(result.after.sampled));
  result.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return result;
}

}  // namespace reason::demo
