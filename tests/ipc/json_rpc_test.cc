// Tests of JSON-RPC 2.0 line handling: one test per malformation, batches,
// notifications, reply serialization.
#include "ipc/json_rpc.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace prid::ipc {
namespace {

using nlohmann::json;

class JsonRpcTest : public ::testing::Test {
 protected:
  // Handles `line` with a handler that echoes params for "echo", fails with
  // InvalidCallState for "fail" and knows no other method.
  LineReply Handle(std::string_view line) {
    return lines_.Handle(
        line,
        [this](std::string_view method_view, const Params& params) -> base::Expected<json, RpcError> {
          const std::string method(method_view);
          calls_.push_back(method);
          if (method == "echo") return ToJson(params);
          if (method == "fail") {
            return base::MakeUnexpected(
                MakeError(ErrorCode::kInvalidCallState, "call 7 is idle", json{{"call", 7}}));
          }
          if (method == "big") return json(std::string(ToJson(params)["n"].get<std::size_t>(), 'x'));
          if (method == "bad_utf8")
            return json{{"text", std::string("a\xff"
                                             "b")}};
          return base::MakeUnexpected(MakeError(ErrorCode::kMethodNotFound, "no method " + method));
        });
  }

  // The reply parsed; fails the test when there is none.
  json Reply(std::string_view line) {
    LineReply reply = Handle(line);
    EXPECT_FALSE(reply.text.empty()) << "no reply to " << line;
    EXPECT_EQ(reply.text.back(), '\n');
    return json::parse(reply.text);
  }

  void ExpectError(std::string_view line, int code, std::string_view name, const json& id) {
    json reply = Reply(line);
    EXPECT_EQ(reply["jsonrpc"], "2.0") << line;
    EXPECT_EQ(reply["id"], id) << line;
    EXPECT_EQ(reply["error"]["code"], code) << line;
    EXPECT_EQ(reply["error"]["data"]["name"], name) << line;
    EXPECT_TRUE(reply["error"]["message"].is_string()) << line;
    EXPECT_FALSE(reply.contains("result")) << line;
  }

  LineHandler lines_;
  std::vector<std::string> calls_;
};

TEST_F(JsonRpcTest, RequestGetsResultWithItsId) {
  json reply = Reply(R"({"jsonrpc":"2.0","id":5,"method":"echo","params":{"a":1}})");
  EXPECT_EQ(reply, (json{{"jsonrpc", "2.0"}, {"id", 5}, {"result", {{"a", 1}}}}));
  EXPECT_EQ(calls_, (std::vector<std::string>{"echo"}));
}

TEST_F(JsonRpcTest, AbsentParamsAreAnEmptyObject) {
  json reply = Reply(R"({"jsonrpc":"2.0","id":1,"method":"echo"})");
  EXPECT_EQ(reply["result"], json::object());
}

TEST_F(JsonRpcTest, StringIdIsEchoed) {
  EXPECT_EQ(Reply(R"({"jsonrpc":"2.0","id":"abc","method":"echo"})")["id"], "abc");
}

TEST_F(JsonRpcTest, NullIdIsARequestNotANotification) {
  json reply = Reply(R"({"jsonrpc":"2.0","id":null,"method":"echo"})");
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(reply["result"], json::object());
}

TEST_F(JsonRpcTest, HandlerErrorBecomesErrorObjectWithName) {
  json reply = Reply(R"({"jsonrpc":"2.0","id":2,"method":"fail"})");
  EXPECT_EQ(reply["id"], 2);
  EXPECT_EQ(reply["error"], (json{{"code", 2},
                                  {"message", "call 7 is idle"},
                                  {"data", {{"name", "InvalidCallState"}, {"call", 7}}}}));
}

TEST_F(JsonRpcTest, UnknownMethodIsMethodNotFound) {
  ExpectError(R"({"jsonrpc":"2.0","id":3,"method":"nope"})", -32601, "MethodNotFound", 3);
}

TEST_F(JsonRpcTest, NotificationIsCalledWithoutReply) {
  LineReply reply = Handle(R"({"jsonrpc":"2.0","method":"echo","params":{}})");
  EXPECT_TRUE(reply.text.empty());
  EXPECT_FALSE(reply.close);
  EXPECT_EQ(calls_, (std::vector<std::string>{"echo"}));
}

TEST_F(JsonRpcTest, FailingNotificationGetsNoReply) {
  EXPECT_TRUE(Handle(R"({"jsonrpc":"2.0","method":"fail"})").text.empty());
}

TEST_F(JsonRpcTest, NotJsonIsParseErrorAndCloses) {
  LineReply reply = Handle("{\"jsonrpc\":");
  EXPECT_TRUE(reply.close);
  json parsed = json::parse(reply.text);
  EXPECT_TRUE(parsed["id"].is_null());
  EXPECT_EQ(parsed["error"]["code"], -32700);
  EXPECT_EQ(parsed["error"]["data"]["name"], "ParseError");
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, InvalidUtf8IsParseError) {
  LineReply reply = Handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"e\xc3\x28\"}");
  EXPECT_TRUE(reply.close);
  EXPECT_EQ(json::parse(reply.text)["error"]["code"], -32700);
}

