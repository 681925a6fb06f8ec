#pragma once
// Helpers shared by the tests: reference data paths and temporary directories.
#include <string>

namespace reason::test {

// Path of a file under tests/data (REASON_TEST_DATA_DIR overrides the compiled-in location).
std::string data_path(const std::string& relative);

// A fresh directory removed (recursively) when the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Result of running a command: exit status (-1 when killed by a signal) and stdout + stderr.
struct CommandRun {
  int status;
  std::string output;
};
// Runs `command` through the shell, capturing stdout and stderr together.
CommandRun run_command(const std::string& command);

// Writes bytes to a file (overwriting).
void write_bytes(const std::string& path, const std::string& bytes);

}  // namespace reason::test
