// Tests of the socket server through real Unix sockets: framing, JSON-RPC
// errors, ordering of events after replies, slow readers, the socket file,
// peer credentials. The server runs on its own loop thread; the test thread
// talks to it with the blocking Client.
#include "ipc/server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "ipc/client.h"
#include "ipc/peer_credentials.h"
#include "tests/support/loop_thread.h"

namespace prid::ipc {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kWaitMs = 10000;  // an upper bound for things that should happen at once

// Every Server call happens on the loop thread (Run() waits for it).
using ::prid::testing::LoopThread;

// The daemon's stand-in. Methods:
//   echo {…}                 → the params
//   whoami                   → {"client": id}
//   fail {code, message}     → that error
//   throw                    → throws (the server must turn it into -32603)
//   notify_self {count, pad?} → Send()s count events (seq 1…) to the caller, then {}
//   notify_client {client}   → Send()s one event to another client, then {}
//   disconnect_self          → Disconnect()s the caller, then {}
class FakeDispatcher : public Dispatcher {
 public:
  void set_server(Server* server) { server_ = server; }

  void ClientOpened(ClientId client, const PeerCredentials&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    opened_.push_back(client);
    changed_.notify_all();
  }

  void ClientClosed(ClientId client) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++closed_[client];
    changed_.notify_all();
  }

  void ClientDrained(ClientId client) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++drained_[client];
    changed_.notify_all();
  }
  // Waits until the client's queue was written out `count` times in all.
  bool WaitDrained(ClientId client, int count, int timeout_ms = kWaitMs) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                             [&] { return drained_[client] >= count; });
  }

  base::Expected<json, RpcError> Call(ClientId client, std::string_view method_view,
                                      const Params& request_params) override {
    const std::string method(method_view);
    const json params = ToJson(request_params);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back(method);
    }
    if (method == "echo") return params;
    if (method == "whoami") return json{{"client", client}};
    if (method == "fail") {
      return base::MakeUnexpected(MakeError(static_cast<ErrorCode>(params.value("code", 2)),
                                            params.value("message", "failed on request")));
    }
    if (method == "throw") throw std::runtime_error("boom");
    if (method == "notify_self") {
      int count = params.value("count", 1);
      std::string pad(params.value("pad", 0), 'x');
      for (int i = 1; i <= count; ++i) {
        server_->Send(client, MakeNotificationLine("event", json{{"seq", i}, {"pad", pad}}),
                      static_cast<std::uint64_t>(i));
      }
      return json::object();
    }
    if (method == "notify_client") {
      server_->Send(params.value("client", ClientId{0}),
                    MakeNotificationLine("event", json{{"from", client}}));
      return json::object();
    }
    if (method == "disconnect_self") {
      server_->Disconnect(client);
      return json::object();
    }
    return base::MakeUnexpected(MakeError(ErrorCode::kMethodNotFound, "no method " + method));
  }

  bool WaitClosed(ClientId client, int timeout_ms = kWaitMs) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                             [&] { return closed_.count(client) != 0; });
  }
  int closed_count(ClientId client) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = closed_.find(client);
    return it == closed_.end() ? 0 : it->second;
  }
  std::size_t opened_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return opened_.size();
  }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  Server* server_ = nullptr;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ClientId> opened_;
  std::map<ClientId, int> closed_;
  std::map<ClientId, int> drained_;
  std::vector<std::string> calls_;
};

std::string Line(const std::string& text) { return text + "\n"; }

std::string Request(int id, const std::string& method, const json& params = json::object()) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump() + "\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/prid-ipc-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/prid.sock";
  }

  void TearDown() override {
    StopServer();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  base::Status StartServer(ServerOptions options = {}) {
    if (options.path.empty() && options.inherited_fd < 0) options.path = path_;
    return loop_.Run([&] {
      server_ = std::make_unique<Server>(loop_.loop(), dispatcher_, options);
      dispatcher_.set_server(server_.get());
      return server_->Start();
    });
  }

  void StopServer() {
    loop_.Run([&] { server_.reset(); });
  }

  Client Connect() {
    auto client = Client::Connect(path_);
    EXPECT_TRUE(client.ok()) << client.error();
    return std::move(client).value();
  }

  ClientId WhoAmI(Client& client) {
    auto result = client.Call("whoami", json::object(), kWaitMs);
    EXPECT_TRUE(result.ok()) << result.error().message;
    return result.ok() ? result->value("client", ClientId{0}) : 0;
  }

  std::optional<ClientStats> Stats(ClientId client) {
    return loop_.Run([&] { return server_->client_stats(client); });
  }

  // A round trip on a fresh connection. Bytes written on other connections
  // before it are read by the server before this reply is written: the
  // loop handles every fd that was readable in one iteration before it
  // writes the reply in the next.
  void Barrier() {
    Client other = Connect();
    ASSERT_TRUE(other.Call("echo", json::object(), kWaitMs).ok());
  }

  json ReadJsonLine(Client& client) {
    std::optional<std::string> line = client.ReadLine(kWaitMs);
    EXPECT_TRUE(line.has_value()) << "no line";
    if (!line) return nullptr;
    json parsed = json::parse(*line, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << *line;
    return parsed;
  }

  // Reads until the server closes the connection; true when it did.
  bool ReadsEof(Client& client) {
    while (client.ReadLine(kWaitMs)) {
    }
    return client.closed();
  }

  std::string dir_;
  std::string path_;
  FakeDispatcher dispatcher_;  // outlives the loop and the server
  LoopThread loop_;
  std::unique_ptr<Server> server_;
};

// --- requests and framing ---

TEST_F(ServerTest, EchoRequestGetsResult) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  auto result = client.Call("echo", json{{"a", 1}}, kWaitMs);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, (json{{"a", 1}}));
}

