// Tests of the blocking client library against a scripted peer: a plain
// listening socket whose accepted end the test writes replies to by hand.
#include "ipc/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "base/unique_fd.h"

namespace prid::ipc {
namespace {

using nlohmann::json;

constexpr int kWaitMs = 10000;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/prid-client-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/peer.sock";
    listener_.Reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path_.c_str());
    ASSERT_EQ(bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(listen(listener_.get(), 4), 0);
    auto client = Client::Connect(path_);
    ASSERT_TRUE(client.ok()) << client.error();
    client_.emplace(std::move(client).value());
    peer_.Reset(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(peer_.valid());
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // The peer writes lines as the daemon would, '\n' added to each.
  void PeerWritesLines(std::initializer_list<std::string> lines) {
    std::string bytes;
    for (const std::string& line : lines) bytes += line + "\n";
    PeerWrites(bytes);
  }

  // The peer writes raw bytes.
  void PeerWrites(const std::string& bytes) {
    ASSERT_EQ(write(peer_.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  // The next line the client sent, as the peer reads it.
  json PeerReadsLine() {
    std::string line;
    char c;
    while (read(peer_.get(), &c, 1) == 1) {
      if (c == '\n') return json::parse(line, nullptr, false);
      line.push_back(c);
    }
    ADD_FAILURE() << "the client sent no complete line";
    return nullptr;
  }

  Client& client() { return *client_; }

  std::string dir_;
  std::string path_;
  base::UniqueFd listener_;
  base::UniqueFd peer_;
  std::optional<Client> client_;
};

TEST(ClientConnectTest, MissingSocketFailsNamingThePath) {
  auto client = Client::Connect("/nonexistent-prid-dir/prid.sock");
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("/nonexistent-prid-dir/prid.sock"), std::string::npos)
      << client.error();
  EXPECT_NE(client.error().find("No such file"), std::string::npos) << client.error();
}

TEST(ClientConnectTest, OverlongPathFails) {
  auto client = Client::Connect("/" + std::string(200, 'x'));
  ASSERT_FALSE(client.ok());
}

TEST_F(ClientTest, CallSendsAJsonRpcRequestAndReturnsTheResult) {
  PeerWritesLines({R"({"jsonrpc":"2.0","id":1,"result":{"call":12}})"});
  auto result = client().Call("call.make", json{{"number", "100"}}, kWaitMs);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, (json{{"call", 12}}));
  EXPECT_EQ(PeerReadsLine(), (json{{"jsonrpc", "2.0"},
                                   {"id", 1},
                                   {"method", "call.make"},
                                   {"params", {{"number", "100"}}}}));
}

TEST_F(ClientTest, IdsIncrease) {
  PeerWritesLines(
      {R"({"jsonrpc":"2.0","id":1,"result":{}})", R"({"jsonrpc":"2.0","id":2,"result":{}})"});
  ASSERT_TRUE(client().Call("a", json::object(), kWaitMs).ok());
  ASSERT_TRUE(client().Call("b", json::object(), kWaitMs).ok());
  EXPECT_EQ(PeerReadsLine()["id"], 1);
  EXPECT_EQ(PeerReadsLine()["id"], 2);
}

TEST_F(ClientTest, CallReturnsTheDaemonsErrorWithItsName) {
  PeerWritesLines({R"({"jsonrpc":"2.0","id":1,"error":{"code":4,"message":"UUI too long",)"
                   R"("data":{"name":"UserUserInfoTooBig","max":128}}})"});
  auto result = client().Call("call.drop", json{{"call", 1}}, kWaitMs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 4);
  EXPECT_EQ(result.error().name, "UserUserInfoTooBig");
  EXPECT_EQ(result.error().message, "UUI too long");
  EXPECT_EQ(result.error().data, (json{{"max", 128}}));
}

TEST_F(ClientTest, NotificationsBeforeTheReplyAreQueued) {
  PeerWritesLines({R"({"jsonrpc":"2.0","method":"event","params":{"seq":1}})",
                   R"({"jsonrpc":"2.0","method":"event","params":{"seq":2}})",
                   R"({"jsonrpc":"2.0","id":1,"result":{}})"});
  ASSERT_TRUE(client().Call("x", json::object(), kWaitMs).ok());
  auto first = client().WaitNotification(0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ((*first)["params"]["seq"], 1);
  auto second = client().WaitNotification(0);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ((*second)["params"]["seq"], 2);
  EXPECT_FALSE(client().WaitNotification(0).has_value());
}

TEST_F(ClientTest, CallTimesOutAsTransportError) {
  auto start = std::chrono::steady_clock::now();
  auto result = client().Call("span.list", json::object(), 50);
  ASSERT_FALSE(result.ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_EQ(result.error().code, static_cast<int>(ErrorCode::kTransportError));
  EXPECT_EQ(result.error().name, "TransportError");
  EXPECT_NE(result.error().message.find("span.list"), std::string::npos);
  EXPECT_FALSE(client().closed());
}

TEST_F(ClientTest, LateReplyToATimedOutCallIsSkipped) {
  ASSERT_FALSE(client().Call("slow", json::object(), 0).ok());
  PeerWritesLines({R"({"jsonrpc":"2.0","id":1,"result":"late"})",
                   R"({"jsonrpc":"2.0","id":2,"result":"mine"})"});
  auto result = client().Call("fast", json::object(), kWaitMs);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, "mine");
}

TEST_F(ClientTest, CallOnClosedConnectionIsTransportError) {
  peer_.Reset();
  auto result = client().Call("daemon.status", json::object(), kWaitMs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, static_cast<int>(ErrorCode::kTransportError));
  EXPECT_TRUE(client().closed());
  auto again = client().Call("daemon.status", json::object(), kWaitMs);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, static_cast<int>(ErrorCode::kTransportError));
}

TEST_F(ClientTest, ErrorWithNullIdAnswersThePendingCall) {
  // What a refused peer gets before the daemon closes the connection.
  PeerWritesLines({R"({"jsonrpc":"2.0","id":null,"error":{"code":9,"message":"uid 1000 may not",)"
                   R"("data":{"name":"PermissionDenied"}}})"});
  peer_.Reset();
  auto result = client().Call("span.list", json::object(), kWaitMs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().name, "PermissionDenied");
  EXPECT_EQ(result.error().code, 9);
}

TEST_F(ClientTest, ReplyThatIsNotJsonIsTransportError) {
  PeerWrites("garbage\n");
  auto result = client().Call("x", json::object(), kWaitMs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, static_cast<int>(ErrorCode::kTransportError));
}

TEST_F(ClientTest, ReplyWithoutResultOrErrorIsTransportError) {
  PeerWritesLines({R"({"jsonrpc":"2.0","id":1})"});
  auto result = client().Call("x", json::object(), kWaitMs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, static_cast<int>(ErrorCode::kTransportError));
}

TEST_F(ClientTest, CallBatchAssignsIdsAndReturnsTheReplyArray) {
  PeerWritesLines({R"([{"jsonrpc":"2.0","id":1,"result":1},{"jsonrpc":"2.0","id":2,"result":2}])"});
  auto reply = client().CallBatch(
      json::array({{{"method", "a"}}, {{"method", "b"}, {"params", {{"k", 1}}}}}), kWaitMs);
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  ASSERT_TRUE(reply->is_array());
  EXPECT_EQ(reply->size(), 2u);
  json sent = PeerReadsLine();
  ASSERT_TRUE(sent.is_array());
  EXPECT_EQ(sent[0], (json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "a"}}));
  EXPECT_EQ(sent[1],
            (json{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "b"}, {"params", {{"k", 1}}}}));
}

