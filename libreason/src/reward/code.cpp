#include "reason/reward/code.h"

#include "math/normalize.h"
#include "reason/core/error.h"

namespace reason {

std::string extract_last_code_block(std::string_view text, const std::string& language) {
  const std::string open = "```" + language + "\n";
  std::string last;
  size_t pos = 0;
  for (;;) {
    size_t s = text.find(open, pos);
    if (s == std::string_view::npos) break;
    size_t body = s + open.size();
    size_t e = text.find("```", body);
    if (e == std::string_view::npos) break;
    last = std::string(text.substr(body, e - body));
    pos = e + 3;
  }
  return last;
}

namespace {

std::string string_field(const nlohmann::json& obj, const char* key, const std::string& where, bool required) {
  if (!obj.contains(key) || obj[key].is_null()) {
    if (required) throw InvalidArgument(where + ": missing '" + key + "'");
    return "";
  }
  if (!obj[key].is_string()) throw InvalidArgument(where + ": '" + key + "' must be a string");
  return obj[key].get<std::string>();
}

}  // namespace

std::vector<CodeTest> code_tests_from_fields(const nlohmann::json& fields, const std::string& field) {
  std::vector<CodeTest> out;
  if (!fields.is_object() || !fields.contains(field) || fields[field].is_null()) return out;
  nlohmann::json v = fields[field];
  if (v.is_string()) {  // some datasets keep verification_info as a JSON string
    try {
      v = nlohmann::json::parse(v.get<std::string>());
    } catch (const nlohmann::json::exception&) {
      throw InvalidArgument("dataset field '" + field + "' is a string that is not JSON");
    }
  }
  if (v.is_array()) {  // MBPP-style list of assert statements
    std::string setup;
    if (fields.contains("test_setup_code") && fields["test_setup_code"].is_string())
      setup = fields["test_setup_code"].get<std::string>();
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) throw InvalidArgument("dataset field '" + field + "[" + std::to_string(i) + "]' must be a string");
      CodeTest t;
      t.kind = CodeTest::Kind::Assert;
      t.code = setup.empty() ? v[i].get<std::string>() : setup + "\n" + v[i].get<std::string>();
      out.push_back(std::move(t));
    }
    return out;
  }
  if (!v.is_object() || !v.contains("test_cases") || !v["test_cases"].is_array())
    throw InvalidArgument("dataset field '" + field + "' must hold {\"test_cases\": [...]} or a list of asserts");
  const auto& cases = v["test_cases"];
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string where = field + ".test_cases[" + std::to_string(i) + "]";
    const auto& c = cases[i];
    if (!c.is_object()) throw InvalidArgument(where + " must be an object");
    std::string type = c.contains("type") && c["type"].is_string() ? c["type"].get<std::string>() : "stdin_stdout";
    CodeTest t;
    if (type == "stdin_stdout") {
      t.input = string_field(c, "input", where, false);
      t.output = string_field(c, "output", where, true);
    } else if (type == "assert") {
      t.kind = CodeTest::Kind::Assert;
      t.code = c.contains("code") ? string_field(c, "code", where, true) : string_field(c, "test", where, true);
    } else {
      throw InvalidArgument(where + ": unsupported test type '" + type + "' (stdin_stdout or assert)");
    }
    out.push_back(std::move(t));
  }
  return out;
}

namespace {
std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t e = s.find('\n', pos);
    out.push_back(s.substr(pos, e == std::string::npos ? std::string::npos : e - pos));
    if (e == std::string::npos) break;
    pos = e + 1;
  }
  return out;
}
}  // namespace

bool output_matches(const std::string& got, const std::string& expected, bool exact_lines) {
  using math::detail::py_strip;
  auto a = split_lines(py_strip(got));
  auto b = split_lines(exact_lines ? py_strip(expected) : expected);
  if (exact_lines) {
    while (!a.empty() && py_strip(a.back()).empty()) a.pop_back();
    while (!b.empty() && py_strip(b.back()).empty()) b.pop_back();
    if (a.size() != b.size()) return false;
  }
  size_t n = std::min(a.size(), b.size());  // open-r1 zips the two line lists
  for (size_t i = 0; i < n; ++i)
    if (py_strip(a[i]) != py_strip(b[i])) return false;
  return true;
}

}  // namespace reason
