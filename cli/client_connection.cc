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

  std::optional<nlohmann::json> WaitNotification(int timeout_ms) override {
    return client_.WaitNotification(timeout_ms);
  }

  bool closed() const override { return client_.closed(); }

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