TEST_F(ServerTest, SeveralLinesInOneWriteGetRepliesInOrder) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(Request(1, "echo", {{"n", 1}}) + Request(2, "echo", {{"n", 2}}) +
                             Request(3, "echo", {{"n", 3}})));
  for (int id = 1; id <= 3; ++id) {
    json reply = ReadJsonLine(client);
    EXPECT_EQ(reply["id"], id);
    EXPECT_EQ(reply["result"]["n"], id);
  }
}

TEST_F(ServerTest, LineSplitOverWritesIsReassembled) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  std::string line = Request(7, "echo", {{"text", "split"}});
  std::size_t third = line.size() / 3;
  ASSERT_TRUE(client.SendRaw(line.substr(0, third)));
  Barrier();  // the server has read the first piece on its own
  ASSERT_TRUE(client.SendRaw(line.substr(third, third)));
  Barrier();
  ASSERT_TRUE(client.SendRaw(line.substr(2 * third)));
  json reply = ReadJsonLine(client);
  EXPECT_EQ(reply["id"], 7);
  EXPECT_EQ(reply["result"]["text"], "split");
}

TEST_F(ServerTest, BlankLinesAreIgnored) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw("\n\r\n" + Request(1, "echo")));
  EXPECT_EQ(ReadJsonLine(client)["id"], 1);
}

TEST_F(ServerTest, BatchRepliesComeAsOneArrayInOrder) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  auto reply = client.CallBatch(json::array({
                                    {{"method", "echo"}, {"params", {{"n", 1}}}},
                                    {{"method", "fail"}, {"params", {{"code", 6}}}},
                                    {{"method", "echo"}, {"params", {{"n", 3}}}},
                                }),
                                kWaitMs);
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  ASSERT_TRUE(reply->is_array());
  ASSERT_EQ(reply->size(), 3u);
  EXPECT_EQ((*reply)[0]["result"]["n"], 1);
  EXPECT_EQ((*reply)[1]["error"]["data"]["name"], "ResourceUnavailable");
  EXPECT_EQ((*reply)[2]["result"]["n"], 3);
  EXPECT_LT((*reply)[0]["id"].get<int>(), (*reply)[1]["id"].get<int>());
  EXPECT_LT((*reply)[1]["id"].get<int>(), (*reply)[2]["id"].get<int>());
}

TEST_F(ServerTest, EmptyBatchIsOneInvalidRequest) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  auto reply = client.CallBatch(json::array(), kWaitMs);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, -32600);
  EXPECT_EQ(reply.error().name, "InvalidRequest");
}

TEST_F(ServerTest, NotificationOnlyBatchGetsNoReply) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(
      Line(R"([{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"whoami"}])") +
      Request(9, "echo")));
  // The first line back answers the request after the batch.
  EXPECT_EQ(ReadJsonLine(client)["id"], 9);
  EXPECT_EQ(dispatcher_.calls(), (std::vector<std::string>{"echo", "whoami", "echo"}));
}

TEST_F(ServerTest, NotificationIsDispatchedWithoutReply) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(Line(R"({"jsonrpc":"2.0","method":"whoami"})") + Request(2, "echo")));
  EXPECT_EQ(ReadJsonLine(client)["id"], 2);
  EXPECT_EQ(dispatcher_.calls(), (std::vector<std::string>{"whoami", "echo"}));
}

// --- JSON-RPC errors: the connection stays open after each ---

struct ErrorCase {
  const char* name;
  std::string line;
  int code;
  const char* error_name;
  json id;
};

class ServerErrorTest : public ServerTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(ServerErrorTest, RepliesWithErrorAndStaysOpen) {
  const ErrorCase& c = GetParam();
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(c.line + "\n"));
  json reply = ReadJsonLine(client);
  EXPECT_EQ(reply["jsonrpc"], "2.0");
  EXPECT_EQ(reply["id"], c.id);
  EXPECT_EQ(reply["error"]["code"], c.code);
  EXPECT_EQ(reply["error"]["data"]["name"], c.error_name);
  EXPECT_FALSE(reply["error"]["message"].get<std::string>().empty());
  auto after = client.Call("echo", json{{"still", "open"}}, kWaitMs);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ((*after)["still"], "open");
}

