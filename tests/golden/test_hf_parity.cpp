// Parity with Hugging Face transformers 5.17 / PEFT 0.21 on the five tiny fixtures
// (tests/data/hf, float32). Compared only at real (unpadded) positions. Tolerances:
// logits and log-probs max |diff| <= 1e-4; LoRA loss and gradients relative error <= 1e-4.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "reason/algo/logprobs.h"
#include "reason/core/files.h"
#include "reason/core/jsonl.h"
#include "reason/io/safetensors.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"
#include "reason/rollout/rollout_engine.h"
#include "support/torch_support.h"

namespace reason {
namespace {

using test::hf_dir;
using test::hf_reference;
using test::max_abs_diff;

class HfParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ref = hf_reference(GetParam());
    model = load_model(hf_dir(GetParam()));
  }
  // Logits at the real positions only: (R, V).
  static at::Tensor real_rows(const at::Tensor& logits, const at::Tensor& mask) {
    return logits.index({mask.to(at::kBool)});
  }
  // Target-token log-probs (B, T-1) via the chunked LM-head path.
  at::Tensor logprobs_of(const at::Tensor& hidden) {
    const int64_t B = hidden.size(0), T = hidden.size(1), H = hidden.size(2);
    at::Tensor h = hidden.narrow(1, 0, T - 1).reshape({B * (T - 1), H});
    at::Tensor targets = ref["input_ids"].narrow(1, 1, T - 1).reshape({B * (T - 1)});
    LogprobOptions opt;
    opt.chunk_tokens = 7;  // several chunks, one of them partial
    return token_logprobs(h, model->lm_head_weight(), targets, opt).view({B, T - 1});
  }
  std::map<std::string, at::Tensor> ref;
  CausalLM model{nullptr};
};

TEST_P(HfParity, LogitsAndTokenLogprobs) {
  at::NoGradGuard no_grad;
  const at::Tensor& mask = ref["attention_mask"];
  at::Tensor hidden = model->hidden_states(ref["input_ids"], mask, ref["position_ids"]);
  at::Tensor logits = model->logits(hidden);
  const double logits_err = max_abs_diff(real_rows(logits, mask), real_rows(ref["logits"], mask));
  at::Tensor lp = logprobs_of(hidden);
  at::Tensor lm = ref["loss_mask"].to(at::kBool);
  const double lp_err = max_abs_diff(lp.index({lm}), ref["token_logprobs"].index({lm}));
  std::cout << "[parity] " << GetParam() << " logits max|diff| " << logits_err << "  token_logprobs max|diff| "
            << lp_err << "\n";
  EXPECT_LE(logits_err, 1e-4);
  EXPECT_LE(lp_err, 1e-4);

  // Positions derived from the mask give the same result as the reference position_ids.
  at::Tensor derived = model->forward(ref["input_ids"], mask);
  EXPECT_LE(max_abs_diff(real_rows(derived, mask), real_rows(logits, mask)), 1e-6);
}

TEST_P(HfParity, GreedyGenerationWithKvCache) {
  const at::Tensor& ids = ref["input_ids"];
  const at::Tensor& mask = ref["attention_mask"];
  const at::Tensor& generated = ref["generated"];
  const int64_t B = ids.size(0), T = ids.size(1), N = generated.size(1) - T;
  std::vector<std::vector<int64_t>> prompts(B);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      if (mask[b][t].item<int64_t>() == 1) prompts[b].push_back(ids[b][t].item<int64_t>());
  SamplingParams opt;
  opt.greedy = true;
  opt.max_new_tokens = N;  // the reference does not stop at EOS
  // A batch of two slots: the third prompt waits and joins when a slot frees (continuous
  // batching), and the sync interval does not divide N.
  RolloutEngineOptions engine_options;
  engine_options.max_batch = 2;
  engine_options.sync_interval = 5;
  RolloutEngine engine(*model, engine_options);
  std::vector<Completion> out = engine.generate(prompts, 1, opt);
  ASSERT_EQ(out.size(), static_cast<std::size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    std::vector<int64_t> expected(generated[b].data_ptr<int64_t>() + T, generated[b].data_ptr<int64_t>() + T + N);
    EXPECT_EQ(out[b].ids, expected) << "row " << b << " (" << (T - prompts[b].size()) << " left pads)";
    EXPECT_EQ(out[b].finish_reason, "length");
    EXPECT_EQ(out[b].logprobs.size(), static_cast<std::size_t>(N));
  }
}

