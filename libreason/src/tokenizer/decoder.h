#pragma once
// tokenizer.json "decoder": ByteLevel, ByteFallback, Fuse, Strip, Replace and Sequence, with
// Hugging Face's decode_chain semantics (a list of token strings in, a list out, then joined).
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace reason {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

// nullptr for a JSON null (then tokens are joined with a space, as Hugging Face does).
std::unique_ptr<Decoder> parse_decoder(const nlohmann::json& spec, const std::string& where);

}  // namespace reason