TEST_F(JsonRpcTest, TrailingGarbageIsParseError) {
  EXPECT_TRUE(Handle(R"({"jsonrpc":"2.0","id":1,"method":"echo"} x)").close);
}

TEST_F(JsonRpcTest, BlankLineIsIgnored) {
  LineReply reply = Handle(" \t\r");
  EXPECT_TRUE(reply.text.empty());
  EXPECT_FALSE(reply.close);
}

TEST_F(JsonRpcTest, MissingJsonrpcIsInvalidRequest) {
  ExpectError(R"({"id":1,"method":"echo"})", -32600, "InvalidRequest", 1);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, WrongJsonrpcVersionIsInvalidRequest) {
  ExpectError(R"({"jsonrpc":"1.0","id":1,"method":"echo"})", -32600, "InvalidRequest", 1);
}

TEST_F(JsonRpcTest, NumericJsonrpcIsInvalidRequest) {
  ExpectError(R"({"jsonrpc":2.0,"id":1,"method":"echo"})", -32600, "InvalidRequest", 1);
}

TEST_F(JsonRpcTest, MissingMethodIsInvalidRequest) {
  ExpectError(R"({"jsonrpc":"2.0","id":1})", -32600, "InvalidRequest", 1);
}

TEST_F(JsonRpcTest, NonStringMethodIsInvalidRequest) {
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":42})", -32600, "InvalidRequest", 1);
}

TEST_F(JsonRpcTest, InvalidRequestWithoutIdIsStillAnswered) {
  ExpectError(R"({"jsonrpc":"2.0","method":42})", -32600, "InvalidRequest", nullptr);
}

TEST_F(JsonRpcTest, ParamsArrayIsInvalidParams) {
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[1]})", -32602, "InvalidParams",
              1);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, NotificationWithParamsArrayGetsNoReply) {
  EXPECT_TRUE(Handle(R"({"jsonrpc":"2.0","method":"echo","params":[1]})").text.empty());
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, ScalarParamsIsInvalidRequest) {
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"x"})", -32600, "InvalidRequest",
              1);
}

TEST_F(JsonRpcTest, NullParamsIsInvalidRequest) {
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":null})", -32600, "InvalidRequest",
              1);
}

TEST_F(JsonRpcTest, ObjectIdIsInvalidRequestWithNullId) {
  ExpectError(R"({"jsonrpc":"2.0","id":{"a":1},"method":"echo"})", -32600, "InvalidRequest",
              nullptr);
}

TEST_F(JsonRpcTest, BooleanIdIsInvalidRequestWithNullId) {
  ExpectError(R"({"jsonrpc":"2.0","id":true,"method":"echo"})", -32600, "InvalidRequest", nullptr);
}

TEST_F(JsonRpcTest, NonObjectMessageIsInvalidRequest) {
  ExpectError("42", -32600, "InvalidRequest", nullptr);
  ExpectError("\"echo\"", -32600, "InvalidRequest", nullptr);
}

TEST_F(JsonRpcTest, BatchRepliesComeInRequestOrder) {
  json reply = Reply(R"([{"jsonrpc":"2.0","id":1,"method":"echo","params":{"n":1}},)"
                     R"({"jsonrpc":"2.0","id":2,"method":"fail"},)"
                     R"({"jsonrpc":"2.0","method":"echo"},)"
                     R"({"jsonrpc":"2.0","id":"x","method":"echo","params":{"n":3}}])");
  ASSERT_TRUE(reply.is_array());
  ASSERT_EQ(reply.size(), 3u);
  EXPECT_EQ(reply[0]["id"], 1);
  EXPECT_EQ(reply[0]["result"], (json{{"n", 1}}));
  EXPECT_EQ(reply[1]["id"], 2);
  EXPECT_EQ(reply[1]["error"]["code"], 2);
  EXPECT_EQ(reply[2]["id"], "x");
  EXPECT_EQ(reply[2]["result"], (json{{"n", 3}}));
  EXPECT_EQ(calls_, (std::vector<std::string>{"echo", "fail", "echo", "echo"}));
}

