// The code sandbox. A run is a child created with clone(): new PID, network, mount, IPC and
// UTS namespaces (plus a user namespace when not root). In the child: the mount tree is made
// read-only (mount_setattr, recursive) except a bind mount of the run's private directory, a
// fresh /proc is mounted, resource limits are set, and - as root - the child switches to a
// dedicated uid so RLIMIT_NPROC counts only its own processes; then it execs the interpreter.
// The child must not allocate (other threads may hold malloc locks): everything it needs is
// prepared before clone() and it only makes system calls.
#include "reason/reward/sandbox.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "reason/core/error.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
constexpr long kSysMountSetattr =
#ifdef SYS_mount_setattr
    SYS_mount_setattr;
#else
    442;
#endif
constexpr long kSysCloseRange =
#ifdef SYS_close_range
    SYS_close_range;
#else
    436;
#endif
constexpr uint64_t kAttrRdonly = 0x1, kAttrNosuid = 0x2;

struct MountAttr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

// Steps of the child's setup, reported to the parent when one fails.
enum Step : int { kSync = 1, kFds, kPrivate, kBind, kReadOnly, kWritable, kLimits, kChdir, kUid, kFork, kExec };
// The namespace's init process reports the program's wait status with this tag.
constexpr int kFinalStatus = 0x5eed;
const char* step_name(int s) {
  switch (s) {
    case kSync: return "waiting for the uid map";
    case kFds: return "redirecting stdin/stdout/stderr";
    case kPrivate: return "making mounts private";
    case kBind: return "bind-mounting the run directory";
    case kReadOnly: return "making the file system read-only";
    case kWritable: return "making the run directory writable";
    case kLimits: return "setting resource limits";
    case kChdir: return "entering the run directory";
    case kUid: return "switching to the sandbox uid";
    case kFork: return "starting the program process";
    case kExec: return "starting the interpreter";
    default: return "setup";
  }
}

struct ChildArgs {
  const char* dir;
  const char* exe;
  char* const* argv;
  char* const* envp;
  int in_fd, out_fd, err_fd, report_fd, sync_fd;
  bool namespaces;
  bool switch_uid;
  bool drop_caps;  // root inside a user namespace that has no spare uid: stay uid 0, without privileges
  uid_t uid;
  rlimit cpu, as, nproc, fsize, nofile, core;
};

[[noreturn]] void fail(const ChildArgs* a, int step) {
  int msg[2] = {step, errno};
  ssize_t ignored = write(a->report_fd, msg, sizeof msg);
  (void)ignored;
  _exit(127);
}

void close_other_fds(int keep) {
  if (syscall(kSysCloseRange, 3u, static_cast<unsigned>(keep - 1), 0u) != 0 ||
      syscall(kSysCloseRange, static_cast<unsigned>(keep + 1), ~0u, 0u) != 0) {
    for (int fd = 3; fd < 4096; ++fd)
      if (fd != keep) close(fd);
  }
}