INSTANTIATE_TEST_SUITE_P(
    JsonRpcErrors, ServerErrorTest,
    ::testing::Values(
        ErrorCase{"MissingJsonrpc", R"({"id":1,"method":"echo"})", -32600, "InvalidRequest", 1},
        ErrorCase{"WrongJsonrpc", R"({"jsonrpc":"1.0","id":1,"method":"echo"})", -32600,
                  "InvalidRequest", 1},
        ErrorCase{"MethodNotString", R"({"jsonrpc":"2.0","id":1,"method":7})", -32600,
                  "InvalidRequest", 1},
        ErrorCase{"ParamsArray", R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[1]})", -32602,
                  "InvalidParams", 1},
        ErrorCase{"ParamsString", R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"x"})",
                  -32600, "InvalidRequest", 1},
        ErrorCase{"BadIdType", R"({"jsonrpc":"2.0","id":[1],"method":"echo"})", -32600,
                  "InvalidRequest", nullptr},
        ErrorCase{"NotAnObject", R"("echo")", -32600, "InvalidRequest", nullptr},
        ErrorCase{"EmptyBatch", "[]", -32600, "InvalidRequest", nullptr},
        ErrorCase{"UnknownMethod", R"({"jsonrpc":"2.0","id":"m","method":"span.frobnicate"})",
                  -32601, "MethodNotFound", "m"},
        ErrorCase{"DispatcherError",
                  R"({"jsonrpc":"2.0","id":4,"method":"fail","params":{"code":7}})", 7, "SpanDown",
                  4},
        ErrorCase{"DispatcherThrows", R"({"jsonrpc":"2.0","id":5,"method":"throw"})", -32603,
                  "InternalError", 5}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST_F(ServerTest, BadJsonGetsParseErrorThenClose) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  ASSERT_TRUE(client.SendRaw("{\"jsonrpc\": nope}\n" + Request(2, "echo")));
  json reply = ReadJsonLine(client);
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(reply["error"]["code"], -32700);
  EXPECT_EQ(reply["error"]["data"]["name"], "ParseError");
  EXPECT_TRUE(ReadsEof(client));
  EXPECT_TRUE(dispatcher_.WaitClosed(id));
  // The request after the bad line was never dispatched.
  EXPECT_EQ(dispatcher_.calls(), (std::vector<std::string>{"whoami"}));
}

// A request whose line (without '\n') is exactly `size` bytes long.
std::string RequestOfSize(std::size_t size) {
  std::string head = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"pad":")";
  std::string tail = "\"}}";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST_F(ServerTest, LineOfExactlyMaxBytesIsAccepted) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  std::string line = RequestOfSize(64 * 1024);
  ASSERT_EQ(line.size(), 65536u);
  ASSERT_TRUE(client.SendRaw(line + "\n"));
  json reply = ReadJsonLine(client);
  EXPECT_EQ(reply["id"], 1);
  EXPECT_EQ(reply["result"]["pad"], json::parse(line)["params"]["pad"]);
}

TEST_F(ServerTest, LineOneByteOverMaxGetsParseErrorThenClose) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  ASSERT_TRUE(client.SendRaw(RequestOfSize(64 * 1024 + 1) + "\n"));
  json reply = ReadJsonLine(client);
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(reply["error"]["code"], -32700);
  EXPECT_TRUE(ReadsEof(client));
  EXPECT_TRUE(dispatcher_.WaitClosed(id));
  EXPECT_EQ(dispatcher_.calls(), (std::vector<std::string>{"whoami"}));
}

TEST_F(ServerTest, OverlongLineIsRefusedBeforeItsNewline) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(std::string(64 * 1024 + 1, ' ')));  // no '\n' ever
  EXPECT_EQ(ReadJsonLine(client)["error"]["code"], -32700);
  EXPECT_TRUE(ReadsEof(client));
}

// --- ordering of events and replies ---

TEST_F(ServerTest, EventsSentDuringRequestArriveAfterItsReply) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(Request(1, "notify_self", {{"count", 3}}) + Request(2, "echo")));
  json reply = ReadJsonLine(client);
  EXPECT_EQ(reply["id"], 1);
  EXPECT_TRUE(reply.contains("result"));
  for (int seq = 1; seq <= 3; ++seq) {
    json event = ReadJsonLine(client);
    EXPECT_EQ(event["method"], "event");
    EXPECT_EQ(event["params"]["seq"], seq);
  }
  EXPECT_EQ(ReadJsonLine(client)["id"], 2);
}

