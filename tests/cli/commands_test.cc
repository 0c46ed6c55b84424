// Tests for the JSON-RPC params prictl builds from parsed options.
#include "cli/commands.h"

#include <gtest/gtest.h>

namespace prid::cli {
namespace {

using nlohmann::json;

TEST(UuiParam, NoOptionsGivesNoUui) {
  auto uui = UuiParam({});
  ASSERT_TRUE(uui.ok());
  EXPECT_FALSE(uui->has_value());
}

TEST(UuiParam, TextBecomesTextField) {
  auto uui = UuiParam({.text = "hello"});
  ASSERT_TRUE(uui.ok());
  EXPECT_EQ(**uui, json({{"text", "hello"}}));
}

TEST(UuiParam, EmptyTextIsAllowed) {
  auto uui = UuiParam({.text = ""});
  ASSERT_TRUE(uui.ok());
  EXPECT_EQ(**uui, json({{"text", ""}}));
}

TEST(UuiParam, HexBecomesHexField) {
  auto uui = UuiParam({.hex = "0A1b"});
  ASSERT_TRUE(uui.ok());
  EXPECT_EQ(**uui, json({{"hex", "0A1b"}}));
}

TEST(UuiParam, PdIsAddedToHex) {
  auto uui = UuiParam({.hex = "00ff", .pd = 0});
  ASSERT_TRUE(uui.ok());
  EXPECT_EQ(**uui, json({{"hex", "00ff"}, {"pd", 0}}));
}

TEST(UuiParam, PdIsAddedToText) {
  auto uui = UuiParam({.text = "x", .pd = 255});
  ASSERT_TRUE(uui.ok());
  EXPECT_EQ(**uui, json({{"text", "x"}, {"pd", 255}}));
}

TEST(UuiParam, OddHexLengthIsRefused) {
  auto uui = UuiParam({.hex = "abc"});
  ASSERT_FALSE(uui.ok());
  EXPECT_NE(uui.error().find("odd number of digits"), std::string::npos) << uui.error();
}

TEST(UuiParam, NonHexDigitIsRefusedNamingIt) {
  auto uui = UuiParam({.hex = "0g"});
  ASSERT_FALSE(uui.ok());
  EXPECT_NE(uui.error().find("'g' is not a hex digit"), std::string::npos) << uui.error();
}

TEST(UuiParam, HexWithSeparatorsIsRefused) {
  EXPECT_FALSE(UuiParam({.hex = "0a:1b"}).ok());
  EXPECT_FALSE(UuiParam({.hex = "0a 1b"}).ok());
  EXPECT_FALSE(UuiParam({.hex = "0x0a"}).ok());
}

TEST(UuiParam, TextAndHexTogetherAreRefused) {
  auto uui = UuiParam({.text = "a", .hex = "61"});
  ASSERT_FALSE(uui.ok());
  EXPECT_NE(uui.error().find("exclude each other"), std::string::npos) << uui.error();
}

TEST(UuiParam, PdOutOfRangeIsRefused) {
  EXPECT_FALSE(UuiParam({.text = "a", .pd = 256}).ok());
  EXPECT_FALSE(UuiParam({.text = "a", .pd = -1}).ok());
}

TEST(UuiParam, PdWithoutUuiIsRefused) {
  auto uui = UuiParam({.pd = 4});
  ASSERT_FALSE(uui.ok());
  EXPECT_NE(uui.error().find("--pd needs"), std::string::npos) << uui.error();
}

TEST(CauseParam, NumberBecomesJsonNumber) {
  auto cause = CauseParam("16");
  ASSERT_TRUE(cause.ok());
  EXPECT_EQ(*cause, json(16));
}

TEST(CauseParam, RangeEndsAreAccepted) {
  EXPECT_EQ(*CauseParam("1"), json(1));
  EXPECT_EQ(*CauseParam("127"), json(127));
}

TEST(CauseParam, ZeroAndAbove127AreRefused) {
  EXPECT_FALSE(CauseParam("0").ok());
  EXPECT_FALSE(CauseParam("128").ok());
  EXPECT_FALSE(CauseParam("-5").ok());
}

TEST(CauseParam, ApiNamesPassThroughAsStrings) {
  for (const char* name : {"normal", "busy", "noanswer", "rejected", "unavailable"}) {
    auto cause = CauseParam(name);
    ASSERT_TRUE(cause.ok()) << name;
    EXPECT_EQ(*cause, json(name));
  }
}

TEST(CauseParam, UnknownNameIsRefusedListingTheNames) {
  auto cause = CauseParam("hangup");
  ASSERT_FALSE(cause.ok());
  EXPECT_NE(cause.error().find("normal, busy, noanswer, rejected, unavailable"),
            std::string::npos)
      << cause.error();
}

TEST(CauseParam, NumberWithTrailingJunkIsRefused) {
  EXPECT_FALSE(CauseParam("16x").ok());
  EXPECT_FALSE(CauseParam("").ok());
  EXPECT_FALSE(CauseParam(" 16").ok());
}

TEST(Requests, StatusAndSpansHaveEmptyParams) {
  EXPECT_EQ(DaemonStatusRequest().method, "daemon.status");
  EXPECT_EQ(DaemonStatusRequest().params, json::object());
  EXPECT_EQ(SpanListRequest().method, "span.list");
  EXPECT_EQ(SpanListRequest().params, json::object());
}

TEST(Requests, CallListWithoutStateHasEmptyParams) {
  auto request = CallListRequest(std::nullopt);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "call.list");
  EXPECT_EQ(request->params, json::object());
}

TEST(Requests, CallListWithStateFilters) {
  auto request = CallListRequest("connected");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params, json({{"state", "connected"}}));
}

