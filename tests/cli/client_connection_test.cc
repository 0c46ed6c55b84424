// Unit tests of cli/client_connection: prictl's Connection over the real
// socket client, against a scripted peer on a Unix stream socket.
#include "cli/client_connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "base/unique_fd.h"
#include "ipc/errors.h"
#include "tests/support/temp_dir.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ClientConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.File("prid.sock");
    listener_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(listener_.valid());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path_.c_str());
    ASSERT_EQ(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener_.get(), 1), 0);
    auto connection = ConnectToPrid(path_);
    ASSERT_TRUE(connection.ok()) << connection.error();
    connection_ = std::move(connection).value();
    peer_.Reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(peer_.valid());
  }
  void TearDown() override {
    if (peer_thread_.joinable()) peer_thread_.join();
  }

  // The peer's next request line, parsed.
  json ReadRequest() {
    std::string line;
    char c;
    while (::recv(peer_.get(), &c, 1, 0) == 1 && c != '\n') line += c;
    return json::parse(line);
  }
  void Write(const json& message) {
    const std::string line = message.dump() + "\n";
    ASSERT_EQ(::send(peer_.get(), line.data(), line.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(line.size()));
  }
  // On a thread: answers the next request with `reply_for(request)`, after
  // sending `before` (a notification) when it is not null.
  void AnswerNext(std::function<json(const json&)> reply_for, json before = nullptr) {
    peer_thread_ = std::thread([this, reply_for = std::move(reply_for), before] {
      const json request = ReadRequest();
      requests_.push_back(request);
      if (!before.is_null()) Write(before);
      Write(reply_for(request));
    });
  }

  testing::TempDir dir_;
  std::string path_;
  base::UniqueFd listener_;
  base::UniqueFd peer_;
  std::unique_ptr<Connection> connection_;
  std::thread peer_thread_;
  std::vector<json> requests_;
};

TEST_F(ClientConnectionTest, CallSendsTheRequestAndReturnsTheResult) {
  AnswerNext([](const json& request) {
    return json{{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", {{"spans", 1}}}};
  });
  auto result = connection_->Call("daemon.status", json{{"verbose", true}});
  peer_thread_.join();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, (json{{"spans", 1}}));
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0]["method"], "daemon.status");
  EXPECT_EQ(requests_[0]["params"], (json{{"verbose", true}}));
  EXPECT_FALSE(connection_->closed());
}

TEST_F(ClientConnectionTest, DaemonErrorComesBackWithItsCodeAndMessage) {
  AnswerNext([](const json& request) {
    return json{{"jsonrpc", "2.0"},
                {"id", request["id"]},
                {"error", {{"code", -32601}, {"message", "no such method"}}}};
  });
  auto result = connection_->Call("nope", json::object());
  peer_thread_.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, -32601);
  EXPECT_EQ(result.error().message, "no such method");
}

TEST_F(ClientConnectionTest, NotificationDuringACallIsKeptForWaitNotification) {
  const json event = {{"jsonrpc", "2.0"}, {"method", "event"}, {"params", {{"seq", 1}}}};
  AnswerNext(
      [](const json& request) {
        return json{{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", json::object()}};
      },
      event);
  ASSERT_TRUE(connection_->Call("events.subscribe", json::object()).ok());
  peer_thread_.join();
  auto notification = connection_->WaitNotification(1000);
  ASSERT_TRUE(notification.has_value());
  EXPECT_EQ(*notification, event);
  EXPECT_FALSE(connection_->WaitNotification(0).has_value());
}

TEST_F(ClientConnectionTest, PeerClosingEndsWaitingAndMarksTheConnectionClosed) {
  peer_.Reset();
  EXPECT_FALSE(connection_->WaitNotification(1000).has_value());
  EXPECT_TRUE(connection_->closed());
  auto result = connection_->Call("daemon.status", json::object());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, static_cast<int>(ipc::ErrorCode::kTransportError));
}

TEST(ConnectToPrid, MissingSocketIsAnErrorNamingThePath) {
  testing::TempDir dir;
  const std::string path = dir.File("absent.sock");
  auto connection = ConnectToPrid(path);
  ASSERT_FALSE(connection.ok());
  EXPECT_THAT(connection.error(), HasSubstr(path));
}

}  // namespace
}  // namespace prid::cli