int child_main(void* p) {
  const auto* a = static_cast<const ChildArgs*>(p);
  if (a->sync_fd >= 0) {
    char c;
    if (read(a->sync_fd, &c, 1) != 1) fail(a, kSync);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (!a->namespaces) setpgid(0, 0);  // so that the parent can kill the whole group
  if (dup2(a->in_fd, 0) < 0 || dup2(a->out_fd, 1) < 0 || dup2(a->err_fd, 2) < 0) fail(a, kFds);
  close_other_fds(a->report_fd);
  if (a->namespaces) {
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail(a, kPrivate);
    if (mount(a->dir, a->dir, nullptr, MS_BIND | MS_REC, nullptr) != 0) fail(a, kBind);
    MountAttr ro{kAttrRdonly | kAttrNosuid, 0, 0, 0};
    if (syscall(kSysMountSetattr, AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) != 0) {
      // Kernels before 5.12: only the root mount can be made read-only.
      if (errno != ENOSYS || mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
        fail(a, kReadOnly);
      if (mount(nullptr, a->dir, nullptr, MS_REMOUNT | MS_BIND, nullptr) != 0) fail(a, kWritable);
    } else {
      MountAttr rw{0, kAttrRdonly, 0, 0};
      if (syscall(kSysMountSetattr, AT_FDCWD, a->dir, 0, &rw, sizeof rw) != 0) fail(a, kWritable);
    }
    // Our own /proc: the program sees only its own processes (best effort).
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  }
  if (setrlimit(RLIMIT_CPU, &a->cpu) || setrlimit(RLIMIT_AS, &a->as) || setrlimit(RLIMIT_NPROC, &a->nproc) ||
      setrlimit(RLIMIT_FSIZE, &a->fsize) || setrlimit(RLIMIT_NOFILE, &a->nofile) || setrlimit(RLIMIT_CORE, &a->core))
    fail(a, kLimits);
  if (chdir(a->dir) != 0) fail(a, kChdir);
  if (a->switch_uid) {
    // Raw system calls: glibc's set*id() in a clone()d child of a multi-threaded process tries
    // to signal the parent's other threads (which the child does not have) and hangs.
    if (syscall(SYS_setgroups, 0, nullptr) != 0 || syscall(SYS_setresgid, a->uid, a->uid, a->uid) != 0 ||
        syscall(SYS_setresuid, a->uid, a->uid, a->uid) != 0)
      fail(a, kUid);
  }
  if (a->drop_caps) {
    // No capability survives exec for uid 0 (SECBIT_NOROOT), none is left in the bounding,
    // ambient or current sets: the program cannot undo the read-only mounts.
    bool noroot = prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                               SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED,
                        0, 0, 0) == 0;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int cap = 0; cap < 64; ++cap) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    // Without SECBIT_NOROOT only an empty bounding set keeps exec from granting capabilities.
    if (!noroot)
      for (int cap = 0; cap < 64; ++cap)
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) fail(a, kUid);
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (syscall(SYS_capset, &hdr, data) != 0) fail(a, kUid);
  }
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (a->namespaces) {
    // We are PID 1 of the new namespace, and PID 1 ignores signals it has no handler for
    // (SIGXCPU from the CPU limit among them). So the program runs as PID 2 and this process
    // only waits for it and reports its status. A raw fork: no glibc fork handlers run here.
    long child = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (child < 0) fail(a, kFork);
    if (child == 0) {
      execve(a->exe, a->argv, a->envp);
      fail(a, kExec);
    }
    int status = 0;
    while (wait4(static_cast<pid_t>(child), &status, 0, nullptr) < 0 && errno == EINTR) {
    }
    int msg[2] = {kFinalStatus, status};
    ssize_t ignored = write(a->report_fd, msg, sizeof msg);
    (void)ignored;
    _exit(0);
  }
  execve(a->exe, a->argv, a->envp);
  fail(a, kExec);
}

std::string errno_text(int e) { return std::strerror(e); }

void write_file(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + path + ": " + errno_text(errno));
  ssize_t n = write(fd, content.data(), content.size());
  int e = errno;
  close(fd);
  if (n != static_cast<ssize_t>(content.size())) throw IoError("cannot write " + path + ": " + errno_text(e));
}

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

bool make_pipe(Fd& r, Fd& w) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return false;
  r.fd = p[0];
  w.fd = p[1];
  return true;
}

rlimit limit(uint64_t soft, uint64_t hard) { return rlimit{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)}; }

}  // namespace

struct Sandbox::Impl {
  SandboxConfig cfg;
  std::string interpreter;
  bool namespaces = false;
  bool user_namespace = false;
  bool switch_uid = false;
  bool drop_caps = false;
  std::string temp_root;

  SandboxResult run(const SandboxRun& job, int slot) const;
};

