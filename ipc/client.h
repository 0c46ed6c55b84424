// Blocking client library for the prid socket API (used by prictl, tests and
// bench). One connection; replies are matched by id, and notifications that
// arrive while waiting for a reply are queued for WaitNotification().
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "base/expected.h"
#include "base/unique_fd.h"
#include "ipc/errors.h"

namespace prid::ipc {

class Client {
 public:
  // Connects to the daemon's Unix stream socket at `path`.
  static base::Result<Client> Connect(const std::string& path);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // Sends one request and waits up to timeout_ms for its reply. The result
  // on success; the daemon's error, or kTransportError when the connection
  // failed, closed or timed out.
  base::Expected<nlohmann::json, RpcError> Call(const std::string& method,
                                               nlohmann::json params = nlohmann::json::object(),
                                               int timeout_ms = 10000);

  // Sends a batch (an array of request objects, ids assigned here when
  // absent) and returns the raw reply array.
  base::Expected<nlohmann::json, RpcError> CallBatch(nlohmann::json requests,
                                                    int timeout_ms = 10000);

  // The next notification (the whole JSON-RPC object: {"jsonrpc","method",
  // "params"}), waiting up to timeout_ms (-1: forever). nullopt on timeout
  // or when the connection closed (then closed() is true).
  std::optional<nlohmann::json> WaitNotification(int timeout_ms);

  // Writes raw bytes (tests use it to send malformed input).
  bool SendRaw(const std::string& bytes);
  // Reads the next raw line, waiting up to timeout_ms; nullopt on timeout/close.
  // The line comes without its '\n'; lines already taken by Call() or
  // WaitNotification() (queued notifications) are not returned again. Lines
  // received before a close are still returned, then nullopt.
  std::optional<std::string> ReadLine(int timeout_ms);

  bool closed() const;
  int fd() const;

 private:
  struct State;
  explicit Client(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace prid::ipc
