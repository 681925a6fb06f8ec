// The code sandbox: limits kill an infinite loop and a fork bomb in time, the process count is
// capped, the network and every path outside the run directory are out of reach, and the code
// reward turns test results into partial credit. Needs namespaces (root or unprivileged user
// namespaces); where the kernel refuses them the tests say so and skip.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "reason/core/error.h"
#include "reason/reward/code.h"
#include "reason/reward/reward.h"
#include "reason/reward/sandbox.h"
#include "support/test_support.h"

namespace reason {
namespace {

SandboxConfig quick_config() {
  SandboxConfig c;
  c.limits.cpu_seconds = 1;
  c.limits.wall_seconds = 2;
  c.limits.max_processes = 16;
  c.workers = 2;
  return c;
}

// The sandbox, or a skip that says why isolation is unavailable on this machine.
#define MAKE_SANDBOX(var, config)                                                                       \
  std::unique_ptr<Sandbox> var;                                                                         \
  try {                                                                                                 \
    var = std::make_unique<Sandbox>(config);                                                            \
  } catch (const ConfigError& e) {                                                                      \
    if (e.key() == "allow_no_network_isolation") GTEST_SKIP() << "no namespaces on this machine: " << e.what(); \
    throw;                                                                                              \
  }

TEST(Sandbox, RunsProgramsWithStdin) {
  MAKE_SANDBOX(sb, quick_config());
  EXPECT_TRUE(sb->network_isolated());
  std::cout << "sandbox: " << sb->interpreter_path() << "; " << sb->isolation_description() << "\n";
  auto r = sb->run({"import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n", "1 2 3\n"});
  EXPECT_TRUE(r.ok()) << r.error << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "6\n");
  auto bad = sb->run({"raise SystemExit(3)\n", ""});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_FALSE(bad.ok());
}

TEST(Sandbox, KillsAnInfiniteLoop) {
  MAKE_SANDBOX(sb, quick_config());
  auto t0 = std::chrono::steady_clock::now();
  auto r = sb->run({"while True:\n    pass\n", ""});
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.signal != 0 || r.timed_out) << "exit " << r.exit_code;
  EXPECT_LT(s, 2.0 + 2.5);
  // A sleeping program is caught by the wall clock instead of the CPU limit.
  auto sleeper = sb->run({"import time\ntime.sleep(60)\n", ""});
  EXPECT_TRUE(sleeper.timed_out);
  EXPECT_LT(sleeper.wall_seconds, 2.0 + 2.5);
}

TEST(Sandbox, CapsProcessesAndKillsAForkBomb) {
  MAKE_SANDBOX(sb, quick_config());
  // Forks until refused; the children sleep. The count stays under the limit and the run ends
  // as soon as the parent does (the PID namespace takes its children with it).
  auto counted = sb->run({"import os, time\nn = 0\nfor i in range(200):\n    try:\n        pid = os.fork()\n"
                          "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n"
                          "    n += 1\nprint(n)\n",
                          ""});
  ASSERT_TRUE(counted.error.empty()) << counted.error;
  ASSERT_FALSE(counted.stdout_data.empty()) << counted.stderr_data;
  EXPECT_LT(std::stoi(counted.stdout_data), 16);
  EXPECT_LT(counted.wall_seconds, 2.5);
  auto t0 = std::chrono::steady_clock::now();
  auto bomb = sb->run({"import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", ""});
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_FALSE(bomb.ok());
  EXPECT_LT(s, 2.0 + 2.5);
  if (geteuid() == 0) {  // nothing of the sandbox uid survives the run
    int left = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      std::ifstream st(e.path() / "status");
      std::string line;
      while (std::getline(st, line))
        if (line.rfind("Uid:", 0) == 0 && line.find("\t64000\t") != std::string::npos) ++left;
    }
    EXPECT_EQ(left, 0);
  }
}

