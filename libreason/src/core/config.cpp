#include "reason/core/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <sstream>

#include "reason/core/error.h"

namespace reason {
namespace {

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

std::string scalar_text(const YAML::Node& n) { return n.IsScalar() ? n.Scalar() : YAML::Dump(n); }

bool quoted(const YAML::Node& n) { return n.Tag() == "!"; }

int64_t parse_int(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar() || quoted(n)) throw ConfigError(key, "expected an integer, got " + scalar_text(n));
  const std::string& s = n.Scalar();
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE) throw ConfigError(key, "expected an integer, got '" + s + "'");
  return v;
}

double parse_double(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar() || quoted(n)) throw ConfigError(key, "expected a number, got " + scalar_text(n));
  const std::string& s = n.Scalar();
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno == ERANGE) throw ConfigError(key, "expected a number, got '" + s + "'");
  return v;
}

bool parse_bool(const YAML::Node& n, const std::string& key) {
  if (n.IsScalar() && !quoted(n)) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  throw ConfigError(key, "expected true or false, got '" + scalar_text(n) + "'");
}

std::string parse_string(const YAML::Node& n, const std::string& key) {
  if (n.IsNull()) return "";
  if (!n.IsScalar()) throw ConfigError(key, "expected a string, got " + scalar_text(n));
  return n.Scalar();
}

nlohmann::json to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : n) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : n) out[kv.first.Scalar()] = to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (quoted(n)) return s;
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      if (s == "null" || s == "~") return nullptr;
      char* end = nullptr;
      errno = 0;
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && *end == '\0' && errno == 0) return static_cast<int64_t>(i);
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && *end == '\0') return d;
      return s;
    }
  }
  return nullptr;
}

// ------------------------------------------------------------------ loading

class Loader : public ConfigVisitor {
 public:
  Loader(const YAML::Node& node, std::string path) : node_(node), path_(std::move(path)) {
    if (node_ && !node_.IsNull() && !node_.IsMap())
      throw ConfigError(path_, "expected a mapping of keys, got " + scalar_text(node_));
  }

  // Unknown keys: the ones in the YAML that no visit() asked for.
  void check_unknown() const {
    if (!node_ || !node_.IsMap()) return;
    for (const auto& kv : node_) {
      const std::string key = kv.first.Scalar();
      if (seen_.count(key)) continue;
      std::string best;
      std::size_t best_d = 4;
      for (const auto& k : seen_all_) {
        std::size_t d = edit_distance(key, k);
        if (d < best_d) best_d = d, best = k;
      }
      throw ConfigError(join(path_, key), "unknown key" + (best.empty() ? std::string() : " (did you mean '" + best + "'?)"));
    }
  }

  void field(const char* key, int64_t& v, const char*) override {
    if (auto n = get(key)) v = parse_int(n, join(path_, key));
  }
  void field(const char* key, double& v, const char*) override {
    if (auto n = get(key)) v = parse_double(n, join(path_, key));
  }
  void field(const char* key, bool& v, const char*) override {
    if (auto n = get(key)) v = parse_bool(n, join(path_, key));
  }
  void field(const char* key, std::string& v, const char*) override {
    if (auto n = get(key)) v = parse_string(n, join(path_, key));
  }
  void field(const char* key, std::vector<std::string>& v, const char*) override {
    if (auto n = get(key)) v = sequence<std::string>(n, key, parse_string);
  }
  void field(const char* key, std::vector<int64_t>& v, const char*) override {
    if (auto n = get(key)) v = sequence<int64_t>(n, key, parse_int);
  }
  void field(const char* key, std::vector<double>& v, const char*) override {
    if (auto n = get(key)) v = sequence<double>(n, key, parse_double);
  }
  void field(const char* key, nlohmann::json& v, const char*) override {
    if (auto n = get(key)) v = to_json(n);
  }
  void choice(const char* key, std::string& v, const std::vector<std::string>& allowed, const char*) override {
    if (auto n = get(key)) {
      std::string s = parse_string(n, join(path_, key));
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        throw ConfigError(join(path_, key), "'" + s + "' is not one of: " + list);
      }
      v = s;
    }
  }
  void section(const char* key, ConfigSection& s, const char*) override {
    YAML::Node n = get(key);
    Loader inner(n ? n : YAML::Node(), join(path_, key));
    s.visit(inner);
    inner.check_unknown();
  }
  void list(const char* key, ConfigSectionList& l, const char*) override {
    YAML::Node n = get(key);
    if (!n) return;
    if (n.IsNull()) {
      l.resize(0);
      return;
    }
    if (!n.IsSequence()) throw ConfigError(join(path_, key), "expected a list, got " + scalar_text(n));
    l.resize(n.size());
    for (std::size_t i = 0; i < n.size(); ++i) {
      Loader inner(n[i], join(path_, key) + "." + std::to_string(i));
      l.at(i).visit(inner);
      inner.check_unknown();
    }
  }

 private:
  YAML::Node get(const char* key) {
    seen_all_.insert(key);
    if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node n = node_[key];
    if (!n.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    seen_.insert(key);
    return n;
  }
  template <typename T, typename F>
  std::vector<T> sequence(const YAML::Node& n, const char* key, F parse) {
    const std::string k = join(path_, key);
    if (n.IsNull()) return {};
    if (!n.IsSequence()) throw ConfigError(k, "expected a list, got " + scalar_text(n));
    std::vector<T> out;
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(parse(n[i], k + "." + std::to_string(i)));
    return out;
  }

  YAML::Node node_;
  std::string path_;
  std::set<std::string> seen_, seen_all_;
};

