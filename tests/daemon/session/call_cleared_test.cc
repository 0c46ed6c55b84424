// Tests of the session model's EventSink::CallCleared (the feed of the
// call-end log line): once per Q.931 call, when the wire has cleared it and
// before its idle call.state; never for a conference or a handle's release.
#include "daemon/session/session_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "q931/q850.h"
#include "tests/support/fake_span_port.h"
#include "tests/support/fake_timers.h"
#include "tests/support/recording_event_sink.h"

namespace prid::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ClearedEvent;
using testing::FakeSpanPort;
using testing::FakeTimerFactory;
using testing::RecordingEventSink;
using testing::StateEvent;

namespace q850 = q931::cause;

constexpr int kSpan = 1;
constexpr int kBridgedSpan = 2;
constexpr ClientId kAlice = 1;
constexpr ClientId kBob = 2;

SpanSettings Settings(int span, Appearance appearance, std::string name) {
  SpanSettings s;
  s.span = span;
  s.appearance = appearance;
  s.name = std::move(name);
  return s;
}

std::vector<CallId> ClearedIds(const RecordingEventSink& events) {
  std::vector<CallId> ids;
  for (const ClearedEvent& e : events.cleared()) ids.push_back(e.call);
  return ids;
}

class CallClearedTest : public ::testing::Test {
 protected:
  CallClearedTest() {
    model_.AddSpan(Settings(kSpan, Appearance::kSingle, "trunk-a"), &port_);
    model_.AddSpan(Settings(kBridgedSpan, Appearance::kBridged, "party"), &bridged_port_);
    port_.set_channel(3);
    bridged_port_.set_channel(4);
    EXPECT_TRUE(model_.OpenLine(kAlice, kSpan, Privilege::kOwner).ok());
  }

  CallId Connected(int span = kSpan) {
    MakeCallRequest request;
    request.span = span;
    request.parties.called.digits = "1001";
    auto id = model_.Make(kAlice, request);
    EXPECT_TRUE(id.ok());
    model_.Answered(*id, std::nullopt);
    return *id;
  }

  // The call's idle call.state events (one per group of recipients).
  std::vector<StateEvent> IdleEvents(CallId id) const {
    std::vector<StateEvent> out;
    for (const StateEvent& e : events_.StatesOf(id)) {
      if (e.state == HandleState::kIdle) out.push_back(e);
    }
    return out;
  }

  RecordingEventSink events_;
  FakeTimerFactory timers_;
  SessionModel model_{events_, timers_};
  FakeSpanPort port_;
  FakeSpanPort bridged_port_;
};

TEST_F(CallClearedTest, LocalDropIsReportedOnceWhenTheWireIsDoneBeforeIdle) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Drop(kAlice, id, q850::kNormalClearing, std::nullopt).ok());
  EXPECT_THAT(events_.cleared(), IsEmpty()) << "DISCONNECT sent, the wire is not done yet";

  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);

  ASSERT_EQ(events_.cleared().size(), 1u);
  const ClearedEvent& e = events_.cleared()[0];
  EXPECT_EQ(e.call, id);
  EXPECT_EQ(e.span_name, "trunk-a");
  EXPECT_EQ(e.cause, q850::kNormalClearing);
  EXPECT_EQ(e.origin, Origin::kLocal);
  ASSERT_EQ(IdleEvents(id).size(), 1u);
  EXPECT_LT(e.seq, IdleEvents(id)[0].seq);
}

TEST_F(CallClearedTest, RemoteClearingIsReportedOnceNotAgainAtDeallocate) {
  const CallId id = Connected();
  model_.RemoteDisconnect(id, q850::kUserBusy, std::nullopt);
  EXPECT_THAT(events_.cleared(), IsEmpty()) << "disconnected is not the end on the wire";
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  model_.WireCleared(id, q850::kUserBusy, std::nullopt, true);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  model_.WireCleared(id, q850::kUserBusy, std::nullopt, true);  // late duplicate from the wire

  ASSERT_THAT(ClearedIds(events_), ElementsAre(id));
  EXPECT_EQ(events_.cleared()[0].cause, q850::kUserBusy);
  EXPECT_EQ(events_.cleared()[0].origin, Origin::kRemote);
}

// EventSink::CallRecordFreed (what the trace router frees its kept
// frames on): once, when the last handle and the wire are done, not before.
TEST_F(CallClearedTest, TheRecordIsReportedFreedOnceWhenTheLastHandleAndTheWireAreDone) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Drop(kAlice, id, q850::kNormalClearing, std::nullopt).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  EXPECT_THAT(events_.freed(), IsEmpty()) << "Alice's handle still holds the record";
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  EXPECT_THAT(events_.freed(), ElementsAre(id));
  EXPECT_EQ(model_.Find(id), nullptr);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);  // late duplicate from the wire
  EXPECT_THAT(events_.freed(), ElementsAre(id));
}

TEST_F(CallClearedTest, ARecordNobodyTakesIsReportedFreed) {
  ASSERT_TRUE(model_.CloseLine(kAlice, kSpan).ok());
  port_.set_clear_outcome(ClearOutcome::kCleared);
  IncomingCallInfo info;
  info.parties.called.digits = "4000";
  const CallId id = model_.IncomingCall(kSpan, info, [](CallId) {});
  EXPECT_THAT(events_.freed(), ElementsAre(id));
}

TEST_F(CallClearedTest, CallRejectedForWantOfAnOwnerIsReported) {
  ASSERT_TRUE(model_.CloseLine(kAlice, kSpan).ok());
  port_.set_clear_outcome(ClearOutcome::kCleared);
  IncomingCallInfo info;
  info.parties.called.digits = "4000";
  const CallId id = model_.IncomingCall(kSpan, info, [](CallId) {});

  ASSERT_THAT(ClearedIds(events_), ElementsAre(id));
  EXPECT_EQ(events_.cleared()[0].cause, q850::kCallRejected);
}

TEST_F(CallClearedTest, ConferenceReportsEachParticipantAndNotItself) {
  const CallId a = Connected();
  const CallId b = Connected();
  auto conference = model_.ConferenceCreate(kAlice, {a, b});
  ASSERT_TRUE(conference.ok());
  ASSERT_TRUE(model_.Drop(kAlice, *conference, std::nullopt, std::nullopt).ok());
  model_.WireCleared(a, q850::kNormalClearing, std::nullopt, false);
  model_.WireCleared(b, q850::kNormalClearing, std::nullopt, false);

  ASSERT_EQ(model_.Find(*conference)->state(), CallState::kIdle);
  EXPECT_THAT(ClearedIds(events_), ElementsAre(a, b));
}

TEST_F(CallClearedTest, BridgedCallWithAnInactiveStationIsReportedOnce) {
  ASSERT_TRUE(model_.OpenLine(kAlice, kBridgedSpan, Privilege::kOwner).ok());
  ASSERT_TRUE(model_.OpenLine(kBob, kBridgedSpan, Privilege::kOwner).ok());
  const CallId id = Connected(kBridgedSpan);  // Bob's appearance is inactive
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);

  EXPECT_EQ(IdleEvents(id).size(), 2u) << "the station on the call and the inactive one";
  ASSERT_THAT(ClearedIds(events_), ElementsAre(id));
  EXPECT_EQ(events_.cleared()[0].span_name, "party");
}

TEST_F(CallClearedTest, RemovedSpanReportsEachOfItsCallsOnce) {
  const CallId a = Connected();
  const CallId b = Connected();
  model_.RemoveSpan(kSpan);
  EXPECT_THAT(ClearedIds(events_), ElementsAre(a, b));
}

}  // namespace
}  // namespace prid::daemon
