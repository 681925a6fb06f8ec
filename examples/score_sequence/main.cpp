// Loads a Hugging Face model (and optionally a PEFT adapter) with libreason and prints the
// log-probability of each token of a sequence given as token ids on the command line.
//   score_sequence MODEL_DIR [ADAPTER_DIR] -- ID ID ID ...
#include <reason/algo/logprobs.h>
#include <reason/core/error.h>
#include <reason/lora/adapter.h>
#include <reason/model/loader.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto sep = std::find(args.begin(), args.end(), "--");
  if (args.empty() || sep == args.end() || sep + 2 > args.end()) {
    std::cerr << "usage: score_sequence MODEL_DIR [ADAPTER_DIR] -- ID ID [ID ...]\n";
    return 2;
  }
  try {
    reason::CausalLM model = reason::load_model(args[0]);
    if (sep - args.begin() == 2) reason::load_adapter(*model, args[1]);
    std::vector<int64_t> ids;
    for (auto it = sep + 1; it != args.end(); ++it) ids.push_back(std::stoll(*it));
    at::NoGradGuard no_grad;
    at::Tensor input = at::tensor(ids).view({1, -1});
    at::Tensor hidden = model->hidden_states(input).squeeze(0);  // (T, H)
    const int64_t T = hidden.size(0);
    at::Tensor lp = reason::token_logprobs(hidden.narrow(0, 0, T - 1), model->lm_head_weight(),
                                           input[0].narrow(0, 1, T - 1));
    double total = 0;
    for (int64_t t = 0; t + 1 < T; ++t) {
      std::cout << "log p(" << ids[t + 1] << " | ...) = " << lp[t].item<double>() << "\n";
      total += lp[t].item<double>();
    }
    std::cout << "total " << total << "\n";
  } catch (const reason::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
