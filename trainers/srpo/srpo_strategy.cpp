#include "srpo/srpo_strategy.h"

#include "reason/core/error.h"

namespace reason {

std::string SrpoStrategy::correctness_reward(const std::string& stage) const {
  for (const auto& st : config_.srpo.stages.items)
    if (st.name == stage && !st.correctness_reward.empty()) return st.correctness_reward;
  return config_.srpo.correctness_reward;
}

void SrpoStrategy::setup(TrainContext& ctx) {
  const auto& stages = config_.srpo.stages.items;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string k = "srpo.stages." + std::to_string(i);
    for (std::size_t j = 0; j < i; ++j)
      if (stages[j].name == stages[i].name) throw ConfigError(k + ".name", "'" + stages[i].name + "' is used twice");
    sources_.push_back(make_source(stages[i].name, stages[i].train_file, k + ".train_file", stages[i].rewards.items,
                                   k + ".rewards", static_cast<uint64_t>(i) + 1));
    if (config_.srpo.history_resampling) {
      const std::string reward = correctness_reward(stages[i].name);
      bool found = false;
      for (const auto& r : sources_.back()->rewards) found = found || r->name() == reward;
      if (!found)
        throw ConfigError(k + ".correctness_reward", "History Resampling needs a reward named '" + reward +
                                                         "' among the stage's rewards");
      const std::string name = stages[i].name;
      sources_.back()->pool->set_epoch_end_hook([this, name](PromptPool& pool) { end_epoch(name, pool); });
    }
    history_[stages[i].name];
  }
  GrpoStrategy::setup(ctx);
}

StepPlan SrpoStrategy::plan_step(const TrainContext& ctx) {
  const auto& stages = config_.srpo.stages.items;
  // Move on while the current stage has reached its step or epoch limit (never past the last).
  while (stage_ + 1 < static_cast<int64_t>(stages.size())) {
    const SrpoStage& st = stages[stage_];
    const bool steps_done = st.until_step > 0 && ctx.step >= st.until_step;
    const bool epochs_done = st.until_epoch > 0 && source(st.name).pool->epoch() >= st.until_epoch;
    if (!steps_done && !epochs_done) break;
    ++stage_;
  }
  const SrpoStage& st = stages[stage_];
  StepPlan p = default_plan();
  if (st.samples_per_prompt > 0) p.samples_per_prompt = st.samples_per_prompt;
  if (st.max_new_tokens > 0) p.max_new_tokens = st.max_new_tokens;
  const int64_t prompts = config_.train.batch_size / p.samples_per_prompt;
  const int64_t mixed = st.mix_stage.empty() ? 0 : static_cast<int64_t>(std::llround(st.mix_fraction * prompts));
  p.draws = {{st.name, prompts - mixed}};
  if (mixed > 0) p.draws.push_back({st.mix_stage, mixed});
  p.label = st.name;
  return p;
}

void SrpoStrategy::on_groups_scored(const StepPlan&, const std::vector<GroupOutcome>& groups) {
  if (!config_.srpo.history_resampling) return;
  for (const auto& g : groups) {
    const std::string reward = correctness_reward(g.source);
    auto it = g.by_reward.find(reward);
    if (it == g.by_reward.end()) continue;  // a source without the signal is not resampled
    bool all = !it->second.empty();
    for (double v : it->second) all = all && !std::isnan(v) && v >= config_.srpo.correct_threshold;
    history_[g.source].all_correct[g.row] = all;
  }
}

void SrpoStrategy::end_epoch(const std::string& source_name, PromptPool& pool) {
  History& h = history_[source_name];
  std::vector<int64_t> next;
  int64_t dropped = 0;
  for (int64_t row : pool.active()) {
    auto it = h.all_correct.find(row);
    if (it != h.all_correct.end() && it->second) ++dropped;
    else next.push_back(row);
  }
  // Every prompt solved: keep the pool rather than end the run with nothing to train on.
  if (!next.empty()) {
    pool.set_next_active(std::move(next));
    h.dropped_last_epoch = dropped;
    h.dropped_total += dropped;
  } else {
    h.dropped_last_epoch = 0;
  }
  h.all_correct.clear();
}

nlohmann::json SrpoStrategy::train_step(TrainContext& ctx) {
  nlohmann::json m = GrpoStrategy::train_step(ctx);
  m["srpo/stage"] = stage_;
  for (const auto& [name, h] : history_) {
    m["hr/" + name + "/pool_size"] = static_cast<int64_t>(source(name).pool->active().size());
    m["hr/" + name + "/dropped_last_epoch"] = h.dropped_last_epoch;
    m["hr/" + name + "/dropped_total"] = h.dropped_total;
  }
  return m;
}

nlohmann::json SrpoStrategy::state() const {
  nlohmann::json s = GrpoStrategy::state();
  s["stage"] = stage_;
  for (const auto& [name, h] : history_) {
    nlohmann::json rec = nlohmann::json::object();
    for (const auto& [row, all] : h.all_correct) rec[std::to_string(row)] = all;
    s["history"][name] = {{"all_correct", rec}, {"dropped_last_epoch", h.dropped_last_epoch},
                          {"dropped_total", h.dropped_total}};
  }
  return s;
}

void SrpoStrategy::load_state(const nlohmann::json& s) {
  GrpoStrategy::load_state(s);
  try {
    stage_ = s.at("stage").get<int64_t>();
    for (auto& [name, h] : history_) {
      const auto& j = s.at("history").at(name);
      h.all_correct.clear();
      for (auto it = j.at("all_correct").begin(); it != j.at("all_correct").end(); ++it)
        h.all_correct[std::stoll(it.key())] = it->get<bool>();
      h.dropped_last_epoch = j.at("dropped_last_epoch").get<int64_t>();
      h.dropped_total = j.at("dropped_total").get<int64_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw LoadError(std::string("srpo state in checkpoint: ") + e.what());
  }
}

}  // namespace reason
