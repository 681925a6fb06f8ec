// reason grade: Math-Verify-compatible grading of predictions against gold answers.
//   in:  {"gold": "...", "pred": "...", ["targets": ["latex","expr"]], ["precision": 6], ["strict": true],
//         ["allow_set_relation_comp": false]}
//   out: {"correct": bool, "extracted": "<the prediction's extracted answer>"}
// Both texts are parsed with the same extraction targets (latex = LaTeX with \boxed first, expr
// = plain numbers/expressions), then verify(gold, pred) decides, as Math-Verify's tests do.
#include <atomic>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "reason/core/error.h"
#include "reason/core/jsonl.h"
#include "reason/math/verify.h"

namespace reason::cli {
namespace {

struct GradeArgs {
  std::string input, output;
  double timeout = 5.0;
  int threads = 0;
};

struct Job {
  std::string gold, pred;
  math::ParseOptions parse;
  math::VerifyOptions verify;
};

template <typename T>
T field(const nlohmann::json& row, const char* key, T fallback) {
  if (!row.contains(key) || row[key].is_null()) return fallback;
  try {
    return row[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InvalidArgument(std::string("field '") + key + "' has the wrong type: " + row[key].dump());
  }
}

Job job_from_row(const nlohmann::json& row, const GradeArgs& a) {
  Job j;
  for (const char* k : {"gold", "pred"})
    if (!row.contains(k) || !row[k].is_string()) throw InvalidArgument(std::string("expected a string field '") + k + "'");
  j.gold = row["gold"].get<std::string>();
  j.pred = row["pred"].get<std::string>();
  auto targets = field<std::vector<std::string>>(row, "targets", {"latex", "expr"});
  try {
    j.parse.targets = math::targets_from_names(targets);
  } catch (const ConfigError& e) {
    throw InvalidArgument(e.what());
  }
  j.parse.timeout_seconds = a.timeout;
  j.verify.float_rounding = field<int>(row, "precision", 6);
  if (j.verify.float_rounding < 0 || j.verify.float_rounding > 50) throw InvalidArgument("'precision' must be in [0, 50]");
  j.verify.strict = field<bool>(row, "strict", true);
  j.verify.allow_set_relation_comp = field<bool>(row, "allow_set_relation_comp", false);
  j.verify.timeout_seconds = a.timeout;
  return j;
}

void run(const GradeArgs& a) {
  REASON_CHECK(a.timeout > 0, InvalidArgument, "--timeout must be positive");
  std::vector<Job> jobs;
  for_each_jsonl(a.input, [&](const nlohmann::json& row, int64_t) { jobs.push_back(job_from_row(row, a)); });
  std::vector<nlohmann::json> out(jobs.size());
  int threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, static_cast<int>(std::max<size_t>(1, jobs.size())));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      auto r = math::grade(jobs[i].gold, jobs[i].pred, jobs[i].parse, jobs[i].verify);
      out[i] = {{"correct", r.correct}, {"extracted", r.extracted}};
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  write_jsonl(a.output, out);
}

}  // namespace

void add_grade_command(CLI::App& app) {
  auto args = std::make_shared<GradeArgs>();
  CLI::App* cmd = app.add_subcommand("grade", "Grade predicted math answers against gold answers (Math-Verify rules)");
  cmd->add_option("--input", args->input, "JSONL rows {\"gold\", \"pred\"} (+ targets, precision, strict, allow_set_relation_comp)")
      ->required();
  cmd->add_option("--output", args->output, "JSONL rows {\"correct\", \"extracted\"}")->required();
  cmd->add_option("--timeout", args->timeout, "Seconds allowed per parse and per comparison")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Rows graded in parallel (0: one per CPU)")->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace reason::cli
