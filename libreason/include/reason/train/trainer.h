#pragma once
// The training loop. A Trainer owns what every strategy needs (model, tokenizer, optimizer,
// schedule, checkpoints, metrics, the communicator) and runs steps; a Strategy, chosen by
// name (`trainer:` in the config), decides what one step does: GRPO's rollout -> rewards ->
// advantages -> update, SFT's supervised update, or a variant (SRPO, DeepScaleR) overriding
// GRPO's hooks.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reason/dist/communicator.h"
#include "reason/lora/adapter.h"
#include "reason/model/causal_lm.h"
#include "reason/tokenizer/chat_format.h"
#include "reason/tokenizer/tokenizer.h"
#include "reason/train/optimizer.h"
#include "reason/train/train_config.h"

namespace reason {

// Named, timed phases of a step ("rollout", "reward", "logprobs", "update", ...).
class PhaseTimer {
 public:
  class Scope {
   public:
    Scope(PhaseTimer& t, std::string name) : timer_(t), name_(std::move(name)), start_(std::chrono::steady_clock::now()) {}
    ~Scope() {
      timer_.add(name_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }

   private:
    PhaseTimer& timer_;
    std::string name_;
    std::chrono::steady_clock::time_point start_;
  };
  Scope phase(const std::string& name) { return Scope(*this, name); }
  void add(const std::string& name, double seconds) { seconds_[name] += seconds; }
  double get(const std::string& name) const {
    auto it = seconds_.find(name);
    return it == seconds_.end() ? 0.0 : it->second;
  }
  const std::map<std::string, double>& all() const { return seconds_; }
  void clear() { seconds_.clear(); }

 private:
  std::map<std::string, double> seconds_;
};

class TrainContext;

// One way of training. Strategies are stateless across runs except for state(), which goes into
// every checkpoint and comes back through load_state() on resume.
class Strategy {
 public:
  virtual ~Strategy() = default;
  // Reads data and builds rewards; the context's model, tokenizer and optimizer exist already.
  virtual void setup(TrainContext& ctx) = 0;
  // One training step (one batch of data, one or more optimizer steps through
  // ctx.optimizer_step()). Returns the step's metrics.
  virtual nlohmann::json train_step(TrainContext& ctx) = 0;
  virtual nlohmann::json state() const { return nlohmann::json::object(); }
  virtual void load_state(const nlohmann::json& state) {}
  // Optimizer steps per train_step (the LR schedule spans max_steps x this).
  virtual int64_t optimizer_steps_per_step(const TrainConfig& config) const { return 1; }
};

using StrategyFactory = std::function<std::unique_ptr<Strategy>(const TrainConfig&)>;

// Strategies by name. Built-in ones register themselves through register_builtin_strategies()
// (in the trainers library); users add their own before creating a Trainer.
class StrategyRegistry {
 public:
  static StrategyRegistry& global();
  void add(const std::string& name, StrategyFactory factory);  // throws on a duplicate name
  std::unique_ptr<Strategy> create(const std::string& name, const TrainConfig& config) const;
  bool contains(const std::string& name) const { return factories_.count(name) != 0; }
  std::vector<std::string> names() const;

 private:
  std::map<std::string, StrategyFactory> factories_;
};

// What a strategy works with during a run.
class TrainContext {
 public:
  const TrainConfig& config;
  CausalLM model{nullptr};
  std::unique_ptr<Tokenizer> tokenizer;
  std::optional<ChatFormat> chat;       // unset: chat_format none (raw text prompts)
  LoraConfig lora;                      // the adapters' configuration (when lora.enabled)
  std::vector<at::Tensor> trained;      // parameters the optimizer updates
  std::unique_ptr<AdamW> optimizer;
  LrScheduleOptions schedule;
  std::shared_ptr<Communicator> comm;
  PhaseTimer timer;
  int64_t step = 0;                     // train steps completed before the current one
  int64_t optimizer_step_count = 0;     // optimizer steps completed
  std::vector<int64_t> stop_token_ids;  // EOS ids of the model and the tokenizer

  explicit TrainContext(const TrainConfig& c) : config(c) {}

  // The prompt of a data row as token ids: rendered with the chat format (system prompt,
  // generation prompt) or, with chat_format none, the raw text with the tokenizer's specials.
  std::vector<int64_t> encode_prompt(const nlohmann::json& row) const;
  std::string render_prompt(const nlohmann::json& row) const;
  // Token ids of text from render_prompt() (specials added only with chat_format none).
  std::vector<int64_t> encode_rendered(const std::string& text) const;
  std::string decode(const std::vector<int64_t>& ids) const;
  // Clips, all-reduces and applies the accumulated gradients with the scheduled learning rate.
  // Returns {grad_norm, lr}.
  std::pair<double, double> optimizer_step();
  // A seed for step-local randomness (rollout sampling) that does not depend on history.
  uint64_t step_seed(uint64_t salt = 0) const;
};

struct TrainOptions {
  std::string resume;          // checkpoint directory (or run directory: its latest checkpoint)
  bool validate_only = false;  // check config, files, model, tokenizer, data; train nothing
  // Called after every step with the context and the step's metrics (custom logging, early
  // stopping through Trainer::request_stop(), tests).
  std::function<void(TrainContext&, const nlohmann::json&)> on_step_end;
};

struct TrainResult {
  int64_t steps = 0;           // train steps completed in total
  bool interrupted = false;    // stopped by request_stop() (a checkpoint was written)
  std::string last_checkpoint;
  std::string final_dir;       // <output_dir>/final with the adapter (or model)
};

class Trainer {
 public:
  explicit Trainer(TrainConfig config, std::shared_ptr<Communicator> comm = nullptr);
  ~Trainer();
  TrainResult run(const TrainOptions& options = {});
  const TrainConfig& config() const { return config_; }

  // Asks every running Trainer to checkpoint and return at the end of the current step.
  // Async-signal-safe: meant to be called from SIGINT/SIGTERM handlers.
  static void request_stop() noexcept;
  static bool stop_requested() noexcept;
  static void clear_stop_request() noexcept;

 private:
  TrainConfig config_;
  std::shared_ptr<Communicator> comm_;
};

// Registers grpo, sft (and the strategies built on them); defined in the trainers library.
void register_builtin_strategies();

}  // namespace reason