TEST(Requests, CallListWithUnknownStateIsRefused) {
  EXPECT_FALSE(CallListRequest("ringing").ok());
}

TEST(Requests, CallIdCommandsCarryTheCall) {
  EXPECT_EQ(CallInfoRequest(7).method, "call.info");
  EXPECT_EQ(CallInfoRequest(7).params, json({{"call", 7}}));
  EXPECT_EQ(CallAlertRequest(8).method, "call.alert");
  EXPECT_EQ(CallAlertRequest(8).params, json({{"call", 8}}));
  EXPECT_EQ(CallAlertRequest(8, /*inband=*/false).params, json({{"call", 8}, {"inband", false}}));
  auto non_isdn = CallAnswerRequest(8, {}, /*non_isdn=*/true);
  ASSERT_TRUE(non_isdn.ok());
  EXPECT_EQ(non_isdn->params, json({{"call", 8}, {"non_isdn", true}}));
  EXPECT_EQ(CallDeallocateRequest(9).method, "call.deallocate");
  EXPECT_EQ(CallDeallocateRequest(9).params, json({{"call", 9}}));
}

TEST(Requests, LineOpenIsOwnerByDefault) {
  auto request = LineOpenRequest(1, false);
  EXPECT_EQ(request.method, "line.open");
  EXPECT_EQ(request.params, json({{"span", 1}, {"privilege", "owner"}}));
}

TEST(Requests, LineOpenMonitor) {
  EXPECT_EQ(LineOpenRequest(2, true).params, json({{"span", 2}, {"privilege", "monitor"}}));
}

TEST(Requests, LineClose) {
  EXPECT_EQ(LineCloseRequest(3).method, "line.close");
  EXPECT_EQ(LineCloseRequest(3).params, json({{"span", 3}}));
}

TEST(Requests, CallMakeWithNumberOnly) {
  auto request = CallMakeRequest({.number = "5551234"});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "call.make");
  EXPECT_EQ(request->params, json({{"number", "5551234"}}));
}

TEST(Requests, CallMakeWithEveryOption) {
  auto request = CallMakeRequest({.number = "100",
                                  .span = 2,
                                  .calling = "200",
                                  .bearer = "3.1khz",
                                  .uui = {.text = "hi", .pd = 4}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params, json({{"number", "100"},
                                   {"span", 2},
                                   {"calling", "200"},
                                   {"bearer", "3.1khz"},
                                   {"uui", {{"text", "hi"}, {"pd", 4}}}}));
}

TEST(Requests, CallMakeWithPartyAttributesSendsObjects) {
  auto request = CallMakeRequest({.number = "301234",
                                  .calling = "55",
                                  .party = {.ton = "national",
                                            .npi = "e164",
                                            .calling_ton = "subscriber",
                                            .presentation = "restricted"}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params,
            json({{"number", {{"digits", "301234"}, {"ton", "national"}, {"npi", "e164"}}},
                  {"calling", {{"digits", "55"}, {"ton", "subscriber"}, {"presentation", "restricted"}}}}));
}

TEST(Requests, CallMakePresentationUnavailableNeedsNoCallingNumber) {
  auto request = CallMakeRequest({.number = "1", .party = {.presentation = "unavailable"}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params["calling"], json({{"digits", ""}, {"presentation", "unavailable"}}));
}

TEST(Requests, CallMakeWithUnknownBearerIsRefused) {
  auto request = CallMakeRequest({.number = "100", .bearer = "video"});
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.error().find("speech, 3.1khz, digital"), std::string::npos);
}

TEST(Requests, CallMakeWithBadUuiIsRefused) {
  EXPECT_FALSE(CallMakeRequest({.number = "100", .uui = {.hex = "1"}}).ok());
}

TEST(Requests, AnswerWithoutUui) {
  auto request = CallAnswerRequest(4, {});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "call.answer");
  EXPECT_EQ(request->params, json({{"call", 4}}));
}

TEST(Requests, AnswerWithHexUui) {
  auto request = CallAnswerRequest(4, {.hex = "c0ffee"});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params, json({{"call", 4}, {"uui", {{"hex", "c0ffee"}}}}));
}

