// Tests of the API.md error names and the RpcError <-> JSON conversions.
#include "ipc/errors.h"

#include <gtest/gtest.h>

namespace prid::ipc {
namespace {

using nlohmann::json;

TEST(ErrorNameTest, EveryApiErrorHasItsName) {
  EXPECT_EQ(ErrorName(ErrorCode::kParseError), "ParseError");
  EXPECT_EQ(ErrorName(ErrorCode::kInvalidRequest), "InvalidRequest");
  EXPECT_EQ(ErrorName(ErrorCode::kMethodNotFound), "MethodNotFound");
  EXPECT_EQ(ErrorName(ErrorCode::kInvalidParams), "InvalidParams");
  EXPECT_EQ(ErrorName(ErrorCode::kInternalError), "InternalError");
  EXPECT_EQ(ErrorName(ErrorCode::kInvalidCallHandle), "InvalidCallHandle");
  EXPECT_EQ(ErrorName(ErrorCode::kInvalidCallState), "InvalidCallState");
  EXPECT_EQ(ErrorName(ErrorCode::kNotOwner), "NotOwner");
  EXPECT_EQ(ErrorName(ErrorCode::kUserUserInfoTooBig), "UserUserInfoTooBig");
  EXPECT_EQ(ErrorName(ErrorCode::kOperationUnavailable), "OperationUnavailable");
  EXPECT_EQ(ErrorName(ErrorCode::kResourceUnavailable), "ResourceUnavailable");
  EXPECT_EQ(ErrorName(ErrorCode::kSpanDown), "SpanDown");
  EXPECT_EQ(ErrorName(ErrorCode::kEventsLost), "EventsLost");
  EXPECT_EQ(ErrorName(ErrorCode::kPermissionDenied), "PermissionDenied");
  EXPECT_EQ(ErrorName(ErrorCode::kTransportError), "TransportError");
}

TEST(ErrorNameTest, UnknownCodeHasAPlaceholderName) {
  EXPECT_EQ(ErrorName(static_cast<ErrorCode>(4242)), "UnknownError");
}

TEST(MakeErrorTest, FillsCodeNameMessageAndData) {
  RpcError error = MakeError(ErrorCode::kUserUserInfoTooBig, "UUI too long", json{{"max", 128}});
  EXPECT_EQ(error.code, 4);
  EXPECT_EQ(error.name, "UserUserInfoTooBig");
  EXPECT_EQ(error.message, "UUI too long");
  EXPECT_EQ(error.data, (json{{"max", 128}}));
}

TEST(MakeErrorTest, NonObjectDataIsKeptUnderValue) {
  RpcError error = MakeError(ErrorCode::kSpanDown, "down", json::array({1, 2}));
  EXPECT_EQ(error.data, (json{{"value", {1, 2}}}));
}

TEST(ErrorToJsonTest, AddsNameToData) {
  json out = ErrorToJson(MakeError(ErrorCode::kEventsLost, "too old", json{{"oldest", 17}}));
  EXPECT_EQ(out, (json{{"code", 8},
                       {"message", "too old"},
                       {"data", {{"name", "EventsLost"}, {"oldest", 17}}}}));
}

TEST(ErrorToJsonTest, EmptyNameFallsBackToTheCodesName) {
  RpcError error;
  error.code = 3;
  error.message = "monitor handle";
  EXPECT_EQ(ErrorToJson(error)["data"]["name"], "NotOwner");
}

TEST(ErrorFromJsonTest, RoundTripsAndStripsNameFromData) {
  RpcError sent = MakeError(ErrorCode::kUserUserInfoTooBig, "UUI too long", json{{"max", 128}});
  RpcError got = ErrorFromJson(ErrorToJson(sent));
  EXPECT_EQ(got.code, sent.code);
  EXPECT_EQ(got.name, sent.name);
  EXPECT_EQ(got.message, sent.message);
  EXPECT_EQ(got.data, sent.data);
}

TEST(ErrorFromJsonTest, MissingDataNameUsesTheCodesName) {
  RpcError got = ErrorFromJson(json{{"code", -32601}, {"message", "no such method"}});
  EXPECT_EQ(got.code, -32601);
  EXPECT_EQ(got.name, "MethodNotFound");
  EXPECT_EQ(got.message, "no such method");
  EXPECT_TRUE(got.data.is_object());
  EXPECT_TRUE(got.data.empty());
}

TEST(ErrorFromJsonTest, UnknownNameIsKeptAsReceived) {
  RpcError got = ErrorFromJson(
      json{{"code", 77}, {"message", "new in v2"}, {"data", {{"name", "FutureError"}}}});
  EXPECT_EQ(got.code, 77);
  EXPECT_EQ(got.name, "FutureError");
}

TEST(ErrorFromJsonTest, NonObjectIsAnInternalError) {
  RpcError got = ErrorFromJson(json("oops"));
  EXPECT_EQ(got.code, static_cast<int>(ErrorCode::kInternalError));
  EXPECT_EQ(got.name, "InternalError");
  EXPECT_NE(got.message.find("oops"), std::string::npos);
}

TEST(ErrorFromJsonTest, MissingCodeIsAnInternalError) {
  RpcError got = ErrorFromJson(json{{"message", "what"}});
  EXPECT_EQ(got.code, static_cast<int>(ErrorCode::kInternalError));
  EXPECT_EQ(got.message, "what");
}

}  // namespace
}  // namespace prid::ipc
