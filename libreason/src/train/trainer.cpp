#include "reason/train/trainer.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "reason/core/jsonl.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"
#include "reason/train/checkpoint.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

std::atomic<bool> g_stop{false};

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof(buf), "%lldh%02lldm", s / 3600, (s / 60) % 60);
  else std::snprintf(buf, sizeof(buf), "%lldm%02llds", s / 60, s % 60);
  return buf;
}

double metric(const nlohmann::json& m, const char* key) {
  return m.contains(key) && m[key].is_number() ? m[key].get<double>() : std::nan("");
}

// One line per step on a terminal: step/total, reward, accuracy, length, KL, clip, tok/s, ETA.
void print_progress(const nlohmann::json& m, int64_t step, int64_t total, double eta_seconds) {
  std::string line = "\r[train] step " + std::to_string(step) + "/" + std::to_string(total);
  char buf[256];
  auto add = [&](const char* label, const char* key, const char* fmt) {
    const double v = metric(m, key);
    if (std::isnan(v)) return;
    std::snprintf(buf, sizeof(buf), fmt, label, v);
    line += buf;
  };
  add("reward", "reward", "  %s %.3f");
  add("acc", "accuracy", "  %s %.3f");
  add("len", "completion_length", "  %s %.0f");
  add("kl", "kl", "  %s %.4f");
  add("clip", "clip_ratio", "  %s %.3f");
  add("loss", "loss", "  %s %.4f");
  add("tok/s", "tokens_per_second", "  %s %.0f");
  line += "  ETA " + format_duration(eta_seconds) + "   ";
  std::cerr << line << std::flush;
}

}  // namespace

// ------------------------------------------------------------------ registry

StrategyRegistry& StrategyRegistry::global() {
  static StrategyRegistry registry;
  return registry;
}

void StrategyRegistry::add(const std::string& name, StrategyFactory factory) {
  if (factories_.count(name)) throw InvalidArgument("strategy '" + name + "' is already registered");
  factories_[name] = std::move(factory);
}

std::unique_ptr<Strategy> StrategyRegistry::create(const std::string& name, const TrainConfig& config) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& kv : factories_) known += (known.empty() ? "" : ", ") + kv.first;
    throw ConfigError("trainer", "unknown strategy '" + name + "' (registered: " + known + ")");
  }
  return it->second(config);
}

std::vector<std::string> StrategyRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& kv : factories_) out.push_back(kv.first);
  return out;
}

// ------------------------------------------------------------------ context

std::string TrainContext::render_prompt(const nlohmann::json& row) const {
  const DataSection& d = config.data;
  std::vector<ChatMessage> messages;
  if (!d.messages_field.empty()) {
    const auto& m = row.at(d.messages_field);
    if (!m.is_array()) throw InvalidArgument("field '" + d.messages_field + "' must be a list of messages");
    for (const auto& msg : m) {
      if (!msg.is_object() || !msg.contains("role") || !msg.contains("content"))
        throw InvalidArgument("messages need 'role' and 'content'");
      messages.push_back({msg["role"].get<std::string>(), msg["content"].get<std::string>()});
    }
  } else {
    const auto& p = row.at(d.prompt_field);
    if (!p.is_string()) throw InvalidArgument("field '" + d.prompt_field + "' must be a string");
    messages.push_back({"user", p.get<std::string>() + d.prompt_suffix});
  }
  if (!chat) {
    std::string text = config.tokenizer.system_prompt.empty() ? "" : config.tokenizer.system_prompt + "\n";
    for (const auto& m : messages) text += m.content;
    return text;
  }
  ChatOptions options;
  if (!config.tokenizer.system_prompt.empty()) options.system_prompt = config.tokenizer.system_prompt;
  return chat->render(messages, /*add_generation_prompt=*/true, options);
}

std::vector<int64_t> TrainContext::encode_rendered(const std::string& text) const {
  EncodeOptions o;
  o.add_special_tokens = !chat.has_value();  // rendered chat text carries its own specials
  return tokenizer->encode(text, o);
}

std::vector<int64_t> TrainContext::encode_prompt(const nlohmann::json& row) const {
  return encode_rendered(render_prompt(row));
}

std::string TrainContext::decode(const std::vector<int64_t>& ids) const { return tokenizer->decode(ids, false); }

