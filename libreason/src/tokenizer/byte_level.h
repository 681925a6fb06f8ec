#pragma once
// GPT-2's byte <-> printable character table used by byte-level BPE: every byte is shown as
// one visible character so that vocabularies are plain strings (space is "Ġ", newline "Ċ").
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace reason::byte_level {

// UTF-8 of the character standing for each byte.
const std::array<std::string, 256>& byte_to_char();

// The byte a character stands for, or -1 when the character is not in the table.
int char_to_byte(char32_t c);

// Every byte of `bytes` replaced by its character (appended to out).
void encode(std::string_view bytes, std::string& out);

// Appends the bytes of a token. As Hugging Face's decoder: when any character of the token is
// outside the table, the token's own UTF-8 is appended instead.
void decode_token(std::string_view token, std::string& out);

}  // namespace reason::byte_level
