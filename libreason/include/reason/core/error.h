#pragma once
// Typed errors thrown by the library. The command line catches reason::Error at the top,
// prints what() as one line and exits non-zero; the library itself never exits.
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace reason {

// Base of every error the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file is missing, unreadable, truncated or malformed (safetensors, config.json, JSONL...).
class IoError : public Error {
 public:
  using Error::Error;
};

// A checkpoint or adapter does not fit the model (missing/unused tensor, wrong shape or dtype).
class LoadError : public Error {
 public:
  using Error::Error;
};

// A configuration key is unknown, has the wrong type or an invalid value; key() is dotted.
class ConfigError : public Error {
 public:
  ConfigError(std::string key, const std::string& message)
      : Error(key.empty() ? message : key + ": " + message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }
  // The same error with "<context>: " in front of the message (e.g. the file it came from).
  ConfigError with_context(const std::string& context) const { return ConfigError(key_, context + ": " + what(), 0); }

 private:
  ConfigError(std::string key, const std::string& full, int) : Error(full), key_(std::move(key)) {}
  std::string key_;
};

// A caller passed arguments that violate a documented precondition (shapes, ranges).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

namespace detail {
template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}
}  // namespace detail

}  // namespace reason

// REASON_CHECK(cond, ErrorType, message parts...): throws ErrorType(concat(parts)) when !cond.
#define REASON_CHECK(cond, ErrorType, ...)                          \
  do {                                                              \
    if (!(cond)) throw ErrorType(::reason::detail::concat(__VA_ARGS__)); \
  } while (0)
