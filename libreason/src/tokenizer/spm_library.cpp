#include "tokenizer/spm_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "reason/core/error.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

constexpr const char* kLibraryName = "libreason_spm.so";

std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("REASON_SPM_LIBRARY"); env && *env) out.emplace_back(env);
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&spm_api), &info) && info.dli_fname) {
    std::error_code ec;
    fs::path self = fs::canonical(info.dli_fname, ec);
    if (!ec) out.push_back((self.parent_path() / kLibraryName).string());
  }
#ifdef REASON_SPM_BUILD_PATH
  out.emplace_back(REASON_SPM_BUILD_PATH);
#endif
#ifdef REASON_SPM_INSTALL_PATH
  out.emplace_back(REASON_SPM_INSTALL_PATH);
#endif
  return out;
}

template <typename F>
void bind(void* handle, const char* name, F& fn, const std::string& path) {
  void* sym = ::dlsym(handle, name);
  if (!sym) throw IoError(path + " does not export " + name + " (a libreason_spm from another version?)");
  fn = reinterpret_cast<F>(sym);
}

SpmApi load_api() {
  std::string tried;
  for (const std::string& path : candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      tried += "\n  " + path + ": not found";
      continue;
    }
    // A namespace of its own: its libstdc++, libc and protobuf copies never meet LibTorch's.
    void* handle = ::dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = ::dlerror();
      tried += "\n  " + path + ": " + (e ? e : "dlmopen failed");
      continue;
    }
    SpmApi api;
    api.path = path;
    decltype(&reason_spm_abi_version) abi = nullptr;
    bind(handle, "reason_spm_abi_version", abi, path);
    if (abi() != REASON_SPM_ABI_VERSION)
      throw IoError(path + " has interface version " + std::to_string(abi()) + ", expected " +
                    std::to_string(REASON_SPM_ABI_VERSION));
    bind(handle, "reason_spm_load", api.load, path);
    bind(handle, "reason_spm_free", api.free, path);
    bind(handle, "reason_spm_encode", api.encode, path);
    bind(handle, "reason_spm_decode", api.decode, path);
    bind(handle, "reason_spm_piece_size", api.piece_size, path);
    bind(handle, "reason_spm_id_to_piece", api.id_to_piece, path);
    bind(handle, "reason_spm_piece_to_id", api.piece_to_id, path);
    bind(handle, "reason_spm_special_id", api.special_id, path);
    bind(handle, "reason_spm_piece_type", api.piece_type, path);
    bind(handle, "reason_spm_train", api.train, path);
    bind(handle, "reason_spm_free_buffer", api.free_buffer, path);
    return api;  // the handle stays open for the life of the process
  }
  throw IoError("cannot load the SentencePiece wrapper " + std::string(kLibraryName) +
                " (set REASON_SPM_LIBRARY to its path); tried:" + tried);
}

}  // namespace

const SpmApi& spm_api() {
  // Loaded once: every dlmopen(LM_ID_NEWLM) takes one of glibc's 16 namespaces.
  static std::once_flag once;
  static SpmApi api;
  std::call_once(once, [] { api = load_api(); });
  return api;
}

}  // namespace reason