SandboxResult Sandbox::Impl::run(const SandboxRun& job, int slot) const {
  SandboxResult r;
  auto t0 = std::chrono::steady_clock::now();
  std::string tmpl = temp_root + "/reason-sandbox-XXXXXX";
  std::vector<char> dirbuf(tmpl.begin(), tmpl.end());
  dirbuf.push_back('\0');
  if (!mkdtemp(dirbuf.data())) {
    r.error = "cannot create a run directory under " + temp_root + ": " + errno_text(errno);
    return r;
  }
  std::string dir = dirbuf.data();
  struct Cleanup {
    std::string d;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  } cleanup{dir};
  uid_t uid = static_cast<uid_t>(cfg.uid_base + slot);
  std::string program_path = dir + "/main.py";
  {
    std::ofstream out(program_path, std::ios::binary);
    out << job.program;
    if (!out) {
      r.error = "cannot write " + program_path;
      return r;
    }
  }
  if (switch_uid && (chown(dir.c_str(), uid, uid) != 0 || chown(program_path.c_str(), uid, uid) != 0)) {
    r.error = "cannot hand " + dir + " to the sandbox uid " + std::to_string(uid) + ": " + errno_text(errno);
    return r;
  }

  // Everything the child needs, prepared before clone().
  std::vector<std::string> argv_s = {interpreter, "main.py"};
  std::vector<std::string> env_s = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + dir, "TMPDIR=" + dir,
                                    "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1",
                                    "PYTHONIOENCODING=utf-8", "PYTHONHASHSEED=0"};
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  Fd in_r, in_w, out_r, out_w, err_r, err_w, rep_r, rep_w, sync_r, sync_w;
  if (!make_pipe(in_r, in_w) || !make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) || !make_pipe(rep_r, rep_w) ||
      (user_namespace && !make_pipe(sync_r, sync_w))) {
    r.error = std::string("pipe: ") + errno_text(errno);
    return r;
  }
  const SandboxLimits& L = cfg.limits;
  uint64_t cpu = static_cast<uint64_t>(std::ceil(std::max(0.1, L.cpu_seconds)));
  ChildArgs args{dir.c_str(),
                 interpreter.c_str(),
                 argv.data(),
                 envp.data(),
                 in_r.fd,
                 out_w.fd,
                 err_w.fd,
                 rep_w.fd,
                 user_namespace ? sync_r.fd : -1,
                 namespaces,
                 switch_uid,
                 drop_caps,
                 uid,
                 limit(cpu, cpu + 1),
                 limit(static_cast<uint64_t>(L.memory_bytes), static_cast<uint64_t>(L.memory_bytes)),
                 limit(static_cast<uint64_t>(L.max_processes), static_cast<uint64_t>(L.max_processes)),
                 limit(static_cast<uint64_t>(L.max_file_bytes), static_cast<uint64_t>(L.max_file_bytes)),
                 limit(static_cast<uint64_t>(L.max_open_files), static_cast<uint64_t>(L.max_open_files)),
                 limit(0, 0)};
  int flags = SIGCHLD;
  if (namespaces) flags |= CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
  if (user_namespace) flags |= CLONE_NEWUSER;
  const size_t stack_size = 256 * 1024;
  void* stack = mmap(nullptr, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    r.error = "cannot allocate the child stack";
    return r;
  }
  pid_t pid = clone(child_main, static_cast<char*>(stack) + stack_size, flags, &args);
  int clone_errno = errno;
  munmap(stack, stack_size);  // the child has its own copy of the address space
  if (pid < 0) {
    r.error = "clone: " + errno_text(clone_errno);
    return r;
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();
  rep_w.reset();
  sync_r.reset();
  if (user_namespace) {
    try {
      std::string id = std::to_string(getuid()), gid = std::to_string(getgid());
      write_file("/proc/" + std::to_string(pid) + "/uid_map", id + " " + id + " 1\n");
      write_file("/proc/" + std::to_string(pid) + "/setgroups", "deny");
      write_file("/proc/" + std::to_string(pid) + "/gid_map", gid + " " + gid + " 1\n");
    } catch (const Error& e) {
      r.error = std::string("user namespace: ") + e.what();
    }
    char c = 1;
    if (write(sync_w.fd, &c, 1) != 1) r.error = "cannot release the child";
    sync_w.reset();
  }

  // Feed stdin and collect stdout/stderr until both close or the wall clock runs out. SIGPIPE
  // from a child that stops reading is blocked in this thread and consumed afterwards.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (job.stdin_data.empty()) in_w.reset();
  auto deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(L.wall_seconds));
  bool killed = false;
  auto kill_all = [&] {
    if (killed) return;
    killed = true;
    kill(namespaces ? pid : -pid, SIGKILL);  // PID 1 of the namespace takes all others with it
  };
  std::chrono::steady_clock::time_point kill_time{};
  std::string report;
  int64_t output = 0;
  while (out_r.fd >= 0 || err_r.fd >= 0 || rep_r.fd >= 0) {
    auto now = std::chrono::steady_clock::now();
    if (!killed && now >= deadline) {
      r.timed_out = true;
      kill_all();
      kill_time = now;
    }
    // After a kill, give the pipes a moment to close, then stop waiting for stragglers.
    if (killed && now - kill_time > std::chrono::seconds(2)) break;
    pollfd pf[4];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1, idx_rep = -1;
    if (in_w.fd >= 0) pf[idx_in = n++] = {in_w.fd, POLLOUT, 0};
    if (out_r.fd >= 0) pf[idx_out = n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) pf[idx_err = n++] = {err_r.fd, POLLIN, 0};
    if (rep_r.fd >= 0) pf[idx_rep = n++] = {rep_r.fd, POLLIN, 0};
    int wait_ms = killed ? 100
                         : static_cast<int>(std::max<int64_t>(
                               1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()));
    int pr = poll(pf, static_cast<nfds_t>(n), std::min(wait_ms, 200));
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    if (idx_in >= 0 && (pf[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write(in_w.fd, job.stdin_data.data() + written, job.stdin_data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN) in_w.reset();
      if (written >= job.stdin_data.size()) in_w.reset();
    }
    auto drain = [&](int idx, Fd& fd, std::string* sink) {
      if (idx < 0 || !(pf[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      char buf[65536];
      ssize_t got = read(fd.fd, buf, sizeof buf);
      if (got <= 0) {
        if (got == 0 || errno != EAGAIN) fd.reset();
        return;
      }
      if (!sink) {
        report.append(buf, static_cast<size_t>(got));
        return;
      }
      output += got;
      if (output > L.max_output_bytes) {
        r.output_limit = true;
        if (!killed) {
          kill_all();
          kill_time = std::chrono::steady_clock::now();
        }
        return;
      }
      sink->append(buf, static_cast<size_t>(got));
    };
    drain(idx_out, out_r, &r.stdout_data);
    drain(idx_err, err_r, &r.stderr_data);
    drain(idx_rep, rep_r, nullptr);
  }
  in_w.reset();
  if (!killed && (out_r.fd >= 0 || err_r.fd >= 0)) kill_all();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!namespaces) kill(-pid, SIGKILL);  // stragglers of the process group
  timespec zero{0, 0};
  while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  if (report.size() >= 2 * sizeof(int)) {
    int msg[2];
    std::memcpy(msg, report.data(), sizeof msg);
    if (msg[0] == kFinalStatus)
      status = msg[1];  // the program's own status, relayed by the namespace's init
    else
      r.error = std::string("sandbox setup failed while ") + step_name(msg[0]) + ": " + errno_text(msg[1]);
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

Sandbox::Sandbox(SandboxConfig config) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.cfg = std::move(config);
  const SandboxLimits& L = m.cfg.limits;
  if (m.cfg.workers < 1) throw ConfigError("workers", "must be at least 1");
  if (!(L.wall_seconds > 0) || !(L.cpu_seconds > 0)) throw ConfigError("timeout_seconds", "must be positive");
  if (L.memory_bytes < (16LL << 20)) throw ConfigError("memory_mb", "must be at least 16");
  if (L.max_processes < 1) throw ConfigError("max_processes", "must be at least 1");
  if (L.max_output_bytes < 1) throw ConfigError("max_output_kb", "must be positive");
  m.temp_root = m.cfg.temp_root.empty() ? fs::temp_directory_path().string() : m.cfg.temp_root;

  // Interpreter candidates: the configured path, or every match on PATH.
  std::vector<std::string> candidates;
  if (m.cfg.interpreter.find('/') != std::string::npos) {
    if (access(m.cfg.interpreter.c_str(), X_OK) != 0)
      throw ConfigError("interpreter", "'" + m.cfg.interpreter + "': " + errno_text(errno));
    candidates.push_back(m.cfg.interpreter);
  } else {
    const char* path = std::getenv("PATH");
    std::stringstream ss(path ? path : "/usr/bin:/bin");
    std::string d;
    while (std::getline(ss, d, ':')) {
      if (d.empty()) continue;
      std::string c = d + "/" + m.cfg.interpreter;
      if (access(c.c_str(), X_OK) == 0 && fs::is_regular_file(c)) candidates.push_back(c);
    }
  }
  if (candidates.empty())
    throw ConfigError("interpreter", "'" + m.cfg.interpreter + "' not found (PATH=" +
                                         std::string(std::getenv("PATH") ? std::getenv("PATH") : "") + ")");

  // Isolation modes, strongest first. As root: namespaces and a dedicated uid; uid 0 without
  // capabilities when no other uid exists (root of a user namespace); a user namespace when
  // root lacks the privilege. Otherwise an unprivileged user namespace. Plain processes only
  // when explicitly allowed.
  struct Mode {
    bool namespaces, user_namespace, switch_uid, drop_caps;
  };
  std::vector<Mode> modes;
  if (geteuid() == 0) {
    modes.push_back({true, false, true, false});
    modes.push_back({true, false, false, true});
    modes.push_back({true, true, false, true});
  } else {
    modes.push_back({true, true, false, false});
  }
  if (m.cfg.allow_no_network_isolation) modes.push_back({false, false, false, false});

  SandboxRun probe{"import sys\nprint(sys.version_info[0])\n", ""};
  std::string isolation_log, interpreter_log;
  for (const Mode& mode : modes) {
    m.namespaces = mode.namespaces;
    m.user_namespace = mode.user_namespace;
    m.switch_uid = mode.switch_uid;
    m.drop_caps = mode.drop_caps;
    bool isolation_problem = false;
    interpreter_log.clear();
    for (const auto& c : candidates) {
      m.interpreter = c;
      SandboxResult r = m.run(probe, 0);
      if (r.ok() && r.stdout_data.rfind("3", 0) == 0) return;
      std::string why = !r.error.empty() ? r.error : (r.stderr_data.empty() ? "exit " + std::to_string(r.exit_code) : r.stderr_data);
      while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
      if (why.size() > 200) why = why.substr(0, 200) + "...";
      // Failures of the isolation itself (not of the interpreter) move on to the next mode.
      const std::string& e = r.error;
      if (e.rfind("clone:", 0) == 0 || e.find("user namespace") != std::string::npos ||
          e.find("mount") != std::string::npos || e.find("read-only") != std::string::npos ||
          e.find("sandbox uid") != std::string::npos || e.find("writable") != std::string::npos) {
        isolation_problem = true;
        isolation_log += "\n  " + c + ": " + why;
        break;
      }
      interpreter_log += "\n  " + c + ": " + why;
    }
    if (!isolation_problem) break;  // isolation works; no candidate interpreter does
  }
  if (interpreter_log.empty())
    throw ConfigError("allow_no_network_isolation",
                      "cannot isolate code runs here (no permission for network/mount/PID namespaces):" +
                          isolation_log +
                          "\nrefusing to run model-written code with network access; set "
                          "allow_no_network_isolation: true to run it anyway");
  throw ConfigError("interpreter", "no working Python 3 interpreter for '" + m.cfg.interpreter +
                                       "' inside the sandbox (it must be readable by the sandbox user); tried:" +
                                       interpreter_log);
}

Sandbox::~Sandbox() = default;

SandboxResult Sandbox::run(const SandboxRun& job, int slot) const {
  if (slot < 0 || slot >= impl_->cfg.workers) throw InvalidArgument("sandbox slot out of range");
  return impl_->run(job, slot);
}

std::vector<SandboxResult> Sandbox::run_all(const std::vector<SandboxRun>& jobs) const {
  std::vector<SandboxResult> out(jobs.size());
  std::atomic<size_t> next{0};
  int n = std::min<int>(impl_->cfg.workers, static_cast<int>(jobs.size()));
  auto work = [&](int slot) {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) out[i] = impl_->run(jobs[i], slot);
  };
  std::vector<std::thread> threads;
  for (int s = 1; s < n; ++s) threads.emplace_back(work, s);
  if (n > 0) work(0);
  for (auto& t : threads) t.join();
  return out;
}

const std::string& Sandbox::interpreter_path() const { return impl_->interpreter; }
bool Sandbox::network_isolated() const { return impl_->namespaces; }
const SandboxConfig& Sandbox::config() const { return impl_->cfg; }

std::string Sandbox::isolation_description() const {
  const Impl& m = *impl_;
  if (!m.namespaces)
    return "no namespaces (allow_no_network_isolation): network NOT isolated; private directory, rlimits, process "
           "group kill";
  std::string s = "new network namespace (no interface up), read-only mount namespace except the run directory, "
                  "new PID namespace (all processes die with the run), IPC/UTS namespaces";
  if (m.user_namespace)
    s += ", unprivileged user namespace";
  else if (m.switch_uid)
    s += ", uid " + std::to_string(m.cfg.uid_base) + "+slot";
  else
    s += ", uid 0 without capabilities";
  return s + ", rlimits (CPU, memory, processes, file size, open files)";
}

}  // namespace reason
