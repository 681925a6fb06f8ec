#pragma once
// Subcommands of the `reason` executable. Each add_* function registers one subcommand on
// the application; the callback it installs runs the command and may throw reason::Error.
#include <CLI/CLI.hpp>

namespace reason::cli {

void add_score_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_export_command(CLI::App& app);
// Sets *exit_code (non-zero when training stopped on a signal).
void add_train_command(CLI::App& app, int* exit_code);
void add_demo_command(CLI::App& app, int* exit_code);
void add_tokenize_command(CLI::App& app);
void add_grade_command(CLI::App& app);

}  // namespace reason::cli
