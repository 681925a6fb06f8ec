#pragma once
// Typed configuration sections. A section lists its fields once, in visit(); the same list
// drives YAML loading (unknown keys and wrong types are ConfigErrors naming the dotted key),
// `--set a.b=v` overrides, dumping the resolved config, and the generated documentation.
#include <nlohmann/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace reason {

class ConfigVisitor;

// A YAML mapping with typed fields and defaults (the member initialisers).
class ConfigSection {
 public:
  virtual ~ConfigSection() = default;
  virtual void visit(ConfigVisitor& v) = 0;
  // Cross-field checks after loading; throw ConfigError(dotted key, message). `path` is the
  // section's own dotted path ("" for the root).
  virtual void validate(const std::string& path) const {}
};

// A YAML sequence of sections (e.g. rewards: [{name: ..., weight: ...}]).
class ConfigSectionList {
 public:
  virtual ~ConfigSectionList() = default;
  virtual std::size_t size() const = 0;
  virtual void resize(std::size_t n) = 0;
  virtual ConfigSection& at(std::size_t i) = 0;
};

template <typename T>
class SectionList : public ConfigSectionList {
 public:
  SectionList() = default;
  SectionList(std::initializer_list<T> init) : items(init) {}
  std::size_t size() const override { return items.size(); }
  void resize(std::size_t n) override { items.resize(n); }
  ConfigSection& at(std::size_t i) override { return items.at(i); }
  std::vector<T> items;
};

class ConfigVisitor {
 public:
  virtual ~ConfigVisitor() = default;
  virtual void field(const char* key, int64_t& value, const char* doc) = 0;
  virtual void field(const char* key, double& value, const char* doc) = 0;
  virtual void field(const char* key, bool& value, const char* doc) = 0;
  virtual void field(const char* key, std::string& value, const char* doc) = 0;
  virtual void field(const char* key, std::vector<std::string>& value, const char* doc) = 0;
  virtual void field(const char* key, std::vector<int64_t>& value, const char* doc) = 0;
  virtual void field(const char* key, std::vector<double>& value, const char* doc) = 0;
  // Free-form mapping/value (e.g. a reward's options, validated by the reward itself).
  virtual void field(const char* key, nlohmann::json& value, const char* doc) = 0;
  // A string restricted to `allowed`.
  virtual void choice(const char* key, std::string& value, const std::vector<std::string>& allowed, const char* doc) = 0;
  virtual void section(const char* key, ConfigSection& value, const char* doc) = 0;
  virtual void list(const char* key, ConfigSectionList& value, const char* doc) = 0;
};

// Loads YAML text into `root` (fields absent from the text keep their defaults), then applies
// overrides "a.b.c=value" (value parsed as YAML), then runs validate() on every section.
// `where` names the source in errors (the file path).
void load_config(ConfigSection& root, const std::string& yaml_text, const std::string& where,
                 const std::vector<std::string>& overrides = {});

// The resolved configuration as YAML, with each key's documentation as a comment above it.
std::string dump_config(ConfigSection& root);

// Markdown reference: one table row per key (dotted key, type, default, meaning).
std::string config_reference_markdown(ConfigSection& root);

// Every dotted key of the section tree (lists show as key.N).
std::vector<std::string> config_keys(ConfigSection& root);

}  // namespace reason