TEST_F(JsonRpcTest, EmptyBatchIsOneInvalidRequest) {
  json reply = Reply("[]");
  ASSERT_TRUE(reply.is_object());
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(reply["error"]["code"], -32600);
}

// A batch of `count` echo requests with ids 1…count.
std::string EchoBatch(std::size_t count) {
  std::string line = "[";
  for (std::size_t i = 1; i <= count; ++i) {
    if (i > 1) line += ',';
    line += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"echo"})";
  }
  return line + "]";
}

TEST_F(JsonRpcTest, BatchOfTheMaximumSizeIsRunWhole) {
  json reply = Reply(EchoBatch(kMaxBatchRequests));
  ASSERT_TRUE(reply.is_array());
  EXPECT_EQ(reply.size(), kMaxBatchRequests);
  EXPECT_EQ(calls_.size(), kMaxBatchRequests);
}

TEST_F(JsonRpcTest, BatchOverTheMaximumIsOneInvalidRequestAndNothingRuns) {
  LineReply reply = Handle(EchoBatch(kMaxBatchRequests + 1));
  EXPECT_FALSE(reply.close) << "the connection stays";
  json parsed = json::parse(reply.text);
  ASSERT_TRUE(parsed.is_object()) << "one error for the whole batch, not an array";
  EXPECT_TRUE(parsed["id"].is_null());
  EXPECT_EQ(parsed["error"]["code"], -32600);
  EXPECT_EQ(parsed["error"]["data"]["name"], "InvalidRequest");
  EXPECT_EQ(parsed["error"]["data"]["limit"], kMaxBatchRequests);
  EXPECT_EQ(parsed["error"]["data"]["size"], kMaxBatchRequests + 1);
  EXPECT_EQ(parsed["error"]["message"],
            "a batch may hold at most 100 requests, this one holds 101; none of them was run: "
            "send them in smaller batches");
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, BatchOverTheMaximumOfNotificationsIsRefusedToo) {
  std::string line = "[";
  for (std::size_t i = 0; i <= kMaxBatchRequests; ++i) {
    line += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","method":"echo"})";
  }
  json parsed = json::parse(Handle(line + "]").text);
  EXPECT_EQ(parsed["error"]["code"], -32600);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, NotificationOnlyBatchGetsNoReply) {
  LineReply reply =
      Handle(R"([{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"echo"}])");
  EXPECT_TRUE(reply.text.empty());
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(JsonRpcTest, InvalidBatchElementsGetTheirOwnErrors) {
  json reply = Reply(R"([1,{"jsonrpc":"2.0","id":2,"method":"echo"},[]])");
  ASSERT_EQ(reply.size(), 3u);
  EXPECT_EQ(reply[0]["error"]["code"], -32600);
  EXPECT_TRUE(reply[0]["id"].is_null());
  EXPECT_EQ(reply[1]["id"], 2);
  EXPECT_EQ(reply[2]["error"]["code"], -32600);
}

TEST_F(JsonRpcTest, DeepNestingIsRefusedWithoutParsing) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":)" +
                     std::string(200, '[') + std::string(200, ']') + "}}";
  LineReply reply = Handle(deep);
  EXPECT_FALSE(reply.close);
  EXPECT_EQ(json::parse(reply.text)["error"]["code"], -32600);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, BracketsInsideStringsDoNotCountAsNesting) {
  std::string line = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":")" +
                     std::string(200, '[') + R"(\"{"}})";
  EXPECT_EQ(Reply(line)["result"]["a"], std::string(200, '[') + "\"{");
}

TEST_F(JsonRpcTest, InvalidUtf8InResultIsReplacedNotThrown) {
  json reply = Reply(R"({"jsonrpc":"2.0","id":1,"method":"bad_utf8"})");
  EXPECT_EQ(reply["result"]["text"],
            "a\xef\xbf\xbd"
            "b");
}

TEST_F(JsonRpcTest, SixtyFourLevelsAreAcceptedSixtyFiveAreNot) {
  auto nested = [](std::size_t levels) {  // params is level 2
    return R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":)" + std::string(levels - 2, '[') +
           std::string(levels - 2, ']') + "}}";
  };
  EXPECT_TRUE(Reply(nested(kMaxJsonDepth)).contains("result"));
  EXPECT_EQ(Reply(nested(kMaxJsonDepth + 1))["error"]["code"], -32600);
}

