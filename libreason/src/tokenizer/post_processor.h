#pragma once
// tokenizer.json "post_processor" reduced to what encoding one sequence with
// add_special_tokens needs: ids before and after it. TemplateProcessing (its "single"
// template), BertProcessing, RobertaProcessing, ByteLevel (adds nothing) and Sequence.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace reason {

struct SpecialAffixes {
  std::vector<int64_t> prefix, suffix;
};

SpecialAffixes parse_post_processor(const nlohmann::json& spec, const std::string& where);

}  // namespace reason
