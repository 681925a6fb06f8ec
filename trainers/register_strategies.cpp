// The built-in strategies, registered by name in one place.
#include <mutex>

#include "deepscaler/deepscaler_strategy.h"
#include "grpo/grpo_strategy.h"
#include "sft/sft_strategy.h"
#include "srpo/srpo_strategy.h"

namespace reason {

void register_builtin_strategies() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& r = StrategyRegistry::global();
    r.add("grpo", [](const TrainConfig& c) { return std::make_unique<GrpoStrategy>(c); });
    r.add("sft", [](const TrainConfig& c) { return std::make_unique<SftStrategy>(c); });
    r.add("srpo", [](const TrainConfig& c) { return std::make_unique<SrpoStrategy>(c); });
    r.add("deepscaler", [](const TrainConfig& c) { return std::make_unique<DeepscalerStrategy>(c); });
  });
}

}  // namespace reason
