#include "grpo/grpo_strategy.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "reason/algo/advantages.h"
#include "reason/algo/policy_loss.h"
#include "reason/core/error.h"
#include "reason/train/sequence_batch.h"

namespace reason {

struct GrpoStrategy::Sample {
  const std::vector<int64_t>* prompt = nullptr;
  Completion completion;
  double reward = 0.0;
  double advantage = 0.0;
  bool truncated = false;
};

namespace {

double nanmean(const std::vector<double>& v) {
  double s = 0;
  int64_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / static_cast<double>(n) : std::nan("");
}

// Switches the model to eval mode for a scope (no dropout while generating, as vLLM rollouts).
class EvalMode {
 public:
  explicit EvalMode(CausalLMImpl& m) : m_(m), was_training_(m.is_training()) { m_.eval(); }
  ~EvalMode() {
    if (was_training_) m_.train();
  }

 private:
  CausalLMImpl& m_;
  bool was_training_;
};

}  // namespace

GrpoStrategy::GrpoStrategy(const TrainConfig& config) : config_(config) {}

std::unique_ptr<DataSource> GrpoStrategy::make_source(TrainContext& ctx, const std::string& name, const std::string& file,
                                                      const std::vector<RewardEntry>& rewards, uint64_t seed_offset) {
  auto src = std::make_unique<DataSource>();
  src->name = name;
  const DataSection& d = config_.data;
  src->rows = load_prompt_rows(file, {d.messages_field.empty() ? d.prompt_field : d.messages_field});
  src->pool = std::make_unique<PromptPool>(static_cast<int64_t>(src->rows.size()),
                                           static_cast<uint64_t>(config_.train.seed) + seed_offset, d.shuffle);
  for (std::size_t i = 0; i < rewards.size(); ++i) {
    src->rewards.push_back(
        RewardRegistry::global().create(rewards[i].name, rewards[i].options, "rewards." + std::to_string(i)));
    src->weights.push_back(rewards[i].weight);
  }
  (void)ctx;
  return src;
}

void GrpoStrategy::setup(TrainContext& ctx) {
  if (config_.rewards.items.empty()) throw ConfigError("rewards", "GRPO needs at least one reward");
  if (config_.algo.beta != 0.0 && !config_.lora.enabled)
    throw ConfigError("algo.beta", "KL to the reference needs LoRA (the reference is the model with adapters off)");
  sources_.push_back(make_source(ctx, "train", config_.data.train_file, config_.rewards.items, 0));
  RolloutEngineOptions eo;
  eo.max_batch = config_.rollout.max_batch;
  eo.sync_interval = config_.rollout.sync_interval;
  engine_ = std::make_unique<RolloutEngine>(*ctx.model, eo);
}

StepPlan GrpoStrategy::plan_step(const TrainContext&) {
  StepPlan p;
  p.samples_per_prompt = config_.rollout.samples_per_prompt;
  p.prompts = config_.train.batch_size / p.samples_per_prompt;
  p.max_new_tokens = config_.rollout.max_new_tokens;
  return p;
}

DataSource& GrpoStrategy::data_for(const StepPlan& plan) {
  for (auto& s : sources_)
    if (s->name == plan.source) return *s;
  throw InvalidArgument("no data source named '" + plan.source + "'");
}

nlohmann::json GrpoStrategy::state() const {
  nlohmann::json s = nlohmann::json::object();
  for (const auto& src : sources_) s["pools"][src->name] = src->pool->state();
  return s;
}

void GrpoStrategy::load_state(const nlohmann::json& s) {
  for (auto& src : sources_) {
    if (!s.contains("pools") || !s["pools"].contains(src->name))
      throw LoadError("checkpoint has no data state for source '" + src->name + "'");
    src->pool->load_state(s["pools"][src->name]);
  }
}

nlohmann::json GrpoStrategy::train_step(TrainContext& ctx) {
  const StepPlan plan = plan_step(ctx);
  DataSource& src = data_for(plan);
  const int64_t G = plan.samples_per_prompt;
  const std::vector<int64_t> rows = src.pool->next(plan.prompts);

  std::vector<std::vector<int64_t>> prompt_ids;
  for (int64_t r : rows) {
    auto it = src.encoded.find(r);
    if (it == src.encoded.end()) {
      std::vector<int64_t> ids;
      try {
        ids = ctx.encode_prompt(src.rows[r].fields);
      } catch (const nlohmann::json::exception& e) {
        throw InvalidArgument(src.name + " data row " + std::to_string(r + 1) + ": " + e.what());
      } catch (const Error& e) {
        throw InvalidArgument(src.name + " data row " + std::to_string(r + 1) + ": " + e.what());
      }
      if (config_.data.max_prompt_tokens > 0 && static_cast<int64_t>(ids.size()) > config_.data.max_prompt_tokens)
        throw InvalidArgument(src.name + " data row " + std::to_string(r + 1) + ": prompt has " +
                              std::to_string(ids.size()) + " tokens, data.max_prompt_tokens is " +
                              std::to_string(config_.data.max_prompt_tokens));
      it = src.encoded.emplace(r, std::move(ids)).first;
    }
    prompt_ids.push_back(it->second);
  }

  // ---- rollout
  SamplingParams sp;
  sp.temperature = config_.rollout.temperature;
  sp.top_p = config_.rollout.top_p;
  sp.top_k = config_.rollout.top_k;
  sp.min_p = config_.rollout.min_p;
  sp.max_new_tokens = plan.max_new_tokens;
  sp.stop_token_ids = ctx.stop_token_ids;
  sp.stop_strings = config_.rollout.stop_strings;
  sp.seed = ctx.step_seed(1);
  std::vector<Completion> completions;
  double rollout_seconds = 0;
  {
    auto t = ctx.timer.phase("rollout");
    const auto t0 = std::chrono::steady_clock::now();
    EvalMode eval(*ctx.model);
    completions = engine_->generate(prompt_ids, G, sp, [&](const std::vector<int64_t>& ids) { return ctx.decode(ids); });
    rollout_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const int64_t N = static_cast<int64_t>(completions.size());

  // ---- rewards (weighted nansum; all-NaN stays NaN, as TRL)
  std::vector<RewardSample> samples(N);
  for (int64_t i = 0; i < N; ++i) {
    const Completion& c = completions[i];
    RewardSample& s = samples[i];
    s.prompt = ctx.render_prompt(src.rows[rows[c.prompt_index]].fields);
    s.completion = ctx.tokenizer->decode(c.ids, /*skip_special_tokens=*/true);
    s.completion_ids = c.ids;
    s.truncated = c.finish_reason == "length";
    s.max_completion_tokens = plan.max_new_tokens;
    s.fields = src.rows[rows[c.prompt_index]].fields;
  }
  std::vector<std::vector<double>> per_reward;
  {
    auto t = ctx.timer.phase("reward");
    for (auto& r : src.rewards) {
      per_reward.push_back(r->score(samples));
      if (static_cast<int64_t>(per_reward.back().size()) != N)
        throw Error("reward '" + r->name() + "' returned " + std::to_string(per_reward.back().size()) +
                    " scores for " + std::to_string(N) + " samples");
    }
  }
  const std::vector<double> total = combine_rewards(per_reward, src.weights);
  int accuracy_index = -1;
  for (std::size_t k = 0; k < src.rewards.size(); ++k)
    if (src.rewards[k]->name() == "accuracy") accuracy_index = static_cast<int>(k);
  std::vector<GroupOutcome> outcomes(rows.size());
  for (std::size_t g = 0; g < rows.size(); ++g) {
    outcomes[g].source = src.name;
    outcomes[g].row = rows[g];
    for (int64_t j = 0; j < G; ++j) {
      outcomes[g].rewards.push_back(total[g * G + j]);
      if (accuracy_index >= 0) outcomes[g].accuracy.push_back(per_reward[accuracy_index][g * G + j]);
    }
  }
  on_groups_scored(plan, outcomes);

  // ---- advantages
  GroupStats stats;
  at::Tensor adv;
  {
    auto t = ctx.timer.phase("advantage");
    adv = group_advantages(at::tensor(total, at::kDouble).to(at::kFloat), G, reward_scaling_from(config_.algo.scale_rewards),
                           1e-4, &stats);
  }
  std::vector<Sample> batch(N);
  for (int64_t i = 0; i < N; ++i) {
    batch[i].prompt = &prompt_ids[completions[i].prompt_index];
    batch[i].completion = completions[i];
    batch[i].reward = total[i];
    batch[i].advantage = adv[i].item<double>();
    batch[i].truncated = completions[i].finish_reason == "length";
  }

  // ---- policy update
  nlohmann::json m = update(ctx, batch, G, plan.max_new_tokens);

  // ---- metrics
  std::vector<double> lengths;
  int64_t truncated = 0, generated = 0;
  for (const auto& c : completions) {
    lengths.push_back(static_cast<double>(c.ids.size()));
    truncated += c.finish_reason == "length";
    generated += static_cast<int64_t>(c.ids.size());
  }
  m["reward"] = nanmean(total);
  double std_sum = 0;
  for (int64_t g = 0; g < stats.std.size(0); ++g) std_sum += stats.std[g].item<double>();
  m["reward_std"] = std_sum / static_cast<double>(stats.std.size(0));
  m["frac_reward_zero_std"] = static_cast<double>(stats.zero_std) / static_cast<double>(rows.size());
  for (std::size_t k = 0; k < src.rewards.size(); ++k) m["rewards/" + src.rewards[k]->name()] = nanmean(per_reward[k]);
  if (accuracy_index >= 0) m["accuracy"] = nanmean(per_reward[accuracy_index]);
  m["completion_length"] = nanmean(lengths);
  m["completion_length_max"] = *std::max_element(lengths.begin(), lengths.end());
  m["truncated_fraction"] = static_cast<double>(truncated) / static_cast<double>(N);
  m["tokens_per_second"] = rollout_seconds > 0 ? static_cast<double>(generated) / rollout_seconds : 0.0;
  m["epoch"] = src.pool->epoch();
  m["source"] = src.name;
  m["max_new_tokens"] = plan.max_new_tokens;
  m["samples_per_prompt"] = G;

  const int64_t every = config_.logging.log_completions_every;
  if (every > 0 && (ctx.step + 1) % every == 0 && ctx.comm->is_main()) {
    std::ofstream out(std::filesystem::path(config_.checkpoint.output_dir) / "completions.jsonl", std::ios::app);
    for (int64_t j = 0; j < std::min<int64_t>(G, N); ++j)
      out << nlohmann::json({{"step", ctx.step + 1}, {"prompt", samples[j].prompt}, {"completion", samples[j].completion},
                             {"reward", total[j]}, {"advantage", batch[j].advantage}, {"finish_reason", completions[j].finish_reason}})
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
  }
  return m;
}

nlohmann::json GrpoStrategy::update(TrainContext& ctx, std::vector<Sample>& batch, int64_t group_size,
                                    int64_t max_new_tokens) {
  const AlgoSection& a = config_.algo;
  const int64_t N = static_cast<int64_t>(batch.size());
  const int64_t micro = config_.train.micro_batch_size;
  const int64_t pad = ctx.model->config().pad_token_id >= 0 ? ctx.model->config().pad_token_id : 0;
  const bool trl = a.compat == "trl_0_15";
  LogprobOptions lo;
  lo.chunk_tokens = a.logprob_chunk_tokens;
  lo.temperature = trl ? 1.0 : config_.rollout.temperature;  // TRL 0.15 did not divide by T

  struct Micro {
    SequenceBatch seq;
    at::Tensor adv, mask, old, ref;
    at::Tensor sampler;  // (B, Tc) the rollout engine's log-probs of the same tokens
    int64_t tokens = 0;
  };
  std::vector<Micro> micros;
  double active_tokens = 0;
  for (int64_t s = 0; s < N; s += micro) {
    const int64_t e = std::min(N, s + micro);
    std::vector<const std::vector<int64_t>*> p, c;
    std::vector<float> adv, keep;
    Micro mb;
    for (int64_t i = s; i < e; ++i) {
      p.push_back(batch[i].prompt);
      c.push_back(&batch[i].completion.ids);
      adv.push_back(static_cast<float>(batch[i].advantage));
      keep.push_back(a.mask_truncated_completions && batch[i].truncated ? 0.0f : 1.0f);
      mb.tokens += static_cast<int64_t>(batch[i].prompt->size() + batch[i].completion.ids.size());
    }
    mb.seq = make_sequence_batch(p, c, pad, ctx.model->device());
    std::vector<float> sampler(static_cast<std::size_t>((e - s) * mb.seq.completion_width), 0.0f);
    for (int64_t i = s; i < e; ++i)
      std::copy(batch[i].completion.logprobs.begin(), batch[i].completion.logprobs.end(),
                sampler.begin() + (i - s) * mb.seq.completion_width);
    mb.sampler = at::tensor(sampler).view({e - s, mb.seq.completion_width}).to(ctx.model->device());
    mb.adv = at::tensor(adv).to(ctx.model->device());
    mb.mask = mb.seq.completion_mask * at::tensor(keep).to(ctx.model->device()).unsqueeze(1);
    active_tokens += mb.mask.sum().item<double>();
    micros.push_back(std::move(mb));
  }
  const int64_t accumulation = static_cast<int64_t>(micros.size());

  if (a.num_iterations > 1) {
    auto t = ctx.timer.phase("old_logprobs");
    at::NoGradGuard ng;
    for (auto& mb : micros) mb.old = completion_logprobs(*ctx.model, mb.seq, lo).logprobs;
  }
  if (a.beta != 0.0) {
    auto t = ctx.timer.phase("ref_logprobs");
    at::NoGradGuard ng;
    AdaptersDisabled off(*ctx.model);
    for (auto& mb : micros) mb.ref = completion_logprobs(*ctx.model, mb.seq, lo).logprobs;
  }

  PolicyLossOptions po;
  po.aggregation = loss_aggregation_from(a.loss_type);
  po.epsilon_low = a.epsilon_low;
  po.epsilon_high = a.epsilon_high;
  po.beta = a.beta;
  po.entropy_coef = a.entropy_coef;
  po.trl_0_15 = trl;
  po.max_completion_length = max_new_tokens;
  po.accumulation_steps = accumulation;
  po.dapo_normalizer = std::max(1.0, active_tokens / static_cast<double>(ctx.comm->world_size()));

  double loss_sum = 0, kl = 0, clip = 0, clip_low = 0, clip_high = 0, entropy = 0, tokens = 0, grad_norm = 0, lr = 0;
  double sampler_gap = 0;  // |training - sampler| log-prob, first iteration: rollout/training mismatch
  int64_t train_tokens = 0;
  double update_seconds = 0;
  for (int64_t it = 0; it < a.num_iterations; ++it) {
    {
      auto t = ctx.timer.phase("update");
      const auto t0 = std::chrono::steady_clock::now();
      for (auto& mb : micros) {
        CompletionLogprobs cl = completion_logprobs(*ctx.model, mb.seq, lo, config_.model.activation_checkpointing);
        PolicyLossInputs in;
        in.logprobs = cl.logprobs;
        in.old_logprobs = mb.old;
        in.ref_logprobs = mb.ref;
        in.advantages = mb.adv;
        in.mask = mb.mask;
        in.entropy = cl.entropy;
        PolicyLossOutput out = policy_loss(in, po);
        if (it == 0 && !trl)
          sampler_gap += ((cl.logprobs.detach() - mb.sampler).abs() * mb.seq.completion_mask).sum().item<double>();
        out.loss.backward();
        loss_sum += out.loss.item<double>();
        kl += out.kl * out.tokens;
        clip += out.clip_region * out.tokens;
        clip_low += out.clip_low * out.tokens;
        clip_high += out.clip_high * out.tokens;
        entropy += out.entropy * out.tokens;
        tokens += out.tokens;
        train_tokens += mb.tokens;
      }
      update_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::tie(grad_norm, lr) = ctx.optimizer_step();
  }
  const double denom = std::max(tokens, 1.0);
  nlohmann::json m = {{"loss", loss_sum / static_cast<double>(a.num_iterations)},
                      {"clip_ratio", clip / denom},
                      {"clip_ratio_low", clip_low / denom},
                      {"clip_ratio_high", clip_high / denom},
                      {"entropy", entropy / denom},
                      {"grad_norm", grad_norm},
                      {"sampler_logprob_gap", sampler_gap / std::max(1.0, active_tokens)},
                      {"lr", lr},
                      {"train_tokens_per_second", update_seconds > 0 ? static_cast<double>(train_tokens) / update_seconds : 0.0}};
  if (a.beta != 0.0) m["kl"] = kl / denom;
  (void)group_size;
  return m;
}

}  // namespace reason
