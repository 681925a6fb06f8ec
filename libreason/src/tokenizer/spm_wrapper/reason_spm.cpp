// libreason_spm: libsentencepiece behind a C interface (see reason_spm.h for why).
#include "reason_spm.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

// Exported by libsentencepiece but not declared in its public headers.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
int GetMinLogLevel();
}  // namespace sentencepiece::logging

#define REASON_SPM_EXPORT extern "C" __attribute__((visibility("default")))

struct reason_spm_processor {
  sentencepiece::SentencePieceProcessor sp;
};

namespace {

void set_error(char* err, std::size_t err_size, const std::string& message) {
  if (!err || err_size == 0) return;
  const std::size_t n = std::min(err_size - 1, message.size());
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

// Runs one API call's body; an exception becomes an error message and the result 1, so no
// C++ exception ever crosses the C boundary.
template <typename F>
int guarded(char* err, std::size_t err_size, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    set_error(err, err_size, e.what());
  } catch (...) {
    set_error(err, err_size, "unknown error");
  }
  return 1;
}

template <typename T>
T* copy_out(const T* data, std::size_t n) {
  auto* out = static_cast<T*>(std::malloc(n ? n * sizeof(T) : 1));
  if (!out) throw std::bad_alloc();
  if (n) std::memcpy(out, data, n * sizeof(T));
  return out;
}

// Feeds the trainer from the caller's arrays, without a temporary file.
class ArrayIterator : public sentencepiece::SentenceIterator {
 public:
  ArrayIterator(const char* const* s, const std::size_t* sizes, std::size_t n) : s_(s), sizes_(sizes), n_(n) { load(); }
  bool done() const override { return i_ >= n_; }
  void Next() override {
    ++i_;
    load();
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  void load() {
    if (i_ < n_) value_.assign(s_[i_], sizes_[i_]);
  }
  const char* const* s_;
  const std::size_t* sizes_;
  std::size_t n_, i_ = 0;
  std::string value_;
};

}  // namespace

REASON_SPM_EXPORT int reason_spm_abi_version(void) { return REASON_SPM_ABI_VERSION; }

REASON_SPM_EXPORT int reason_spm_load(const char* model, size_t model_size, reason_spm_processor** out, char* err,
                                      size_t err_size) {
  return guarded(err, err_size, [&]() -> int {
    auto p = std::make_unique<reason_spm_processor>();
    auto status = p->sp.LoadFromSerializedProto(std::string(model, model_size));
    if (!status.ok()) {
      set_error(err, err_size, status.ToString());
      return 1;
    }
    *out = p.release();
    return 0;
  });
}

REASON_SPM_EXPORT void reason_spm_free(reason_spm_processor* p) { delete p; }

REASON_SPM_EXPORT int reason_spm_encode(const reason_spm_processor* p, const char* text, size_t size, int32_t** ids,
                                        size_t* count, char* err, size_t err_size) {
  return guarded(err, err_size, [&]() -> int {
    std::vector<int> v;
    auto status = p->sp.Encode(std::string(text, size), &v);
    if (!status.ok()) {
      set_error(err, err_size, status.ToString());
      return 1;
    }
    std::vector<int32_t> v32(v.begin(), v.end());
    *ids = copy_out(v32.data(), v32.size());
    *count = v32.size();
    return 0;
  });
}

REASON_SPM_EXPORT int reason_spm_decode(const reason_spm_processor* p, const int32_t* ids, size_t count, char** text,
                                        size_t* size, char* err, size_t err_size) {
  return guarded(err, err_size, [&]() -> int {
    std::vector<int> v(ids, ids + count);
    std::string s;
    auto status = p->sp.Decode(v, &s);
    if (!status.ok()) {
      set_error(err, err_size, status.ToString());
      return 1;
    }
    *text = copy_out(s.data(), s.size());
    *size = s.size();
    return 0;
  });
}

REASON_SPM_EXPORT int32_t reason_spm_piece_size(const reason_spm_processor* p) { return p->sp.GetPieceSize(); }

REASON_SPM_EXPORT int reason_spm_id_to_piece(const reason_spm_processor* p, int32_t id, char** piece, size_t* size) {
  try {
    if (id < 0 || id >= p->sp.GetPieceSize()) return 1;
    const std::string& s = p->sp.IdToPiece(id);
    *piece = copy_out(s.data(), s.size());
    *size = s.size();
    return 0;
  } catch (...) {
    return 1;
  }
}

REASON_SPM_EXPORT int32_t reason_spm_piece_to_id(const reason_spm_processor* p, const char* piece, size_t size) {
  try {
    const std::string s(piece, size);
    const int id = p->sp.PieceToId(s);
    // Unknown pieces map to unk_id: tell them apart from the unk piece itself.
    return id >= 0 && p->sp.IdToPiece(id) == s ? id : -1;
  } catch (...) {
    return -1;
  }
}

REASON_SPM_EXPORT int32_t reason_spm_special_id(const reason_spm_processor* p, int which) {
  switch (which) {
    case REASON_SPM_UNK: return p->sp.unk_id();
    case REASON_SPM_BOS: return p->sp.bos_id();
    case REASON_SPM_EOS: return p->sp.eos_id();
    case REASON_SPM_PAD: return p->sp.pad_id();
    default: return -1;
  }
}

REASON_SPM_EXPORT int reason_spm_piece_type(const reason_spm_processor* p, int32_t id) {
  if (p->sp.IsUnknown(id)) return REASON_SPM_UNKNOWN;
  if (p->sp.IsControl(id)) return REASON_SPM_CONTROL;
  if (p->sp.IsUnused(id)) return REASON_SPM_UNUSED;
  if (p->sp.IsByte(id)) return REASON_SPM_BYTE;
  return REASON_SPM_NORMAL;
}

REASON_SPM_EXPORT int reason_spm_train(const char* const* keys, const char* const* values, size_t n_kwargs,
                                       const char* const* sentences, const size_t* sentence_sizes, size_t n_sentences,
                                       unsigned seed, int verbose, char** model, size_t* model_size, char* err,
                                       size_t err_size) {
  const int old_level = sentencepiece::logging::GetMinLogLevel();
  try {
    std::unordered_map<std::string, std::string> kwargs;
    for (size_t i = 0; i < n_kwargs; ++i) kwargs[keys[i]] = values[i];
    sentencepiece::SetRandomGeneratorSeed(seed);
    sentencepiece::logging::SetMinLogLevel(verbose ? 0 : 1);
    ArrayIterator it(sentences, sentence_sizes, n_sentences);
    std::string serialized;
    auto status = sentencepiece::SentencePieceTrainer::Train(kwargs, n_sentences ? &it : nullptr, &serialized);
    sentencepiece::logging::SetMinLogLevel(old_level);
    if (!status.ok()) {
      set_error(err, err_size, status.ToString());
      return 1;
    }
    *model = copy_out(serialized.data(), serialized.size());
    *model_size = serialized.size();
    return 0;
  } catch (const std::exception& e) {
    set_error(err, err_size, e.what());
  } catch (...) {
    set_error(err, err_size, "unknown error");
  }
  sentencepiece::logging::SetMinLogLevel(old_level);
  return 1;
}

REASON_SPM_EXPORT void reason_spm_free_buffer(void* buffer) { std::free(buffer); }