class Validator : public ConfigVisitor {
 public:
  explicit Validator(std::string path) : path_(std::move(path)) {}
  void field(const char*, int64_t&, const char*) override {}
  void field(const char*, double&, const char*) override {}
  void field(const char*, bool&, const char*) override {}
  void field(const char*, std::string&, const char*) override {}
  void field(const char*, std::vector<std::string>&, const char*) override {}
  void field(const char*, std::vector<int64_t>&, const char*) override {}
  void field(const char*, std::vector<double>&, const char*) override {}
  void field(const char*, nlohmann::json&, const char*) override {}
  void choice(const char*, std::string&, const std::vector<std::string>&, const char*) override {}
  void section(const char* key, ConfigSection& s, const char*) override { run(s, join(path_, key)); }
  void list(const char* key, ConfigSectionList& l, const char*) override {
    for (std::size_t i = 0; i < l.size(); ++i) run(l.at(i), join(path_, key) + "." + std::to_string(i));
  }
  static void run(ConfigSection& s, const std::string& path) {
    Validator v(path);
    s.visit(v);
    s.validate(path);
  }

 private:
  std::string path_;
};

void apply_override(YAML::Node& root, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("", "--set expects key=value (dotted key), got '" + assignment + "'");
  const std::string key = assignment.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(key, "--set value is not valid YAML: " + std::string(e.what()));
  }
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  // Walk with fresh handles: assigning to a yaml-cpp Node rebinds it, so descend by copies.
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node parent = chain.back();
    const std::string& p = parts[i];
    const bool index = !p.empty() && std::all_of(p.begin(), p.end(), ::isdigit);
    if (index) {
      if (!parent.IsSequence() || std::stoul(p) >= parent.size())
        throw ConfigError(key, "--set: '" + p + "' is not an existing list index");
      chain.push_back(parent[std::stoul(p)]);
    } else {
      if (parent.IsNull() || !parent.IsDefined()) parent = YAML::Node(YAML::NodeType::Map);
      if (!parent.IsMap()) throw ConfigError(key, "--set: '" + p + "' is not a mapping");
      if (!parent[p] || parent[p].IsNull()) parent[p] = YAML::Node(YAML::NodeType::Map);
      chain.push_back(parent[p]);
    }
  }
  YAML::Node leaf_parent = chain.back();
  const std::string& last = parts.back();
  if (!last.empty() && std::all_of(last.begin(), last.end(), ::isdigit) && leaf_parent.IsSequence()) {
    if (std::stoul(last) >= leaf_parent.size()) throw ConfigError(key, "--set: list index out of range");
    leaf_parent[std::stoul(last)] = value;
  } else {
    leaf_parent[last] = value;
  }
}

// ------------------------------------------------------------------ dumping

std::string yaml_scalar(const std::string& s) {
  YAML::Emitter e;
  e << s;
  return e.c_str();
}

