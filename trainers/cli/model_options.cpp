#include "cli/model_options.h"

#include "reason/core/error.h"
#include "reason/core/jsonl.h"
#include "reason/lora/adapter.h"
#include "reason/model/loader.h"
#include "reason/model/tensor_io.h"

namespace reason::cli {

void ModelOptions::add_to(CLI::App& cmd, bool with_adapter) {
  cmd.add_option("--model", model_dir, "Hugging Face model directory (config.json + safetensors)")->required();
  if (with_adapter) cmd.add_option("--adapter", adapter_dir, "PEFT LoRA adapter directory to apply");
  cmd.add_option("--dtype", dtype, "Compute dtype: float32 or bfloat16")->capture_default_str();
  cmd.add_option("--device", device, "cpu or cuda[:N]")->capture_default_str();
  cmd.add_option("--threads", threads, "CPU threads for LibTorch (0: default)");
  cmd.add_option("--tokenizer", tokenizer_dir, "Tokenizer directory for text rows (default: --model)");
  cmd.add_option("--chat-format", chat_format, "Chat format for {\"messages\"} rows: auto or a built-in name")
      ->capture_default_str();
  cmd.add_option("--system-prompt", system_prompt, "System message for {\"messages\"} rows without one");
}

const Tokenizer& TextCodec::tokenizer() {
  if (!tokenizer_) tokenizer_ = load_tokenizer(options_.tokenizer_dir.empty() ? options_.model_dir : options_.tokenizer_dir);
  return *tokenizer_;
}

std::vector<int64_t> TextCodec::encode_text(const std::string& text) {
  EncodeOptions o;
  o.add_special_tokens = true;
  return tokenizer().encode(text, o);
}

std::vector<int64_t> TextCodec::encode_messages(const nlohmann::json& messages) {
  if (!chat_) {
    const Tokenizer& tok = tokenizer();
    try {
      chat_ = options_.chat_format == "auto" ? ChatFormat::for_tokenizer(tok) : ChatFormat::builtin(options_.chat_format);
    } catch (const Error& e) {
      throw InvalidArgument(std::string("--chat-format: ") + e.what());
    }
  }
  if (!messages.is_array()) throw InvalidArgument("'messages' must be a list of {role, content}");
  std::vector<ChatMessage> m;
  for (const auto& x : messages) {
    if (!x.is_object() || !x.contains("role") || !x.contains("content") || !x["role"].is_string() ||
        !x["content"].is_string())
      throw InvalidArgument("each message needs string 'role' and 'content'");
    m.push_back({x["role"].get<std::string>(), x["content"].get<std::string>()});
  }
  ChatOptions co;
  if (!options_.system_prompt.empty()) co.system_prompt = options_.system_prompt;
  return tokenizer().encode(chat_->render(m, /*add_generation_prompt=*/true, co));
}

std::string TextCodec::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) {
  return tokenizer().decode(ids, skip_special_tokens);
}

std::vector<int64_t> row_ids(const nlohmann::json& row, TextCodec& codec, int64_t vocab) {
  std::vector<int64_t> ids;
  if (row.contains("ids")) {
    ids = json_int_list(row, "ids");
  } else if (row.contains("messages")) {
    ids = codec.encode_messages(row["messages"]);
  } else {
    const char* field = row.contains("text") ? "text" : row.contains("prompt") ? "prompt" : nullptr;
    if (!field) throw InvalidArgument("expected a field 'ids', 'text', 'prompt' or 'messages'");
    if (!row[field].is_string()) throw InvalidArgument(std::string("field '") + field + "' must be a string");
    ids = codec.encode_text(row[field].get<std::string>());
  }
  if (ids.empty()) throw InvalidArgument("the row has no tokens");
  for (int64_t id : ids)
    if (id < 0 || id >= vocab)
      throw InvalidArgument("token id " + std::to_string(id) + " outside the vocabulary [0, " + std::to_string(vocab) + ")");
  return ids;
}

CausalLM ModelOptions::load() const {
  if (threads > 0) at::set_num_threads(threads);
  LoadOptions options;
  options.dtype = parse_dtype(dtype);
  try {
    options.device = at::Device(device);
  } catch (const c10::Error&) {
    throw InvalidArgument("--device: unknown device '" + device + "' (expected cpu or cuda[:N])");
  }
  if (options.device.is_cuda() && !at::hasCUDA()) throw InvalidArgument("--device " + device + ": this build has no CUDA");
  CausalLM model = load_model(model_dir, options);
  if (!adapter_dir.empty()) load_adapter(*model, adapter_dir);
  model->eval();
  return model;
}

}  // namespace reason::cli
