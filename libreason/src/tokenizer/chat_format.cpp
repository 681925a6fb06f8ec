// Built-in chat formats, written from the Jinja templates they stand for (the behaviour without
// tools): ChatML and the Qwen family, DeepSeek-R1-Distill, Llama 3 and 3.1.
#include "reason/tokenizer/chat_format.h"

#include <regex>

#include "reason/core/error.h"
#include "reason/tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace reason {
namespace {

constexpr const char* kDeepSeekBos = "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
constexpr const char* kDeepSeekEos = "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
constexpr const char* kDeepSeekUser = "<\xEF\xBD\x9CUser\xEF\xBD\x9C>";
constexpr const char* kDeepSeekAssistant = "<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>";
constexpr const char* kQwen2System = "You are a helpful assistant.";
constexpr const char* kQwen25System = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
constexpr const char* kLlama31Date = "26 Jul 2024";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Python's str.strip(chars) for one ASCII character.
std::string strip_char(const std::string& s, char c, bool left, bool right) {
  std::size_t b = 0, e = s.size();
  if (left)
    while (b < e && s[b] == c) ++b;
  if (right)
    while (e > b && s[e - 1] == c) --e;
  return s.substr(b, e - b);
}

// Jinja's trim filter = Python's str.strip(): Unicode whitespace on both ends.
std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e) {
    std::size_t i = b;
    if (!unicode::is_python_space(unicode::next_char(s, i))) break;
    b = i;
  }
  while (e > b) {
    std::size_t p = e;
    if (!unicode::is_python_space(unicode::prev_char(s, p))) break;
    e = p;
  }
  return s.substr(b, e - b);
}

bool has_role(const std::vector<ChatMessage>& m, const std::string& role) {
  for (const auto& x : m)
    if (x.role == role) return true;
  return false;
}

// options.system_prompt (or the format's default) as a first system message when none is given.
std::vector<ChatMessage> with_system(const std::vector<ChatMessage>& messages, const ChatOptions& options,
                                     const std::string& default_system, bool anywhere) {
  const bool has = anywhere ? has_role(messages, "system") : (!messages.empty() && messages[0].role == "system");
  if (has) return messages;
  std::vector<ChatMessage> out;
  if (options.system_prompt)
    out.push_back({"system", *options.system_prompt});
  else if (!default_system.empty())
    out.push_back({"system", default_system});
  out.insert(out.end(), messages.begin(), messages.end());
  return out;
}

