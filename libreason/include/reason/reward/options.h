#pragma once
// Reading a reward's options with validation: each getter marks its key as known and checks
// the type; finish() rejects the keys nobody asked for. Errors are ConfigError(key, message).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace reason {

class RewardOptions {
 public:
  // `options` must be a JSON object (null counts as empty).
  explicit RewardOptions(const nlohmann::json& options);

  double number(const std::string& key, double default_value);
  int64_t integer(const std::string& key, int64_t default_value);
  bool boolean(const std::string& key, bool default_value);
  std::string string(const std::string& key, const std::string& default_value);
  std::string choice(const std::string& key, const std::string& default_value, const std::vector<std::string>& allowed);
  // Throws ConfigError naming the first key that no getter asked for.
  void finish() const;

 private:
  const nlohmann::json* find(const std::string& key);
  nlohmann::json options_;
  std::set<std::string> known_;
};

}  // namespace reason