TEST_F(JsonRpcTest, ParamsAndIdReachTheHandlerAsSent) {
  json reply = Reply(R"({"jsonrpc":"2.0","id":"abc\u0000d","method":"echo",)"
                     R"("params":{"s":"x\u0000y","n":-7,"u":18446744073709551615,"f":1.5,"b":false,)"
                     R"("z":null,"l":[1,"2",{}]}})");
  EXPECT_EQ(reply["id"], std::string("abc\0d", 5));
  EXPECT_EQ(reply["result"],
            (json{{"s", std::string("x\0y", 3)}, {"n", -7}, {"u", 18446744073709551615ULL}, {"f", 1.5},
                  {"b", false}, {"z", nullptr}, {"l", json::array({1, "2", json::object()})}}));
}

TEST_F(JsonRpcTest, ALongerLineAfterShortOnesIsParsedWhole) {
  // The parser's buffers grow past their first size and are reused.
  EXPECT_TRUE(Reply(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}})").contains("result"));
  const std::string big(20000, 'q');
  json reply = Reply(R"({"jsonrpc":"2.0","id":2,"method":"echo","params":{"big":")" + big + R"("}})");
  EXPECT_EQ(reply["result"]["big"], big);
  EXPECT_EQ(Reply(R"({"jsonrpc":"2.0","id":3,"method":"echo","params":{"a":2}})")["result"]["a"], 2);
}

TEST_F(JsonRpcTest, AnIntegerPastSixtyFourBitsIsJsonNotAParseError) {
  // simdjson refuses it; JSON allows it, and the handler sees a double.
  LineReply reply = Handle(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"n":123456789012345678901234567890}})");
  EXPECT_FALSE(reply.close);
  json result = json::parse(reply.text)["result"];
  ASSERT_TRUE(result["n"].is_number_float()) << reply.text;
  EXPECT_DOUBLE_EQ(result["n"].get<double>(), 1.2345678901234568e29);
}

TEST_F(JsonRpcTest, DeepNestingAfterAHugeIntegerIsStillRefused) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"n":123456789012345678901234567890,"a":)" +
                     std::string(30000, '[') + std::string(30000, ']') + "}}";
  LineReply reply = Handle(deep);
  EXPECT_FALSE(reply.close);
  EXPECT_EQ(json::parse(reply.text)["error"]["code"], -32600);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(JsonRpcTest, NotJsonNamesWhereTheLineWentWrong) {
  LineReply reply = Handle(R"({"jsonrpc":"2.0",,"id":1})");
  EXPECT_TRUE(reply.close);
  const std::string message = json::parse(reply.text)["error"]["message"];
  EXPECT_NE(message.find("column 18"), std::string::npos) << message;
}

// A request for a result of `n` bytes ("x"…).
std::string Big(const json& id, std::size_t n) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "big"}, {"params", {{"n", n}}}}.dump();
}

std::string Batch(const std::vector<std::string>& requests) {
  std::string line = "[";
  for (const std::string& request : requests) line += (line.size() > 1 ? "," : "") + request;
  return line + "]";
}

void ExpectTooLarge(const json& reply, const json& id) {
  EXPECT_EQ(reply["id"], id) << reply.dump();
  EXPECT_EQ(reply["error"]["code"], 10) << reply.dump();
  EXPECT_EQ(reply["error"]["data"]["name"], "ResultTooLarge");
  EXPECT_EQ(reply["error"]["data"]["limit"], kMaxReplyLineBytes);
  EXPECT_FALSE(reply.contains("result"));
}

// {"id":1,"jsonrpc":"2.0","result":""} and its newline.
constexpr std::size_t kReplyFraming = 37;

TEST_F(JsonRpcTest, AReplyLineOfExactlyTheLimitIsSentWhole) {
  LineReply reply = Handle(Big(1, kMaxReplyLineBytes - kReplyFraming));
  EXPECT_EQ(reply.text.size(), kMaxReplyLineBytes);
  EXPECT_EQ(json::parse(reply.text)["result"].get<std::string>().size(), kMaxReplyLineBytes - kReplyFraming);
}

