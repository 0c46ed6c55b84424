// A scripted stand-in for prid behind cli::Connection: records requests,
// answers them with a handler, and hands out queued notifications.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/connection.h"

namespace prid::cli::testing {

struct FakeDaemon {
  using Reply = base::Expected<nlohmann::json, ipc::RpcError>;

  // Answers a request; the default answers {} to everything. It may queue
  // events, which then arrive after (or, if queued first, before) the reply.
  std::function<Reply(const std::string& method, const nlohmann::json& params)> handler;
  std::vector<std::pair<std::string, nlohmann::json>> requests;
  std::deque<nlohmann::json> notifications;
  bool closed = false;
  // When set, the connection closes once the notifications run out.
  bool close_when_drained = false;

  void QueueEvent(nlohmann::json params) {
    notifications.push_back({{"jsonrpc", "2.0"}, {"method", "event"}, {"params", params}});
  }

  std::vector<std::string> Methods() const {
    std::vector<std::string> methods;
    for (const auto& [method, params] : requests) methods.push_back(method);
    return methods;
  }

  static ipc::RpcError Error(int code, std::string name, std::string message) {
    ipc::RpcError error;
    error.code = code;
    error.name = std::move(name);
    error.message = std::move(message);
    return error;
  }
};

class FakeConnection final : public Connection {
 public:
  explicit FakeConnection(std::shared_ptr<FakeDaemon> daemon) : daemon_(std::move(daemon)) {}

  base::Expected<nlohmann::json, ipc::RpcError> Call(const std::string& method,
                                                   const nlohmann::json& params) override {
    if (daemon_->closed) {
      return base::MakeUnexpected(FakeDaemon::Error(
          static_cast<int>(ipc::ErrorCode::kTransportError), "TransportError", "closed"));
    }
    daemon_->requests.emplace_back(method, params);
    if (!daemon_->handler) return nlohmann::json::object();
    return daemon_->handler(method, params);
  }

  std::optional<nlohmann::json> WaitNotification(int timeout_ms) override {
    if (!daemon_->notifications.empty()) {
      nlohmann::json notification = std::move(daemon_->notifications.front());
      daemon_->notifications.pop_front();
      return notification;
    }
    // Waiting forever with nothing queued would hang the test: close instead.
    if (daemon_->close_when_drained || timeout_ms < 0) {
      daemon_->closed = true;
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return std::nullopt;
  }

  bool closed() const override { return daemon_->closed; }

 private:
  std::shared_ptr<FakeDaemon> daemon_;
};

}  // namespace prid::cli::testing
