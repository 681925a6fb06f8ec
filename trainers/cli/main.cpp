// `reason` — the command line of libreason. Errors from the library are printed as one line
// on stderr and turn into a non-zero exit code; nothing below main() exits on its own.
#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "reason/core/error.h"

int main(int argc, char** argv) {
  // Started as `train`: the same program with the train subcommand implied.
  std::vector<std::string> args(argv, argv + argc);
  const char* slash = std::strrchr(argv[0], '/');
  if (std::strcmp(slash ? slash + 1 : argv[0], "train") == 0) args.insert(args.begin() + 1, "train");
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argc = static_cast<int>(argp.size());
  argv = argp.data();

  int exit_code = 0;
  CLI::App app{"libreason: LoRA reinforcement learning for reasoning language models", "reason"};
  app.require_subcommand(1);
  reason::cli::add_score_command(app);
  reason::cli::add_generate_command(app);
  reason::cli::add_export_command(app);
  reason::cli::add_train_command(app, &exit_code);
  reason::cli::add_demo_command(app, &exit_code);
  reason::cli::add_tokenize_command(app);
  reason::cli::add_grade_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const reason::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const c10::Error& e) {
    std::cerr << "error: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