void check_roles(const std::vector<ChatMessage>& m, const std::string& format, std::initializer_list<const char*> allowed) {
  for (const auto& x : m) {
    bool ok = false;
    for (const char* r : allowed) ok = ok || x.role == r;
    if (!ok) throw InvalidArgument("chat format '" + format + "' does not support the role '" + x.role + "'");
  }
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

// The text of a Jinja string literal with its escapes resolved.
std::string jinja_unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char e = s[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> ChatFormat::builtin_names() {
  return {"chatml", "qwen2", "qwen2.5", "qwen3", "deepseek-r1", "deepseek-r1-no-think-prefix", "llama3", "llama3.1"};
}

ChatFormat ChatFormat::builtin(const std::string& name) {
  if (name == "chatml") return ChatFormat(Kind::ChatML, name);
  if (name == "qwen2" || name == "qwen2.5") {
    ChatFormat f(Kind::ChatML, name);
    f.default_system_ = name == "qwen2" ? kQwen2System : kQwen25System;
    return f;
  }
  if (name == "qwen3") return ChatFormat(Kind::Qwen3, name);
  if (name == "deepseek-r1" || name == "deepseek-r1-no-think-prefix") {
    ChatFormat f(Kind::DeepSeekR1, name);
    f.think_prefix_ = name == "deepseek-r1";
    return f;
  }
  if (name == "llama3") return ChatFormat(Kind::Llama3, name);
  if (name == "llama3.1") {
    ChatFormat f(Kind::Llama31, name);
    f.date_string_ = kLlama31Date;
    return f;
  }
  std::string known;
  for (const auto& n : builtin_names()) known += (known.empty() ? "" : ", ") + n;
  throw InvalidArgument("unknown chat format '" + name + "' (built-in: " + known + ")");
}

ChatFormat ChatFormat::recognise(const std::string& t) {
  const bool chatml = contains(t, "<|im_start|>") && contains(t, "<|im_end|>");
  const bool deepseek = contains(t, kDeepSeekUser) && contains(t, kDeepSeekAssistant);
  const bool llama = contains(t, "<|start_header_id|>") && contains(t, "<|end_header_id|>") && contains(t, "<|eot_id|>");
  const int families = int(chatml) + int(deepseek) + int(llama);
  if (t.empty()) throw ConfigError("chat_template", "the tokenizer has no chat template; name a chat format");
  if (families != 1)
    throw ConfigError("chat_template", families ? "the template mixes the markers of several chat formats; name a chat format"
                                                : "not recognised as a built-in chat format (ChatML/Qwen, DeepSeek-R1, "
                                                  "Llama 3); name a chat format or give a custom template");
  if (chatml) {
    if (contains(t, "reasoning_content")) return builtin("qwen3");
    // A default system prompt is written as one literal '<|im_start|>system\n...<|im_end|>'.
    static const std::regex literal(R"(<\|im_start\|>system\\n([^'"+]*?)<\|im_end\|>)");
    std::string found;
    for (auto it = std::sregex_iterator(t.begin(), t.end(), literal); it != std::sregex_iterator(); ++it) {
      const std::string text = jinja_unescape((*it)[1].str());
      if (!found.empty() && found != text)
        throw ConfigError("chat_template", "a ChatML template with two different default system prompts");
      found = text;
    }
    ChatFormat f(Kind::ChatML, "chatml");
    if (found == kQwen2System) f.name_ = "qwen2";
    else if (found == kQwen25System) f.name_ = "qwen2.5";
    else if (!found.empty()) f.name_ = "chatml (default system prompt from the template)";
    f.default_system_ = found;
    return f;
  }
  if (deepseek) return builtin(contains(t, std::string(kDeepSeekAssistant) + "<think>\\n") ? "deepseek-r1" : "deepseek-r1-no-think-prefix");
  if (contains(t, "strftime_now"))
    throw ConfigError("chat_template", "this Llama template writes today's date (strftime_now), which makes prompts "
                                       "change from day to day; name a chat format (llama3 or llama3.1)");
  if (contains(t, "Cutting Knowledge Date")) {
    ChatFormat f = builtin("llama3.1");
    static const std::regex date(R"(set date_string = ["']([^"']*)["'])");
    std::smatch m;
    if (std::regex_search(t, m, date)) f.date_string_ = m[1].str();
    return f;
  }
  return builtin("llama3");
}

ChatFormat ChatFormat::for_tokenizer(const Tokenizer& tokenizer) { return recognise(tokenizer.chat_template()); }

ChatFormat ChatFormat::custom(const ChatTemplate& chat_template) {
  REASON_CHECK(contains(chat_template.message, "{content}"), InvalidArgument,
               "a custom chat template needs {content} in its message template");
  ChatFormat f(Kind::Custom, "custom");
  f.custom_ = chat_template;
  return f;
}

ChatFormat ChatFormat::custom(const std::string& message_template) {
  ChatTemplate t;
  t.message = message_template;
  return custom(t);
}

