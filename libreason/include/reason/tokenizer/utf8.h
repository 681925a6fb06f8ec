#pragma once
// UTF-8 checks shared by the tokenizers and by anything that handles decoded model output.
#include <string>
#include <string_view>

namespace reason {

bool is_valid_utf8(std::string_view bytes);

// Replaces each maximal ill-formed subsequence by U+FFFD, exactly as Rust's
// String::from_utf8_lossy (and Python's bytes.decode(errors="replace")) do.
std::string utf8_lossy(std::string_view bytes);

}  // namespace reason
