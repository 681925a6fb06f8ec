#pragma once
// Pieces of the code reward: the program in a completion and the tests in a dataset row.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace reason {

// Content of the last ```<language>\n ... ``` block ("" if none), like open-r1's extract_code.
std::string extract_last_code_block(std::string_view completion, const std::string& language = "python");

struct CodeTest {
  enum class Kind { StdinStdout, Assert } kind = Kind::StdinStdout;
  std::string input, output;  // StdinStdout
  std::string code;           // Assert: statements appended to the program; passes on exit 0
};

// Tests of a dataset row, from `field`:
//   {"test_cases": [{"input": ..., "output": ...}, {"type": "assert", "code": ...}], "language": ...}
//   (open-r1's verification_info), or a list of assert statements (MBPP's test_list), with an
//   optional sibling field "test_setup_code". Empty when the row has no such field.
// Throws InvalidArgument naming the field when it is malformed.
std::vector<CodeTest> code_tests_from_fields(const nlohmann::json& fields, const std::string& field);

// open-r1's check: stdout and expected output compared line by line after strip(), over the
// shorter of the two (zip); `exact_lines` also requires the same number of lines (ignoring
// trailing blank lines).
bool output_matches(const std::string& got, const std::string& expected, bool exact_lines = false);

}  // namespace reason