TEST_F(ServerTest, EventsSentDuringBatchArriveAfterTheBatchReply) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(
      Line(R"([{"jsonrpc":"2.0","id":1,"method":"notify_self","params":{"count":2}},)"
           R"({"jsonrpc":"2.0","id":2,"method":"echo"}])")));
  json reply = ReadJsonLine(client);
  ASSERT_TRUE(reply.is_array());
  EXPECT_EQ(reply.size(), 2u);
  EXPECT_EQ(ReadJsonLine(client)["params"]["seq"], 1);
  EXPECT_EQ(ReadJsonLine(client)["params"]["seq"], 2);
}

TEST_F(ServerTest, ClientLibraryQueuesEventsThatFollowTheReply) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.Call("notify_self", json{{"count", 2}}, kWaitMs).ok());
  ASSERT_TRUE(client.Call("echo", json::object(), kWaitMs).ok());
  auto first = client.WaitNotification(0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ((*first)["params"]["seq"], 1);
  auto second = client.WaitNotification(kWaitMs);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ((*second)["params"]["seq"], 2);
}

TEST_F(ServerTest, EventToAnotherClientIsNotHeldBack) {
  ASSERT_TRUE(StartServer().ok());
  Client listener = Connect();
  ClientId listener_id = WhoAmI(listener);
  Client caller = Connect();
  ClientId caller_id = WhoAmI(caller);
  ASSERT_TRUE(caller.Call("notify_client", json{{"client", listener_id}}, kWaitMs).ok());
  auto event = listener.WaitNotification(kWaitMs);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ((*event)["params"]["from"], caller_id);
  EXPECT_FALSE(caller.WaitNotification(0).has_value());
}

TEST_F(ServerTest, SendToUnknownClientIsIgnored) {
  ASSERT_TRUE(StartServer().ok());
  loop_.Run([&] { server_->Send(12345, MakeNotificationLine("event", json::object())); });
  Client client = Connect();
  EXPECT_TRUE(client.Call("echo", json::object(), kWaitMs).ok());
}

TEST_F(ServerTest, SendFromTheLoopReachesTheClient) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  loop_.Run([&] {
    server_->Send(id, MakeNotificationLine("event", json{{"type", "span.state"}}), 41);
  });
  auto event = client.WaitNotification(kWaitMs);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(*event,
            (json{{"jsonrpc", "2.0"}, {"method", "event"}, {"params", {{"type", "span.state"}}}}));
  EXPECT_EQ(Stats(id)->last_written_seq, 41u);
}

TEST(MakeNotificationLineTest, IsOneJsonRpcNotificationLine) {
  SharedLine line = MakeNotificationLine("trace", json{{"span", 1}});
  EXPECT_EQ(*line, "{\"jsonrpc\":\"2.0\",\"method\":\"trace\",\"params\":{\"span\":1}}\n");
}

// --- closing ---

TEST_F(ServerTest, ClientClosedExactlyOnceOnEof) {
  ASSERT_TRUE(StartServer().ok());
  ClientId id;
  {
    Client client = Connect();
    id = WhoAmI(client);
    EXPECT_EQ(loop_.Run([&] { return server_->client_count(); }), 1u);
  }
  ASSERT_TRUE(dispatcher_.WaitClosed(id));
  EXPECT_EQ(loop_.Run([&] { return server_->client_count(); }), 0u);
  EXPECT_FALSE(Stats(id).has_value());
  StopServer();
  EXPECT_EQ(dispatcher_.closed_count(id), 1);
}

TEST_F(ServerTest, RequestBeforeHalfCloseIsStillAnswered) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ASSERT_TRUE(client.SendRaw(Request(3, "echo")));
  ASSERT_EQ(shutdown(client.fd(), SHUT_WR), 0);
  EXPECT_EQ(ReadJsonLine(client)["id"], 3);
  EXPECT_TRUE(ReadsEof(client));
}

TEST_F(ServerTest, DisconnectFlushesTheReplyThenCloses) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  auto result = client.Call("disconnect_self", json::object(), kWaitMs);
  EXPECT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(ReadsEof(client));
  EXPECT_TRUE(dispatcher_.WaitClosed(id));
  EXPECT_EQ(dispatcher_.closed_count(id), 1);
}

TEST_F(ServerTest, DestroyingTheServerDoesNotCallClientClosed) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  StopServer();
  EXPECT_TRUE(ReadsEof(client));
  EXPECT_EQ(dispatcher_.closed_count(id), 0);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

// --- slow readers ---

// Sends `count` events of about `pad` bytes to `client`, one loop iteration
// each so that the server writes between them as far as the socket takes.
void SendEvents(LoopThread& loop, Server& server, ClientId client, int first, int count,
                std::size_t pad) {
  for (int seq = first; seq < first + count; ++seq) {
    loop.Run([&] {
      server.Send(client,
                  MakeNotificationLine("event", json{{"seq", seq}, {"pad", std::string(pad, 'x')}}),
                  static_cast<std::uint64_t>(seq));
    });
  }
}