TEST(Sandbox, BlocksTheNetwork) {
  MAKE_SANDBOX(sb, quick_config());
  // A listener on this machine's loopback: the sandbox must not reach it.
  int srv = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(srv, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(srv, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(srv, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  std::string prog = "import socket\nfor host, port in [('127.0.0.1', " + std::to_string(port) +
                     "), ('1.1.1.1', 53), ('8.8.8.8', 443)]:\n    try:\n"
                     "        socket.create_connection((host, port), timeout=1).close()\n        print('connected')\n"
                     "    except OSError as e:\n        print('blocked', e.errno)\n";
  auto r = sb->run({prog, ""});
  EXPECT_TRUE(r.ok()) << r.error << r.stderr_data;
  EXPECT_EQ(r.stdout_data.find("connected"), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("blocked"), std::string::npos);
  int client = accept(srv, nullptr, nullptr);
  EXPECT_LT(client, 0);  // nobody connected
  if (client >= 0) close(client);
  close(srv);
}

TEST(Sandbox, WritesOnlyInsideItsDirectory) {
  MAKE_SANDBOX(sb, quick_config());
  test::TempDir outside;
  std::string target = outside.file("escaped.txt");
  std::string prog = "import os\nopen('inside.txt', 'w').write('ok')\nprint(open('inside.txt').read())\n"
                     "for path in ['" + target + "', '/tmp/reason-sandbox-escape.txt', os.path.expanduser('~/../x')]:\n"
                     "    try:\n        open(path, 'w').write('escaped')\n        print('wrote', path)\n"
                     "    except OSError as e:\n        print('blocked', e.errno)\n";
  auto r = sb->run({prog, ""});
  EXPECT_TRUE(r.ok()) << r.error << r.stderr_data;
  EXPECT_EQ(r.stdout_data.rfind("ok\n", 0), 0u) << r.stdout_data;
  EXPECT_EQ(r.stdout_data.find("wrote"), std::string::npos) << r.stdout_data;
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists("/tmp/reason-sandbox-escape.txt"));
}

TEST(Sandbox, LimitsMemoryAndOutput) {
  MAKE_SANDBOX(sb, quick_config());
  auto mem = sb->run({"x = bytearray(2 * 1024 ** 3)\nprint(len(x))\n", ""});
  EXPECT_FALSE(mem.ok());
  EXPECT_NE(mem.stderr_data.find("MemoryError"), std::string::npos) << mem.stderr_data;
  auto out = sb->run({"import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", ""});
  EXPECT_TRUE(out.output_limit);
  EXPECT_FALSE(out.ok());
  EXPECT_LE(static_cast<int64_t>(out.stdout_data.size()), SandboxLimits{}.max_output_bytes);
}

TEST(Sandbox, MissingInterpreterIsAStartupError) {
  SandboxConfig c = quick_config();
  c.interpreter = "/nonexistent/python3";
  try {
    Sandbox sb(c);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "interpreter");
  }
  c.interpreter = "reason-no-such-python";
  EXPECT_THROW(Sandbox{c}, ConfigError);
}

TEST(CodeReward, PartialCreditAndBinary) {
  nlohmann::json opts = {{"timeout_seconds", 2}, {"cpu_seconds", 1}};
  std::unique_ptr<Reward> code, binary;
  try {
    code = RewardRegistry::global().create("code", opts);
    binary = RewardRegistry::global().create("binary_code", opts);
  } catch (const ConfigError& e) {
    if (e.key() == "allow_no_network_isolation") GTEST_SKIP() << "no namespaces on this machine: " << e.what();
    throw;
  }
  nlohmann::json io = {{"verification_info",
                        {{"language", "python"},
                         {"test_cases",
                          {{{"input", "1 2\n"}, {"output", "3\n"}, {"type", "stdin_stdout"}},
                           {{"input", "5 5\n"}, {"output", "10"}, {"type", "stdin_stdout"}},
                           {{"input", "2 2\n"}, {"output", "5\n"}, {"type", "stdin_stdout"}}}}}}};
  auto sample = [](const std::string& completion, const nlohmann::json& fields) {
    RewardSample s;
    s.completion = completion;
    s.fields = fields;
    return s;
  };
  std::string adder = "Here:\n```python\nprint('draft')\n```\nFinal:\n```python\na, b = map(int, input().split())\nprint(a + b)\n```\n";
  std::string looping = "```python\nwhile True:\n    pass\n```\n";
  nlohmann::json asserts = {{"test_list", {"assert add(1, 2) == 3", "assert add(2, 2) == 4", "assert add(0, 0) == 1"}}};
  std::string add_fn = "```python\ndef add(a, b):\n    return a + b\n```";
  nlohmann::json one_test = {{"verification_info", {{"test_cases", {io["verification_info"]["test_cases"][0]}}}}};
  std::vector<RewardSample> batch = {sample(adder, io), sample("no code here", io), sample(looping, one_test),
                                     sample(adder, {{"question", "?"}}), sample(add_fn, asserts)};
  auto v = code->score(batch);
  EXPECT_NEAR(v[0], 2.0 / 3.0, 1e-12);  // 3 and 10 pass, 4 != 5
  EXPECT_EQ(v[1], 0.0);
  EXPECT_EQ(v[2], 0.0);
  EXPECT_TRUE(std::isnan(v[3]));  // no tests: not applicable
  EXPECT_TRUE(std::isnan(code->score({sample(adder, {{"test_list", {}}})})[0]));
  auto b = binary->score({batch[0], sample(adder, one_test)});
  EXPECT_EQ(b[0], 0.0);
  EXPECT_EQ(b[1], 1.0);
  // MBPP-style asserts: passes when the program exits 0.
  auto a = RewardRegistry::global().create("code", {{"tests_field", "test_list"}})->score({batch[4]});
  EXPECT_NEAR(a[0], 2.0 / 3.0, 1e-12);
}

TEST(CodeReward, OutputComparison) {
  EXPECT_TRUE(output_matches("3\n", "3"));
  EXPECT_TRUE(output_matches("  3  \n4", "3\n4\n"));
  EXPECT_TRUE(output_matches("3\n4", "3"));  // open-r1 zips: extra lines are not checked
  EXPECT_FALSE(output_matches("3\n4", "3", /*exact_lines=*/true));
  EXPECT_FALSE(output_matches("", "3"));
  EXPECT_EQ(extract_last_code_block("```python\na\n```\n```python\nb\n```"), "b\n");
  EXPECT_EQ(extract_last_code_block("```cpp\nint x;\n```"), "");
}

}  // namespace
}  // namespace reason
