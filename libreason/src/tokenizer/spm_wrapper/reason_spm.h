/* The C interface of libreason_spm, the wrapper around libsentencepiece. It is loaded with
 * dlmopen into its own link-map namespace (its own libstdc++, libc and protobuf), so nothing
 * C++ crosses it: plain buffers only, and memory is freed by the side that allocated it
 * (reason_spm_free_buffer for what the wrapper returns). Every function catches everything.
 * Functions returning int give 0 on success, otherwise non-zero with a message in err. */
#ifndef REASON_SPM_H
#define REASON_SPM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REASON_SPM_ABI_VERSION 1

typedef struct reason_spm_processor reason_spm_processor;

enum { REASON_SPM_UNK = 0, REASON_SPM_BOS = 1, REASON_SPM_EOS = 2, REASON_SPM_PAD = 3 };
enum {
  REASON_SPM_NORMAL = 0,
  REASON_SPM_UNKNOWN = 1,
  REASON_SPM_CONTROL = 2,
  REASON_SPM_USER_DEFINED = 3,
  REASON_SPM_UNUSED = 4,
  REASON_SPM_BYTE = 5
};

int reason_spm_abi_version(void);
int reason_spm_load(const char* model, size_t model_size, reason_spm_processor** out, char* err, size_t err_size);
void reason_spm_free(reason_spm_processor* p);
int reason_spm_encode(const reason_spm_processor* p, const char* text, size_t size, int32_t** ids, size_t* count,
                      char* err, size_t err_size);
int reason_spm_decode(const reason_spm_processor* p, const int32_t* ids, size_t count, char** text, size_t* size,
                      char* err, size_t err_size);
int32_t reason_spm_piece_size(const reason_spm_processor* p);
/* The piece of `id` (copied into a wrapper buffer), or non-zero when out of range. */
int reason_spm_id_to_piece(const reason_spm_processor* p, int32_t id, char** piece, size_t* size);
/* The id of a piece, or -1 when it is not in the vocabulary. */
int32_t reason_spm_piece_to_id(const reason_spm_processor* p, const char* piece, size_t size);
int32_t reason_spm_special_id(const reason_spm_processor* p, int which);
int reason_spm_piece_type(const reason_spm_processor* p, int32_t id);
/* Trains from kwargs (spm_train flags without "--") and sentences; returns the serialized model. */
int reason_spm_train(const char* const* keys, const char* const* values, size_t n_kwargs, const char* const* sentences,
                     const size_t* sentence_sizes, size_t n_sentences, unsigned seed, int verbose, char** model,
                     size_t* model_size, char* err, size_t err_size);
void reason_spm_free_buffer(void* buffer);

#ifdef __cplusplus
}
#endif
#endif
