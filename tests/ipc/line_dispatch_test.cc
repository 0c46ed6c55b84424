// Tests of the glue from received lines to Dispatcher calls: the client id
// and method reach the Dispatcher, batches call in order, exceptions become
// InternalError replies, and the overlong-line reply.
#include "ipc/line_dispatch.h"
#include "ipc/peer_credentials.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace prid::ipc {
namespace {

using nlohmann::json;

// Records every call. Methods: "echo" returns the params, "throw" throws a
// std::exception, "throw_int" throws something else.
class RecordingDispatcher : public Dispatcher {
 public:
  void ClientOpened(ClientId client, const PeerCredentials&) override {
    opened.push_back(client);
    if (throw_on_open_close) throw std::runtime_error("open failed");
  }
  void ClientClosed(ClientId client) override {
    closed.push_back(client);
    if (throw_on_open_close) throw 7;
  }
  base::Expected<json, RpcError> Call(ClientId client, std::string_view method,
                                      const Params& params) override {
    calls.push_back(std::to_string(client) + ":" + std::string(method));
    if (method == "throw") throw std::runtime_error("boom");
    if (method == "throw_int") throw 42;
    return ToJson(params);
  }

  bool throw_on_open_close = false;
  std::vector<ClientId> opened;
  std::vector<ClientId> closed;
  std::vector<std::string> calls;
};

json ParseReply(const LineReply& reply) {
  EXPECT_FALSE(reply.text.empty());
  EXPECT_EQ(reply.text.back(), '\n');
  return json::parse(reply.text, nullptr, false);
}

TEST(LineDispatchTest, RequestIsCalledWithItsClientAndAnswered) {
  RecordingDispatcher dispatcher;
  LineDispatch dispatch(dispatcher);
  LineReply reply =
      dispatch.HandleLine(7, R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}})");
  EXPECT_FALSE(reply.close);
  json parsed = ParseReply(reply);
  EXPECT_EQ(parsed["id"], 1);
  EXPECT_EQ(parsed["result"]["a"], 1);
  EXPECT_EQ(dispatcher.calls, std::vector<std::string>{"7:echo"});
}

TEST(LineDispatchTest, BatchRequestsAreCalledInOrder) {
  RecordingDispatcher dispatcher;
  LineDispatch dispatch(dispatcher);
  LineReply reply = dispatch.HandleLine(
      3,
      R"([{"jsonrpc":"2.0","id":1,"method":"first"},{"jsonrpc":"2.0","id":2,"method":"second"}])");
  json parsed = ParseReply(reply);
  ASSERT_TRUE(parsed.is_array());
  EXPECT_EQ(parsed.size(), 2u);
  EXPECT_EQ(dispatcher.calls, (std::vector<std::string>{"3:first", "3:second"}));
}

TEST(LineDispatchTest, ExceptionFromCallIsAnInternalErrorNamingTheMethod) {
  RecordingDispatcher dispatcher;
  LineDispatch dispatch(dispatcher);
  json parsed = ParseReply(dispatch.HandleLine(1, R"({"jsonrpc":"2.0","id":5,"method":"throw"})"));
  EXPECT_EQ(parsed["id"], 5);
  EXPECT_EQ(parsed["error"]["code"], static_cast<int>(ErrorCode::kInternalError));
  EXPECT_EQ(parsed["error"]["message"], "throw failed: boom");
}

TEST(LineDispatchTest, NonStandardExceptionFromCallIsAnInternalError) {
  RecordingDispatcher dispatcher;
  LineDispatch dispatch(dispatcher);
  json parsed =
      ParseReply(dispatch.HandleLine(1, R"({"jsonrpc":"2.0","id":6,"method":"throw_int"})"));
  EXPECT_EQ(parsed["error"]["code"], static_cast<int>(ErrorCode::kInternalError));
  EXPECT_EQ(parsed["error"]["message"], "throw_int failed");
}

TEST(LineDispatchTest, LineThatIsNotJsonIsNeverDispatchedAndCloses) {
  RecordingDispatcher dispatcher;
  LineDispatch dispatch(dispatcher);
  LineReply reply = dispatch.HandleLine(1, "not json");
  EXPECT_TRUE(reply.close);
  EXPECT_EQ(ParseReply(reply)["error"]["code"], static_cast<int>(ErrorCode::kParseError));
  EXPECT_TRUE(dispatcher.calls.empty());
}

TEST(LineDispatchTest, OpenedAndClosedReachTheDispatcherAndSwallowExceptions) {
  RecordingDispatcher dispatcher;
  dispatcher.throw_on_open_close = true;
  LineDispatch dispatch(dispatcher);
  dispatch.Opened(4, PeerCredentials{});
  dispatch.Closed(4);
  EXPECT_EQ(dispatcher.opened, std::vector<ClientId>{4});
  EXPECT_EQ(dispatcher.closed, std::vector<ClientId>{4});
}

TEST(LineDispatchTest, AReplyPastItsLineBoundIsResultTooLarge) {
  RecordingDispatcher dispatcher;
  LineDispatch dispatch(dispatcher, 512);
  const std::string text(600, 'x');
  LineReply reply = dispatch.HandleLine(
      3, R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":")" + text + R"("}})");
  EXPECT_LE(reply.text.size(), 512u);
  json parsed = ParseReply(reply);
  EXPECT_EQ(parsed["id"], 1);
  EXPECT_EQ(parsed["error"]["data"]["name"], "ResultTooLarge");
  EXPECT_EQ(parsed["error"]["data"]["limit"], 512);
  EXPECT_EQ(dispatcher.calls, std::vector<std::string>{"3:echo"});
}

TEST(LineTooLongReplyTest, IsAParseErrorWithIdNullNamingTheBound) {
  std::string line = LineTooLongReply(65536);
  ASSERT_EQ(line.back(), '\n');
  json parsed = json::parse(line);
  EXPECT_EQ(parsed["jsonrpc"], "2.0");
  EXPECT_TRUE(parsed["id"].is_null());
  EXPECT_EQ(parsed["error"]["code"], static_cast<int>(ErrorCode::kParseError));
  EXPECT_EQ(parsed["error"]["message"],
            "line longer than 65536 bytes; send one JSON-RPC object per line");
}

}  // namespace
}  // namespace prid::ipc
