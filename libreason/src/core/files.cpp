#include "reason/core/files.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "reason/core/error.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

std::string unique_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream s;
  s << ".tmp." << ::getpid() << "." << std::hex << rng();
  return s.str();
}

void write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write " + path + ": " + std::strerror(errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw IoError("cannot read " + path + ": read error");
  return buf.str();
}

void sync_directory(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: some filesystems do not allow opening directories
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomic(const std::string& path, const std::string& content) {
  fs::path target(path);
  std::string tmp = path + unique_suffix();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
  try {
    write_all(fd, content.data(), content.size(), tmp);
    if (::fsync(fd) != 0) throw IoError("cannot sync " + tmp + ": " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw IoError("cannot rename " + tmp + " to " + path + ": " + std::strerror(err));
  }
  sync_directory(target.parent_path().string());
}

std::string make_staging_directory(const std::string& final_dir) {
  fs::path staging = fs::absolute(final_dir);
  fs::create_directories(staging.parent_path());
  staging += ".partial";
  fs::remove_all(staging);
  fs::create_directories(staging);
  return staging.string();
}

void commit_directory(const std::string& staging_dir, const std::string& final_dir) {
  std::error_code ec;
  fs::path final_path(final_dir);
  if (fs::exists(final_path)) {
    // Atomic swap (Linux renameat2): no instant exists where final_dir is missing or mixed.
    if (::renameat2(AT_FDCWD, staging_dir.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_EXCHANGE) != 0)
      throw IoError("cannot replace " + final_dir + " by " + staging_dir + ": " + std::strerror(errno));
    sync_directory(final_path.parent_path().string());
    fs::remove_all(staging_dir, ec);  // now holds the previous contents
    return;
  }
  fs::rename(staging_dir, final_path, ec);
  if (ec) throw IoError("cannot rename " + staging_dir + " to " + final_dir + ": " + ec.message());
  sync_directory(final_path.parent_path().string());
}

}  // namespace reason
