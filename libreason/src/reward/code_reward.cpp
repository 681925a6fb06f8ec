// open-r1's code reward on the local sandbox: the last ```python block of the completion runs
// against each test of the row; reward = passed / total (binary_code: 1 if > threshold).
#include <cmath>

#include "reason/core/error.h"
#include "reason/reward/code.h"
#include "reason/reward/options.h"
#include "reason/reward/sandbox.h"
#include "reward/rewards.h"

namespace reason::reward_detail {
namespace {

class CodeReward : public Reward {
 public:
  CodeReward(const nlohmann::json& options, bool binary) : binary_(binary), name_(binary ? "binary_code" : "code") {
    RewardOptions o(options);
    field_ = o.string("tests_field", "verification_info");
    language_ = o.choice("language", "python", {"python"});
    exact_lines_ = o.choice("compare", "open_r1", {"open_r1", "exact_lines"}) == "exact_lines";
    threshold_ = binary ? o.number("binary_threshold", 0.99) : 0.99;
    SandboxConfig c;
    c.interpreter = o.string("interpreter", "python3");
    c.workers = static_cast<int>(o.integer("workers", 2));
    c.limits.wall_seconds = o.number("timeout_seconds", 5.0);
    c.limits.cpu_seconds = o.number("cpu_seconds", c.limits.wall_seconds);
    c.limits.memory_bytes = o.integer("memory_mb", 512) << 20;
    c.limits.max_processes = o.integer("max_processes", 32);
    c.limits.max_output_bytes = o.integer("max_output_kb", 1024) << 10;
    c.allow_no_network_isolation = o.boolean("allow_no_network_isolation", false);
    c.uid_base = o.integer("uid_base", 64000);
    c.temp_root = o.string("temp_dir", "");
    o.finish();
    sandbox_ = std::make_unique<Sandbox>(c);  // fails here, at start-up, without an interpreter
  }

  const std::string& name() const override { return name_; }

  std::vector<double> score(const std::vector<RewardSample>& batch) override {
    std::vector<double> out(batch.size(), std::nan(""));
    std::vector<SandboxRun> jobs;
    struct Ref {
      size_t sample;
      CodeTest test;
    };
    std::vector<Ref> refs;
    std::vector<size_t> totals(batch.size(), 0);
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto& s = batch[i];
      if (s.fields.is_object() && s.fields.contains(field_) && s.fields[field_].is_object() &&
          s.fields[field_].contains("language") && s.fields[field_]["language"].is_string() &&
          s.fields[field_]["language"].get<std::string>() != language_)
        continue;  // another language: not applicable here
      auto tests = code_tests_from_fields(s.fields, field_);
      if (tests.empty()) continue;
      std::string code = extract_last_code_block(s.completion, language_);
      out[i] = 0.0;
      if (code.empty()) continue;  // no program: nothing passes
      totals[i] = tests.size();
      for (auto& t : tests) {
        SandboxRun run;
        if (t.kind == CodeTest::Kind::Assert) {
          run.program = code + "\n\n" + t.code + "\n";
        } else {
          run.program = code;
          run.stdin_data = t.input;
        }
        jobs.push_back(std::move(run));
        refs.push_back({i, std::move(t)});
      }
    }
    auto results = sandbox_->run_all(jobs);
    std::vector<size_t> passed(batch.size(), 0);
    for (size_t k = 0; k < results.size(); ++k) {
      const SandboxResult& r = results[k];
      if (!r.error.empty()) throw Error("code reward: " + r.error);
      const CodeTest& t = refs[k].test;
      bool ok = r.ok() && (t.kind == CodeTest::Kind::Assert || output_matches(r.stdout_data, t.output, exact_lines_));
      passed[refs[k].sample] += ok;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (totals[i] == 0) continue;
      double frac = static_cast<double>(passed[i]) / static_cast<double>(totals[i]);
      out[i] = binary_ ? (frac > threshold_ ? 1.0 : 0.0) : frac;
    }
    return out;
  }

 private:
  bool binary_;
  std::string name_, field_, language_;
  bool exact_lines_ = false;
  double threshold_;
  std::unique_ptr<Sandbox> sandbox_;
};

}  // namespace

std::unique_ptr<Reward> make_code(const nlohmann::json& options, bool binary) {
  return std::make_unique<CodeReward>(options, binary);
}

}  // namespace reason::reward_detail