TEST_F(ServerTest, SlowReaderIsCutOffAndTheNoticeIsTheLastLine) {
  ServerOptions options;
  options.max_queue_bytes = 256 * 1024;
  options.close_grace_ms = 60000;  // closes because the notice is flushed, not the timer
  ASSERT_TRUE(StartServer(options).ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  constexpr std::size_t kPad = 8000;
  // Far more than the socket buffers and the queue hold together.
  SendEvents(loop_, *server_, id, 1, 600, kPad);
  std::optional<ClientStats> stats = Stats(id);
  ASSERT_TRUE(stats.has_value()) << "closed before the client read anything";
  EXPECT_TRUE(stats->cut_off);
  EXPECT_TRUE(stats->closing);
  EXPECT_LE(stats->peak_queued_bytes, options.max_queue_bytes + kPad + 100);
  EXPECT_EQ(dispatcher_.closed_count(id), 0);

  // Now it reads: consecutive events, then the notice, then EOF.
  std::vector<json> lines;
  while (std::optional<std::string> line = client.ReadLine(kWaitMs)) {
    lines.push_back(json::parse(*line, nullptr, false));
    ASSERT_FALSE(lines.back().is_discarded()) << "a line was cut";
  }
  EXPECT_TRUE(client.closed());
  ASSERT_GE(lines.size(), 2u);
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    ASSERT_EQ(lines[i]["params"]["seq"], i + 1);
  }
  json notice = lines.back();
  EXPECT_EQ(notice, (json{{"jsonrpc", "2.0"},
                          {"method", "event"},
                          {"params",
                           {{"type", "events.lost"},
                            {"reason", "client too slow"},
                            {"last_seq", lines.size() - 1}}}}));
  EXPECT_LT(lines.size() - 1, 600u);
  EXPECT_TRUE(dispatcher_.WaitClosed(id));
  EXPECT_EQ(dispatcher_.closed_count(id), 1);
  EXPECT_EQ(loop_.Run([&] { return server_->cut_off_count(); }), 1u) << "stats.get's clients_cut_off";
}

