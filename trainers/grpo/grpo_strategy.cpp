#include "grpo/grpo_strategy.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "reason/algo/advantages.h"
#include "reason/algo/policy_loss.h"
#include "reason/core/error.h"
#include "reason/train/sequence_batch.h"

namespace reason {

int64_t StepPlan::prompts() const {
  int64_t n = 0;
  for (const auto& d : draws) n += d.prompts;
  return n;
}

// One prompt with its G completions and their rewards.
struct GrpoStrategy::Group {
  DataSource* source = nullptr;
  int64_t row = 0;
  const std::vector<int64_t>* prompt = nullptr;
  std::string prompt_text;
  std::vector<Completion> completions;
  std::vector<std::vector<double>> per_reward;  // [reward of the source][sample]
  std::vector<double> total;                    // [sample]
  std::vector<double> advantage;                // [sample]
};

namespace {

double nanmean(const std::vector<double>& v) {
  double s = 0;
  int64_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / static_cast<double>(n) : std::nan("");
}

// Bessel std ignoring NaN (the quantity the advantages divide by); 0 for fewer than 2 values.
double nanstd(const std::vector<double>& v) {
  const double m = nanmean(v);
  double ss = 0;
  int64_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) ss += (x - m) * (x - m), ++n;
  return n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
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

std::unique_ptr<DataSource> GrpoStrategy::make_source(const std::string& name, const std::string& file,
                                                      const std::string& file_key,
                                                      const std::vector<RewardEntry>& rewards,
                                                      const std::string& rewards_key, uint64_t seed_offset) {
  auto src = std::make_unique<DataSource>();
  src->name = name;
  const DataSection& d = config_.data;
  src->rows = load_prompt_rows(file, {d.messages_field.empty() ? d.prompt_field : d.messages_field}, file_key);
  src->pool = std::make_unique<PromptPool>(static_cast<int64_t>(src->rows.size()),
                                           static_cast<uint64_t>(config_.train.seed) + seed_offset, d.shuffle);
  if (rewards.empty()) throw ConfigError(rewards_key, "needs at least one reward");
  for (std::size_t i = 0; i < rewards.size(); ++i) {
    src->rewards.push_back(RewardRegistry::global().create(rewards[i].name, rewards[i].options,
                                                           rewards_key + "." + std::to_string(i)));
    src->weights.push_back(rewards[i].weight);
  }
  return src;
}

void GrpoStrategy::setup(TrainContext& ctx) {
  if (config_.algo.beta != 0.0 && !config_.lora.enabled)
    throw ConfigError("algo.beta", "KL to the reference needs LoRA (the reference is the model with adapters off)");
  if (sources_.empty())  // variants create their own sources before calling this
    sources_.push_back(make_source("train", config_.data.train_file, "data.train_file", config_.rewards.items, "rewards", 0));
  (void)ctx;
}

StepPlan GrpoStrategy::default_plan() const {
  StepPlan p;
  p.samples_per_prompt = config_.rollout.samples_per_prompt;
  p.draws = {{"train", config_.train.batch_size / p.samples_per_prompt}};
  p.max_new_tokens = config_.rollout.max_new_tokens;
  p.micro_batch_size = config_.train.micro_batch_size;
  p.max_batch = config_.rollout.max_batch;
  return p;
}

StepPlan GrpoStrategy::plan_step(const TrainContext&) { return default_plan(); }

DataSource& GrpoStrategy::source(const std::string& name) {
  for (auto& s : sources_)
    if (s->name == name) return *s;
  throw InvalidArgument("no data source named '" + name + "'");
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
  const int64_t G = plan.samples_per_prompt;
  const int64_t target = plan.prompts();
  const DynamicSamplingSection& ds = config_.algo.dynamic_sampling;

  SamplingParams sp;
  sp.temperature = config_.rollout.temperature;
  sp.top_p = config_.rollout.top_p;
  sp.top_k = config_.rollout.top_k;
  sp.min_p = config_.rollout.min_p;
  sp.max_new_tokens = plan.max_new_tokens;
  sp.stop_token_ids = ctx.stop_token_ids;
  sp.stop_strings = config_.rollout.stop_strings;
  RolloutEngineOptions eo{plan.max_batch, config_.rollout.sync_interval};
  RolloutEngine engine(*ctx.model, eo);

  std::vector<Group> kept;
  int64_t rounds = 0, dropped = 0, generated_completions = 0, generated_tokens = 0, truncated = 0;
  std::vector<double> all_totals, lengths;
  std::map<std::string, std::vector<double>> reward_values;  // metrics over every generated completion
  double rollout_seconds = 0;
  while (static_cast<int64_t>(kept.size()) < target) {
    // Prompts of this round: the plan's draws, scaled down to what is missing after round one.
    const int64_t missing = target - static_cast<int64_t>(kept.size());
    std::vector<Group> groups;
    for (const auto& d : plan.draws) {
      const int64_t n = rounds == 0 ? d.prompts : (d.prompts * missing + target - 1) / target;
      if (n <= 0) continue;
      DataSource& src = source(d.source);
      for (int64_t r : src.pool->next(n)) {
        auto it = src.prompts.find(r);
        if (it == src.prompts.end()) {
          DataSource::Prompt prompt;
          try {
            prompt.text = ctx.render_prompt(src.rows[r].fields);
            prompt.ids = ctx.encode_rendered(prompt.text);
          } catch (const nlohmann::json::exception& e) {
            throw InvalidArgument(src.name + " data row " + std::to_string(r + 1) + ": " + e.what());
          } catch (const Error& e) {
            throw InvalidArgument(src.name + " data row " + std::to_string(r + 1) + ": " + e.what());
          }
          if (config_.data.max_prompt_tokens > 0 &&
              static_cast<int64_t>(prompt.ids.size()) > config_.data.max_prompt_tokens)
            throw InvalidArgument(src.name + " data row " + std::to_string(r + 1) + ": prompt has " +
                                  std::to_string(prompt.ids.size()) + " tokens, data.max_prompt_tokens is " +
                                  std::to_string(config_.data.max_prompt_tokens));
          it = src.prompts.emplace(r, std::move(prompt)).first;
        }
        Group g;
        g.source = &src;
        g.row = r;
        g.prompt = &it->second.ids;
        g.prompt_text = it->second.text;
        groups.push_back(std::move(g));
      }
    }
    // ---- rollout: every prompt of the round in one engine call
    {
      auto t = ctx.timer.phase("rollout");
      const auto t0 = std::chrono::steady_clock::now();
      EvalMode eval(*ctx.model);
      std::vector<std::vector<int64_t>> prompts;
      for (const auto& g : groups) prompts.push_back(*g.prompt);
      sp.seed = ctx.step_seed(static_cast<uint64_t>(rounds) + 1);
      TokenDecoder decoder;
      if (!sp.stop_strings.empty()) decoder = [&](const std::vector<int64_t>& ids) { return ctx.decode(ids); };
      auto completions = engine.generate(prompts, G, sp, decoder);
      for (auto& c : completions) {
        generated_tokens += static_cast<int64_t>(c.ids.size());
        truncated += c.finish_reason == "length";
        lengths.push_back(static_cast<double>(c.ids.size()));
        groups[c.prompt_index].completions.push_back(std::move(c));
      }
      generated_completions += static_cast<int64_t>(completions.size());
      rollout_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    // ---- rewards, per data source (each has its own rewards)
    {
      auto t = ctx.timer.phase("reward");
      for (auto& src : sources_) {
        std::vector<std::size_t> members;
        std::vector<RewardSample> samples;
        for (std::size_t gi = 0; gi < groups.size(); ++gi) {
          if (groups[gi].source != src.get()) continue;
          members.push_back(gi);
          for (const auto& c : groups[gi].completions) {
            RewardSample s;
            s.prompt = groups[gi].prompt_text;
            s.completion = ctx.tokenizer->decode(c.ids, /*skip_special_tokens=*/true);
            s.completion_ids = c.ids;
            s.truncated = c.finish_reason == "length";
            s.max_completion_tokens = plan.max_new_tokens;
            s.fields = src->rows[groups[gi].row].fields;
            samples.push_back(std::move(s));
          }
        }
        if (samples.empty()) continue;
        std::vector<std::vector<double>> per_reward;
        for (auto& r : src->rewards) {
          per_reward.push_back(r->score(samples));
          if (per_reward.back().size() != samples.size())
            throw Error("reward '" + r->name() + "' returned " + std::to_string(per_reward.back().size()) +
                        " scores for " + std::to_string(samples.size()) + " samples");
          auto& sink = reward_values[sources_.size() > 1 ? src->name + "/" + r->name() : r->name()];
          sink.insert(sink.end(), per_reward.back().begin(), per_reward.back().end());
        }
        const std::vector<double> total = combine_rewards(per_reward, src->weights);
        for (std::size_t m = 0; m < members.size(); ++m) {
          Group& g = groups[members[m]];
          g.per_reward.assign(per_reward.size(), {});
          for (int64_t j = 0; j < G; ++j) {
            const std::size_t k = m * static_cast<std::size_t>(G) + static_cast<std::size_t>(j);
            for (std::size_t ri = 0; ri < per_reward.size(); ++ri) g.per_reward[ri].push_back(per_reward[ri][k]);
            g.total.push_back(total[k]);
          }
        }
      }
    }
    // ---- outcomes for strategies that learn from history, then dynamic sampling's filter
    std::vector<GroupOutcome> outcomes;
    for (const auto& g : groups) {
      GroupOutcome o;
      o.source = g.source->name;
      o.row = g.row;
      o.rewards = g.total;
      for (std::size_t ri = 0; ri < g.source->rewards.size(); ++ri)
        o.by_reward[g.source->rewards[ri]->name()] = g.per_reward[ri];
      outcomes.push_back(std::move(o));
      all_totals.insert(all_totals.end(), g.total.begin(), g.total.end());
    }
    on_groups_scored(plan, outcomes);
    for (auto& g : groups) {
      if (ds.enabled && nanstd(g.total) <= ds.min_std) {
        ++dropped;
        continue;
      }
      kept.push_back(std::move(g));
    }
    ++rounds;
    if (!ds.enabled || rounds >= ds.max_rounds) break;
  }
  if (static_cast<int64_t>(kept.size()) > target) kept.resize(static_cast<std::size_t>(target));

  // ---- advantages over the kept groups
  nlohmann::json m;
  double zero_std_groups = 0, std_sum = 0;
  if (!kept.empty()) {
    auto t = ctx.timer.phase("advantage");
    std::vector<double> totals;
    for (const auto& g : kept) totals.insert(totals.end(), g.total.begin(), g.total.end());
    GroupStats stats;
    at::Tensor adv = group_advantages(at::tensor(totals, at::kDouble).to(at::kFloat), G,
                                      reward_scaling_from(config_.algo.scale_rewards), 1e-4, &stats);
    auto acc = adv.accessor<float, 1>();
    for (std::size_t gi = 0; gi < kept.size(); ++gi)
      for (int64_t j = 0; j < G; ++j) kept[gi].advantage.push_back(acc[gi * G + j]);
    zero_std_groups = static_cast<double>(stats.zero_std);
    for (int64_t g = 0; g < stats.std.size(0); ++g) std_sum += stats.std[g].item<double>();
  }

  // ---- policy update (a step whose every group was dropped trains nothing)
  if (!kept.empty()) m = update(ctx, kept, plan);
  else m["skipped_update"] = true;

  // ---- metrics
  m["reward"] = nanmean(all_totals);
  if (!kept.empty()) {
    m["reward_std"] = std_sum / static_cast<double>(kept.size());
    m["frac_reward_zero_std"] = zero_std_groups / static_cast<double>(kept.size());
  }
  for (const auto& [name, values] : reward_values) m["rewards/" + name] = nanmean(values);
  if (reward_values.count("accuracy")) m["accuracy"] = m["rewards/accuracy"];
  m["completion_length"] = nanmean(lengths);
  m["completion_length_max"] = lengths.empty() ? 0.0 : *std::max_element(lengths.begin(), lengths.end());
  m["truncated_fraction"] = static_cast<double>(truncated) / std::max<double>(1.0, static_cast<double>(generated_completions));
  m["tokens_per_second"] = rollout_seconds > 0 ? static_cast<double>(generated_tokens) / rollout_seconds : 0.0;
  m["max_new_tokens"] = plan.max_new_tokens;
  m["samples_per_prompt"] = G;
  if (!plan.label.empty()) m["phase"] = plan.label;
  for (const auto& d : plan.draws) m["epoch/" + d.source] = source(d.source).pool->epoch();
  if (ds.enabled) {
    m["dynamic_sampling/rounds"] = rounds;
    m["dynamic_sampling/dropped_groups"] = dropped;
    m["dynamic_sampling/extra_rollouts"] = generated_completions - target * G;
    m["dynamic_sampling/kept_groups"] = static_cast<int64_t>(kept.size());
  }

  const int64_t every = config_.logging.log_completions_every;
  if (every > 0 && (ctx.step + 1) % every == 0 && ctx.comm->is_main() && !kept.empty()) {
    std::ofstream out(std::filesystem::path(config_.checkpoint.output_dir) / "completions.jsonl", std::ios::app);
    const Group& g = kept.front();
    for (std::size_t j = 0; j < g.completions.size(); ++j)
      out << nlohmann::json({{"step", ctx.step + 1},
                             {"source", g.source->name},
                             {"prompt", g.prompt_text},
                             {"completion", ctx.tokenizer->decode(g.completions[j].ids, true)},
                             {"reward", g.total[j]},
                             {"advantage", g.advantage[j]},
                             {"finish_reason", g.completions[j].finish_reason}})
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
  }
  return m;
}

nlohmann::json GrpoStrategy::update(TrainContext& ctx, const std::vector<Group>& groups, const StepPlan& plan) {
  const AlgoSection& a = config_.algo;
  const int64_t micro = plan.micro_batch_size;
  const int64_t pad = ctx.model->config().pad_token_id >= 0 ? ctx.model->config().pad_token_id : 0;
  const bool trl = a.compat == "trl_0_15";
  LogprobOptions lo;
  lo.chunk_tokens = a.logprob_chunk_tokens;
  lo.temperature = trl ? 1.0 : config_.rollout.temperature;  // TRL 0.15 did not divide by T

  // Flatten to samples in (group, sample) order.
  struct Item {
    const std::vector<int64_t>* prompt;
    const Completion* completion;
    double advantage;
  };
  std::vector<Item> items;
  for (const auto& g : groups)
    for (std::size_t j = 0; j < g.completions.size(); ++j) items.push_back({g.prompt, &g.completions[j], g.advantage[j]});
  const int64_t N = static_cast<int64_t>(items.size());

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
      p.push_back(items[i].prompt);
      c.push_back(&items[i].completion->ids);
      adv.push_back(static_cast<float>(items[i].advantage));
      const bool truncated = items[i].completion->finish_reason == "length";
      keep.push_back(a.mask_truncated_completions && truncated ? 0.0f : 1.0f);
      mb.tokens += static_cast<int64_t>(items[i].prompt->size() + items[i].completion->ids.size());
    }
    mb.seq = make_sequence_batch(p, c, pad, ctx.model->device());
    std::vector<float> sampler(static_cast<std::size_t>((e - s) * mb.seq.completion_width), 0.0f);
    for (int64_t i = s; i < e; ++i)
      std::copy(items[i].completion->logprobs.begin(), items[i].completion->logprobs.end(),
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
  po.max_completion_length = plan.max_new_tokens;
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
                      {"lr", lr},
                      {"train_tokens_per_second", update_seconds > 0 ? static_cast<double>(train_tokens) / update_seconds : 0.0}};
  if (a.beta != 0.0) m["kl"] = kl / denom;
  // Training and sampling share a distribution only when training divides by the temperature.
  if (!trl) m["sampler_logprob_gap"] = sampler_gap / std::max(1.0, active_tokens);
  return m;
}

}  // namespace reason