TEST_P(HfParity, LoraLogitsLossAndGradients) {
  LoraConfig cfg = load_adapter(*model, hf_dir(GetParam()) + "/lora");
  EXPECT_EQ(cfg.r, 8);
  EXPECT_EQ(cfg.alpha, 16.0);
  const at::Tensor& mask = ref["attention_mask"];
  at::Tensor hidden = model->hidden_states(ref["input_ids"], mask, ref["position_ids"]);
  {
    at::NoGradGuard no_grad;
    const double err = max_abs_diff(real_rows(model->logits(hidden.detach()), mask), real_rows(ref["lora_logits"], mask));
    std::cout << "[parity] " << GetParam() << " lora_logits max|diff| " << err << "\n";
    EXPECT_LE(err, 1e-4);
  }
  at::Tensor lp = logprobs_of(hidden);
  at::Tensor lm = ref["loss_mask"];
  at::Tensor loss = -(lp * lm).sum() / lm.sum();
  const double loss_rel = std::abs(loss.item<double>() - ref["lora_loss"].item<double>()) /
                          std::abs(ref["lora_loss"].item<double>());
  EXPECT_LE(loss_rel, 1e-4);
  loss.backward();
  double worst = 0;
  int64_t checked = 0;
  for (auto& [key, param] : adapter_tensors(*model)) {
    // PEFT's in-memory parameter name carries the adapter name "default".
    std::string name = key;
    name.replace(name.rfind(".weight"), 7, ".default.weight");
    auto it = ref.find("grad." + name);
    ASSERT_NE(it, ref.end()) << "no reference gradient for " << key;
    ASSERT_TRUE(param.grad().defined()) << key;
    const double err = test::norm_rel_diff(param.grad(), it->second);
    worst = std::max(worst, err);
    EXPECT_LE(err, 1e-4) << key;
    ++checked;
  }
  EXPECT_EQ(checked, 2 * 7 * model->config().num_hidden_layers);
  std::cout << "[parity] " << GetParam() << " lora_loss rel " << loss_rel << "  grads worst rel(norm) " << worst
            << " over " << checked << " tensors\n";
}

TEST_P(HfParity, AdapterSaveLoadIsBitExactAndPeftShaped) {
  load_adapter(*model, hf_dir(GetParam()) + "/lora");
  test::TempDir tmp;
  const std::string out = tmp.file("adapter");
  LoraConfig cfg = read_adapter_config(hf_dir(GetParam()) + "/lora");
  save_adapter(*model, cfg, out);

  // Same keys as the PEFT-written file.
  auto theirs = SafetensorsFile::open(hf_dir(GetParam()) + "/lora/adapter_model.safetensors");
  auto ours = SafetensorsFile::open(out + "/adapter_model.safetensors");
  std::vector<std::string> a, b;
  for (const auto& t : theirs->tensors()) a.push_back(t.name);
  for (const auto& t : ours->tensors()) b.push_back(t.name);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  EXPECT_EQ(ours->metadata().at("format"), "pt");

  // Config fields as PEFT writes them.
  auto doc = nlohmann::json::parse(read_file(out + "/adapter_config.json"));
  EXPECT_EQ(doc["peft_type"], "LORA");
  EXPECT_EQ(doc["r"], 8);
  EXPECT_EQ(doc["lora_alpha"], 16.0);
  EXPECT_EQ(doc["bias"], "none");
  EXPECT_EQ(doc["use_rslora"], false);
  EXPECT_EQ(doc["target_modules"].size(), 7u);

  // Reload into a fresh model: every tensor bit-identical.
  CausalLM fresh = load_model(hf_dir(GetParam()));
  load_adapter(*fresh, out);
  auto before = adapter_tensors(*model);
  auto after = adapter_tensors(*fresh);
  ASSERT_EQ(before.size(), after.size());
  for (auto& [k, t] : before) EXPECT_TRUE(at::equal(t, after.at(k))) << k;
}

TEST_P(HfParity, MergedExportReproducesLoraLogits) {
  load_adapter(*model, hf_dir(GetParam()) + "/lora");
  merge_adapters(*model);
  EXPECT_TRUE(lora_parameters(*model).empty());
  test::TempDir tmp;
  save_model(*model, tmp.file("merged"), hf_dir(GetParam()));
  CausalLM merged = load_model(tmp.file("merged"));
  at::NoGradGuard no_grad;
  const at::Tensor& mask = ref["attention_mask"];
  at::Tensor logits = merged->forward(ref["input_ids"], mask, ref["position_ids"]);
  const double err = max_abs_diff(real_rows(logits, mask), real_rows(ref["lora_logits"], mask));
  std::cout << "[parity] " << GetParam() << " merged-export lora_logits max|diff| " << err << "\n";
  EXPECT_LE(err, 1e-4);
  EXPECT_EQ(merged->config().tie_word_embeddings, model->config().tie_word_embeddings);
  EXPECT_EQ(merged->config().rope.type, model->config().rope.type);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, HfParity, ::testing::Values("qwen2", "qwen2_tied", "qwen3", "llama", "llama31"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reason
