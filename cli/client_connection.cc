// A Connection over ipc::Client, the real socket.
#include "cli/client_connection.h"

#include <utility>

#include "ipc/client.h"

namespace prid::cli {
namespace {

class ClientConnection final : public Connection {
 public:
  explicit ClientConnection(ipc::Client client) : client_(std::move(client)) {}

  base::Expected<nlohmann::json, ipc::RpcError> Call(const std::string& method,
                                                   const nlohmann::json& params) override {
    return client_.Call(method, params);
  }

  std::vector<base::Expected<nlohmann::json, ipc::RpcError>> CallBatch(const Requests& requests) override {
    nlohmann::json batch = nlohmann::json::array();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", requests[i].first}, {"params", requests[i].second}});
    }
    std::vector<base::Expected<nlohmann::json, ipc::RpcError>> replies(
        requests.size(), base::MakeUnexpected(ipc::MakeError(ipc::ErrorCode::kTransportError,
                                                             "the batch got no reply for this request")));
    auto answered = client_.CallBatch(std::move(batch));
    if (!answered) {
      // The whole batch failed (the connection, or refused as a whole).
      for (auto& reply : replies) reply = base::MakeUnexpected(answered.error());
      return replies;
    }
    for (const nlohmann::json& reply : *answered) {
      if (!reply.is_object() || !reply.contains("id") || !reply["id"].is_number_unsigned()) continue;
      const auto index = reply["id"].get<std::size_t>();
      if (index >= replies.size()) continue;
      if (auto error = reply.find("error"); error != reply.end()) {
        replies[index] = base::MakeUnexpected(ipc::ErrorFromJson(*error));
      } else if (auto result = reply.find("result"); result != reply.end()) {
        replies[index] = *result;
      }
    }
    return replies;
  }

  std::optional<nlohmann::json> WaitNotification(int timeout_ms) override {
    return client_.WaitNotification(timeout_ms);
  }

  bool closed() const override { return client_.closed(); }

  int fd() const override { return client_.fd(); }

 private:
  ipc::Client client_;
};

}  // namespace

base::Result<std::unique_ptr<Connection>> ConnectToPrid(const std::string& path) {
  auto client = ipc::Client::Connect(path);
  if (!client) return base::Fail(client.error());
  return std::unique_ptr<Connection>(std::make_unique<ClientConnection>(std::move(*client)));
}

}  // namespace prid::cli
