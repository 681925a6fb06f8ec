// Parity with the Hugging Face references on CUDA (float32 and bfloat16), run on the CUDA host
// (`ctest -L gpu`). Without CUDA every test skips with the reason.
#include <gtest/gtest.h>

#include <iostream>

#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/rollout/rollout_engine.h"
#include "support/torch_support.h"

namespace reason {
namespace {

class CudaParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device in this build or machine";
    ref = test::hf_reference(GetParam());
  }
  // max |diff| of logits at real positions for a model in `dtype` on CUDA (with the adapter when asked).
  double logits_error(at::ScalarType dtype, bool lora) {
    CausalLM m = load_model(test::hf_dir(GetParam()), LoadOptions{dtype, at::Device(at::kCUDA)});
    if (lora) load_adapter(*m, test::hf_dir(GetParam()) + "/lora");
    at::NoGradGuard g;
    at::Tensor logits = m->forward(ref["input_ids"], ref["attention_mask"], ref["position_ids"]).to(at::kFloat).cpu();
    at::Tensor real = ref["attention_mask"].to(at::kBool);
    return test::max_abs_diff(logits.index({real}), ref[lora ? "lora_logits" : "logits"].index({real}));
  }
  std::map<std::string, at::Tensor> ref;
};

TEST_P(CudaParity, Float32) {
  const double base = logits_error(at::kFloat, false), lora = logits_error(at::kFloat, true);
  std::cout << "[cuda fp32] " << GetParam() << " logits " << base << " lora_logits " << lora << "\n";
  EXPECT_LE(base, 1e-4);  // TF32 is off for float32 matmuls in LibTorch by default
  EXPECT_LE(lora, 1e-4);
}

TEST_P(CudaParity, BFloat16) {
  // bf16 keeps 8 mantissa bits: logits of magnitude ~10 carry ~0.05 of rounding per operation.
  const double base = logits_error(at::kBFloat16, false), lora = logits_error(at::kBFloat16, true);
  std::cout << "[cuda bf16] " << GetParam() << " logits " << base << " lora_logits " << lora << "\n";
  EXPECT_LE(base, 0.25);
  EXPECT_LE(lora, 0.25);
}

TEST_P(CudaParity, GreedyGenerationFloat32) {
  CausalLM m = load_model(test::hf_dir(GetParam()), LoadOptions{at::kFloat, at::Device(at::kCUDA)});
  const at::Tensor& ids = ref["input_ids"];
  const at::Tensor& mask = ref["attention_mask"];
  const int64_t B = ids.size(0), T = ids.size(1), N = ref["generated"].size(1) - T;
  std::vector<std::vector<int64_t>> prompts(B);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      if (mask[b][t].item<int64_t>()) prompts[b].push_back(ids[b][t].item<int64_t>());
  SamplingParams sp;
  sp.greedy = true;
  sp.max_new_tokens = N;
  RolloutEngine engine(*m);
  auto out = engine.generate(prompts, 1, sp);
  for (int64_t b = 0; b < B; ++b) {
    std::vector<int64_t> want(ref["generated"][b].data_ptr<int64_t>() + T, ref["generated"][b].data_ptr<int64_t>() + T + N);
    EXPECT_EQ(out[b].ids, want) << "row " << b;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CudaParity, ::testing::Values("qwen2", "qwen2_tied", "qwen3", "llama", "llama31"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reason
