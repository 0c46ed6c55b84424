// A test client of the socket API: the real ipc::Client plus a record of
// every event it received and waits that end on events, never on sleeps.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ipc/client.h"

namespace prid::testing {

inline constexpr int kWaitMs = 5000;

class ApiClient {
 public:
  explicit ApiClient(const std::string& socket);

  bool connected() const { return client_.has_value(); }
  const std::string& connect_error() const { return connect_error_; }

  // The result, or the error as {"error": {...}} for easy assertions.
  base::Expected<nlohmann::json, ipc::RpcError> Call(const std::string& method,
                                                    nlohmann::json params = nlohmann::json::object());
  // Calls and returns the result; a failed call fails the current test.
  nlohmann::json Ok(const std::string& method, nlohmann::json params = nlohmann::json::object());
  // Calls and returns the error's name ("" when it succeeded).
  std::string ErrorName(const std::string& method, nlohmann::json params = nlohmann::json::object());

  // Waits for an event (params) matching `match`, looking first at events
  // received but not yet consumed. Consumes and returns it.
  std::optional<nlohmann::json> WaitEvent(const std::function<bool(const nlohmann::json&)>& match,
                                          int timeout_ms = kWaitMs);
  // Waits for call.state of `call` reaching `state`.
  std::optional<nlohmann::json> WaitState(std::uint64_t call, const std::string& state, int timeout_ms = kWaitMs);
  std::optional<nlohmann::json> WaitNew(int timeout_ms = kWaitMs);

  // Every event received so far (params), in order; drains what is queued.
  const std::vector<nlohmann::json>& AllEvents();
  ipc::Client& raw() { return *client_; }
  void Close() { client_.reset(); }

 private:
  void Pump(int timeout_ms);
  std::optional<ipc::Client> client_;
  std::string connect_error_;
  std::vector<nlohmann::json> all_;
  std::vector<nlohmann::json> unconsumed_;
};

}  // namespace prid::testing