TEST(Requests, DropWithoutOptionsLeavesCauseToTheDaemon) {
  auto request = CallDropRequest(5, std::nullopt, {});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "call.drop");
  EXPECT_EQ(request->params, json({{"call", 5}}));
}

TEST(Requests, DropWithNumericCauseAndText) {
  auto request = CallDropRequest(5, "17", {.text = "bye"});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params, json({{"call", 5}, {"cause", 17}, {"uui", {{"text", "bye"}}}}));
}

TEST(Requests, DropWithNamedCause) {
  auto request = CallDropRequest(5, "busy", {});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params, json({{"call", 5}, {"cause", "busy"}}));
}

TEST(Requests, DropWithBadCauseIsRefused) {
  EXPECT_FALSE(CallDropRequest(5, "200", {}).ok());
}

TEST(Requests, EventsSubscribeWithoutFilters) {
  auto request = EventsSubscribeRequest({});
  EXPECT_EQ(request.method, "events.subscribe");
  EXPECT_EQ(request.params, json::object());
}

TEST(Requests, EventsSubscribeWithEveryFilter) {
  auto request = EventsSubscribeRequest({.since = 0, .span = 1, .call = 12});
  EXPECT_EQ(request.params, json({{"since", 0}, {"span", 1}, {"call", 12}}));
}

TEST(Requests, SimCall) {
  auto request = SimCallRequest({.span = 1, .number = "100", .calling = "200",
                                 .uui = {.text = "x"}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "sim.call");
  EXPECT_EQ(request->params, json({{"span", 1},
                                   {"number", "100"},
                                   {"calling", "200"},
                                   {"uui", {{"text", "x"}}}}));
}

TEST(Requests, SimCallWithPartyAttributesRedirectingDisplayAndPreferred) {
  auto request = SimCallRequest({.span = 2,
                                 .number = "4000",
                                 .calling = "55",
                                 .party = {.ton = "subscriber", .calling_npi = "private", .presentation = "restricted"},
                                 .redirecting = "700",
                                 .redirecting_reason = "no_reply",
                                 .display = "Front desk",
                                 .preferred = true});
  ASSERT_TRUE(request.ok()) << request.error();
  EXPECT_EQ(request->params,
            json({{"span", 2},
                  {"number", {{"digits", "4000"}, {"ton", "subscriber"}}},
                  {"calling", {{"digits", "55"}, {"npi", "private"}, {"presentation", "restricted"}}},
                  {"redirecting", {{"digits", "700"}, {"reason", "no_reply"}}},
                  {"display", "Front desk"},
                  {"preferred", true}}));
}

TEST(Requests, SimCallRedirectingReasonWithoutNumberIsRefused) {
  auto request = SimCallRequest({.span = 1, .number = "1", .redirecting_reason = "busy"});
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.error().find("--redirecting"), std::string::npos) << request.error();
}

TEST(Requests, SimDropWithCauseName) {
  auto request = SimDropRequest(3, "noanswer", {.hex = "41", .pd = 0});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "sim.drop");
  EXPECT_EQ(request->params,
            json({{"call", 3}, {"cause", "noanswer"}, {"uui", {{"hex", "41"}, {"pd", 0}}}}));
}

TEST(Requests, SimPolicyWithDelayAndUui) {
  auto request = SimPolicyRequest({.span = 1, .on_setup = "alert", .delay_ms = 250,
                                   .uui = {.text = "ok"}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "sim.policy");
  EXPECT_EQ(request->params, json({{"span", 1},
                                   {"on_setup", "alert"},
                                   {"delay_ms", 250},
                                   {"uui", {{"text", "ok"}}}}));
}

TEST(Requests, SimPolicyOverlapCollectsDigits) {
  auto request = SimPolicyRequest({.span = 2, .on_setup = "answer", .overlap = true});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->params, json({{"span", 2}, {"on_setup", "answer"}, {"overlap", true}}));
  auto plain = SimPolicyRequest({.span = 2, .on_setup = "answer"});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->params.contains("overlap"));
}

TEST(Requests, SimPolicyEveryActionIsAccepted) {
  for (const char* action : {"answer", "alert", "busy", "reject", "ignore"}) {
    EXPECT_TRUE(SimPolicyRequest({.span = 1, .on_setup = action}).ok()) << action;
  }
}

TEST(Requests, SimPolicyUnknownActionIsRefused) {
  EXPECT_FALSE(SimPolicyRequest({.span = 1, .on_setup = "hangup"}).ok());
}

TEST(Requests, SimPolicyNegativeDelayIsRefused) {
  EXPECT_FALSE(SimPolicyRequest({.span = 1, .on_setup = "answer", .delay_ms = -1}).ok());
}

}  // namespace
}  // namespace prid::cli
