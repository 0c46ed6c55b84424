// A test client of the socket API that waits on events.
#include "tests/support/api_client.h"

#include <gtest/gtest.h>

#include <chrono>

namespace prid::testing {

ApiClient::ApiClient(const std::string& socket) {
  auto client = ipc::Client::Connect(socket);
  if (client.ok()) {
    client_.emplace(std::move(*client));
  } else {
    connect_error_ = client.error();
  }
}

base::Expected<nlohmann::json, ipc::RpcError> ApiClient::Call(const std::string& method, nlohmann::json params) {
  return client_->Call(method, std::move(params));
}

nlohmann::json ApiClient::Ok(const std::string& method, nlohmann::json params) {
  auto r = client_->Call(method, params);
  EXPECT_TRUE(r.ok()) << method << " " << params.dump() << " failed: "
                      << (r.ok() ? "" : r.error().name + ": " + r.error().message);
  return r.ok() ? *r : nlohmann::json();
}

std::string ApiClient::ErrorName(const std::string& method, nlohmann::json params) {
  auto r = client_->Call(method, std::move(params));
  return r.ok() ? std::string() : r.error().name;
}

void ApiClient::Pump(int timeout_ms) {
  auto note = client_->WaitNotification(timeout_ms);
  if (!note) return;
  if (note->value("method", "") == "event") {
    all_.push_back((*note)["params"]);
    unconsumed_.push_back((*note)["params"]);
  }
}

std::optional<nlohmann::json> ApiClient::WaitEvent(const std::function<bool(const nlohmann::json&)>& match,
                                                   int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    for (auto it = unconsumed_.begin(); it != unconsumed_.end(); ++it) {
      if (match(*it)) {
        nlohmann::json found = *it;
        unconsumed_.erase(unconsumed_.begin(), it + 1);
        return found;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || client_->closed()) return std::nullopt;
    Pump(static_cast<int>(left.count()));
  }
}

std::optional<nlohmann::json> ApiClient::WaitState(std::uint64_t call, const std::string& state, int timeout_ms) {
  return WaitEvent(
      [&](const nlohmann::json& e) {
        return e.value("type", "") == "call.state" && e.value("call", 0ull) == call && e.value("state", "") == state;
      },
      timeout_ms);
}

std::optional<nlohmann::json> ApiClient::WaitNew(int timeout_ms) {
  return WaitEvent([](const nlohmann::json& e) { return e.value("type", "") == "call.new"; }, timeout_ms);
}

const std::vector<nlohmann::json>& ApiClient::AllEvents() {
  while (true) {
    std::size_t before = all_.size();
    Pump(0);
    if (all_.size() == before) break;
  }
  return all_;
}

}  // namespace prid::testing