std::pair<double, double> TrainContext::optimizer_step() {
  auto t = timer.phase("optimizer");
  if (comm && comm->world_size() > 1) {
    // One flat buffer for all gradients: a single all-reduce per step.
    std::vector<at::Tensor> grads;
    for (auto& p : trained) grads.push_back(p.grad().defined() ? p.grad().reshape({-1}) : at::zeros({p.numel()}, p.options()));
    at::Tensor flat = at::cat(grads);
    comm->all_reduce_sum(flat);
    flat.div_(comm->world_size());
    int64_t offset = 0;
    for (auto& p : trained) {
      if (p.grad().defined()) p.grad().copy_(flat.narrow(0, offset, p.numel()).view_as(p));
      offset += p.numel();
    }
  }
  const double norm = clip_grad_norm(trained, config.optim.max_grad_norm);
  const double lr = learning_rate(schedule, optimizer_step_count);
  optimizer->step(lr);
  ++optimizer_step_count;
  return {norm, lr};
}

uint64_t TrainContext::step_seed(uint64_t salt) const {
  // splitmix64 of (seed, step, salt): independent streams without carrying RNG state.
  uint64_t x = static_cast<uint64_t>(config.train.seed) * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(step) * 0xBF58476D1CE4E5B9ull + salt;
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// ------------------------------------------------------------------ trainer

Trainer::Trainer(TrainConfig config, std::shared_ptr<Communicator> comm)
    : config_(std::move(config)), comm_(comm ? std::move(comm) : std::make_shared<LocalCommunicator>()) {}

Trainer::~Trainer() = default;

void Trainer::request_stop() noexcept { g_stop.store(true); }
bool Trainer::stop_requested() noexcept { return g_stop.load(); }
void Trainer::clear_stop_request() noexcept { g_stop.store(false); }

TrainResult Trainer::run(const TrainOptions& options) {
  const TrainConfig& cfg = config_;
  if (cfg.model.path.empty()) throw ConfigError("model.path", "is required");
  if (!fs::exists(cfg.model.path)) throw ConfigError("model.path", "'" + cfg.model.path + "' does not exist");
  const std::string tok_path = cfg.tokenizer.path.empty() ? cfg.model.path : cfg.tokenizer.path;
  if (!fs::exists(tok_path)) throw ConfigError("tokenizer.path", "'" + tok_path + "' does not exist");
  if (!cfg.lora.init_adapter.empty() && !fs::exists(cfg.lora.init_adapter))
    throw ConfigError("lora.init_adapter", "'" + cfg.lora.init_adapter + "' does not exist");

  if (cfg.model.threads > 0) at::set_num_threads(static_cast<int>(cfg.model.threads));
  torch::manual_seed(static_cast<uint64_t>(cfg.train.seed));

  TrainContext ctx(cfg);
  ctx.comm = comm_;
  at::Device device(at::kCPU);
  try {
    device = at::Device(cfg.model.device);
  } catch (const c10::Error&) {
    throw ConfigError("model.device", "unknown device '" + cfg.model.device + "'");
  }
  if (device.is_cuda() && !at::hasCUDA()) throw ConfigError("model.device", "this build has no CUDA");
  ctx.model = load_model(cfg.model.path, LoadOptions{parse_dtype(cfg.model.dtype), device});
  ctx.tokenizer = load_tokenizer(tok_path);
  const std::string& fmt = cfg.tokenizer.chat_format;
  if (fmt == "auto") ctx.chat = ChatFormat::for_tokenizer(*ctx.tokenizer);
  else if (fmt == "custom") {
    if (cfg.tokenizer.chat_template.empty()) throw ConfigError("tokenizer.chat_template", "is required with chat_format: custom");
    ctx.chat = ChatFormat::custom(cfg.tokenizer.chat_template);
  } else if (fmt != "none") {
    try {
      ctx.chat = ChatFormat::builtin(fmt);
    } catch (const InvalidArgument& e) {
      throw ConfigError("tokenizer.chat_format", e.what());
    }
  }
  ctx.stop_token_ids = ctx.model->config().eos_token_ids;
  if (auto eos = ctx.tokenizer->eos_id())
    if (std::find(ctx.stop_token_ids.begin(), ctx.stop_token_ids.end(), *eos) == ctx.stop_token_ids.end())
      ctx.stop_token_ids.push_back(*eos);

  if (cfg.lora.enabled) {
    if (!cfg.lora.init_adapter.empty()) {
      ctx.lora = load_adapter(*ctx.model, cfg.lora.init_adapter);
    } else {
      ctx.lora.r = cfg.lora.r;
      ctx.lora.alpha = cfg.lora.alpha;
      ctx.lora.dropout = cfg.lora.dropout;
      ctx.lora.use_rslora = cfg.lora.use_rslora;
      ctx.lora.target_modules = cfg.lora.target_modules;
      try {
        attach_lora(*ctx.model, ctx.lora);
      } catch (const InvalidArgument& e) {
        throw ConfigError("lora.target_modules", e.what());
      }
    }
    ctx.lora.base_model_name_or_path = cfg.model.path;
    ctx.trained = lora_parameters(*ctx.model);
  } else {
    for (auto& [name, w] : ctx.model->base_weights()) {
      w.set_requires_grad(true);
      ctx.trained.push_back(w);
    }
  }
  ctx.model->train();
  ctx.optimizer = std::make_unique<AdamW>(
      ctx.trained, AdamWOptions{cfg.optim.lr, cfg.optim.beta1, cfg.optim.beta2, cfg.optim.eps, cfg.optim.weight_decay});

  std::unique_ptr<Strategy> strategy = StrategyRegistry::global().create(cfg.trainer, cfg);
  const int64_t total_optimizer_steps = cfg.train.max_steps * strategy->optimizer_steps_per_step(cfg);
  ctx.schedule.schedule = lr_schedule_from(cfg.optim.scheduler);
  ctx.schedule.lr = cfg.optim.lr;
  ctx.schedule.total_steps = total_optimizer_steps;
  ctx.schedule.warmup_steps = warmup_steps_for(total_optimizer_steps, cfg.optim.warmup_steps, cfg.optim.warmup_ratio);
  ctx.schedule.min_lr_rate = cfg.optim.min_lr_rate;
  strategy->setup(ctx);

  TrainResult result;
  if (options.validate_only) return result;

  const std::string run_dir = cfg.checkpoint.output_dir;
  fs::create_directories(run_dir);
  const std::string metrics_path =
      cfg.logging.metrics_file.empty() ? (fs::path(run_dir) / "metrics.jsonl").string() : cfg.logging.metrics_file;
  if (!options.resume.empty()) {
    const std::string dir = resolve_checkpoint(options.resume);
    load_checkpoint(ctx, *strategy, dir);
    // Metrics of steps after the checkpoint (from the interrupted run) would be repeated: drop them.
    if (fs::exists(metrics_path)) {
      std::vector<nlohmann::json> kept;
      for (auto& row : read_jsonl(metrics_path))
        if (row.value("step", int64_t{0}) <= ctx.step) kept.push_back(row);
      write_jsonl(metrics_path, kept);
    }
    if (comm_->is_main()) std::cerr << "[train] resumed from " << dir << " at step " << ctx.step << "\n";
  } else if (comm_->is_main()) {
    write_file_atomic(metrics_path, "");
    TrainConfig copy = cfg;
    write_file_atomic((fs::path(run_dir) / "config.yaml").string(), dump_config(copy));
  }

  const bool progress = cfg.logging.progress == "always" || (cfg.logging.progress == "auto" && ::isatty(2));
  std::ofstream metrics_out(metrics_path, std::ios::app);
  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = ctx.step;
  while (ctx.step < cfg.train.max_steps) {
    if (stop_requested()) {
      result.interrupted = true;
      break;
    }
    ctx.timer.clear();
    const auto t0 = std::chrono::steady_clock::now();
    nlohmann::json m = strategy->train_step(ctx);
    ++ctx.step;
    const double step_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m["step"] = ctx.step;
    nlohmann::json timing = {{"total", step_seconds}};
    for (const auto& [name, s] : ctx.timer.all()) timing[name] = s;
    m["time"] = timing;
    if (comm_->is_main()) {
      metrics_out << m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      metrics_out.flush();
      if (progress) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const double per_step = elapsed / static_cast<double>(ctx.step - first_step);
        print_progress(m, ctx.step, cfg.train.max_steps, per_step * static_cast<double>(cfg.train.max_steps - ctx.step));
      }
    }
    if (options.on_step_end) options.on_step_end(ctx, m);
    if (cfg.checkpoint.save_steps > 0 && ctx.step % cfg.checkpoint.save_steps == 0 && ctx.step < cfg.train.max_steps &&
        comm_->is_main()) {
      result.last_checkpoint = save_checkpoint(ctx, *strategy, run_dir);
      prune_checkpoints(run_dir, cfg.checkpoint.keep_last);
    }
  }
  if (progress && comm_->is_main()) std::cerr << "\n";
  result.steps = ctx.step;
  if (comm_->is_main()) {
    result.last_checkpoint = save_checkpoint(ctx, *strategy, run_dir);
    prune_checkpoints(run_dir, cfg.checkpoint.keep_last);
    if (!result.interrupted) {
      // The run's product: the adapter in PEFT layout (or the trained model).
      result.final_dir = (fs::path(run_dir) / "final").string();
      fs::create_directories(result.final_dir);
      if (cfg.lora.enabled) {
        save_adapter(*ctx.model, ctx.lora, (fs::path(result.final_dir) / "adapter").string());
      } else {
        save_model(*ctx.model, (fs::path(result.final_dir) / "model").string(), tok_path);
      }
    }
  }
  return result;
}

}  // namespace reason
