#pragma once
// Factories of the built-in rewards (registered by register_builtin_rewards).
#include <memory>
#include <nlohmann/json.hpp>

#include "reason/reward/reward.h"

namespace reason::reward_detail {

std::unique_ptr<Reward> make_accuracy(const nlohmann::json& options);
std::unique_ptr<Reward> make_cosine(const nlohmann::json& options);
std::unique_ptr<Reward> make_length(const nlohmann::json& options);
std::unique_ptr<Reward> make_deepscaler(const nlohmann::json& options);
std::unique_ptr<Reward> make_format(const nlohmann::json& options);
std::unique_ptr<Reward> make_tag_count(const nlohmann::json& options);
std::unique_ptr<Reward> make_reasoning_steps(const nlohmann::json& options);
std::unique_ptr<Reward> make_repetition_penalty(const nlohmann::json& options);
std::unique_ptr<Reward> make_soft_overlong(const nlohmann::json& options);
std::unique_ptr<Reward> make_code_format(const nlohmann::json& options);
std::unique_ptr<Reward> make_code(const nlohmann::json& options, bool binary);

}  // namespace reason::reward_detail
