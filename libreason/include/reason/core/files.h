#pragma once
// Small file helpers shared by every loader and writer. Errors are IoError naming the path.
#include <string>

namespace reason {

// Whole file as bytes; throws IoError("cannot read <path>: <reason>").
std::string read_file(const std::string& path);

// Writes `content` to `path` atomically: a temporary file in the same directory, fsync, rename.
void write_file_atomic(const std::string& path, const std::string& content);

// A fresh, empty "<final_dir>.partial" (parents created, leftovers of a crashed write removed)
// to write a directory into before commit_directory(). Returns its path.
std::string make_staging_directory(const std::string& final_dir);

// Replaces directory `final_dir` by `staging_dir` (written completely beforehand) so that a
// crash leaves either the old or the new directory, never a mix. Used for checkpoints/exports.
void commit_directory(const std::string& staging_dir, const std::string& final_dir);

// fsyncs a directory so that a rename inside it is durable.
void sync_directory(const std::string& dir);

}  // namespace reason