TEST_F(ServerTest, SlowReaderThatNeverReadsIsClosedAfterTheGraceTime) {
  ServerOptions options;
  options.max_queue_bytes = 64 * 1024;
  options.close_grace_ms = 100;
  ASSERT_TRUE(StartServer(options).ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  constexpr std::size_t kPad = 4000;
  for (int seq = 1; seq <= 2000; ++seq) {
    SendEvents(loop_, *server_, id, seq, 1, kPad);
    std::optional<ClientStats> stats = Stats(id);
    if (!stats || stats->cut_off) break;
    ASSERT_LE(stats->queued_bytes, options.max_queue_bytes + kPad + 100);
  }
  // It never reads; the grace timer closes it.
  EXPECT_TRUE(dispatcher_.WaitClosed(id));
  EXPECT_EQ(dispatcher_.closed_count(id), 1);
  EXPECT_EQ(loop_.Run([&] { return server_->client_count(); }), 0u);
  EXPECT_TRUE(ReadsEof(client));
}

TEST_F(ServerTest, ACutOffClientThatKeepsReadingGetsTheNoticeLongAfterTheGrace) {
  ServerOptions options;
  options.max_queue_bytes = 128 * 1024;
  options.close_grace_ms = 500;
  ASSERT_TRUE(StartServer(options).ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  SendEvents(loop_, *server_, id, 1, 200, 4000);
  std::optional<ClientStats> stats = Stats(id);
  ASSERT_TRUE(stats.has_value());
  ASSERT_TRUE(stats->cut_off);
  // A slow reader: small sips, each well within the grace, that in all
  // take far longer than it (the socket and the queue hold ≈ 300 KB).
  std::string received;
  const auto started = std::chrono::steady_clock::now();
  char sip[2 * 1024];
  for (;;) {
    pollfd pfd{client.fd(), POLLIN, 0};
    ASSERT_EQ(poll(&pfd, 1, kWaitMs), 1) << "nothing to read";
    ssize_t n = recv(client.fd(), sip, sizeof sip, 0);
    ASSERT_GE(n, 0) << std::strerror(errno);
    if (n == 0) break;
    received.append(sip, static_cast<std::size_t>(n));
    std::this_thread::sleep_for(25ms);  // the reader's own pace, not a wait
  }
  EXPECT_GT(std::chrono::steady_clock::now() - started, 1000ms) << "the test must outlast the grace";
  ASSERT_FALSE(received.empty());
  ASSERT_EQ(received.back(), '\n');
  received.pop_back();
  const std::string last = received.substr(received.rfind('\n') + 1);
  const json notice = json::parse(last);
  ASSERT_TRUE(notice["params"].contains("type")) << "the connection closed before the notice";
  EXPECT_EQ(notice["params"]["type"], "events.lost") << "the connection closed before the notice";
  EXPECT_TRUE(dispatcher_.WaitClosed(id));
}

TEST_F(ServerTest, TheDispatcherHearsWhenAClientsQueueWasWrittenOut) {
  ASSERT_TRUE(StartServer().ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  ASSERT_TRUE(dispatcher_.WaitDrained(id, 1)) << "the whoami reply was written";
  ASSERT_TRUE(client.Call("notify_self", json{{"count", 3}}, kWaitMs).ok());
  EXPECT_TRUE(dispatcher_.WaitDrained(id, 2));
}

TEST_F(ServerTest, LateEventsToACutOffClientAreDropped) {
  ServerOptions options;
  options.max_queue_bytes = 32 * 1024;
  options.close_grace_ms = 60000;
  ASSERT_TRUE(StartServer(options).ok());
  Client client = Connect();
  ClientId id = WhoAmI(client);
  // All in one loop iteration: nothing is written in between, and the
  // notice (small enough for the socket) is not written yet either.
  std::optional<ClientStats> stats = loop_.Run([&] {
    for (int seq = 1; seq <= 100; ++seq) {
      server_->Send(
          id, MakeNotificationLine("event", json{{"seq", seq}, {"pad", std::string(1000, 'x')}}),
          static_cast<std::uint64_t>(seq));
    }
    return server_->client_stats(id);
  });
  ASSERT_TRUE(stats.has_value());
  EXPECT_TRUE(stats->cut_off);
  EXPECT_LE(stats->queued_bytes, 1024u);  // just the notice
  EXPECT_EQ(stats->last_written_seq, 0u);
  json notice = ReadJsonLine(client);
  EXPECT_EQ(notice["params"]["type"], "events.lost");
  EXPECT_EQ(notice["params"]["last_seq"], 0);
  EXPECT_TRUE(ReadsEof(client));
  EXPECT_TRUE(dispatcher_.WaitClosed(id));
}

// --- the socket file ---

TEST_F(ServerTest, SocketFileGetsTheConfiguredMode) {
  ServerOptions options;
  options.mode = 0600;
  ASSERT_TRUE(StartServer(options).ok());
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(loop_.Run([&] { return server_->path(); }), path_);
}

TEST_F(ServerTest, SocketFileGetsTheConfiguredGroup) {
  if (geteuid() != 0) GTEST_SKIP() << "chown to another group needs root";
  ServerOptions options;
  options.group = 65534;
  ASSERT_TRUE(StartServer(options).ok());
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, 65534u);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
}

TEST_F(ServerTest, StaleSocketFileIsReplaced) {
  {
    // A socket file nobody accepts on, as a crashed daemon leaves it.
    base::UniqueFd stale(socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path_.c_str());
    ASSERT_EQ(bind(stale.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }
  ASSERT_TRUE(std::filesystem::exists(path_));
  base::Status status = StartServer();
  ASSERT_TRUE(status.ok()) << status.message();
  Client client = Connect();
  EXPECT_TRUE(client.Call("echo", json::object(), kWaitMs).ok());
}

TEST_F(ServerTest, LiveSocketIsRefused) {
  ASSERT_TRUE(StartServer().ok());
  FakeDispatcher other_dispatcher;
  base::Status status = loop_.Run([&] {
    ServerOptions options;
    options.path = path_;
    Server second(loop_.loop(), other_dispatcher, options);
    return second.Start();
  });
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(path_), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("already listening"), std::string::npos) << status.message();
  // The first server still has its socket.
  Client client = Connect();
  EXPECT_TRUE(client.Call("echo", json::object(), kWaitMs).ok());
}

TEST_F(ServerTest, NonSocketFileIsRefused) {
  {
    std::FILE* file = std::fopen(path_.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fclose(file);
  }
  base::Status status = StartServer();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(path_), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("not a socket"), std::string::npos) << status.message();
  EXPECT_TRUE(std::filesystem::is_regular_file(path_));
}

TEST_F(ServerTest, MissingDirectoryNamesPathAndReason) {
  ServerOptions options;
  options.path = dir_ + "/no/such/dir/prid.sock";
  base::Status status = StartServer(options);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(options.path), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("No such file"), std::string::npos) << status.message();
}

TEST_F(ServerTest, InheritedListeningSocketIsAdopted) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path_.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  ServerOptions options;
  options.inherited_fd = fd;  // the server owns it from here
  base::Status status = StartServer(options);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(loop_.Run([&] { return server_->path(); }), path_);
  Client client = Connect();
  EXPECT_TRUE(client.Call("echo", json::object(), kWaitMs).ok());
}

TEST_F(ServerTest, InheritedSocketThatDoesNotListenIsRefused) {
  base::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ServerOptions options;
  options.inherited_fd = fd.get();
  base::Status status = StartServer(options);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not listening"), std::string::npos) << status.message();
}

TEST_F(ServerTest, StartingTwiceFails) {
  ASSERT_TRUE(StartServer().ok());
  base::Status again = loop_.Run([&] { return server_->Start(); });
  EXPECT_FALSE(again.ok());
}

// --- connections per uid ---

TEST_F(ServerTest, ConnectionOverTheUidLimitGetsResourceUnavailableThenEof) {
  ServerOptions options;
  options.max_connections_per_uid = 2;
  ASSERT_TRUE(StartServer(options).ok());
  Client first = Connect();
  Client second = Connect();
  ASSERT_TRUE(first.Call("echo", json::object(), kWaitMs).ok());
  ASSERT_TRUE(second.Call("echo", json::object(), kWaitMs).ok());

  Client third = Connect();
  json line = ReadJsonLine(third);
  EXPECT_TRUE(line["id"].is_null());
  EXPECT_EQ(line["error"]["code"], 6);
  EXPECT_EQ(line["error"]["data"]["name"], "ResourceUnavailable");
  EXPECT_EQ(line["error"]["data"]["uid"], geteuid());
  EXPECT_EQ(line["error"]["data"]["limit"], 2);
  EXPECT_EQ(line["error"]["message"],
            fmt::format("uid {} already holds 2 connections to prid, the most "
                        "max_connections_per_uid allows; close some (is a client leaking "
                        "connections?) or raise max_connections_per_uid in prid.conf",
                        geteuid()));
  EXPECT_TRUE(ReadsEof(third));
  EXPECT_EQ(dispatcher_.opened_count(), 2u) << "the refused connection never became a client";
  // The first two go on.
  EXPECT_TRUE(first.Call("echo", json::object(), kWaitMs).ok());
  EXPECT_TRUE(second.Call("echo", json::object(), kWaitMs).ok());
}

TEST_F(ServerTest, ClosingAConnectionFreesItsPlaceUnderTheUidLimit) {
  ServerOptions options;
  options.max_connections_per_uid = 1;
  ASSERT_TRUE(StartServer(options).ok());
  {
    Client first = Connect();
    ASSERT_TRUE(first.Call("echo", json::object(), kWaitMs).ok());
    Client refused = Connect();
    EXPECT_EQ(ReadJsonLine(refused)["error"]["code"], 6);
  }
  // The server sees the EOF on its next iteration at the latest; a refused
  // connection retried meanwhile is refused again, so retry until admitted.
  bool admitted = false;
  for (int attempt = 0; attempt < 1000 && !admitted; ++attempt) {
    Client again = Connect();
    auto result = again.Call("echo", json::object(), kWaitMs);
    admitted = result.ok();
    if (!admitted) {
      ASSERT_EQ(result.error().code, static_cast<int>(ErrorCode::kResourceUnavailable))
          << result.error().message;
    }
  }
  EXPECT_TRUE(admitted);
}

// --- peer credentials ---

// What a child process that became another user saw on the socket.
struct ChildResult {
  int exit_code = -1;
  std::string received;
};

// Forks a child that drops to uid/gid with the supplementary `groups`
// (none by default), connects to `path`, optionally sends
// `request`, and passes everything it reads (until EOF, or the first line
// when `one_line`) back through a pipe. The child uses only syscalls: the
// parent has other threads.
ChildResult RunAsOtherUser(const std::string& path, uid_t uid, gid_t gid,
                           const std::string& request, bool one_line,
                           const std::vector<gid_t>& groups = {}) {
  ChildResult result;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return result;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    if (setgroups(groups.size(), groups.data()) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
      _exit(10);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) _exit(11);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) _exit(12);
    // A refused peer may be closed before its request is even written, or
    // with the request unread (ECONNRESET after the reply): both are fine.
    bool sent = request.empty() || send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                                       static_cast<ssize_t>(request.size());
    char buffer[4096];
    for (;;) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == ECONNRESET && !request.empty()) break;
      if (n < 0) _exit(14);
      if (n == 0) break;
      if (write(pipe_fds[1], buffer, static_cast<std::size_t>(n)) != n) _exit(15);
      if (one_line && std::memchr(buffer, '\n', static_cast<std::size_t>(n)) != nullptr) break;
    }
    _exit(sent || !one_line ? 0 : 13);
  }
  close(pipe_fds[1]);
  if (pid < 0) {
    close(pipe_fds[0]);
    return result;
  }
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
    result.received.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class ServerPeerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root to connect as another user (setuid to 65534)";
    }
    // Let the other user reach the socket: the peer check must refuse it,
    // not the file permissions.
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  }

  ServerOptions Options(gid_t group) {
    ServerOptions options;
    options.mode = 0666;
    options.group = group;
    return options;
  }
};

