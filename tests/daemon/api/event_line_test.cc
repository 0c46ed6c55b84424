// The hand-written call.state lines must be the JSON API.md describes.
#include "daemon/api/event_line.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace prid::daemon {
namespace {

using nlohmann::json;

Call RemotelyCleared() {
  Call call;
  call.id = 7;
  call.span = 2;
  call.channel = 17;
  call.cause = 17;
  call.origin = Origin::kRemote;
  return call;
}

TEST(EventLineTest, CallStateLineIsAJsonRpcNotificationWithApiFields) {
  const std::string line = CallStateEventLine(RemotelyCleared(), HandleState::kConnected, HandleState::kDisconnected,
                                              q931::UserUser{4, {'b', 'y', 'e'}}, 42, "2026-11-21T19:00:00.123Z");
  ASSERT_EQ(line.back(), '\n');
  json j = json::parse(line);
  EXPECT_EQ(j["jsonrpc"], "2.0");
  EXPECT_EQ(j["method"], "event");
  const json& p = j["params"];
  EXPECT_EQ(p["type"], "call.state");
  EXPECT_EQ(p["seq"], 42);
  EXPECT_EQ(p["time"], "2026-11-21T19:00:00.123Z");
  EXPECT_EQ(p["call"], 7);
  EXPECT_EQ(p["span"], 2);
  EXPECT_EQ(p["channel"], 17);
  EXPECT_EQ(p["state"], "disconnected");
  EXPECT_EQ(p["previous"], "connected");
  EXPECT_EQ(p["cause"], 17);
  EXPECT_EQ(p["cause_name"], "user_busy");
  EXPECT_EQ(p["mode"], "busy");
  EXPECT_EQ(p["origin"], "remote");
  EXPECT_EQ(p["uui"], (json{{"pd", 4}, {"hex", "627965"}, {"text", "bye"}}));
}

TEST(EventLineTest, ClearingFieldsOnlyWhenTheCallIsClearing) {
  json p = json::parse(CallStateEventLine(RemotelyCleared(), HandleState::kProceeding, HandleState::kRingback,
                                          std::nullopt, 1, "t"))["params"];
  EXPECT_FALSE(p.contains("cause"));
  EXPECT_FALSE(p.contains("uui"));
}

TEST(EventLineTest, BinaryUuiHasNoTextAndTextIsEscaped) {
  json p = json::parse(CallStateEventLine(RemotelyCleared(), HandleState::kConnected, HandleState::kDisconnected,
                                          q931::UserUser{0, {0x00, 0xff, '"'}}, 1, "t"))["params"];
  EXPECT_EQ(p["uui"], (json{{"pd", 0}, {"hex", "00ff22"}}));
  p = json::parse(CallStateEventLine(RemotelyCleared(), HandleState::kConnected, HandleState::kDisconnected,
                                     q931::UserUser{4, {'a', '"', '\\', 'b'}}, 1, "t"))["params"];
  EXPECT_EQ(p["uui"]["text"], "a\"\\b");
}

TEST(EventLineTest, JsonStringsEscapeControlAndNonAsciiBytes) {
  std::string out;
  AppendJsonString(out, std::string("a\x01\n\xff\"", 5));
  EXPECT_EQ(out, R"("a\u0001\u000a\u00ff\"")");
  EXPECT_EQ(json::parse(out), std::string("a\x01\n\xc3\xbf\"", 6)) << "valid JSON, bytes as code points";
}

TEST(EventLineTest, TheRecordsDisplayAndConnectedNumberAreInTheLineAsInTheRecord) {
  Call call = RemotelyCleared();
  call.display = "Jos\xc3\xa9 \"B\"";  // UTF-8 as q931::DisplayText makes it
  call.connected_party = q931::Party{"5550199", 2, 1, 0, 3};
  const json p = json::parse(
      CallStateEventLine(call, HandleState::kRingback, HandleState::kConnected, std::nullopt, 1, "t"))["params"];
  EXPECT_EQ(p["display"], "Jos\xc3\xa9 \"B\"");
  EXPECT_EQ(p["connected_party"], (json{{"digits", "5550199"},
                                        {"ton", "national"},
                                        {"npi", "e164"},
                                        {"presentation", "allowed"},
                                        {"screening", "network"}}));
  const json none = json::parse(
      CallStateEventLine(RemotelyCleared(), HandleState::kRingback, HandleState::kConnected, std::nullopt, 1, "t"));
  EXPECT_FALSE(none["params"].contains("display"));
  EXPECT_FALSE(none["params"].contains("connected_party"));
}

}  // namespace
}  // namespace prid::daemon
