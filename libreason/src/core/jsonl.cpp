#include "reason/core/jsonl.h"

#include <fstream>

#include "reason/core/error.h"
#include "reason/core/files.h"

namespace reason {

void for_each_jsonl(const std::string& path, const std::function<void(const nlohmann::json&, int64_t)>& row) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read " + path);
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw IoError(path + ":" + std::to_string(number) + ": not valid JSON: " + e.what());
    }
    if (!value.is_object()) throw IoError(path + ":" + std::to_string(number) + ": expected a JSON object");
    try {
      row(value, number);
    } catch (const IoError& e) {
      throw IoError(path + ":" + std::to_string(number) + ": " + e.what());
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(path + ":" + std::to_string(number) + ": " + e.what());
    } catch (const ConfigError& e) {
      throw e.with_context(path + ":" + std::to_string(number));
    } catch (const LoadError& e) {
      throw LoadError(path + ":" + std::to_string(number) + ": " + e.what());
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  if (in.bad()) throw IoError("read error in " + path);
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::json> rows;
  for_each_jsonl(path, [&](const nlohmann::json& v, int64_t) { rows.push_back(v); });
  return rows;
}

void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
  }
  write_file_atomic(path, out);
}

std::vector<int64_t> json_int_list(const nlohmann::json& row, const std::string& field) {
  if (!row.contains(field)) throw InvalidArgument("missing field '" + field + "'");
  const auto& v = row[field];
  if (!v.is_array()) throw InvalidArgument("field '" + field + "' must be a list of integers");
  std::vector<int64_t> out;
  out.reserve(v.size());
  for (const auto& x : v) {
    if (!x.is_number_integer()) throw InvalidArgument("field '" + field + "' must be a list of integers, found " + x.dump());
    out.push_back(x.get<int64_t>());
  }
  return out;
}

}  // namespace reason
