#pragma once
// JSON Lines: one JSON value per line. Errors name the file and the 1-based line.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace reason {

// Calls `row(value, line_number)` for every non-blank line; a line that is not a JSON object
// throws IoError("<path>:<line>: ..."). Exceptions thrown by `row` that derive from
// reason::Error are re-thrown with the file and line prefixed.
void for_each_jsonl(const std::string& path, const std::function<void(const nlohmann::json&, int64_t)>& row);

std::vector<nlohmann::json> read_jsonl(const std::string& path);

// Writes rows atomically, one compact JSON value per line.
void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows);

// Reads an integer list field (e.g. "ids") with a clear error naming the field.
std::vector<int64_t> json_int_list(const nlohmann::json& row, const std::string& field);

}  // namespace reason
