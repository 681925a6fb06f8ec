#include "tokenizer/post_processor.h"

#include <nlohmann/json.hpp>

#include "tokenizer/json_fields.h"

namespace reason {
namespace {

using namespace json_fields;

// BertProcessing/RobertaProcessing write tokens as ["[CLS]", 101].
int64_t token_pair_id(const nlohmann::json& spec, const char* key, const std::string& where) {
  const auto& v = field(spec, key, where);
  if (!v.is_array() || v.size() != 2 || !v[1].is_number_integer())
    throw ConfigError(where + "." + key, "expected [token, id], got " + v.dump());
  return v[1].get<int64_t>();
}

SpecialAffixes template_affixes(const nlohmann::json& spec, const std::string& where) {
  const auto& single = field(spec, "single", where);
  const auto& specials = field(spec, "special_tokens", where);
  if (!single.is_array()) throw ConfigError(where + ".single", "expected a list");
  SpecialAffixes out;
  bool seen_sequence = false;
  for (std::size_t i = 0; i < single.size(); ++i) {
    const auto& piece = single[i];
    const std::string at = where + ".single[" + std::to_string(i) + "]";
    if (piece.contains("Sequence")) {
      if (seen_sequence) throw ConfigError(at, "the single template uses the sequence twice");
      seen_sequence = true;
      continue;
    }
    if (!piece.contains("SpecialToken")) throw ConfigError(at, "expected Sequence or SpecialToken, got " + piece.dump());
    const std::string name = string_field(piece["SpecialToken"], "id", at + ".SpecialToken");
    if (!specials.is_object() || !specials.contains(name))
      throw ConfigError(where + ".special_tokens", "'" + name + "' is used by the template but not defined");
    const auto& ids = field(specials[name], "ids", where + ".special_tokens." + name);
    if (!ids.is_array()) throw ConfigError(where + ".special_tokens." + name + ".ids", "expected a list");
    auto& dst = seen_sequence ? out.suffix : out.prefix;
    for (const auto& id : ids) {
      if (!id.is_number_integer()) throw ConfigError(where + ".special_tokens." + name + ".ids", "expected integers");
      dst.push_back(id.get<int64_t>());
    }
  }
  if (!seen_sequence) throw ConfigError(where + ".single", "the template does not contain the sequence ($A)");
  return out;
}

}  // namespace

SpecialAffixes parse_post_processor(const nlohmann::json& spec, const std::string& where) {
  if (spec.is_null()) return {};
  const std::string type = type_of(spec, where);
  if (type == "ByteLevel") return {};  // only trims offsets
  if (type == "TemplateProcessing") return template_affixes(spec, where);
  if (type == "BertProcessing" || type == "RobertaProcessing")
    return {{token_pair_id(spec, "cls", where)}, {token_pair_id(spec, "sep", where)}};
  if (type == "Sequence") {
    const auto& list = field(spec, "processors", where);
    if (!list.is_array()) throw ConfigError(where + ".processors", "expected a list");
    SpecialAffixes out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      // Each processor wraps what the previous ones produced.
      SpecialAffixes p = parse_post_processor(list[i], where + ".processors[" + std::to_string(i) + "]");
      out.prefix.insert(out.prefix.begin(), p.prefix.begin(), p.prefix.end());
      out.suffix.insert(out.suffix.end(), p.suffix.begin(), p.suffix.end());
    }
    return out;
  }
  throw ConfigError(where + ".type", "post-processor '" + type +
                                         "' is not supported (supported: TemplateProcessing, BertProcessing, "
                                         "RobertaProcessing, ByteLevel, Sequence)");
}

}  // namespace reason
