#pragma once
// Chat formatting without a Jinja engine: built-in formats for the model families we train
// (ChatML / Qwen2 / Qwen2.5 / Qwen3, DeepSeek-R1-Distill, Llama 3 and 3.1), recognised from
// tokenizer_config.json's chat_template or named explicitly, plus a simple custom template.
// A template that is neither recognised nor configured is a ConfigError, never a guess.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace reason {

class Tokenizer;

struct ChatMessage {
  std::string role;  // "system", "user", "assistant" (custom templates: anything)
  std::string content;
};

struct ChatOptions {
  // Used when the messages have no system message (and before the template's own default).
  std::optional<std::string> system_prompt;
  // Qwen3 only: false appends the empty "<think>\n\n</think>\n\n" block to the generation prompt.
  bool enable_thinking = true;
};

// A custom format: `prefix` once, then `message` per message with {role} and {content}
// replaced, then the generation prompt. When `generation_prompt` is unset it is `message` with
// role "assistant", cut just before {content}.
struct ChatTemplate {
  std::string prefix;
  std::string message;
  std::optional<std::string> generation_prompt;
  std::string default_system;  // inserted as a system message when there is none (empty: never)
};

class ChatFormat {
 public:
  // "chatml", "qwen2", "qwen2.5", "qwen3", "deepseek-r1" (generation prompt forces "<think>\n"),
  // "deepseek-r1-no-think-prefix", "llama3", "llama3.1". Unknown names are an InvalidArgument.
  static ChatFormat builtin(const std::string& name);
  static std::vector<std::string> builtin_names();
  // Recognises a Jinja chat_template as one of the built-in formats (with its default system
  // prompt when it has one); throws ConfigError("chat_template", ...) when it cannot.
  static ChatFormat recognise(const std::string& jinja_template);
  // The tokenizer's chat_template, recognised; ConfigError when it has none.
  static ChatFormat for_tokenizer(const Tokenizer& tokenizer);
  static ChatFormat custom(const ChatTemplate& chat_template);
  // A custom format from one string: the per-message template, e.g.
  // "<|im_start|>{role}\n{content}<|im_end|>\n" (generation prompt derived as above).
  static ChatFormat custom(const std::string& message_template);

  std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                     const ChatOptions& options = {}) const;

  const std::string& name() const { return name_; }

 private:
  enum class Kind { ChatML, Qwen3, DeepSeekR1, Llama3, Llama31, Custom };
  ChatFormat(Kind kind, std::string name) : kind_(kind), name_(std::move(name)) {}

  Kind kind_;
  std::string name_;
  std::string default_system_;   // ChatML family
  bool think_prefix_ = false;    // DeepSeek-R1
  std::string date_string_;      // Llama 3.1
  ChatTemplate custom_;
};

}  // namespace reason
