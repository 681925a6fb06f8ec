#pragma once
// Running untrusted programs (model-written code) for code rewards. Each run is a child
// process with CPU-time, wall-clock, memory, process-count, file-size and output-size limits,
// its own temporary directory as working directory, and - where the kernel allows (root, or
// unprivileged user namespaces) - new network, mount, PID, IPC and UTS namespaces: no network
// interface is up, the whole file system is read-only except that directory, and every process
// it started dies with it. Without namespaces the sandbox refuses to start unless
// allow_no_network_isolation is set. Construction resolves the interpreter and runs it once
// inside the sandbox, so a missing or unusable interpreter is an error at start-up.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace reason {

struct SandboxLimits {
  double cpu_seconds = 5.0;                   // RLIMIT_CPU
  double wall_seconds = 10.0;                 // killed after this
  int64_t memory_bytes = 512LL << 20;         // RLIMIT_AS
  int64_t max_processes = 32;                 // RLIMIT_NPROC (per sandbox uid)
  int64_t max_output_bytes = 1LL << 20;       // stdout + stderr kept; more kills the run
  int64_t max_file_bytes = 16LL << 20;        // RLIMIT_FSIZE
  int64_t max_open_files = 64;                // RLIMIT_NOFILE
};

struct SandboxConfig {
  std::string interpreter = "python3";  // a path, or a name searched on PATH
  SandboxLimits limits;
  int workers = 2;                      // concurrent runs in run_all()
  bool allow_no_network_isolation = false;
  std::string temp_root;                // default: the system temp directory
  int64_t uid_base = 64000;             // as root, runs use uid uid_base + worker slot
};

struct SandboxRun {
  std::string program;     // source text, written to main.py in the run's directory
  std::string stdin_data;
};

struct SandboxResult {
  int exit_code = -1;
  int signal = 0;              // terminating signal, 0 if none
  bool timed_out = false;      // wall-clock limit
  bool output_limit = false;   // produced more than max_output_bytes
  std::string stdout_data, stderr_data;
  double wall_seconds = 0;
  std::string error;           // the sandbox itself failed (not the program)
  bool ok() const { return error.empty() && !timed_out && !output_limit && signal == 0 && exit_code == 0; }
};

class Sandbox {
 public:
  // Throws ConfigError("interpreter", ...) when no working interpreter is found and
  // ConfigError("allow_no_network_isolation", ...) when isolation is unavailable and not waived.
  explicit Sandbox(SandboxConfig config);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // One run in worker slot `slot` (0 <= slot < workers).
  SandboxResult run(const SandboxRun& job, int slot = 0) const;
  // Runs every job on a pool of `workers` threads; results in job order.
  std::vector<SandboxResult> run_all(const std::vector<SandboxRun>& jobs) const;

  const std::string& interpreter_path() const;
  bool network_isolated() const;
  // One line: how this sandbox isolates runs on this machine.
  std::string isolation_description() const;
  const SandboxConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reason
