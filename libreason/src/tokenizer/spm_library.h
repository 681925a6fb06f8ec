#pragma once
// Finds and loads libreason_spm into a new link-map namespace (dlmopen LM_ID_NEWLM), once per
// process. Debian's libsentencepiece bundles protobuf 3.14 and Debian's LibTorch links
// protobuf 3.21: in one namespace the process crashes before main or aborts at first use
// (docs/tokenizers.md). Search order for the wrapper:
//   1. $REASON_SPM_LIBRARY (a path to the .so),
//   2. beside the binary that contains this code (libreason.so, installed or in the build tree),
//   3. the build tree's copy, 4. the configured install libdir.
#include <string>

#include "tokenizer/spm_wrapper/reason_spm.h"

namespace reason {

struct SpmApi {
  decltype(&reason_spm_load) load;
  decltype(&reason_spm_free) free;
  decltype(&reason_spm_encode) encode;
  decltype(&reason_spm_decode) decode;
  decltype(&reason_spm_piece_size) piece_size;
  decltype(&reason_spm_id_to_piece) id_to_piece;
  decltype(&reason_spm_piece_to_id) piece_to_id;
  decltype(&reason_spm_special_id) special_id;
  decltype(&reason_spm_piece_type) piece_type;
  decltype(&reason_spm_train) train;
  decltype(&reason_spm_free_buffer) free_buffer;
  std::string path;  // where it was loaded from
};

// Throws IoError listing the places tried when the wrapper cannot be loaded.
const SpmApi& spm_api();

}  // namespace reason