template <typename T>
std::string number_text(T v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  std::string s = o.str();
  if (std::is_floating_point<T>::value && s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string json_flow(const nlohmann::json& j) {
  if (j.is_null()) return "null";
  if (j.is_string()) return yaml_scalar(j.get<std::string>());
  if (j.is_object() || j.is_array()) return j.dump();  // JSON is valid flow-style YAML
  return j.dump();
}

class Dumper : public ConfigVisitor {
 public:
  explicit Dumper(int indent, bool first_dash = false) : indent_(indent), dash_(first_dash) {}
  std::string out;

  void field(const char* key, int64_t& v, const char* doc) override { line(key, std::to_string(v), doc); }
  void field(const char* key, double& v, const char* doc) override { line(key, number_text(v), doc); }
  void field(const char* key, bool& v, const char* doc) override { line(key, v ? "true" : "false", doc); }
  void field(const char* key, std::string& v, const char* doc) override { line(key, yaml_scalar(v), doc); }
  void field(const char* key, std::vector<std::string>& v, const char* doc) override {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + yaml_scalar(v[i]);
    line(key, s + "]", doc);
  }
  void field(const char* key, std::vector<int64_t>& v, const char* doc) override { line(key, list_text(v), doc); }
  void field(const char* key, std::vector<double>& v, const char* doc) override { line(key, list_text(v), doc); }
  void field(const char* key, nlohmann::json& v, const char* doc) override { line(key, json_flow(v), doc); }
  void choice(const char* key, std::string& v, const std::vector<std::string>&, const char* doc) override {
    line(key, yaml_scalar(v), doc);
  }
  void section(const char* key, ConfigSection& s, const char* doc) override {
    comment(doc);
    out += prefix() + key + ":\n";
    Dumper inner(indent_ + 2);
    s.visit(inner);
    out += inner.out;
  }
  void list(const char* key, ConfigSectionList& l, const char* doc) override {
    comment(doc);
    if (l.size() == 0) {
      out += prefix() + key + ": []\n";
      return;
    }
    out += prefix() + key + ":\n";
    for (std::size_t i = 0; i < l.size(); ++i) {
      Dumper inner(indent_ + 4, true);
      l.at(i).visit(inner);
      out += inner.out;
    }
  }

 private:
  template <typename T>
  static std::string list_text(const std::vector<T>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + number_text(v[i]);
    return s + "]";
  }
  std::string prefix() {
    if (dash_) {
      dash_ = false;
      return std::string(indent_ - 2, ' ') + "- ";
    }
    return std::string(indent_, ' ');
  }
  void comment(const char* doc) {
    if (doc && *doc && !dash_) out += std::string(indent_, ' ') + "# " + doc + "\n";
  }
  void line(const char* key, const std::string& value, const char* doc) {
    comment(doc);
    out += prefix() + key + ": " + value + "\n";
  }
  int indent_;
  bool dash_;
};

// ------------------------------------------------------------------ reference documentation

class DocWriter : public ConfigVisitor {
 public:
  explicit DocWriter(std::string path, std::vector<std::string>* rows) : path_(std::move(path)), rows_(rows) {}
  void field(const char* key, int64_t& v, const char* doc) override { row(key, "integer", std::to_string(v), doc); }
  void field(const char* key, double& v, const char* doc) override { row(key, "number", number_text(v), doc); }
  void field(const char* key, bool& v, const char* doc) override { row(key, "bool", v ? "true" : "false", doc); }
  void field(const char* key, std::string& v, const char* doc) override { row(key, "string", yaml_scalar(v), doc); }
  void field(const char* key, std::vector<std::string>& v, const char* doc) override {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    row(key, "list of strings", s + "]", doc);
  }
  void field(const char* key, std::vector<int64_t>& v, const char* doc) override {
    row(key, "list of integers", nlohmann::json(v).dump(), doc);
  }
  void field(const char* key, std::vector<double>& v, const char* doc) override {
    row(key, "list of numbers", nlohmann::json(v).dump(), doc);
  }
  void field(const char* key, nlohmann::json& v, const char* doc) override { row(key, "mapping", json_flow(v), doc); }
  void choice(const char* key, std::string& v, const std::vector<std::string>& allowed, const char* doc) override {
    std::string a;
    for (const auto& x : allowed) a += (a.empty() ? "" : " | ") + x;
    row(key, a, v, doc);
  }
  void section(const char* key, ConfigSection& s, const char*) override {
    DocWriter inner(join(path_, key), rows_);
    s.visit(inner);
  }
  void list(const char* key, ConfigSectionList& l, const char* doc) override {
    row(key, "list", l.size() == 0 ? "[]" : std::to_string(l.size()) + " entries", doc);
    // Document the element fields once, from a default element.
    std::size_t n = l.size();
    l.resize(n + 1);
    DocWriter inner(join(path_, key) + ".N", rows_);
    l.at(n).visit(inner);
    l.resize(n);
  }

 private:
  static std::string escape(std::string s) {  // a '|' would end the Markdown table cell
    for (std::size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.insert(p, "\\");
    return s;
  }
  void row(const char* key, const std::string& type, const std::string& def, const char* doc) {
    rows_->push_back("| `" + join(path_, key) + "` | " + escape(type) + " | `" + escape(def) + "` | " + escape(doc ? doc : "") + " |");
  }
  std::string path_;
  std::vector<std::string>* rows_;
};

}  // namespace

void load_config(ConfigSection& root, const std::string& yaml_text, const std::string& where,
                 const std::vector<std::string>& overrides) {
  YAML::Node doc;
  try {
    doc = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError("", where + ": invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!doc.IsDefined() || doc.IsNull()) doc = YAML::Node(YAML::NodeType::Map);
  if (!doc.IsMap()) throw ConfigError("", where + ": the top level must be a mapping of sections");
  for (const auto& o : overrides) apply_override(doc, o);
  try {
    Loader loader(doc, "");
    root.visit(loader);
    loader.check_unknown();
    Validator::run(root, "");
  } catch (const ConfigError& e) {
    throw e.with_context(where);
  }
}

std::string dump_config(ConfigSection& root) {
  Dumper d(0);
  root.visit(d);
  return d.out;
}

std::string config_reference_markdown(ConfigSection& root) {
  std::vector<std::string> rows;
  DocWriter w("", &rows);
  root.visit(w);
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& r : rows) out += r + "\n";
  return out;
}

std::vector<std::string> config_keys(ConfigSection& root) {
  std::vector<std::string> rows;
  DocWriter w("", &rows);
  root.visit(w);
  std::vector<std::string> keys;
  for (const auto& r : rows) {
    auto a = r.find('`'), b = r.find('`', a + 1);
    keys.push_back(r.substr(a + 1, b - a - 1));
  }
  return keys;
}

}  // namespace reason