TEST_F(ServerPeerTest, StrangerGetsPermissionDeniedThenEof) {
  ASSERT_TRUE(StartServer(Options(static_cast<gid_t>(-1))).ok());
  ChildResult child = RunAsOtherUser(path_, 65534, 65534, "", /*one_line=*/false);
  ASSERT_EQ(child.exit_code, 0) << "child failed at step " << child.exit_code;
  // Exactly one line, then EOF (the child read until EOF).
  ASSERT_FALSE(child.received.empty());
  EXPECT_EQ(child.received.find('\n'), child.received.size() - 1) << child.received;
  json line = json::parse(child.received, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << child.received;
  EXPECT_EQ(line["jsonrpc"], "2.0");
  EXPECT_TRUE(line["id"].is_null());
  EXPECT_EQ(line["error"]["code"], 9);
  EXPECT_EQ(line["error"]["data"]["name"], "PermissionDenied");
  EXPECT_NE(line["error"]["message"].get<std::string>().find("65534"), std::string::npos);
  EXPECT_EQ(dispatcher_.opened_count(), 0u);
  EXPECT_EQ(loop_.Run([&] { return server_->client_count(); }), 0u);
}

TEST_F(ServerPeerTest, StrangerRequestIsNeverDispatched) {
  ASSERT_TRUE(StartServer(Options(static_cast<gid_t>(-1))).ok());
  ChildResult child = RunAsOtherUser(path_, 65534, 65534, Request(1, "echo"), false);
  ASSERT_EQ(child.exit_code, 0);
  EXPECT_NE(child.received.find("PermissionDenied"), std::string::npos);
  EXPECT_TRUE(dispatcher_.calls().empty());
}

TEST_F(ServerPeerTest, PeerWithTheSocketGroupIsAllowed) {
  ASSERT_TRUE(StartServer(Options(4321)).ok());
  ChildResult child = RunAsOtherUser(path_, 65534, 4321, Request(1, "echo", {{"ok", 1}}), true);
  ASSERT_EQ(child.exit_code, 0);
  json line = json::parse(child.received, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << child.received;
  EXPECT_EQ(line["result"]["ok"], 1);
}

TEST_F(ServerPeerTest, PeerHoldingTheSocketGroupAsSupplementaryGroupIsAllowed) {
  // Like a client started with SupplementaryGroups=4321: the group database
  // does not list uid 65534 in group 4321, its process holds it.
  ASSERT_TRUE(StartServer(Options(4321)).ok());
  ChildResult child = RunAsOtherUser(path_, 65534, 65534, Request(1, "echo", {{"ok", 3}}), true,
                                     {4321});
  ASSERT_EQ(child.exit_code, 0);
  json line = json::parse(child.received, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << child.received;
  EXPECT_EQ(line["result"]["ok"], 3);
}

TEST_F(ServerPeerTest, PeerWhoseUserIsInTheSocketGroupOnlyByTheDatabaseIsRefused) {
  // uid 65534 ("nobody") has 65534 as its group in the password database;
  // the process runs with gid 4321 and no supplementary group, so the
  // kernel — which checked the socket file's permissions with the same
  // credentials — does not count it in group 65534, and neither do we.
  struct passwd* nobody = getpwuid(65534);
  if (nobody == nullptr || nobody->pw_gid != 65534) {
    GTEST_SKIP() << "uid 65534 has no password entry with primary group 65534";
  }
  ASSERT_TRUE(StartServer(Options(65534)).ok());
  // Read until EOF: a refused peer may be closed before its request is out.
  ChildResult child = RunAsOtherUser(path_, 65534, 4321, Request(1, "echo", {{"ok", 2}}), false);
  ASSERT_EQ(child.exit_code, 0);
  json line = json::parse(child.received, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << child.received;
  EXPECT_EQ(line["error"]["data"]["name"], "PermissionDenied");
  EXPECT_EQ(line["error"]["data"]["groups"], json::array());
  EXPECT_TRUE(dispatcher_.calls().empty());
}

TEST_F(ServerPeerTest, ConnectionLimitOfOneUidLeavesOtherUidsAlone) {
  ServerOptions options = Options(4321);
  options.max_connections_per_uid = 1;
  ASSERT_TRUE(StartServer(options).ok());
  Client ours = Connect();
  ASSERT_TRUE(ours.Call("echo", json::object(), kWaitMs).ok());
  // Our uid is at its limit; uid 65534 holds nothing yet.
  ChildResult child = RunAsOtherUser(path_, 65534, 4321, Request(1, "echo", {{"ok", 4}}), true);
  ASSERT_EQ(child.exit_code, 0);
  json line = json::parse(child.received, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << child.received;
  EXPECT_EQ(line["result"]["ok"], 4);
}

}  // namespace
}  // namespace prid::ipc
