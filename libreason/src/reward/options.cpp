#include "reason/reward/options.h"

#include "reason/core/error.h"

namespace reason {

RewardOptions::RewardOptions(const nlohmann::json& options) : options_(options.is_null() ? nlohmann::json::object() : options) {
  if (!options_.is_object()) throw ConfigError("", "options must be a mapping, got " + options_.dump());
}

const nlohmann::json* RewardOptions::find(const std::string& key) {
  known_.insert(key);
  auto it = options_.find(key);
  if (it == options_.end() || it->is_null()) return nullptr;
  return &*it;
}

double RewardOptions::number(const std::string& key, double default_value) {
  const auto* v = find(key);
  if (!v) return default_value;
  if (!v->is_number()) throw ConfigError(key, "must be a number, got " + v->dump());
  return v->get<double>();
}

int64_t RewardOptions::integer(const std::string& key, int64_t default_value) {
  const auto* v = find(key);
  if (!v) return default_value;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float() && v->get<double>() == static_cast<double>(static_cast<int64_t>(v->get<double>())))
    return static_cast<int64_t>(v->get<double>());
  throw ConfigError(key, "must be an integer, got " + v->dump());
}

bool RewardOptions::boolean(const std::string& key, bool default_value) {
  const auto* v = find(key);
  if (!v) return default_value;
  if (!v->is_boolean()) throw ConfigError(key, "must be true or false, got " + v->dump());
  return v->get<bool>();
}

std::string RewardOptions::string(const std::string& key, const std::string& default_value) {
  const auto* v = find(key);
  if (!v) return default_value;
  if (!v->is_string()) throw ConfigError(key, "must be a string, got " + v->dump());
  return v->get<std::string>();
}

std::string RewardOptions::choice(const std::string& key, const std::string& default_value,
                                  const std::vector<std::string>& allowed) {
  std::string v = string(key, default_value);
  for (const auto& a : allowed)
    if (a == v) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw ConfigError(key, "must be one of " + list + ", got '" + v + "'");
}

void RewardOptions::finish() const {
  std::string known;
  for (const auto& k : known_) known += (known.empty() ? "" : ", ") + k;
  for (const auto& [key, value] : options_.items())
    if (!known_.count(key)) throw ConfigError(key, "unknown option (known: " + (known.empty() ? std::string("none") : known) + ")");
}

}  // namespace reason
