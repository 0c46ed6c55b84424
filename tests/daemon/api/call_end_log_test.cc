// Tests of daemon/api/call_end_log: the call-end line and its journald
// fields, field by field, answered and not, each UUI direction and origin.
#include "daemon/api/call_end_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"

namespace prid::daemon {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Pair;
using std::chrono::milliseconds;

const base::WallTime kSetup = base::WallTime(std::chrono::seconds(1'800'000'000));

// An outgoing call answered 2.5 s after SETUP, talked 12.345 s, dropped by us.
Call Answered() {
  Call call;
  call.id = 7;
  call.span = 1;
  call.channel = 3;
  call.direction = Direction::kOut;
  call.called = "1001";
  call.calling = "2000";
  call.created = kSetup;
  call.connected_at = kSetup + milliseconds(2500);
  call.idle_at = kSetup + milliseconds(2500 + 12345);
  call.cause = 16;
  call.origin = Origin::kLocal;
  call.uui_sent = q931::UserUser{q931::kUuiPdIa5, {'b', 'y', 'e'}};
  return call;
}

// An incoming call the far end gave up on 4.2 s after its SETUP.
Call Unanswered() {
  Call call;
  call.id = 8;
  call.span = 2;
  call.channel = 30;
  call.direction = Direction::kIn;
  call.called = "4000";
  call.calling = "";
  call.created = kSetup;
  call.idle_at = kSetup + milliseconds(4200);
  call.cause = 17;
  call.origin = Origin::kRemote;
  call.uui_received = q931::UserUser{0x00, {0x01}};
  return call;
}

TEST(CallEndLine, AnsweredCallHasEveryFieldAndTheTimeSinceConnect) {
  EXPECT_EQ(CallEndLine(Answered(), "trunk-a"),
            "span 1: call 7: ended span_name=trunk-a channel=3 direction=out called=1001 calling=2000 "
            "answered=yes duration=12.345s cause=16 cause_name=normal_clearing origin=local uui_sent=yes "
            "uui_received=no");
}

TEST(CallEndLine, UnansweredCallSaysSoWithTheTimeSinceSetup) {
  EXPECT_EQ(CallEndLine(Unanswered(), "span2"),
            "span 2: call 8: ended span_name=span2 channel=30 direction=in called=4000 calling= "
            "answered=no since_setup=4.200s cause=17 cause_name=user_busy origin=remote uui_sent=no "
            "uui_received=yes");
}

TEST(CallEndLine, UuiBothWaysAndNoChannelOrSpanName) {
  Call call = Answered();
  call.uui_received = q931::UserUser{q931::kUuiPdIa5, {'h', 'i'}};
  call.channel = 0;
  const std::string line = CallEndLine(call, "");
  EXPECT_EQ(line.find("span_name="), std::string::npos) << line;
  EXPECT_NE(line.find(" channel=none "), std::string::npos) << line;
  EXPECT_NE(line.find(" uui_sent=yes uui_received=yes"), std::string::npos) << line;
}

// Type and plan follow each number that has them; an unknown pair is left
// out (the lines above have none).
TEST(CallEndLine, ANumbersTypeAndPlanFollowItWhereKnown) {
  Call call = Answered();
  call.parties.called = q931::Party{"1001", 2, 1};   // national, E.164
  call.parties.calling = q931::Party{"2000", 4, 9};  // subscriber, private
  const std::string line = CallEndLine(call, "trunk-a");
  EXPECT_NE(line.find(" called=1001 called_ton=national called_npi=e164 calling=2000 calling_ton=subscriber "
                      "calling_npi=private "),
            std::string::npos)
      << line;
  base::LogFields fields = CallEndFields(call, "trunk-a");
  EXPECT_THAT(fields.extra, Contains(Pair("CALLED_TON", "national")));
  EXPECT_THAT(fields.extra, Contains(Pair("CALLING_NPI", "private")));
}

TEST(CallEndLine, OriginComesFromTheNameTable) {
  Call call = Answered();
  for (Origin origin : {Origin::kLocal, Origin::kRemote}) {
    call.origin = origin;
    EXPECT_NE(CallEndLine(call, "a").find(" origin=" + std::string(OriginName(origin)) + " "), std::string::npos);
  }
}

TEST(CallEndLine, ClockSteppedBackGivesZeroNotANegativeDuration) {
  Call call = Answered();
  call.idle_at = *call.connected_at - milliseconds(5);
  EXPECT_NE(CallEndLine(call, "a").find(" duration=0.000s "), std::string::npos);
}

std::vector<std::pair<std::string, std::string>> Journal(const Call& call, std::string_view span_name) {
  base::LogFields fields = CallEndFields(call, span_name);
  EXPECT_EQ(fields.span, call.span);
  EXPECT_EQ(fields.call, call.id);
  return fields.extra;
}

TEST(CallEndFields, AnsweredCallCarriesEveryFieldForJournald) {
  const base::LogFields fields = CallEndFields(Answered(), "trunk-a");
  EXPECT_EQ(fields.span, 1);
  EXPECT_EQ(fields.call, 7u);
  EXPECT_EQ(fields.cause, 16);
  EXPECT_THAT(fields.extra,
              ElementsAre(Pair("MESSAGE_ID", std::string(kCallEndMessageId)), Pair("SPAN_NAME", "trunk-a"),
                          Pair("CHANNEL", "3"), Pair("DIRECTION", "out"), Pair("CALLED", "1001"),
                          Pair("CALLING", "2000"), Pair("ANSWERED", "yes"), Pair("DURATION_S", "12.345"),
                          Pair("CAUSE_NAME", "normal_clearing"), Pair("ORIGIN", "local"), Pair("UUI_SENT", "yes"),
                          Pair("UUI_RECEIVED", "no")));
}

TEST(CallEndFields, UnansweredCallCarriesTheTimeSinceSetupInstead) {
  const auto extra = Journal(Unanswered(), "span2");
  EXPECT_THAT(extra, Contains(Pair("ANSWERED", "no")));
  EXPECT_THAT(extra, Contains(Pair("SINCE_SETUP_S", "4.200")));
  EXPECT_THAT(extra, Contains(Pair("ORIGIN", "remote")));
  EXPECT_THAT(extra, Contains(Pair("UUI_RECEIVED", "yes")));
  for (const auto& [name, value] : extra) EXPECT_NE(name, "DURATION_S");
}

TEST(CallEndFields, NoChannelIsNoField) {
  Call call = Answered();
  call.channel = 0;
  for (const auto& [name, value] : Journal(call, "a")) EXPECT_NE(name, "CHANNEL");
}

// What reaches the log layer: one notice line with the fields, and nothing
// below notice.
class RecordingSink : public base::LogSink {
 public:
  void Write(base::LogLevel level, std::string_view line, const base::LogFields& fields) override {
    lines.push_back({level, std::string(line), fields});
  }
  struct Line {
    base::LogLevel level;
    std::string text;
    base::LogFields fields;
  };
  std::vector<Line> lines;
};

TEST(LogCallEnd, WritesOneNoticeLineWithItsJournalFields) {
  RecordingSink sink;
  base::SetLogSink(&sink);
  const base::LogLevel saved = base::GetLogLevel();
  base::SetLogLevel(base::LogLevel::kNotice);
  LogCallEnd(Answered(), "trunk-a");
  base::SetLogLevel(base::LogLevel::kWarning);
  LogCallEnd(Answered(), "trunk-a");
  base::SetLogLevel(saved);
  base::SetLogSink(nullptr);

  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0].level, base::LogLevel::kNotice);
  EXPECT_EQ(sink.lines[0].text, CallEndLine(Answered(), "trunk-a"));
  const std::vector<std::string> journal =
      base::JournalFields(sink.lines[0].level, sink.lines[0].text, sink.lines[0].fields);
  for (const char* field : {"PRIORITY=5", "SPAN=1", "CALL=7", "CAUSE=16", "SPAN_NAME=trunk-a", "CHANNEL=3",
                            "DIRECTION=out", "CALLED=1001", "CALLING=2000", "DURATION_S=12.345",
                            "CAUSE_NAME=normal_clearing", "ORIGIN=local", "UUI_SENT=yes", "UUI_RECEIVED=no"}) {
    EXPECT_THAT(journal, Contains(std::string(field)));
  }
  EXPECT_THAT(journal, Contains("MESSAGE=" + CallEndLine(Answered(), "trunk-a")));
}

}  // namespace
}  // namespace prid::daemon
