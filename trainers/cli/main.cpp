// `reason` — the command line of libreason. Errors from the library are printed as one line
// on stderr and turn into a non-zero exit code; nothing below main() exits on its own.
#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "reason/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"libreason: LoRA reinforcement learning for reasoning language models", "reason"};
  app.require_subcommand(1);
  reason::cli::add_score_command(app);
  reason::cli::add_generate_command(app);
  reason::cli::add_export_command(app);
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
  return 0;
}
