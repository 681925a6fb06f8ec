#pragma once
// Checkpoints: <output_dir>/checkpoint-<step>/ holding the adapter (PEFT layout) or, when the
// base weights are trained, the model; the optimizer state; the trainer state (step, RNG,
// strategy state incl. data cursor); and the resolved config. Written to a staging directory and
// renamed, so a crash never leaves a half checkpoint that resume would take.
#include <string>
#include <vector>

namespace reason {

class TrainContext;
class Strategy;

constexpr int kCheckpointFormatVersion = 1;

std::string checkpoint_name(int64_t step);  // "checkpoint-000050"

// Writes the checkpoint of the current state to <run_dir>/checkpoint-<step>; returns its path.
std::string save_checkpoint(TrainContext& ctx, const Strategy& strategy, const std::string& run_dir);

// Restores a checkpoint written by save_checkpoint into a context set up from the same config.
void load_checkpoint(TrainContext& ctx, Strategy& strategy, const std::string& dir);

// `path` itself when it is a checkpoint, else the complete checkpoint with the highest step in
// it; throws IoError when there is none.
std::string resolve_checkpoint(const std::string& path);

// Complete checkpoints of a run directory, oldest first.
std::vector<std::string> list_checkpoints(const std::string& run_dir);

// Deletes all but the newest `keep_last` checkpoints (0: keep all).
void prune_checkpoints(const std::string& run_dir, int64_t keep_last);

}  // namespace reason
