#pragma once
// tokenizer.json "normalizer": NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents, Replace,
// Prepend and Sequence of those. Anything else is a ConfigError naming the component.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace reason {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};

// nullptr for a JSON null. `where` is the dotted location used in errors ("normalizer").
std::unique_ptr<Normalizer> parse_normalizer(const nlohmann::json& spec, const std::string& where);

}  // namespace reason