std::string ChatFormat::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                               const ChatOptions& options) const {
  std::string out;
  switch (kind_) {
    case Kind::ChatML: {
      for (const auto& m : with_system(messages, options, default_system_, false))
        out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      if (add_generation_prompt) out += "<|im_start|>assistant\n";
      return out;
    }
    case Kind::Qwen3: {
      const auto m = with_system(messages, options, "", false);
      check_roles(m, name_, {"system", "user", "assistant", "tool"});
      if (!m.empty() && m[0].role == "system") out += "<|im_start|>system\n" + m[0].content + "<|im_end|>\n";
      // The last user turn that is not a tool response: thinking is kept only after it.
      std::size_t last_query = m.empty() ? 0 : m.size() - 1;
      for (std::size_t k = m.size(); k-- > 0;) {
        const auto& c = m[k].content;
        if (m[k].role == "user" && !(starts_with(c, "<tool_response>") && ends_with(c, "</tool_response>"))) {
          last_query = k;
          break;
        }
      }
      for (std::size_t i = 0; i < m.size(); ++i) {
        const auto& role = m[i].role;
        if (role == "user" || (role == "system" && i != 0)) {
          out += "<|im_start|>" + role + "\n" + m[i].content + "<|im_end|>\n";
        } else if (role == "assistant") {
          std::string content = m[i].content, reasoning;
          const auto close = content.find("</think>");
          if (close != std::string::npos) {
            std::string before = strip_char(content.substr(0, close), '\n', false, true);
            const auto open = before.rfind("<think>");
            if (open != std::string::npos) before = before.substr(open + 7);
            reasoning = strip_char(before, '\n', true, false);
            content = strip_char(content.substr(content.rfind("</think>") + 8), '\n', true, false);
          }
          if (i > last_query && (i + 1 == m.size() || !reasoning.empty()))
            out += "<|im_start|>assistant\n<think>\n" + strip_char(reasoning, '\n', true, true) + "\n</think>\n\n" +
                   strip_char(content, '\n', true, false);
          else
            out += "<|im_start|>assistant\n" + content;
          out += "<|im_end|>\n";
        } else if (role == "tool") {
          if (i == 0 || m[i - 1].role != "tool") out += "<|im_start|>user";
          out += "\n<tool_response>\n" + m[i].content + "\n</tool_response>";
          if (i + 1 == m.size() || m[i + 1].role != "tool") out += "<|im_end|>\n";
        }
      }
      if (add_generation_prompt) {
        out += "<|im_start|>assistant\n";
        if (!options.enable_thinking) out += "<think>\n\n</think>\n\n";
      }
      return out;
    }
    case Kind::DeepSeekR1: {
      const auto m = with_system(messages, options, "", true);
      check_roles(m, name_, {"system", "user", "assistant"});
      std::string system;
      for (const auto& x : m)
        if (x.role == "system") system = x.content;  // the last one wins, as in the template
      out += kDeepSeekBos + system;
      for (const auto& x : m) {
        if (x.role == "user") {
          out += kDeepSeekUser + x.content;
        } else if (x.role == "assistant") {
          std::string content = x.content;
          const auto close = content.rfind("</think>");
          if (close != std::string::npos) content = content.substr(close + 8);
          out += kDeepSeekAssistant + content + kDeepSeekEos;
        }
      }
      if (add_generation_prompt) out += std::string(kDeepSeekAssistant) + (think_prefix_ ? "<think>\n" : "");
      return out;
    }
    case Kind::Llama3: {
      const auto m = with_system(messages, options, "", false);
      for (std::size_t i = 0; i < m.size(); ++i)
        out += (i == 0 ? "<|begin_of_text|>" : "") + std::string("<|start_header_id|>") + m[i].role +
               "<|end_header_id|>\n\n" + trim(m[i].content) + "<|eot_id|>";
      if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      return out;
    }
    case Kind::Llama31: {
      auto m = with_system(messages, options, "", false);
      check_roles(m, name_, {"system", "user", "assistant"});
      std::string system;
      if (!m.empty() && m[0].role == "system") {
        system = trim(m[0].content);
        m.erase(m.begin());
      }
      out += "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
             "Today Date: " + date_string_ + "\n\n" + system + "<|eot_id|>";
      for (const auto& x : m)
        out += "<|start_header_id|>" + x.role + "<|end_header_id|>\n\n" + trim(x.content) + "<|eot_id|>";
      if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      return out;
    }
    case Kind::Custom: {
      out += custom_.prefix;
      for (const auto& x : with_system(messages, options, custom_.default_system, false))
        out += replace_all(replace_all(custom_.message, "{role}", x.role), "{content}", x.content);
      if (add_generation_prompt) {
        if (custom_.generation_prompt) {
          out += *custom_.generation_prompt;
        } else {
          const std::string head = custom_.message.substr(0, custom_.message.find("{content}"));
          out += replace_all(head, "{role}", "assistant");
        }
      }
      return out;
    }
  }
  return out;
}

}  // namespace reason
