// The result of one prictl command: ok, or an exit code and a message.
#pragma once

#include <string>
#include <utility>

namespace prid::cli {

// Exit codes of prictl: a daemon error is 1; bad usage and a lost or refused
// connection are 2 (so scripts can tell "prid said no" from "no prid").
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTransport = 2;

class [[nodiscard]] Outcome {
 public:
  Outcome() = default;
  static Outcome Ok() { return Outcome(); }
  // `message` is printed after "prictl: ", e.g. "InvalidCallState: …".
  static Outcome Fail(int exit_code, std::string message) {
    return Outcome(exit_code, std::move(message));
  }

  bool ok() const { return exit_code_ == kExitOk; }
  int exit_code() const { return exit_code_; }
  const std::string& message() const { return message_; }

 private:
  Outcome(int exit_code, std::string message)
      : exit_code_(exit_code), message_(std::move(message)) {}
  int exit_code_ = kExitOk;
  std::string message_;
};

}  // namespace prid::cli