TEST_F(JsonRpcTest, AReplyPastTheLimitIsResultTooLargeNamingMethodSizeAndLimit) {
  LineReply reply = Handle(Big(1, kMaxReplyLineBytes - kReplyFraming + 1));
  EXPECT_LE(reply.text.size(), kMaxReplyLineBytes);
  EXPECT_FALSE(reply.close);
  json parsed = json::parse(reply.text);
  ExpectTooLarge(parsed, 1);
  EXPECT_EQ(parsed["error"]["data"]["size"], kMaxReplyLineBytes + 1);
  const std::string message = parsed["error"]["message"];
  EXPECT_NE(message.find("the reply to big is 65537 bytes, more than the 65536 bytes a line may hold"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("page (after, limit)"), std::string::npos) << message;
  EXPECT_EQ(calls_, (std::vector<std::string>{"big"}));  // it was run
}

TEST_F(JsonRpcTest, ABatchRunsInOrderUntilItsReplyLineIsFullAndNoFurther) {
  std::vector<std::string> requests;
  for (int i = 0; i < 10; ++i) requests.push_back(Big(i, 10000));
  LineReply reply = Handle(Batch(requests));
  EXPECT_LE(reply.text.size(), kMaxReplyLineBytes);
  json parsed = json::parse(reply.text);
  ASSERT_TRUE(parsed.is_array());
  ASSERT_EQ(parsed.size(), 10u);
  // Six replies of 10,037 bytes and the errors of the rest fit 64 KiB; a
  // seventh does not: it ran and is replaced, the rest did not run.
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(parsed[i]["id"], i);
    EXPECT_EQ(parsed[i]["result"].get<std::string>().size(), 10000u);
  }
  ExpectTooLarge(parsed[6], 6);
  EXPECT_EQ(parsed[6]["error"]["data"]["run"], true);
  EXPECT_NE(parsed[6]["error"]["message"].get<std::string>().find("send fewer requests per batch"),
            std::string::npos);
  for (int i = 7; i < 10; ++i) {
    ExpectTooLarge(parsed[i], i);
    EXPECT_EQ(parsed[i]["error"]["data"]["run"], false);
    EXPECT_NE(parsed[i]["error"]["message"].get<std::string>().find("was not run"), std::string::npos);
  }
  EXPECT_EQ(calls_.size(), 7u) << "the work of one line stops when its reply is full";
}

TEST_F(JsonRpcTest, ASmallReplyAfterTheCutIsReplacedToo) {
  LineReply reply = Handle(Batch({Big(0, 40000), Big(1, 40000), Big(2, 1)}));
  json parsed = json::parse(reply.text);
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_TRUE(parsed[0].contains("result"));
  ExpectTooLarge(parsed[1], 1);
  ExpectTooLarge(parsed[2], 2);
}

TEST_F(JsonRpcTest, AFullBatchOfLargeRepliesWithLongIdsStaysWithinTheLine) {
  // 100 ids of 200 characters are echoed; a longer one would not be.
  std::vector<std::string> requests;
  for (int i = 0; i < 100; ++i) requests.push_back(Big(std::string(200, 'a' + i % 26), 5000));
  requests.back() = Big(std::string(1000, 'z'), 5000);
  LineReply reply = Handle(Batch(requests));
  EXPECT_LE(reply.text.size(), kMaxReplyLineBytes);
  json parsed = json::parse(reply.text);
  ASSERT_EQ(parsed.size(), 100u);
  std::size_t kept = 0;
  while (kept < parsed.size() && parsed[kept].contains("result")) ++kept;
  EXPECT_GE(kept, 1u);
  for (std::size_t i = kept; i < 99; ++i) ExpectTooLarge(parsed[i], std::string(200, 'a' + i % 26));
  ExpectTooLarge(parsed[99], nullptr);  // too long an id to echo
}

TEST(JsonRpcLimitTest, ABatchWhoseErrorsAloneWouldNotFitGetsOneResultTooLarge) {
  LineHandler lines(300);
  auto handler = [](std::string_view, const Params&) -> base::Expected<json, RpcError> {
    return json(std::string(200, 'x'));
  };
  LineReply reply = lines.Handle(R"([{"jsonrpc":"2.0","id":1,"method":"m"},{"jsonrpc":"2.0","id":2,"method":"m"}])",
                                 handler);
  EXPECT_LE(reply.text.size(), 300u);
  json parsed = json::parse(reply.text);
  ASSERT_TRUE(parsed.is_object()) << reply.text;
  EXPECT_TRUE(parsed["id"].is_null());
  EXPECT_EQ(parsed["error"]["data"]["name"], "ResultTooLarge");
  EXPECT_EQ(parsed["error"]["data"]["run"], false);
}

TEST(SerializeLineTest, CompactWithNewline) {
  EXPECT_EQ(SerializeLine(json{{"a", 1}}), "{\"a\":1}\n");
}

}  // namespace
}  // namespace prid::ipc