TEST_F(ClientTest, CallBatchOfANonArrayIsRefusedLocally) {
  auto reply = client().CallBatch(json{{"method", "a"}}, kWaitMs);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, -32600);
}

TEST_F(ClientTest, CallBatchTimesOutAsTransportError) {
  auto reply = client().CallBatch(json::array({{{"method", "a"}}}), 20);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, static_cast<int>(ErrorCode::kTransportError));
}

TEST_F(ClientTest, WaitNotificationTimesOut) {
  EXPECT_FALSE(client().WaitNotification(20).has_value());
  EXPECT_FALSE(client().closed());
}

TEST_F(ClientTest, WaitNotificationSkipsRepliesAndReturnsTheEvent) {
  PeerWritesLines({R"({"jsonrpc":"2.0","id":7,"result":{}})",
                   R"({"jsonrpc":"2.0","method":"trace","params":{"span":1}})"});
  auto event = client().WaitNotification(kWaitMs);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ((*event)["method"], "trace");
}

TEST_F(ClientTest, WaitNotificationReportsClose) {
  peer_.Reset();
  EXPECT_FALSE(client().WaitNotification(-1).has_value());
  EXPECT_TRUE(client().closed());
}

TEST_F(ClientTest, ReadLineReturnsLinesOnlyWhenComplete) {
  PeerWrites("{\"a\":");
  EXPECT_FALSE(client().ReadLine(20).has_value());
  PeerWrites("1}\n{\"b\":2}\n");
  EXPECT_EQ(client().ReadLine(kWaitMs), "{\"a\":1}");
  EXPECT_EQ(client().ReadLine(kWaitMs), "{\"b\":2}");
}

TEST_F(ClientTest, ReadLineReturnsBufferedLinesBeforeReportingClose) {
  PeerWrites("last\n");
  peer_.Reset();
  EXPECT_EQ(client().ReadLine(kWaitMs), "last");
  EXPECT_FALSE(client().ReadLine(kWaitMs).has_value());
  EXPECT_TRUE(client().closed());
}

TEST_F(ClientTest, SendRawWritesBytesAsGiven) {
  ASSERT_TRUE(client().SendRaw("not json\n"));
  char buffer[16] = {};
  ASSERT_EQ(read(peer_.get(), buffer, 9), 9);
  EXPECT_EQ(std::string(buffer, 9), "not json\n");
}

TEST_F(ClientTest, MovedFromClientIsClosed) {
  Client moved = std::move(client());
  EXPECT_TRUE(client().closed());
  EXPECT_EQ(client().fd(), -1);
  EXPECT_FALSE(moved.closed());
  auto result = client().Call("x", json::object(), 0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, static_cast<int>(ErrorCode::kTransportError));
}

}  // namespace
}  // namespace prid::ipc
