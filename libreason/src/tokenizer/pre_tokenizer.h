#pragma once
// tokenizer.json "pre_tokenizer": Split (regex or literal, all five delimiter behaviours,
// invert), ByteLevel (optional prefix space and GPT-2 regex, then bytes -> characters), Digits
// and Sequence. Anything else is a ConfigError naming the component.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace reason {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces every piece by the pieces it splits into (empty pieces are dropped).
  virtual void pre_tokenize(std::vector<std::string>& pieces) const = 0;
};

// nullptr for a JSON null.
std::unique_ptr<PreTokenizer> parse_pre_tokenizer(const nlohmann::json& spec, const std::string& where);

}  // namespace reason
