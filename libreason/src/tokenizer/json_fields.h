#pragma once
// Typed field access for the tokenizer JSON files: a missing or mistyped key is a ConfigError
// naming its dotted location.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "reason/core/error.h"

namespace reason::json_fields {

inline const nlohmann::json& field(const nlohmann::json& obj, const char* key, const std::string& where) {
  if (!obj.is_object()) throw ConfigError(where, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) throw ConfigError(where + "." + key, "missing");
  return *it;
}

inline std::string string_field(const nlohmann::json& obj, const char* key, const std::string& where) {
  const auto& v = field(obj, key, where);
  if (!v.is_string()) throw ConfigError(where + "." + key, "expected a string, got " + v.dump());
  return v.get<std::string>();
}

// Optional boolean with a default (null counts as missing).
inline bool bool_field(const nlohmann::json& obj, const char* key, bool fallback, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw ConfigError(where + "." + key, "expected true or false, got " + it->dump());
  return it->get<bool>();
}

inline std::string type_of(const nlohmann::json& obj, const std::string& where) {
  return string_field(obj, "type", where);
}

// A {"String": "..."} or {"Regex": "..."} pattern: (text, is_literal).
inline std::pair<std::string, bool> pattern_field(const nlohmann::json& p, const std::string& where) {
  if (p.is_object() && p.size() == 1) {
    if (p.contains("String") && p["String"].is_string()) return {p["String"].get<std::string>(), true};
    if (p.contains("Regex") && p["Regex"].is_string()) return {p["Regex"].get<std::string>(), false};
  }
  throw ConfigError(where, "expected {\"String\": ...} or {\"Regex\": ...}, got " + p.dump());
}

}  // namespace reason::json_fields
