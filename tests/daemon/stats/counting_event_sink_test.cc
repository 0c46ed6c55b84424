// Tests of CountingEventSink: the real session model's events counted into
// Statistics (each call's start, moves and end once, whatever the number
// of handles or stations) and handed on to the next sink unchanged.
#include "daemon/stats/counting_event_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/session/session_model.h"
#include "q931/q850.h"
#include "tests/support/fake_span_port.h"
#include "tests/support/fake_timers.h"
#include "tests/support/recording_event_sink.h"

namespace prid::daemon {
namespace {

namespace q850 = q931::cause;
using testing::FakeSpanPort;
using testing::FakeTimerFactory;
using testing::RecordingEventSink;
using Key = std::pair<std::uint8_t, Origin>;

constexpr int kSpan = 1;
constexpr int kBridgedSpan = 2;
constexpr ClientId kAlice = 1;
constexpr ClientId kBob = 2;

class CountingEventSinkTest : public ::testing::Test {
 protected:
  CountingEventSinkTest() {
    SpanSettings single;
    single.span = kSpan;
    SpanSettings bridged;
    bridged.span = kBridgedSpan;
    bridged.appearance = Appearance::kBridged;
    model_.AddSpan(single, &port_);
    model_.AddSpan(bridged, &bridged_port_);
    port_.set_channel(1);
    bridged_port_.set_channel(2);
    EXPECT_TRUE(model_.OpenLine(kAlice, kSpan, Privilege::kOwner).ok());
    EXPECT_TRUE(model_.OpenLine(kBob, kSpan, Privilege::kMonitor).ok());
  }
  CallId Make(int span = kSpan) {
    MakeCallRequest request;
    request.span = span;
    request.parties.called.digits = "1001";
    auto id = model_.Make(kAlice, request);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }
  const CallCounters& Calls(int span = kSpan) { return stats_.Calls(span); }

  RecordingEventSink recorded_;
  Statistics stats_;
  CountingEventSink sink_{recorded_, stats_};
  FakeTimerFactory timers_;
  SessionModel model_{sink_, timers_};
  FakeSpanPort port_;
  FakeSpanPort bridged_port_;
};

TEST_F(CountingEventSinkTest, AnAnsweredCallIsPlacedAnsweredClearedOnceWithTwoHolders) {
  const CallId id = Make();
  model_.Proceeding(id);
  model_.Alerting(id, std::nullopt);
  model_.Answered(id, std::nullopt);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);

  EXPECT_EQ(Calls().placed(), 1u);
  EXPECT_EQ(Calls().offered(), 0u);
  EXPECT_EQ(Calls().answered_out(), 1u);
  EXPECT_EQ(Calls().post_dial_delay().size(), 1u) << "ALERTING once; CONNECT after it is not a second";
  EXPECT_EQ(Calls().hold_time_samples(), 1u);
  EXPECT_THAT(Calls().clearings(), ::testing::ElementsAre(std::pair{Key{q850::kNormalClearing, Origin::kLocal}, 1u}));
  EXPECT_DOUBLE_EQ(*Calls().Asr(), 1.0);
  // Handed on: the owner's and the monitor's events, and the end.
  EXPECT_EQ(recorded_.OffersOf(id).size(), 1u) << "the monitor's call.new";
  EXPECT_EQ(recorded_.StatesOf(id).size(), 4u) << "proceeding, ringback, connected, idle";
  EXPECT_EQ(recorded_.cleared().size(), 1u);
}

TEST_F(CountingEventSinkTest, AnIncomingCallNobodyTakesIsOfferedAndRejected) {
  ASSERT_TRUE(model_.CloseLine(kAlice, kSpan).ok());
  port_.set_clear_outcome(ClearOutcome::kCleared);
  IncomingCallInfo info;
  info.parties.called.digits = "4000";
  model_.IncomingCall(kSpan, info, [](CallId) {});
  EXPECT_EQ(Calls().offered(), 1u);
  EXPECT_EQ(Calls().answered_in(), 0u);
  EXPECT_THAT(Calls().clearings(), ::testing::ElementsAre(std::pair{Key{q850::kCallRejected, Origin::kLocal}, 1u}));
  EXPECT_DOUBLE_EQ(*Calls().Ner(), 1.0) << "21 is the user's reason";
}

TEST_F(CountingEventSinkTest, AnIncomingAnsweredCallIsAnsweredIn) {
  IncomingCallInfo info;
  info.parties.called.digits = "4000";
  const CallId id = model_.IncomingCall(kSpan, info, [](CallId) {});
  ASSERT_TRUE(model_.Alert(kAlice, id).ok());
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  EXPECT_EQ(Calls().offered(), 1u);
  EXPECT_EQ(Calls().answered_in(), 1u);
  EXPECT_EQ(Calls().post_dial_delay().size(), 0u);
  EXPECT_THAT(Calls().clearings(), ::testing::ElementsAre(std::pair{Key{q850::kNormalClearing, Origin::kRemote}, 1u}));
}

TEST_F(CountingEventSinkTest, ABridgedStationsOwnViewIsNotAMoveOfTheCall) {
  ASSERT_TRUE(model_.OpenLine(kAlice, kBridgedSpan, Privilege::kOwner).ok());
  ASSERT_TRUE(model_.OpenLine(kBob, kBridgedSpan, Privilege::kOwner).ok());
  const CallId id = Make(kBridgedSpan);  // Bob's station: inactive
  model_.Answered(id, std::nullopt);
  ASSERT_TRUE(model_.Join(kBob, id).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  EXPECT_EQ(Calls(kBridgedSpan).placed(), 1u);
  EXPECT_EQ(Calls(kBridgedSpan).answered_out(), 1u);
  EXPECT_EQ(Calls(kBridgedSpan).post_dial_delay().size(), 1u);
  EXPECT_EQ(Calls(kBridgedSpan).ended(), 1u);
  EXPECT_EQ(Calls().placed(), 0u) << "counted on its own span";
}

TEST_F(CountingEventSinkTest, AConferenceIsNotACall) {
  const CallId a = Make();
  const CallId b = Make();
  model_.Answered(a, std::nullopt);
  model_.Answered(b, std::nullopt);
  auto conference = model_.ConferenceCreate(kAlice, {a, b});
  ASSERT_TRUE(conference.ok());
  ASSERT_TRUE(model_.Drop(kAlice, *conference, std::nullopt, std::nullopt).ok());
  model_.WireCleared(a, q850::kNormalClearing, std::nullopt, false);
  model_.WireCleared(b, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(Calls().placed(), 2u);
  EXPECT_EQ(Calls().answered_out(), 2u);
  EXPECT_EQ(Calls().ended(), 2u);
}

}  // namespace
}  // namespace prid::daemon
