#include "reason/tokenizer/tokenizer_config.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "reason/core/error.h"
#include "reason/core/files.h"
#include "tokenizer/json_fields.h"

namespace fs = std::filesystem;

namespace reason {
namespace {

nlohmann::json parse_json_file(const std::string& path) {
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(path, std::string("not valid JSON: ") + e.what());
  }
}

// bos_token etc. are written as a string, null, or an AddedToken object {"content": ...}.
std::optional<std::string> token_field(const nlohmann::json& cfg, const char* key, const std::string& where) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
  throw ConfigError(where + ": " + key, "expected a token string, null or {\"content\": ...}, got " + it->dump());
}

std::optional<bool> optional_bool(const nlohmann::json& cfg, const char* key, const std::string& where) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) throw ConfigError(where + ": " + key, "expected true or false, got " + it->dump());
  return it->get<bool>();
}

// A string, or a list of {"name", "template"} from which the "default" one is taken.
std::string chat_template_value(const nlohmann::json& v, const std::string& where) {
  if (v.is_null()) return {};
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    for (const auto& t : v)
      if (t.is_object() && t.value("name", "") == "default" && t.contains("template") && t["template"].is_string())
        return t["template"].get<std::string>();
    throw ConfigError(where, "a list of chat templates without one named 'default'");
  }
  throw ConfigError(where, "expected a string or a list of {name, template}");
}

}  // namespace

TokenizerConfig read_tokenizer_config(const std::string& dir) {
  TokenizerConfig c;
  const std::string path = (fs::path(dir) / "tokenizer_config.json").string();
  if (fs::exists(path)) {
    const nlohmann::json cfg = parse_json_file(path);
    if (!cfg.is_object()) throw ConfigError(path, "expected a JSON object");
    c.bos_token = token_field(cfg, "bos_token", path);
    c.eos_token = token_field(cfg, "eos_token", path);
    c.pad_token = token_field(cfg, "pad_token", path);
    c.unk_token = token_field(cfg, "unk_token", path);
    c.add_bos_token = optional_bool(cfg, "add_bos_token", path);
    c.add_eos_token = optional_bool(cfg, "add_eos_token", path);
    if (cfg.contains("chat_template")) c.chat_template = chat_template_value(cfg["chat_template"], path + ": chat_template");
    if (cfg.contains("added_tokens_decoder")) {
      const auto& dec = cfg["added_tokens_decoder"];
      if (!dec.is_object()) throw ConfigError(path + ": added_tokens_decoder", "expected an object id -> token");
      for (auto it = dec.begin(); it != dec.end(); ++it) {
        const std::string where = path + ": added_tokens_decoder." + it.key();
        AddedToken t;
        try {
          std::size_t used = 0;
          t.id = std::stoll(it.key(), &used);
          if (used != it.key().size() || t.id < 0) throw std::invalid_argument("id");
        } catch (const std::exception&) {
          throw ConfigError(where, "the key is not a token id");
        }
        t.content = json_fields::string_field(it.value(), "content", where);
        t.special = json_fields::bool_field(it.value(), "special", false, where);
        t.lstrip = json_fields::bool_field(it.value(), "lstrip", false, where);
        t.rstrip = json_fields::bool_field(it.value(), "rstrip", false, where);
        t.single_word = json_fields::bool_field(it.value(), "single_word", false, where);
        t.normalized = json_fields::bool_field(it.value(), "normalized", !t.special, where);
        c.added_tokens.push_back(std::move(t));
      }
      std::sort(c.added_tokens.begin(), c.added_tokens.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    }
  }
  // Newer transformers save the template beside the config.
  if (c.chat_template.empty()) {
    const fs::path jinja = fs::path(dir) / "chat_template.jinja";
    const fs::path json = fs::path(dir) / "chat_template.json";
    if (fs::exists(jinja)) {
      c.chat_template = read_file(jinja.string());
    } else if (fs::exists(json)) {
      const nlohmann::json j = parse_json_file(json.string());
      if (!j.is_object() || !j.contains("chat_template")) throw ConfigError(json.string(), "missing chat_template");
      c.chat_template = chat_template_value(j["chat_template"], json.string() + ": chat_template");
    }
  }
  return c;
}

}  // namespace reason
