// Chat formats: each built-in renders what its Jinja template renders (expected strings written
// from the templates), templates are recognised by family and default system prompt, and an
// unknown template is an error rather than a guess.
#include <gtest/gtest.h>

#include "reason/core/error.h"
#include "reason/tokenizer/chat_format.h"

namespace reason {
namespace {

const std::vector<ChatMessage> kConversation = {
    {"system", "S"}, {"user", "U1"}, {"assistant", "<think>\nr1\n</think>\n\nA1"}, {"user", " U2\n"}};

#define DS_BOS "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"
#define DS_EOS "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"
#define DS_USER "<\xEF\xBD\x9CUser\xEF\xBD\x9C>"
#define DS_ASSISTANT "<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>"

TEST(ChatFormat, ChatMLAndQwenDefaults) {
  EXPECT_EQ(ChatFormat::builtin("chatml").render(kConversation, true),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU1<|im_end|>\n"
            "<|im_start|>assistant\n<think>\nr1\n</think>\n\nA1<|im_end|>\n<|im_start|>user\n U2\n<|im_end|>\n"
            "<|im_start|>assistant\n");
  const std::vector<ChatMessage> q = {{"user", "Hi"}};
  EXPECT_EQ(ChatFormat::builtin("qwen2.5").render(q, false),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nHi<|im_end|>\n");
  EXPECT_EQ(ChatFormat::builtin("qwen2").render(q, true),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
  ChatOptions o;
  o.system_prompt = "Reason step by step.";
  EXPECT_EQ(ChatFormat::builtin("qwen2.5").render(q, false, o),
            "<|im_start|>system\nReason step by step.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
  EXPECT_EQ(ChatFormat::builtin("chatml").render({}, true), "<|im_start|>assistant\n");
}

TEST(ChatFormat, Qwen3DropsOldThinkingAndKeepsTheLast) {
  const auto f = ChatFormat::builtin("qwen3");
  EXPECT_EQ(f.render(kConversation, true),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n"
            "<|im_start|>user\n U2\n<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(f.render({{"user", "Q"}, {"assistant", "<think>\nr\n</think>\n\nA"}}, false),
            "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\nr\n</think>\n\nA<|im_end|>\n");
  EXPECT_EQ(f.render({{"user", "Q"}, {"assistant", "A"}}, false),
            "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nA<|im_end|>\n");
  ChatOptions no_think;
  no_think.enable_thinking = false;
  EXPECT_EQ(f.render({{"user", "Q"}}, true, no_think),
            "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
  EXPECT_THROW(f.render({{"narrator", "x"}}, true), InvalidArgument);
}

TEST(ChatFormat, DeepSeekR1) {
  EXPECT_EQ(ChatFormat::builtin("deepseek-r1").render(kConversation, true),
            DS_BOS "S" DS_USER "U1" DS_ASSISTANT "\n\nA1" DS_EOS DS_USER " U2\n" DS_ASSISTANT "<think>\n");  // split('</think>')[-1] keeps the newlines
  EXPECT_EQ(ChatFormat::builtin("deepseek-r1-no-think-prefix").render({{"user", "Q"}}, true),
            DS_BOS DS_USER "Q" DS_ASSISTANT);
  ChatOptions o;
  o.system_prompt = "P";
  EXPECT_EQ(ChatFormat::builtin("deepseek-r1").render({{"user", "Q"}}, false, o), DS_BOS "P" DS_USER "Q");
}

TEST(ChatFormat, Llama3And31) {
  EXPECT_EQ(ChatFormat::builtin("llama3").render({{"system", "S"}, {"user", " U\n"}}, true),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(ChatFormat::builtin("llama3.1").render({{"user", "Q"}}, true),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
            "Today Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatFormat, CustomTemplate) {
  const auto f = ChatFormat::custom("[{role}] {content}\n");
  EXPECT_EQ(f.render({{"user", "a {role} b"}}, true), "[user] a {role} b\n[assistant] ");
  ChatTemplate t;
  t.prefix = "<s>";
  t.message = "{role}: {content}\n";
  t.generation_prompt = "assistant (thinking): ";
  t.default_system = "Be brief.";
  EXPECT_EQ(ChatFormat::custom(t).render({{"user", "Q"}}, true), "<s>system: Be brief.\nuser: Q\nassistant (thinking): ");
  EXPECT_THROW(ChatFormat::custom("no placeholder"), InvalidArgument);
  EXPECT_THROW(ChatFormat::builtin("vicuna"), InvalidArgument);
}

// Template sources as published (abridged where they only add tool handling).
const char* kQwen2 =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are "
    "a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
    "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const char* kQwen25 =
    "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- "
    "messages[0]['content'] }}\n    {%- else %}\n        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful "
    "assistant.' }}\n    {%- endif %}\n{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- "
    "'<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n        {{- "
    "'<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n    "
    "{%- endif %}\n{%- endif %}\n{%- for message in messages %}\n    {{- '<|im_start|>' + message.role + '\\n' + "
    "message.content + '<|im_end|>' + '\\n' }}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- "
    "'<|im_start|>assistant\\n' }}\n{%- endif %}\n";
const char* kQwen25Math =
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}{{- '<|im_start|>system\\nPlease reason step by step, and put your final answer within \\\\boxed{}."
    "<|im_end|>\\n' }}{%- endif %}{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + "
    "message.content + '<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' "
    "}}{%- endif %}";
const char* kDeepSeekR1 =
    "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{% set ns = "
    "namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') %}{%- for message in messages %}"
    "{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}"
    "{{bos_token}}{{ns.system_prompt}}{%- for message in messages %}{%- if message['role'] == 'user' %}{%- set "
    "ns.is_tool = false -%}{{'" DS_USER "' + message['content']}}{%- endif %}{%- if message['role'] == 'assistant' and "
    "message['content'] is not none %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content "
    "= content.split('</think>')[-1] %}{% endif %}{{'" DS_ASSISTANT "' + content + '" DS_EOS "'}}{%- endif %}{%- endfor "
    "-%}{% if add_generation_prompt and not ns.is_tool %}{{'" DS_ASSISTANT "<think>\\n'}}{% endif %}";
const char* kLlama3 =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% "
    "set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ "
    "'<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
const char* kLlama31 =
    "{{- bos_token }}\n{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n"
    "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n"
    "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n{%- for message "
    "in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + "
    "'<|eot_id|>' }}{%- endfor %}";

TEST(ChatFormat, RecognisesPublishedTemplates) {
  EXPECT_EQ(ChatFormat::recognise(kQwen2).name(), "qwen2");
  EXPECT_EQ(ChatFormat::recognise(kQwen25).name(), "qwen2.5");
  const auto math = ChatFormat::recognise(kQwen25Math);
  EXPECT_EQ(math.render({{"user", "1+1?"}}, true),
            "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n"
            "<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(ChatFormat::recognise(kDeepSeekR1).name(), "deepseek-r1");
  std::string old_r1 = kDeepSeekR1;
  old_r1.replace(old_r1.find("<think>\\n"), 9, "");
  EXPECT_EQ(ChatFormat::recognise(old_r1).name(), "deepseek-r1-no-think-prefix");
  EXPECT_EQ(ChatFormat::recognise(kLlama3).name(), "llama3");
  EXPECT_EQ(ChatFormat::recognise(kLlama31).name(), "llama3.1");
}

TEST(ChatFormat, UnknownTemplatesAreErrors) {
  EXPECT_THROW(ChatFormat::recognise(""), ConfigError);
  EXPECT_THROW(ChatFormat::recognise("{% for m in messages %}### {{ m.role }}: {{ m.content }}\n{% endfor %}"), ConfigError);
  EXPECT_THROW(ChatFormat::recognise(std::string(kQwen2) + kLlama3), ConfigError);
  std::string llama32 = std::string(kLlama31) + "{%- set date_string = strftime_now(\"%d %b %Y\") %}";
  try {
    ChatFormat::recognise(llama32);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "chat_template");
    EXPECT_NE(std::string(e.what()).find("strftime_now"), std::string::npos);
  }
}

}  // namespace
}  // namespace reason
