// The connection prictl talks through: the ipc client in the program, a fake
// in tests ("abstract so it can be mocked out").
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/expected.h"
#include "ipc/errors.h"

namespace prid::cli {

class Connection {
 public:
  virtual ~Connection() = default;

  // Sends one request and waits for its reply: the result, the daemon's
  // error, or an error with code ipc::ErrorCode::kTransportError when the
  // connection failed or closed. Notifications that arrive meanwhile are
  // kept for WaitNotification().
  virtual base::Expected<nlohmann::json, ipc::RpcError> Call(const std::string& method,
                                                           const nlohmann::json& params) = 0;

  // Sends `requests` ({method, params} each) so that the daemon runs them
  // one right after the other, nothing of its own between them (a JSON-RPC
  // batch): no event can come between a line.open and the events.subscribe
  // after it. One reply per request, in order; a failed connection fails
  // each. This default sends them one by one (enough for fakes).
  using Requests = std::vector<std::pair<std::string, nlohmann::json>>;
  virtual std::vector<base::Expected<nlohmann::json, ipc::RpcError>> CallBatch(const Requests& requests) {
    std::vector<base::Expected<nlohmann::json, ipc::RpcError>> replies;
    for (const auto& [method, params] : requests) replies.push_back(Call(method, params));
    return replies;
  }

  // The next notification ({"jsonrpc","method","params"}), waiting up to
  // timeout_ms (-1: forever); nullopt on timeout or when closed().
  virtual std::optional<nlohmann::json> WaitNotification(int timeout_ms) = 0;

  virtual bool closed() const = 0;

  // The socket, for a caller that waits on it beside descriptors of its own
  // (poll for POLLIN, then WaitNotification(0) until nullopt); -1 when there
  // is none to poll (a fake): then such a caller waits in WaitNotification.
  virtual int fd() const { return -1; }
};

// Opens a connection to the daemon's socket at `path`.
using Connector =
    std::function<base::Result<std::unique_ptr<Connection>>(const std::string& path)>;

}  // namespace prid::cli
