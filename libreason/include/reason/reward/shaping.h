#pragma once
// The shaping rewards as plain functions, faithful to open-r1 (src/open_r1/rewards.py) and to
// Open-RS/Tina where those differ; corrected variants are parameters. The Reward classes in
// the registry wrap these (docs/rewards.md gives the formulas).
#include <cstdint>
#include <string_view>
#include <vector>

namespace reason {

// Number of Unicode code points (Python's len() of the decoded text).
size_t utf8_char_count(std::string_view text);

// open-r1: 1 if the whole text matches ^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$
// (DOTALL|MULTILINE, so text after a line that ends in </answer> is tolerated), else 0.
double format_reward_open_r1(std::string_view completion);
// Open-RS/Tina: 1 if "\n</think>\n" occurs exactly once (the prompt supplies <think>).
double format_reward_think_once(std::string_view completion);

// open-r1: 0.25 for each of "<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>" occurring
// exactly once.
double tag_count_reward_open_r1(std::string_view completion);
// Open-RS/Tina: 0.5 each for "<think>\n" and "\n</think>\n" occurring exactly once.
double tag_count_reward_think_only(std::string_view completion);

// min(1, count/steps) of matches of (Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,).
double reasoning_steps_reward(std::string_view completion, double steps = 3.0);

// Cosine-scaled length reward ("Demystifying Long CoT"): progress = gen_len / max_len,
// c = cos(pi * progress); correct: lo = min_value_correct, hi = max_value_correct; wrong:
// lo = max_value_wrong, hi = min_value_wrong (open-r1 swaps them); r = lo + (hi - lo)(1 + c)/2.
// Defaults are open-r1's config defaults (min_value_wrong 0.0). open-r1 measures gen_len in
// characters and does not clamp progress (so it turns back up past max_len); `clamp` caps it at 1.
struct CosineParams {
  double min_value_wrong = 0.0;
  double max_value_wrong = -0.5;
  double min_value_correct = 0.5;
  double max_value_correct = 1.0;
  double max_len = 1000;
  bool clamp = false;
};
double cosine_scaled_reward(double gen_len, bool correct, const CosineParams& params = {});

// N-gram repetition penalty: words = lowercased whitespace split; (1 - unique/total) * max_penalty;
// 0 for empty text or fewer than n words.
double repetition_penalty_reward(std::string_view completion, int ngram_size = 3, double max_penalty = -1.0);

// DAPO soft overlong punishment (Eq. 13), lengths in tokens.
double soft_overlong_punishment(int64_t length, int64_t max_completion_len = 16384, int64_t soft_punish_cache = 4096);

// Kimi 1.5 length reward over one batch: lambda = 0.5 - (len - min)/(max - min); correct ->
// lambda, wrong -> min(0, lambda); all equal lengths -> zeros.
std::vector<double> kimi_length_reward(const std::vector<double>& lengths, const std::vector<bool>& correct);

}  // namespace reason
