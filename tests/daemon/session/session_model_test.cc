// Tests of daemon/session_model: API.md's drop rules row by row (single
// appearance), call creation, alert/answer, events, handle release and
// leaks, against a recording span port, hand-fired timers and an event
// recorder.
#include "daemon/session/session_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "q931/q850.h"
#include "tests/support/fake_span_port.h"
#include "tests/support/fake_timers.h"
#include "tests/support/recording_event_sink.h"

namespace prid::daemon {

// Readable gtest output for the model's enums.
inline void PrintTo(CallState state, std::ostream* os) { *os << CallStateName(state); }
inline void PrintTo(HandleState state, std::ostream* os) { *os << HandleStateName(state); }
inline void PrintTo(ModelErrorKind kind, std::ostream* os) {
  // KindOf's "no error" is a value outside the enum.
  *os << (static_cast<int>(kind) < 0 ? std::string_view("(no error)") : ModelErrorName(kind));
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using testing::FakeSpanPort;
using testing::FakeTimerFactory;
using testing::OfferEvent;
using testing::PortRequest;
using testing::RecordingEventSink;
using testing::InfoEvent;
using testing::StateEvent;

using S = CallState;
using H = HandleState;
namespace q850 = q931::cause;

constexpr int kSpan = 1;
constexpr int kUuiOffSpan = 2;
constexpr double kReleaseTimeout = 7.5;
constexpr std::size_t kUuiMax = 128;
constexpr int kIncomingChannel = 5;
constexpr int kPlacedChannel = 9;

constexpr ClientId kAlice = 1;   // owner
constexpr ClientId kBob = 2;     // second owner
constexpr ClientId kMonty = 3;   // monitor
constexpr ClientId kEve = 4;     // holds nothing

q931::UserUser Uui(std::uint8_t pd, std::vector<std::uint8_t> info) { return {pd, std::move(info)}; }

q931::UserUser Ia5(std::string_view text) {
  return {q931::kUuiPdIa5, std::vector<std::uint8_t>(text.begin(), text.end())};
}

// pd 0 (user-specific) with NUL bytes inside and at both ends.
q931::UserUser BinaryUui() { return Uui(0x00, {0x00, 0x41, 0x00, 0x00, 0xFF, 0x7E, 0x00}); }

q931::UserUser UuiOfSize(std::size_t n) {
  q931::UserUser uui{0x00, {}};
  for (std::size_t i = 0; i < n; ++i) uui.info.push_back(static_cast<std::uint8_t>(i % 3 == 0 ? 0 : i));
  return uui;
}

template <typename T>
ModelErrorKind KindOf(const ModelResult<T>& result) {
  return result.ok() ? static_cast<ModelErrorKind>(-1) : result.error().kind;
}

SpanSettings Settings(int span, bool uui) {
  SpanSettings s;
  s.span = span;
  s.appearance = Appearance::kSingle;
  s.release_timeout_s = kReleaseTimeout;
  s.uui = uui;
  s.uui_max = kUuiMax;
  return s;
}

class SessionModelTest : public ::testing::Test {
 protected:
  SessionModelTest() {
    model_.AddSpan(Settings(kSpan, true), &port_);
    model_.AddSpan(Settings(kUuiOffSpan, false), &uui_off_port_);
    port_.set_channel(kPlacedChannel);
    uui_off_port_.set_channel(kPlacedChannel);
  }

  void OpenOwner(ClientId client, int span = kSpan) {
    ASSERT_TRUE(model_.OpenLine(client, span, Privilege::kOwner).ok());
  }
  void OpenMonitor(ClientId client, int span = kSpan) {
    ASSERT_TRUE(model_.OpenLine(client, span, Privilege::kMonitor).ok());
  }

  // The far end sends SETUP on `span`.
  CallId Offer(int span = kSpan, std::optional<q931::UserUser> uui = std::nullopt) {
    IncomingCallInfo info;
    info.channel = kIncomingChannel;
    info.parties.called.digits = "4000";
    info.parties.calling = q931::Party{"5551234"};
    info.uui = std::move(uui);
    CallId bound = 0;
    const CallId id = model_.IncomingCall(span, info, [&bound](CallId c) { bound = c; });
    EXPECT_NE(id, 0u);
    EXPECT_EQ(bound, id);
    return id;
  }

  // An offering call owned by kAlice alone.
  CallId OfferedToAlice(int span = kSpan) {
    OpenOwner(kAlice, span);
    return Offer(span);
  }

  CallId AcceptedByAlice(int span = kSpan) {
    const CallId id = OfferedToAlice(span);
    EXPECT_TRUE(model_.Alert(kAlice, id).ok());
    return id;
  }

  CallId Dial(ClientId maker = kAlice, int span = kSpan) {
    MakeCallRequest request;
    request.span = span;
    request.parties.called.digits = "6000";
    request.parties.calling = q931::Party{"4000"};
    auto made = model_.Make(maker, request);
    EXPECT_TRUE(made.ok());
    return made.ok() ? *made : 0;
  }

  // An outgoing call of kAlice's brought to `state` by the far end.
  CallId OutgoingIn(CallState state, int span = kSpan) {
    const CallId id = Dial(kAlice, span);
    if (state == S::kDialing) return id;
    model_.Proceeding(id);
    if (state == S::kProceeding) return id;
    model_.Alerting(id, std::nullopt);
    if (state == S::kRingback) return id;
    model_.Answered(id, std::nullopt);
    return id;
  }

  // kAlice's connected outgoing call that the far end then cleared.
  CallId RemotelyDisconnected(std::uint8_t cause, std::optional<q931::UserUser> uui) {
    const CallId id = OutgoingIn(S::kConnected);
    model_.RemoteDisconnect(id, cause, std::move(uui));
    return id;
  }

  CallState StateOf(CallId id) const {
    const Call* call = model_.Find(id);
    return call ? call->state() : S::kIdle;
  }
  HandleState HandleStateOf(ClientId client, CallId id) const {
    auto view = model_.Info(client, id);
    return view.ok() ? view->state() : H::kIdle;
  }

  void ExpectNothingLeft() {
    EXPECT_EQ(model_.record_count(), 0u);
    EXPECT_EQ(model_.handle_count(), 0u);
    EXPECT_EQ(model_.active_count(), 0u);
  }

  RecordingEventSink events_;
  FakeTimerFactory timers_;
  FakeSpanPort port_;
  FakeSpanPort uui_off_port_;
  SessionModel model_{events_, timers_};  // last: goes before what it refers to
};

// ---------------------------------------------------------------------------
// Drop: offering / accepted

TEST_F(SessionModelTest, DropOfferedCallRejectsWithCause21AndUui) {
  const CallId id = OfferedToAlice();
  port_.set_clear_outcome(ClearOutcome::kCleared);

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, BinaryUui()).ok());

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].cause, q850::kCallRejected);
  EXPECT_EQ(clears[0].uui, BinaryUui());  // pd 0 and NUL bytes, byte for byte
}

TEST_F(SessionModelTest, DropOfferedCallHonoursGivenCause) {
  const CallId id = OfferedToAlice();
  port_.set_clear_outcome(ClearOutcome::kCleared);

  ASSERT_TRUE(model_.Drop(kAlice, id, q850::kUserBusy, std::nullopt).ok());

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kUserBusy);
  EXPECT_EQ(clears[0].uui, std::nullopt);
  EXPECT_EQ(model_.Find(id)->cause, q850::kUserBusy);
}

TEST_F(SessionModelTest, DropOfferedCallGoesIdleAtOnceWhenTheWireIsDone) {
  const CallId id = OfferedToAlice();
  port_.set_clear_outcome(ClearOutcome::kCleared);

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, Ia5("bye")).ok());

  EXPECT_EQ(StateOf(id), S::kIdle);
  EXPECT_EQ(HandleStateOf(kAlice, id), H::kIdle);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kOffering);
  EXPECT_EQ(states[0].state, H::kIdle);
  EXPECT_EQ(states[0].cause, q850::kCallRejected);
  EXPECT_EQ(states[0].cause_name, "call_rejected");
  EXPECT_EQ(states[0].mode, "reject");
  EXPECT_EQ(states[0].origin, Origin::kLocal);
  EXPECT_THAT(states[0].recipients, ElementsAre(kAlice));
  EXPECT_EQ(model_.Find(id)->uui_sent, Ia5("bye"));

  // The record stays queryable until its holder lets go, then nothing is left.
  EXPECT_EQ(model_.record_count(), 1u);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, DropOfferedCallWhileWirePendingGoesIdleAfterWireCleared) {
  const CallId id = OfferedToAlice();

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(StateOf(id), S::kOffering);
  EXPECT_THAT(events_.StatesOf(id), IsEmpty());

  model_.WireCleared(id, q850::kCallRejected, std::nullopt, false);
  EXPECT_EQ(StateOf(id), S::kIdle);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, DropAcceptedCallRejectsWithCause21AndWaitsForWireCleared) {
  const CallId id = AcceptedByAlice();
  events_.Forget();

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, BinaryUui()).ok());

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kCallRejected);
  EXPECT_EQ(clears[0].uui, BinaryUui());
  // DISCONNECT sent: the call is not idle until the wire says so.
  EXPECT_EQ(StateOf(id), S::kAccepted);
  EXPECT_THAT(events_.states(), IsEmpty());

  model_.WireCleared(id, q850::kCallRejected, std::nullopt, false);

  EXPECT_EQ(StateOf(id), S::kIdle);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kAccepted);
  EXPECT_EQ(states[0].state, H::kIdle);
  EXPECT_EQ(states[0].cause, q850::kCallRejected);
  EXPECT_EQ(states[0].origin, Origin::kLocal);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, DropAcceptedCallHonoursGivenCause) {
  const CallId id = AcceptedByAlice();
  ASSERT_TRUE(model_.Drop(kAlice, id, q850::kUserBusy, std::nullopt).ok());
  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kUserBusy);
}

// ---------------------------------------------------------------------------
// Drop: dialing … connected

class DropActiveCallTest : public SessionModelTest, public ::testing::WithParamInterface<CallState> {
 protected:
  // kAlice's call in the parameter's state: outgoing, except kConnected is
  // tried on an answered incoming call too (see the instantiations).
  CallId CallInState() { return OutgoingIn(GetParam()); }
};

TEST_P(DropActiveCallTest, DisconnectsWithCause16AndGoesIdleOnlyAfterWireCleared) {
  const CallId id = CallInState();
  ASSERT_EQ(StateOf(id), GetParam());
  events_.Forget();

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, BinaryUui()).ok());

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].cause, q850::kNormalClearing);
  EXPECT_EQ(clears[0].uui, BinaryUui());
  EXPECT_EQ(StateOf(id), GetParam());
  EXPECT_THAT(events_.states(), IsEmpty());

  // The far end answers our DISCONNECT with RELEASE.
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);

  EXPECT_EQ(StateOf(id), S::kIdle);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, ViewOf(GetParam()));
  EXPECT_EQ(states[0].state, H::kIdle);
  EXPECT_EQ(states[0].cause, q850::kNormalClearing);
  EXPECT_EQ(states[0].origin, Origin::kLocal);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_P(DropActiveCallTest, HonoursGivenCause) {
  const CallId id = CallInState();
  ASSERT_TRUE(model_.Drop(kAlice, id, q850::kNormalUnspecified, std::nullopt).ok());
  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kNormalUnspecified);
  EXPECT_EQ(clears[0].uui, std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Outgoing, DropActiveCallTest,
                         ::testing::Values(S::kDialing, S::kProceeding, S::kRingback, S::kConnected),
                         [](const ::testing::TestParamInfo<CallState>& info) {
                           return std::string(CallStateName(info.param));
                         });

TEST_F(SessionModelTest, DropAnsweredIncomingCallDisconnectsWithCause16) {
  const CallId id = OfferedToAlice();
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kNormalClearing);
  EXPECT_EQ(StateOf(id), S::kConnected);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(StateOf(id), S::kIdle);
  EXPECT_EQ(model_.Find(id)->origin, Origin::kLocal);
}

// ---------------------------------------------------------------------------
// Drop: disconnected (far end cleared first)

TEST_F(SessionModelTest, RemoteDisconnectReportsCauseOriginAndUui) {
  const CallId id = OutgoingIn(S::kConnected);
  events_.Forget();

  model_.RemoteDisconnect(id, q850::kUserBusy, Uui(0x07, {0x00, 0x01, 0x00}));

  EXPECT_EQ(StateOf(id), S::kDisconnected);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kConnected);
  EXPECT_EQ(states[0].state, H::kDisconnected);
  EXPECT_EQ(states[0].cause, q850::kUserBusy);
  EXPECT_EQ(states[0].cause_name, "user_busy");
  EXPECT_EQ(states[0].mode, "busy");
  EXPECT_EQ(states[0].origin, Origin::kRemote);
  EXPECT_EQ(states[0].uui, Uui(0x07, {0x00, 0x01, 0x00}));
  EXPECT_EQ(model_.Find(id)->uui_received, Uui(0x07, {0x00, 0x01, 0x00}));
  // Nothing goes on the wire until an owner drops or release_timeout passes.
  EXPECT_THAT(port_.Clears(), IsEmpty());
}

TEST_F(SessionModelTest, DropDisconnectedCallReleasesWithOwnersUui) {
  const CallId id = RemotelyDisconnected(q850::kUserBusy, Ia5("far"));
  events_.Forget();

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, BinaryUui()).ok());

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].uui, BinaryUui());
  EXPECT_EQ(StateOf(id), S::kDisconnected);
  EXPECT_THAT(events_.states(), IsEmpty());

  // The far end's RELEASE COMPLETE.
  model_.WireCleared(id, q850::kUserBusy, std::nullopt, true);

  EXPECT_EQ(StateOf(id), S::kIdle);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kDisconnected);
  EXPECT_EQ(states[0].state, H::kIdle);
  EXPECT_EQ(states[0].cause, q850::kUserBusy);
  EXPECT_EQ(states[0].origin, Origin::kRemote);
  EXPECT_EQ(model_.Find(id)->uui_sent, BinaryUui());
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, DropDisconnectedCallStopsReleaseTimer) {
  const CallId id = RemotelyDisconnected(q850::kNormalClearing, std::nullopt);
  ASSERT_EQ(timers_.running_count(), 1u);

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, Ia5("mine")).ok());

  EXPECT_EQ(timers_.running_count(), 0u);
  EXPECT_EQ(timers_.FireAll(), 0u);
  EXPECT_THAT(port_.Clears(), SizeIs(1));
}

TEST_F(SessionModelTest, ReleaseTimeoutReleasesWithoutUui) {
  const CallId id = RemotelyDisconnected(q850::kNormalClearing, Ia5("far"));
  ASSERT_EQ(timers_.created(), 1u);
  EXPECT_TRUE(timers_.timer(0).running);
  EXPECT_DOUBLE_EQ(timers_.timer(0).seconds, kReleaseTimeout);
  EXPECT_THAT(port_.Clears(), IsEmpty());

  ASSERT_TRUE(timers_.Fire(0));

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].uui, std::nullopt);
  EXPECT_EQ(StateOf(id), S::kDisconnected);

  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(StateOf(id), S::kIdle);
  EXPECT_EQ(model_.Find(id)->origin, Origin::kRemote);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, DropAfterReleaseTimeoutIsInvalidCallState) {
  const CallId id = RemotelyDisconnected(q850::kNormalClearing, std::nullopt);
  ASSERT_TRUE(timers_.Fire(0));
  port_.ForgetRequests();

  auto dropped = model_.Drop(kAlice, id, std::nullopt, Ia5("late"));

  EXPECT_EQ(KindOf(dropped), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(SessionModelTest, RemoteReleaseAfterDisconnectStopsReleaseTimer) {
  const CallId id = RemotelyDisconnected(q850::kNormalClearing, std::nullopt);
  ASSERT_EQ(timers_.running_count(), 1u);

  // The far end gave up waiting and sent RELEASE itself.
  model_.WireCleared(id, q850::kNormalClearing, Ia5("rel"), true);

  EXPECT_EQ(StateOf(id), S::kIdle);
  EXPECT_EQ(timers_.running_count(), 0u);
  EXPECT_EQ(timers_.FireAll(), 0u);
  EXPECT_THAT(port_.Clears(), IsEmpty());
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, RemoteReleaseOfOfferedCallGoesIdleWithRemoteOrigin) {
  const CallId id = OfferedToAlice();

  // The caller gave up before we alerted: RELEASE COMPLETE from the far end.
  model_.WireCleared(id, q850::kNormalClearing, Uui(0x07, {0x00}), true);

  EXPECT_EQ(StateOf(id), S::kIdle);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kOffering);
  EXPECT_EQ(states[0].cause, q850::kNormalClearing);
  EXPECT_EQ(states[0].origin, Origin::kRemote);
  EXPECT_EQ(states[0].uui, Uui(0x07, {0x00}));
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(KindOf(model_.Drop(kAlice, id, std::nullopt, std::nullopt)), ModelErrorKind::kInvalidCallState);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, ClearCollisionGoesIdleOnceWithLocalOrigin) {
  const CallId id = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, Ia5("mine")).ok());
  events_.Forget();

  // Both sides sent DISCONNECT (Q.931 5.3.5).
  model_.RemoteDisconnect(id, q850::kNormalClearing, Ia5("theirs"));
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);

  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kConnected);
  EXPECT_EQ(states[0].state, H::kIdle);
  EXPECT_EQ(states[0].origin, Origin::kLocal);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

// ---------------------------------------------------------------------------
// Drop: refused

TEST_F(SessionModelTest, DropIdleCallIsInvalidCallStateAndSendsNothing) {
  const CallId id = OutgoingIn(S::kConnected);
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  ASSERT_EQ(StateOf(id), S::kIdle);
  port_.ForgetRequests();
  events_.Forget();

  auto dropped = model_.Drop(kAlice, id, std::nullopt, Ia5("x"));

  EXPECT_EQ(KindOf(dropped), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.requests(), IsEmpty());
  EXPECT_THAT(events_.states(), IsEmpty());
}

TEST_F(SessionModelTest, SecondDropWhileClearingIsInvalidCallState) {
  const CallId id = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  port_.ForgetRequests();

  auto again = model_.Drop(kAlice, id, q850::kUserBusy, Ia5("again"));

  EXPECT_EQ(KindOf(again), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(SessionModelTest, DropByOtherOwnerWhileClearingIsInvalidCallState) {
  OpenOwner(kAlice);
  OpenOwner(kBob);
  const CallId id = Offer();
  ASSERT_TRUE(model_.Alert(kAlice, id).ok());
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  port_.ForgetRequests();

  EXPECT_EQ(KindOf(model_.Drop(kBob, id, std::nullopt, std::nullopt)), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(SessionModelTest, DropByMonitorIsNotOwner) {
  OpenMonitor(kMonty);
  const CallId id = OfferedToAlice();

  auto dropped = model_.Drop(kMonty, id, std::nullopt, std::nullopt);

  EXPECT_EQ(KindOf(dropped), ModelErrorKind::kNotOwner);
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kOffering);
}

TEST_F(SessionModelTest, DropWithUuiOverUuiMaxIsUserUserInfoTooBig) {
  const CallId id = OutgoingIn(S::kConnected);

  auto dropped = model_.Drop(kAlice, id, std::nullopt, UuiOfSize(kUuiMax + 1));

  ASSERT_EQ(KindOf(dropped), ModelErrorKind::kUserUserInfoTooBig);
  EXPECT_EQ(dropped.error().max, kUuiMax);
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kConnected);
  // Nothing was started: the client may drop again with a shorter UUI.
  EXPECT_TRUE(model_.Drop(kAlice, id, std::nullopt, UuiOfSize(kUuiMax)).ok());
}

TEST_F(SessionModelTest, DropWithUuiOfExactlyUuiMaxIsSent) {
  const CallId id = OutgoingIn(S::kConnected);

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, UuiOfSize(kUuiMax)).ok());

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].uui, UuiOfSize(kUuiMax));
}

TEST_F(SessionModelTest, DropWithUuiOnSpanWithoutUuiIsOperationUnavailable) {
  const CallId id = OutgoingIn(S::kConnected, kUuiOffSpan);

  auto dropped = model_.Drop(kAlice, id, std::nullopt, Ia5("x"));

  EXPECT_EQ(KindOf(dropped), ModelErrorKind::kOperationUnavailable);
  EXPECT_THAT(uui_off_port_.Clears(), IsEmpty());
  // Without UUI the same span drops fine.
  EXPECT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  EXPECT_THAT(uui_off_port_.Clears(), SizeIs(1));
}

TEST_F(SessionModelTest, DropUnknownCallIsInvalidCallHandle) {
  EXPECT_EQ(KindOf(model_.Drop(kAlice, 4242, std::nullopt, std::nullopt)),
            ModelErrorKind::kInvalidCallHandle);
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(SessionModelTest, DropCallWithoutHandleIsInvalidCallHandle) {
  const CallId id = OutgoingIn(S::kConnected);

  EXPECT_EQ(KindOf(model_.Drop(kEve, id, std::nullopt, std::nullopt)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_THAT(port_.Clears(), IsEmpty());
}

// ---------------------------------------------------------------------------
// Make

TEST_F(SessionModelTest, MakeOnDownSpanIsSpanDownAndPlacesNothing) {
  port_.set_up(false);
  MakeCallRequest request;
  request.span = kSpan;
  request.parties.called.digits = "6000";

  auto made = model_.Make(kAlice, request);

  EXPECT_EQ(KindOf(made), ModelErrorKind::kSpanDown);
  EXPECT_THAT(port_.requests(), IsEmpty());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, MakeRefusedAsSpanDownByPortIsSpanDown) {
  port_.set_place_error(PortErrorKind::kSpanDown);
  MakeCallRequest request;
  request.span = kSpan;
  request.parties.called.digits = "6000";

  EXPECT_EQ(KindOf(model_.Make(kAlice, request)), ModelErrorKind::kSpanDown);
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, MakeWithNoFreeChannelIsResourceUnavailableAndLeavesNoRecord) {
  OpenMonitor(kMonty);
  port_.set_place_error(PortErrorKind::kNoChannel);
  MakeCallRequest request;
  request.span = kSpan;
  request.parties.called.digits = "6000";

  auto made = model_.Make(kAlice, request);

  EXPECT_EQ(KindOf(made), ModelErrorKind::kResourceUnavailable);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kPlaceCall), SizeIs(1));
  EXPECT_THAT(events_.offers(), IsEmpty());
  EXPECT_THAT(events_.states(), IsEmpty());
  ExpectNothingLeft();
  EXPECT_THAT(model_.List(kAlice, std::nullopt), IsEmpty());
}

TEST_F(SessionModelTest, MakePassesTheRequestToTheSpan) {
  MakeCallRequest request;
  request.span = kSpan;
  request.parties.called.digits = "6000";
  request.parties.calling = q931::Party{"4000"};
  request.bearer = Bearer::kDigital;
  request.channel = 3;
  request.uui = BinaryUui();

  auto made = model_.Make(kAlice, request);

  ASSERT_TRUE(made.ok());
  const auto placed = port_.Requests(PortRequest::Kind::kPlaceCall);
  ASSERT_THAT(placed, SizeIs(1));
  EXPECT_EQ(placed[0].call, *made);
  EXPECT_EQ(placed[0].place.parties.called.digits, "6000");
  EXPECT_EQ(placed[0].place.parties.calling.value_or(q931::Party{}).digits, "4000");
  EXPECT_EQ(placed[0].place.bearer, Bearer::kDigital);
  EXPECT_EQ(placed[0].place.channel, 3);
  EXPECT_EQ(placed[0].place.uui, BinaryUui());
  EXPECT_EQ(model_.Find(*made)->channel, 3);
  EXPECT_EQ(model_.Find(*made)->uui_sent, BinaryUui());
}

TEST_F(SessionModelTest, MakeGivesTheMakerAnOwnerHandle) {
  const CallId id = Dial(kAlice);

  auto view = model_.Info(kAlice, id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->handle->privilege, Privilege::kOwner);
  EXPECT_EQ(view->state(), H::kDialing);
  EXPECT_EQ(view->call->direction, Direction::kOut);
  EXPECT_EQ(view->call->channel, kPlacedChannel);
  EXPECT_EQ(view->call->span, kSpan);
  EXPECT_EQ(model_.handle_count(), 1u);
}

TEST_F(SessionModelTest, MakeOffersMonitorHandlesToMonitors) {
  OpenMonitor(kMonty);
  OpenOwner(kBob);  // an owner line does not take other clients' outgoing calls

  const CallId id = Dial(kAlice);

  const auto offers = events_.OffersOf(id);
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].client, kMonty);
  EXPECT_EQ(offers[0].privilege, Privilege::kMonitor);
  EXPECT_EQ(offers[0].handle_state, H::kDialing);
  EXPECT_EQ(offers[0].direction, Direction::kOut);
  EXPECT_EQ(KindOf(model_.Info(kBob, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(model_.Info(kMonty, id)->handle->privilege, Privilege::kMonitor);
}

TEST_F(SessionModelTest, MakeByMonitorLineHolderGivesOneOwnerHandle) {
  OpenMonitor(kAlice);

  const CallId id = Dial(kAlice);

  ASSERT_EQ(model_.handle_count(), 1u);
  EXPECT_EQ(model_.Info(kAlice, id)->handle->privilege, Privilege::kOwner);
  EXPECT_THAT(events_.OffersOf(id), IsEmpty());
}

TEST_F(SessionModelTest, MakeWithoutSpanUsesTheLowestSpan) {
  MakeCallRequest request;
  request.parties.called.digits = "6000";

  auto made = model_.Make(kAlice, request);

  ASSERT_TRUE(made.ok());
  EXPECT_EQ(model_.Find(*made)->span, kSpan);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kPlaceCall), SizeIs(1));
  EXPECT_THAT(uui_off_port_.requests(), IsEmpty());
}

TEST_F(SessionModelTest, MakeOnUnknownSpanOrWithoutNumberIsInvalidParams) {
  MakeCallRequest request;
  request.span = 77;
  request.parties.called.digits = "6000";
  EXPECT_EQ(KindOf(model_.Make(kAlice, request)), ModelErrorKind::kInvalidParams);
  request.span = kSpan;
  request.parties.called.digits.clear();
  EXPECT_EQ(KindOf(model_.Make(kAlice, request)), ModelErrorKind::kInvalidParams);
  EXPECT_THAT(port_.requests(), IsEmpty());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, MakeWithUuiOnSpanWithoutUuiIsOperationUnavailable) {
  MakeCallRequest request;
  request.span = kUuiOffSpan;
  request.parties.called.digits = "6000";
  request.uui = Ia5("x");

  EXPECT_EQ(KindOf(model_.Make(kAlice, request)), ModelErrorKind::kOperationUnavailable);
  EXPECT_THAT(uui_off_port_.requests(), IsEmpty());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, MakeWithUuiOverUuiMaxIsUserUserInfoTooBig) {
  MakeCallRequest request;
  request.span = kSpan;
  request.parties.called.digits = "6000";
  request.uui = UuiOfSize(kUuiMax + 1);

  auto made = model_.Make(kAlice, request);

  ASSERT_EQ(KindOf(made), ModelErrorKind::kUserUserInfoTooBig);
  EXPECT_EQ(made.error().max, kUuiMax);
  EXPECT_THAT(port_.requests(), IsEmpty());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, MakeCallIdsAreNeverReused) {
  port_.set_place_error(PortErrorKind::kNoChannel);
  MakeCallRequest request;
  request.span = kSpan;
  request.parties.called.digits = "6000";
  ASSERT_FALSE(model_.Make(kAlice, request).ok());
  port_.set_place_error(std::nullopt);
  const CallId first = Dial();
  const CallId second = Dial();
  EXPECT_NE(first, second);
  const auto placed = port_.Requests(PortRequest::Kind::kPlaceCall);
  ASSERT_THAT(placed, SizeIs(3));
  EXPECT_NE(placed[0].call, first);
  EXPECT_NE(placed[0].call, second);
}

// ---------------------------------------------------------------------------
// IncomingCall

TEST_F(SessionModelTest, IncomingCallOffersHandlesToOwnersAndMonitors) {
  OpenOwner(kAlice);
  OpenOwner(kBob);
  OpenMonitor(kMonty);

  const CallId id = Offer(kSpan, Uui(0x07, {0x00, 0x09}));

  const auto offers = events_.OffersOf(id);
  ASSERT_THAT(offers, SizeIs(3));
  std::vector<std::pair<ClientId, Privilege>> got;
  for (const OfferEvent& o : offers) {
    got.emplace_back(o.client, o.privilege);
    EXPECT_EQ(o.handle_state, H::kOffering);
    EXPECT_EQ(o.direction, Direction::kIn);
  }
  EXPECT_THAT(got, UnorderedElementsAre(std::pair{kAlice, Privilege::kOwner},
                                        std::pair{kBob, Privilege::kOwner},
                                        std::pair{kMonty, Privilege::kMonitor}));
  EXPECT_EQ(model_.Info(kAlice, id)->handle->privilege, Privilege::kOwner);
  EXPECT_EQ(model_.Info(kBob, id)->handle->privilege, Privilege::kOwner);
  EXPECT_EQ(model_.Info(kMonty, id)->handle->privilege, Privilege::kMonitor);
  EXPECT_EQ(model_.Find(id)->channel, kIncomingChannel);
  EXPECT_EQ(model_.Find(id)->uui_received, Uui(0x07, {0x00, 0x09}));
  EXPECT_THAT(port_.requests(), IsEmpty());
  EXPECT_THAT(events_.states(), IsEmpty());
}

TEST_F(SessionModelTest, IncomingCallBindsTheIdBeforeAnyEvent) {
  OpenOwner(kAlice);
  OpenMonitor(kMonty);
  std::size_t events_at_bind = 99;
  IncomingCallInfo info;
  info.parties.called.digits = "4000";

  const CallId id =
      model_.IncomingCall(kSpan, info, [&](CallId) { events_at_bind = events_.total(); });

  EXPECT_NE(id, 0u);
  EXPECT_EQ(events_at_bind, 0u);
  EXPECT_EQ(events_.total(), 2u);
}

TEST_F(SessionModelTest, IncomingCallWithNoOwnerIsRejectedWithCause21) {
  OpenMonitor(kMonty);
  port_.set_clear_outcome(ClearOutcome::kCleared);

  const CallId id = Offer();

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].cause, q850::kCallRejected);
  EXPECT_EQ(clears[0].uui, std::nullopt);

  // The monitor saw it offered, then idle.
  const auto offers = events_.OffersOf(id);
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].client, kMonty);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kOffering);
  EXPECT_EQ(states[0].state, H::kIdle);
  EXPECT_EQ(states[0].cause, q850::kCallRejected);
  EXPECT_THAT(states[0].recipients, ElementsAre(kMonty));
  EXPECT_LT(offers[0].seq, states[0].seq);

  EXPECT_EQ(model_.record_count(), 1u);
  ASSERT_TRUE(model_.Deallocate(kMonty, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, IncomingCallWithNoLineIsRejectedAndLeavesNoRecord) {
  port_.set_clear_outcome(ClearOutcome::kCleared);

  const CallId id = Offer();

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].cause, q850::kCallRejected);
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, IncomingCallWithNoLineKeepsRecordUntilWireCleared) {
  const CallId id = Offer();
  ASSERT_THAT(port_.Clears(), SizeIs(1));
  EXPECT_EQ(model_.record_count(), 1u);

  model_.WireCleared(id, q850::kCallRejected, std::nullopt, false);

  ExpectNothingLeft();
}

TEST_F(SessionModelTest, IncomingCallOnOtherSpanIsNotOfferedToThisSpansLines) {
  OpenOwner(kAlice, kSpan);
  OpenOwner(kBob, kUuiOffSpan);

  const CallId id = Offer(kUuiOffSpan);

  EXPECT_EQ(KindOf(model_.Info(kAlice, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_TRUE(model_.Info(kBob, id).ok());
}

// ---------------------------------------------------------------------------
// Alert / Answer

TEST_F(SessionModelTest, AlertMovesOfferingCallToAccepted) {
  OpenMonitor(kMonty);
  const CallId id = OfferedToAlice();

  ASSERT_TRUE(model_.Alert(kAlice, id).ok());

  EXPECT_THAT(port_.Requests(PortRequest::Kind::kAlert), SizeIs(1));
  EXPECT_EQ(StateOf(id), S::kAccepted);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kOffering);
  EXPECT_EQ(states[0].state, H::kAccepted);
  EXPECT_THAT(states[0].recipients, UnorderedElementsAre(kAlice, kMonty));
}

TEST_F(SessionModelTest, AlertAndAnswerPassTheirProgressChoicesToTheSpan) {
  const CallId plain = OfferedToAlice();
  ASSERT_TRUE(model_.Alert(kAlice, plain).ok());
  ASSERT_TRUE(model_.Answer(kAlice, plain, std::nullopt).ok());
  const CallId gateway = OfferedToAlice();
  ASSERT_TRUE(model_.Alert(kAlice, gateway, /*inband=*/false).ok());
  ASSERT_TRUE(model_.Answer(kAlice, gateway, std::nullopt, /*non_isdn=*/true).ok());

  const auto alerts = port_.Requests(PortRequest::Kind::kAlert);
  ASSERT_THAT(alerts, SizeIs(2));
  EXPECT_TRUE(alerts[0].inband);  // the default: ringback in band
  EXPECT_FALSE(alerts[1].inband);
  const auto answers = port_.Requests(PortRequest::Kind::kAnswer);
  ASSERT_THAT(answers, SizeIs(2));
  EXPECT_FALSE(answers[0].non_isdn);
  EXPECT_TRUE(answers[1].non_isdn);
}

TEST_F(SessionModelTest, AlertAcceptedCallIsInvalidCallState) {
  const CallId id = AcceptedByAlice();
  port_.ForgetRequests();

  EXPECT_EQ(KindOf(model_.Alert(kAlice, id)), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(SessionModelTest, AlertOutgoingCallIsInvalidCallState) {
  const CallId id = OutgoingIn(S::kProceeding);

  EXPECT_EQ(KindOf(model_.Alert(kAlice, id)), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kAlert), IsEmpty());
}

TEST_F(SessionModelTest, AlertByMonitorIsNotOwner) {
  OpenMonitor(kMonty);
  const CallId id = OfferedToAlice();

  EXPECT_EQ(KindOf(model_.Alert(kMonty, id)), ModelErrorKind::kNotOwner);
  EXPECT_EQ(StateOf(id), S::kOffering);
}

TEST_F(SessionModelTest, AlertRefusedBySpanIsOperationUnavailableAndKeepsState) {
  const CallId id = OfferedToAlice();
  port_.set_alert_fails(true);

  EXPECT_EQ(KindOf(model_.Alert(kAlice, id)), ModelErrorKind::kOperationUnavailable);
  EXPECT_EQ(StateOf(id), S::kOffering);
  EXPECT_THAT(events_.states(), IsEmpty());
}

TEST_F(SessionModelTest, AlertAndAnswerOnAnotherChannelMoveTheRecordsChannel) {
  const CallId alerted = OfferedToAlice();
  ASSERT_TRUE(model_.Alert(kAlice, alerted, true, /*channel=*/5).ok());
  const CallId answered = OfferedToAlice();
  ASSERT_TRUE(model_.Answer(kAlice, answered, std::nullopt, false, /*channel=*/7).ok());

  EXPECT_EQ(port_.Requests(PortRequest::Kind::kAlert)[0].channel, 5);
  EXPECT_EQ(port_.Requests(PortRequest::Kind::kAnswer)[0].channel, 7);
  EXPECT_EQ(model_.Find(alerted)->channel, 5);
  EXPECT_EQ(model_.Find(answered)->channel, 7);
}

TEST_F(SessionModelTest, ChannelTheSpanRefusesIsInvalidParamsAndKeepsState) {
  const CallId id = OfferedToAlice();
  const int offered = model_.Find(id)->channel;
  port_.set_answer_error(PortErrorKind::kInvalidChannel);

  EXPECT_EQ(KindOf(model_.Alert(kAlice, id, true, 9)), ModelErrorKind::kInvalidParams);
  EXPECT_EQ(KindOf(model_.Answer(kAlice, id, std::nullopt, false, 9)), ModelErrorKind::kInvalidParams);
  EXPECT_EQ(KindOf(model_.Proceed(kAlice, id, 9)), ModelErrorKind::kInvalidParams);
  EXPECT_EQ(StateOf(id), S::kOffering);
  EXPECT_EQ(model_.Find(id)->channel, offered);
  EXPECT_THAT(events_.states(), IsEmpty());
}

TEST_F(SessionModelTest, ProceedKeepsTheCallOfferingAndOnlyAnOfferingOne) {
  const CallId id = OfferedToAlice();
  ASSERT_TRUE(model_.Proceed(kAlice, id).ok());
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kProceed), SizeIs(1));
  EXPECT_EQ(StateOf(id), S::kOffering);
  EXPECT_THAT(events_.states(), IsEmpty());

  // The span's refusal of a second one is InvalidCallState.
  port_.set_answer_error(PortErrorKind::kWrongState);
  EXPECT_EQ(KindOf(model_.Proceed(kAlice, id)), ModelErrorKind::kInvalidCallState);
  port_.set_answer_error(std::nullopt);
  const CallId accepted = AcceptedByAlice();
  EXPECT_EQ(KindOf(model_.Proceed(kAlice, accepted)), ModelErrorKind::kInvalidCallState);
  EXPECT_EQ(KindOf(model_.Proceed(kAlice, OutgoingIn(S::kProceeding))), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kProceed), SizeIs(2));
}

TEST_F(SessionModelTest, ProgressGoesOnOfferingAndAcceptedCallsWithItsIndicatorsAndCause) {
  const CallId offered = OfferedToAlice();
  ASSERT_TRUE(model_.Progress(kAlice, offered, {1, 8}, std::nullopt).ok());
  const CallId accepted = AcceptedByAlice();
  ASSERT_TRUE(model_.Progress(kAlice, accepted, {8}, q850::kUserBusy).ok());

  const auto sent = port_.Requests(PortRequest::Kind::kProgress);
  ASSERT_THAT(sent, SizeIs(2));
  EXPECT_EQ(sent[0].progress, (std::vector<std::uint8_t>{1, 8}));
  EXPECT_EQ(sent[0].cause, std::nullopt);
  EXPECT_EQ(sent[1].cause, q850::kUserBusy);
  EXPECT_EQ(StateOf(offered), S::kOffering);
  EXPECT_EQ(StateOf(accepted), S::kAccepted);

  ASSERT_TRUE(model_.Answer(kAlice, accepted, std::nullopt).ok());
  EXPECT_EQ(KindOf(model_.Progress(kAlice, accepted, {8}, std::nullopt)), ModelErrorKind::kInvalidCallState);
  EXPECT_EQ(KindOf(model_.Progress(kAlice, OutgoingIn(S::kRingback), {8}, std::nullopt)),
            ModelErrorKind::kInvalidCallState);
  OpenMonitor(kMonty);
  EXPECT_EQ(KindOf(model_.Progress(kMonty, offered, {8}, std::nullopt)), ModelErrorKind::kNotOwner);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kProgress), SizeIs(2));
}

// ---------------------------------------------------------------------------
// Redirect (call rerouting)

TEST_F(SessionModelTest, RedirectAsksTheSpanAndEndsTheCallWhenTheFarEndClears) {
  OpenMonitor(kMonty);
  const CallId id = OfferedToAlice();
  events_.Forget();

  ASSERT_TRUE(model_.Redirect(kAlice, id, q931::Party{"5550000"}, /*busy=*/1).ok());

  ASSERT_THAT(port_.redirects(), SizeIs(1));
  EXPECT_EQ(port_.redirects()[0].call, id);
  EXPECT_EQ(port_.redirects()[0].to.digits, "5550000");
  EXPECT_EQ(port_.redirects()[0].reason, 1);
  // The far end clears a rerouted call: prid sends nothing yet.
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kOffering);
  EXPECT_EQ(KindOf(model_.Drop(kAlice, id, std::nullopt, std::nullopt)), ModelErrorKind::kInvalidCallState);
  EXPECT_EQ(KindOf(model_.Redirect(kAlice, id, q931::Party{"5550000"}, 0)), ModelErrorKind::kInvalidCallState);

  // Its DISCONNECT (with the result) is answered with RELEASE.
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  ASSERT_THAT(port_.Clears(id), SizeIs(1));
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);

  EXPECT_EQ(StateOf(id), S::kIdle);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].state, H::kIdle);
  EXPECT_EQ(states[0].cause, q850::kNormalClearing);
  EXPECT_EQ(states[0].origin, Origin::kRedirect);
  EXPECT_THAT(states[0].recipients, UnorderedElementsAre(kAlice, kMonty));
}

TEST_F(SessionModelTest, RedirectTheFarEndIgnoresIsClearedAfterReleaseTimeout) {
  const CallId id = AcceptedByAlice();
  ASSERT_TRUE(model_.Redirect(kAlice, id, q931::Party{"5550000"}, 0).ok());
  EXPECT_THAT(port_.Clears(), IsEmpty());
  ASSERT_EQ(timers_.created(), 1u);
  EXPECT_DOUBLE_EQ(timers_.timer(0).seconds, kReleaseTimeout);

  ASSERT_TRUE(timers_.Fire(0));

  const auto clears = port_.Clears(id);
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kNormalClearing);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(StateOf(id), S::kIdle);
  EXPECT_EQ(model_.Find(id)->origin, Origin::kRedirect);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, RedirectRefusesOtherStatesMonitorsAndVariantsWithout) {
  OpenMonitor(kMonty);
  const CallId offered = OfferedToAlice();
  EXPECT_EQ(KindOf(model_.Redirect(kMonty, offered, q931::Party{"1"}, 0)), ModelErrorKind::kNotOwner);
  EXPECT_EQ(KindOf(model_.Redirect(kAlice, OutgoingIn(S::kRingback), q931::Party{"1"}, 0)),
            ModelErrorKind::kInvalidCallState);
  const CallId answered = Offer();
  ASSERT_TRUE(model_.Answer(kAlice, answered, std::nullopt).ok());
  EXPECT_EQ(KindOf(model_.Redirect(kAlice, answered, q931::Party{"1"}, 0)), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.redirects(), IsEmpty());

  // The span's variant has no call rerouting: the call stays as it was.
  port_.set_redirect_error(PortErrorKind::kFailed);
  EXPECT_EQ(KindOf(model_.Redirect(kAlice, offered, q931::Party{"1"}, 0)), ModelErrorKind::kOperationUnavailable);
  EXPECT_EQ(StateOf(offered), S::kOffering);
  EXPECT_FALSE(model_.Find(offered)->clearing());
  ASSERT_TRUE(model_.Drop(kAlice, offered, std::nullopt, std::nullopt).ok());
}

// ---------------------------------------------------------------------------
// Transfer (explicit call transfer)

TEST_F(SessionModelTest, TransferAsksTheSpanAndBothCallsEndWhenTheNetworkClearsThem) {
  OpenMonitor(kMonty);
  const CallId a = OutgoingIn(S::kConnected);
  const CallId b = OutgoingIn(S::kConnected);
  events_.Forget();

  ASSERT_TRUE(model_.Transfer(kAlice, a, b).ok());
  ASSERT_THAT(port_.transfers(), SizeIs(1));
  EXPECT_EQ(port_.transfers()[0], std::make_pair(a, b));
  // The network carries it out: nothing of ours goes yet, the calls stay.
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(StateOf(a), S::kConnected);
  EXPECT_EQ(KindOf(model_.Transfer(kAlice, b, a)), ModelErrorKind::kInvalidCallState);

  // Its DISCONNECTs end both as drops: RELEASE, then idle, origin transfer.
  for (CallId id : {b, a}) {
    model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
    ASSERT_THAT(port_.Clears(id), SizeIs(1));
    model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
    EXPECT_EQ(StateOf(id), S::kIdle);
    const auto states = events_.StatesOf(id);
    ASSERT_THAT(states, SizeIs(1)) << "connected straight to idle, no disconnected";
    EXPECT_EQ(states[0].state, H::kIdle);
    EXPECT_EQ(states[0].origin, Origin::kTransfer);
    EXPECT_EQ(states[0].cause, q850::kNormalClearing);
    EXPECT_THAT(states[0].recipients, UnorderedElementsAre(kAlice, kMonty));
  }
  // No timer outlives them to act on nothing.
  EXPECT_EQ(timers_.FireAll(), 0u);
  for (CallId id : {a, b}) ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
}

TEST_F(SessionModelTest, TransferTheNetworkClearsOnlyOneCallPridClearsTheOther) {
  const CallId a = OutgoingIn(S::kConnected);
  const CallId b = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Transfer(kAlice, a, b).ok());
  model_.RemoteDisconnect(a, q850::kNormalClearing, std::nullopt);
  model_.WireCleared(a, q850::kNormalClearing, std::nullopt, true);
  EXPECT_THAT(port_.Clears(b), IsEmpty());

  timers_.FireAll();  // release_timeout

  const auto clears = port_.Clears(b);
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kNormalClearing);
  model_.WireCleared(b, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(model_.Find(b)->origin, Origin::kTransfer);
  for (CallId id : {a, b}) ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, TransferNoClearingWithinReleaseTimeoutIsRefusedAndBothStay) {
  OpenMonitor(kMonty);
  const CallId a = OutgoingIn(S::kConnected);
  const CallId b = OutgoingIn(S::kConnected);
  events_.Forget();
  ASSERT_TRUE(model_.Transfer(kAlice, a, b).ok());

  timers_.FireAll();

  EXPECT_THAT(port_.Clears(), IsEmpty());
  for (CallId id : {a, b}) {
    EXPECT_EQ(StateOf(id), S::kConnected);
    const auto states = events_.StatesOf(id);
    ASSERT_THAT(states, SizeIs(1));
    EXPECT_EQ(states[0].refused, "transfer");
    EXPECT_EQ(states[0].state, H::kConnected);
    EXPECT_EQ(states[0].cause, q850::kRecoveryOnTimerExpiry);
    EXPECT_THAT(states[0].recipients, UnorderedElementsAre(kAlice, kMonty));
  }
  // Free again: another transfer may be asked; a far end's DISCONNECT now
  // is an ordinary remote clearing.
  model_.RemoteDisconnect(a, q850::kNormalClearing, std::nullopt);
  EXPECT_EQ(StateOf(a), S::kDisconnected);
  EXPECT_EQ(model_.Find(a)->origin, Origin::kRemote);
  ASSERT_TRUE(model_.Drop(kAlice, b, std::nullopt, std::nullopt).ok());
}

TEST_F(SessionModelTest, TransferRefusesStatesOwnersSpansAndVariantsWithout) {
  OpenMonitor(kMonty);
  const CallId a = OutgoingIn(S::kConnected);
  EXPECT_EQ(KindOf(model_.Transfer(kAlice, a, a)), ModelErrorKind::kInvalidParams);
  EXPECT_EQ(KindOf(model_.Transfer(kAlice, a, 999)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(KindOf(model_.Transfer(kMonty, a, a + 1)), ModelErrorKind::kNotOwner);
  EXPECT_EQ(KindOf(model_.Transfer(kAlice, a, OutgoingIn(S::kRingback))), ModelErrorKind::kInvalidCallState);
  EXPECT_EQ(KindOf(model_.Transfer(kAlice, OfferedToAlice(), a)), ModelErrorKind::kInvalidCallState);
  EXPECT_EQ(KindOf(model_.Transfer(kAlice, a, OutgoingIn(S::kConnected, kUuiOffSpan))),
            ModelErrorKind::kInvalidParams);
  EXPECT_THAT(port_.transfers(), IsEmpty());

  // The span's variant has none: both stay, nothing pending.
  const CallId b = OutgoingIn(S::kConnected);
  port_.set_transfer_error(PortErrorKind::kFailed);
  EXPECT_EQ(KindOf(model_.Transfer(kAlice, a, b)), ModelErrorKind::kOperationUnavailable);
  EXPECT_EQ(model_.Find(a)->transferring_with, 0u);
  EXPECT_EQ(timers_.running_count(), 0u);
}

TEST_F(SessionModelTest, AnswerOfferingCallConnectsWithUui) {
  const CallId id = OfferedToAlice();

  ASSERT_TRUE(model_.Answer(kAlice, id, BinaryUui()).ok());

  const auto answers = port_.Requests(PortRequest::Kind::kAnswer);
  ASSERT_THAT(answers, SizeIs(1));
  EXPECT_EQ(answers[0].uui, BinaryUui());
  EXPECT_EQ(StateOf(id), S::kConnected);
  EXPECT_EQ(model_.Find(id)->uui_sent, BinaryUui());
  EXPECT_TRUE(model_.Find(id)->connected_at.has_value());
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].previous, H::kOffering);
  EXPECT_EQ(states[0].state, H::kConnected);
}

TEST_F(SessionModelTest, AnswerAcceptedCallConnects) {
  const CallId id = AcceptedByAlice();

  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());

  EXPECT_EQ(StateOf(id), S::kConnected);
  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(2));
  EXPECT_EQ(states[1].previous, H::kAccepted);
  EXPECT_EQ(states[1].state, H::kConnected);
}

TEST_F(SessionModelTest, AnswerConnectedCallIsInvalidCallState) {
  const CallId id = OfferedToAlice();
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  port_.ForgetRequests();

  EXPECT_EQ(KindOf(model_.Answer(kAlice, id, std::nullopt)), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(SessionModelTest, AnswerOutgoingCallIsInvalidCallState) {
  const CallId id = OutgoingIn(S::kRingback);

  EXPECT_EQ(KindOf(model_.Answer(kAlice, id, std::nullopt)), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kAnswer), IsEmpty());
}

TEST_F(SessionModelTest, AnswerWhileRejectPendingIsInvalidCallState) {
  const CallId id = AcceptedByAlice();
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());

  EXPECT_EQ(KindOf(model_.Answer(kAlice, id, std::nullopt)), ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kAnswer), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kAccepted);
}

TEST_F(SessionModelTest, AnswerByMonitorIsNotOwner) {
  OpenMonitor(kMonty);
  const CallId id = OfferedToAlice();

  EXPECT_EQ(KindOf(model_.Answer(kMonty, id, std::nullopt)), ModelErrorKind::kNotOwner);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kAnswer), IsEmpty());
}

TEST_F(SessionModelTest, AnswerWithUuiOverUuiMaxIsUserUserInfoTooBig) {
  const CallId id = OfferedToAlice();

  auto answered = model_.Answer(kAlice, id, UuiOfSize(kUuiMax + 1));

  ASSERT_EQ(KindOf(answered), ModelErrorKind::kUserUserInfoTooBig);
  EXPECT_EQ(answered.error().max, kUuiMax);
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kAnswer), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kOffering);
}

TEST_F(SessionModelTest, AnswerWithUuiOnSpanWithoutUuiIsOperationUnavailable) {
  const CallId id = OfferedToAlice(kUuiOffSpan);

  EXPECT_EQ(KindOf(model_.Answer(kAlice, id, Ia5("x"))), ModelErrorKind::kOperationUnavailable);
  EXPECT_THAT(uui_off_port_.Requests(PortRequest::Kind::kAnswer), IsEmpty());
}

// ---------------------------------------------------------------------------
// Events

TEST_F(SessionModelTest, EveryOutgoingTransitionIsOneEventToEveryHandleHolder) {
  OpenMonitor(kMonty);
  const CallId id = Dial(kAlice);
  model_.Proceeding(id);
  model_.Alerting(id, std::nullopt);
  model_.Answered(id, Ia5("hello"));
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);

  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(5));
  const std::pair<HandleState, HandleState> expected[] = {
      {H::kDialing, H::kProceeding},   {H::kProceeding, H::kRingback},
      {H::kRingback, H::kConnected},   {H::kConnected, H::kDisconnected},
      {H::kDisconnected, H::kIdle},
  };
  for (std::size_t i = 0; i < states.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(states[i].previous, expected[i].first);
    EXPECT_EQ(states[i].state, expected[i].second);
    EXPECT_THAT(states[i].recipients, UnorderedElementsAre(kAlice, kMonty));
    EXPECT_EQ(states[i].span, kSpan);
    EXPECT_EQ(states[i].channel, kPlacedChannel);
  }
  EXPECT_EQ(states[2].uui, Ia5("hello"));
  EXPECT_EQ(model_.Find(id)->uui_received, Ia5("hello"));
  EXPECT_EQ(HandleStateOf(kMonty, id), H::kIdle);
}

TEST_F(SessionModelTest, EveryIncomingTransitionIsOneEventToEveryHandleHolder) {
  OpenOwner(kAlice);
  OpenOwner(kBob);
  OpenMonitor(kMonty);
  const CallId id = Offer();
  ASSERT_TRUE(model_.Alert(kBob, id).ok());
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  ASSERT_TRUE(model_.Drop(kBob, id, std::nullopt, std::nullopt).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);

  const auto states = events_.StatesOf(id);
  ASSERT_THAT(states, SizeIs(4));
  const std::pair<HandleState, HandleState> expected[] = {
      {H::kOffering, H::kAccepted},
      {H::kAccepted, H::kConnected},
      {H::kConnected, H::kDisconnected},
      {H::kDisconnected, H::kIdle},
  };
  for (std::size_t i = 0; i < states.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(states[i].previous, expected[i].first);
    EXPECT_EQ(states[i].state, expected[i].second);
    EXPECT_THAT(states[i].recipients, UnorderedElementsAre(kAlice, kBob, kMonty));
  }
}

TEST_F(SessionModelTest, LateProgressAfterIdleEmitsNothing) {
  const CallId id = OutgoingIn(S::kConnected);
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  events_.Forget();

  model_.Proceeding(id);
  model_.Alerting(id, std::nullopt);
  model_.Answered(id, std::nullopt);
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);

  EXPECT_THAT(events_.states(), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kIdle);
}

// ---------------------------------------------------------------------------
// Deallocate

TEST_F(SessionModelTest, DeallocateByOnlyOwnerOfActiveCallIsInvalidCallState) {
  const CallId id = OutgoingIn(S::kConnected);

  EXPECT_EQ(KindOf(model_.Deallocate(kAlice, id)), ModelErrorKind::kInvalidCallState);
  EXPECT_TRUE(model_.Info(kAlice, id).ok());
  EXPECT_THAT(port_.Clears(), IsEmpty());
}

TEST_F(SessionModelTest, DeallocateByOnlyOwnerWhileDropPendingIsInvalidCallState) {
  const CallId id = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());

  EXPECT_EQ(KindOf(model_.Deallocate(kAlice, id)), ModelErrorKind::kInvalidCallState);
}

TEST_F(SessionModelTest, DeallocateByMonitorOfActiveCallIsAllowed) {
  OpenMonitor(kMonty);
  const CallId id = OutgoingIn(S::kConnected);

  ASSERT_TRUE(model_.Deallocate(kMonty, id).ok());

  EXPECT_EQ(KindOf(model_.Info(kMonty, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(StateOf(id), S::kConnected);
  EXPECT_EQ(model_.handle_count(), 1u);
  EXPECT_THAT(port_.Clears(), IsEmpty());
  // Later transitions no longer go to the monitor.
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  ASSERT_FALSE(events_.states().empty());
  EXPECT_THAT(events_.states().back().recipients, ElementsAre(kAlice));
}

TEST_F(SessionModelTest, DeallocateByOneOfTwoOwnersIsAllowed) {
  OpenOwner(kAlice);
  OpenOwner(kBob);
  const CallId id = Offer();

  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());

  EXPECT_EQ(StateOf(id), S::kOffering);
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(KindOf(model_.Info(kAlice, id)), ModelErrorKind::kInvalidCallHandle);
  // Bob is now the only owner.
  EXPECT_EQ(KindOf(model_.Deallocate(kBob, id)), ModelErrorKind::kInvalidCallState);
  EXPECT_TRUE(model_.Answer(kBob, id, std::nullopt).ok());
}

TEST_F(SessionModelTest, DeallocateIdleCallFreesRecordWhenLastHandleGoes) {
  OpenMonitor(kMonty);
  const CallId id = OutgoingIn(S::kConnected);
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  ASSERT_EQ(StateOf(id), S::kIdle);

  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  EXPECT_EQ(model_.record_count(), 1u);
  EXPECT_TRUE(model_.Info(kMonty, id).ok());

  ASSERT_TRUE(model_.Deallocate(kMonty, id).ok());
  ExpectNothingLeft();
  EXPECT_EQ(model_.Find(id), nullptr);
}

TEST_F(SessionModelTest, DeallocateLastHandleWhileWireClearsKeepsRecordUntilWireCleared) {
  OpenMonitor(kMonty);
  const CallId id = Offer();  // no owner: rejected, RELEASE COMPLETE not done yet
  ASSERT_THAT(port_.Clears(), SizeIs(1));

  ASSERT_TRUE(model_.Deallocate(kMonty, id).ok());

  EXPECT_EQ(model_.handle_count(), 0u);
  EXPECT_EQ(model_.record_count(), 1u);
  EXPECT_NE(model_.Find(id), nullptr);

  model_.WireCleared(id, q850::kCallRejected, std::nullopt, false);
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, DeallocateTwiceIsInvalidCallHandle) {
  OpenMonitor(kMonty);
  const CallId id = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Deallocate(kMonty, id).ok());

  EXPECT_EQ(KindOf(model_.Deallocate(kMonty, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(KindOf(model_.Deallocate(kMonty, 4242)), ModelErrorKind::kInvalidCallHandle);
}

// ---------------------------------------------------------------------------
// ClientGone

TEST_F(SessionModelTest, ClientGoneDropsConnectedCallItAloneOwnedWithCause16) {
  OpenMonitor(kMonty);
  const CallId id = OutgoingIn(S::kConnected);

  model_.ClientGone(kAlice);

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].cause, q850::kNormalClearing);
  EXPECT_EQ(clears[0].uui, std::nullopt);
  EXPECT_EQ(KindOf(model_.Info(kAlice, id)), ModelErrorKind::kInvalidCallHandle);

  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  EXPECT_EQ(StateOf(id), S::kIdle);
  ASSERT_TRUE(model_.Deallocate(kMonty, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, ClientGoneKeepsRecordUntilWireCleared) {
  const CallId id = OutgoingIn(S::kRingback);

  model_.ClientGone(kAlice);

  EXPECT_THAT(port_.Clears(), SizeIs(1));
  EXPECT_EQ(model_.handle_count(), 0u);
  EXPECT_EQ(model_.record_count(), 1u);  // the wire still holds the call

  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, ClientGoneDropsOfferedCallItAloneOwnedWithCause16) {
  const CallId id = OfferedToAlice();
  port_.set_clear_outcome(ClearOutcome::kCleared);

  model_.ClientGone(kAlice);

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].cause, q850::kNormalClearing);
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, ClientGoneDropsDisconnectedCallAndStopsReleaseTimer) {
  const CallId id = RemotelyDisconnected(q850::kUserBusy, std::nullopt);

  model_.ClientGone(kAlice);

  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].call, id);
  EXPECT_EQ(clears[0].uui, std::nullopt);
  EXPECT_EQ(timers_.running_count(), 0u);
  model_.WireCleared(id, q850::kUserBusy, std::nullopt, false);
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, ClientGoneKeepsCallAnotherOwnerHolds) {
  OpenOwner(kAlice);
  OpenOwner(kBob);
  const CallId id = Offer();
  ASSERT_TRUE(model_.Answer(kBob, id, std::nullopt).ok());

  model_.ClientGone(kAlice);

  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kConnected);
  EXPECT_EQ(KindOf(model_.Info(kAlice, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(model_.handle_count(), 1u);

  ASSERT_TRUE(model_.Drop(kBob, id, std::nullopt, std::nullopt).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  ASSERT_TRUE(model_.Deallocate(kBob, id).ok());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, ClientGoneAsMonitorSendsNothing) {
  OpenMonitor(kMonty);
  const CallId id = OutgoingIn(S::kConnected);

  model_.ClientGone(kMonty);

  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(StateOf(id), S::kConnected);
  EXPECT_EQ(model_.handle_count(), 1u);
}

TEST_F(SessionModelTest, ClientGoneReleasesItsLines) {
  OpenOwner(kAlice);
  OpenMonitor(kMonty);
  OpenOwner(kBob);

  model_.ClientGone(kAlice);
  model_.ClientGone(kMonty);

  EXPECT_THAT(model_.LineHolders(kSpan), ElementsAre(kBob));
  const CallId id = Offer();
  EXPECT_EQ(KindOf(model_.Info(kAlice, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(KindOf(model_.Info(kMonty, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_TRUE(model_.Info(kBob, id).ok());
}

TEST_F(SessionModelTest, ClientGoneWithIdleCallsFreesThem) {
  const CallId id = OutgoingIn(S::kConnected);
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  port_.ForgetRequests();

  model_.ClientGone(kAlice);

  EXPECT_THAT(port_.requests(), IsEmpty());
  ExpectNothingLeft();
}

TEST_F(SessionModelTest, ClientGoneWithManyCallsLeavesNothing) {
  OpenOwner(kAlice);
  OpenMonitor(kMonty);
  const CallId offered = Offer();
  const CallId accepted = Offer();
  ASSERT_TRUE(model_.Alert(kAlice, accepted).ok());
  const CallId connected = OutgoingIn(S::kConnected);
  const CallId disconnected = RemotelyDisconnected(q850::kNormalClearing, std::nullopt);

  model_.ClientGone(kAlice);
  model_.ClientGone(kMonty);

  EXPECT_THAT(port_.Clears(), SizeIs(4));
  EXPECT_EQ(model_.handle_count(), 0u);
  for (CallId id : {offered, accepted, connected, disconnected}) model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  ExpectNothingLeft();
}

// ---------------------------------------------------------------------------
// Lines

TEST_F(SessionModelTest, OpenLineOnUnknownSpanIsInvalidParams) {
  EXPECT_EQ(KindOf(model_.OpenLine(kAlice, 77, Privilege::kOwner)), ModelErrorKind::kInvalidParams);
}

TEST_F(SessionModelTest, CloseLineOnUnknownSpanIsInvalidParams) {
  EXPECT_EQ(KindOf(model_.CloseLine(kAlice, 77)), ModelErrorKind::kInvalidParams);
}

TEST_F(SessionModelTest, CloseLineWithoutOpenLineIsInvalidParams) {
  EXPECT_EQ(KindOf(model_.CloseLine(kAlice, kSpan)), ModelErrorKind::kInvalidParams);
}

TEST_F(SessionModelTest, CloseLineStopsOffers) {
  OpenOwner(kAlice);
  OpenMonitor(kMonty);
  ASSERT_TRUE(model_.CloseLine(kMonty, kSpan).ok());

  const CallId id = Offer();

  EXPECT_EQ(KindOf(model_.Info(kMonty, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_THAT(model_.LineHolders(kSpan), ElementsAre(kAlice));
  EXPECT_EQ(KindOf(model_.CloseLine(kMonty, kSpan)), ModelErrorKind::kInvalidParams);
}

TEST_F(SessionModelTest, OpenLineAgainChangesPrivilege) {
  OpenOwner(kAlice);
  OpenMonitor(kAlice);

  const CallId id = Offer();

  auto view = model_.Info(kAlice, id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->handle->privilege, Privilege::kMonitor);
  EXPECT_THAT(model_.LineHolders(kSpan), ElementsAre(kAlice));
}

// ---------------------------------------------------------------------------
// List / Info

TEST_F(SessionModelTest, ListFiltersByState) {
  OpenOwner(kAlice);
  const CallId offered = Offer();
  const CallId accepted = Offer();
  ASSERT_TRUE(model_.Alert(kAlice, accepted).ok());
  const CallId dialing = Dial(kAlice);
  const CallId other = Dial(kBob);

  auto ids = [](const std::vector<CallView>& views) {
    std::vector<CallId> out;
    for (const CallView& v : views) out.push_back(v.call->id);
    return out;
  };
  EXPECT_THAT(ids(model_.List(kAlice, std::nullopt)), UnorderedElementsAre(offered, accepted, dialing));
  EXPECT_THAT(ids(model_.List(kAlice, H::kAccepted)), ElementsAre(accepted));
  EXPECT_THAT(ids(model_.List(kAlice, H::kOffering)), ElementsAre(offered));
  EXPECT_THAT(ids(model_.List(kAlice, H::kIdle)), IsEmpty());
  EXPECT_THAT(ids(model_.List(kBob, std::nullopt)), ElementsAre(other));
  EXPECT_THAT(model_.List(kEve, std::nullopt), IsEmpty());
}

TEST_F(SessionModelTest, InfoShowsTheHandlesPrivilege) {
  OpenOwner(kAlice);
  OpenMonitor(kMonty);
  const CallId id = Offer();

  auto owner = model_.Info(kAlice, id);
  auto monitor = model_.Info(kMonty, id);

  ASSERT_TRUE(owner.ok());
  ASSERT_TRUE(monitor.ok());
  EXPECT_EQ(owner->handle->client, kAlice);
  EXPECT_EQ(owner->handle->privilege, Privilege::kOwner);
  EXPECT_EQ(monitor->handle->client, kMonty);
  EXPECT_EQ(monitor->handle->privilege, Privilege::kMonitor);
  EXPECT_EQ(owner->call, monitor->call);
  EXPECT_EQ(owner->call->called, "4000");
  EXPECT_EQ(owner->call->calling, "5551234");
}

TEST_F(SessionModelTest, InfoWithoutHandleIsInvalidCallHandle) {
  const CallId id = Dial(kAlice);
  EXPECT_EQ(KindOf(model_.Info(kEve, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(KindOf(model_.Info(kAlice, 4242)), ModelErrorKind::kInvalidCallHandle);
}

}  // namespace
}  // namespace prid::daemon

namespace prid::daemon {
namespace {

TEST_F(SessionModelTest, ProgressCrossingOurOwnDropChangesNothing) {
  const CallId id = Dial();
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  const std::size_t before = events_.states().size();
  model_.Proceeding(id);
  model_.Alerting(id, std::nullopt);
  model_.Answered(id, std::nullopt);
  EXPECT_EQ(events_.states().size(), before) << "no event for progress after the drop";
  EXPECT_EQ(StateOf(id), S::kDialing);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(StateOf(id), S::kIdle);
}

// ---------------------------------------------------------------------------
// Supervisors (API.md "Supervisors")

constexpr ClientId kSue = 5;  // a supervisor holding no handle

TEST_F(SessionModelTest, SupervisorDropOfACallItHoldsNoHandleOnClearsItWithOriginSupervisor) {
  model_.AddSupervisor(kSue);
  const CallId id = OutgoingIn(S::kConnected);

  ASSERT_TRUE(model_.SupervisorDrop(kSue, id, q850::kNormalClearing, Ia5("bye")).ok());

  const auto offers = events_.OffersOf(id);
  ASSERT_THAT(offers, SizeIs(1)) << "the supervisor's monitor handle comes first";
  EXPECT_EQ(offers[0].client, kSue);
  EXPECT_EQ(offers[0].privilege, Privilege::kMonitor);
  const auto clears = port_.Clears(id);
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kNormalClearing);
  EXPECT_EQ(clears[0].uui, Ia5("bye"));
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  const auto states = events_.StatesOf(id);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back().state, H::kIdle);
  EXPECT_THAT(states.back().recipients, UnorderedElementsAre(kAlice, kSue));
  EXPECT_EQ(states.back().origin, Origin::kSupervisor);
  EXPECT_EQ(model_.Find(id)->origin, Origin::kSupervisor);
}

TEST_F(SessionModelTest, SupervisorDropOfAnOfferedCallRejectsItByDefault) {
  model_.AddSupervisor(kSue);
  const CallId id = OfferedToAlice();

  ASSERT_TRUE(model_.SupervisorDrop(kSue, id, std::nullopt, std::nullopt).ok());

  const auto clears = port_.Clears(id);
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kCallRejected);
}

TEST_F(SessionModelTest, SupervisorPrivilegeIsRefusedToOthersAndChangesNothingUnasked) {
  model_.AddSupervisor(kSue);
  const CallId id = OutgoingIn(S::kConnected);

  EXPECT_EQ(KindOf(model_.SupervisorDrop(kEve, id, std::nullopt, std::nullopt)),
            ModelErrorKind::kPermissionDenied);
  EXPECT_EQ(KindOf(model_.SupervisorInfo(kEve, id)), ModelErrorKind::kPermissionDenied);
  EXPECT_EQ(KindOf(model_.ListAll(kEve, std::nullopt)), ModelErrorKind::kPermissionDenied);
  // Unasked, a supervisor is a client like any other.
  EXPECT_EQ(KindOf(model_.Drop(kSue, id, std::nullopt, std::nullopt)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_EQ(KindOf(model_.Info(kSue, id)), ModelErrorKind::kInvalidCallHandle);
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_THAT(events_.OffersOf(id), IsEmpty());
  model_.ClientGone(kSue);
  EXPECT_FALSE(model_.IsSupervisor(kSue));
}

TEST_F(SessionModelTest, SupervisorDropOfAnUnknownIdleOrClearingCallIsRefused) {
  model_.AddSupervisor(kSue);
  EXPECT_EQ(KindOf(model_.SupervisorDrop(kSue, 999, std::nullopt, std::nullopt)),
            ModelErrorKind::kInvalidCallHandle);
  const CallId id = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(KindOf(model_.SupervisorDrop(kSue, id, std::nullopt, std::nullopt)),
            ModelErrorKind::kInvalidCallState);
  EXPECT_EQ(KindOf(model_.SupervisorDrop(kSue, id, std::nullopt, UuiOfSize(kUuiMax + 1))),
            ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(port_.Clears(id), SizeIs(1));
}

TEST_F(SessionModelTest, SupervisorInfoAndListAllSeeEveryCallWithoutAHandle) {
  model_.AddSupervisor(kSue);
  const CallId out = OutgoingIn(S::kConnected);
  OpenOwner(kBob);
  const CallId in = Offer();

  auto info = model_.SupervisorInfo(kSue, out);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->handle, nullptr);
  EXPECT_EQ(info->state(), H::kConnected);
  auto all = model_.ListAll(kSue, std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_THAT(*all, SizeIs(2));
  EXPECT_EQ((*all)[0].call->id, out);
  EXPECT_EQ((*all)[1].call->id, in);
  auto offering = model_.ListAll(kSue, H::kOffering);
  ASSERT_TRUE(offering.ok());
  ASSERT_THAT(*offering, SizeIs(1));
  EXPECT_EQ((*offering)[0].call->id, in);
  EXPECT_EQ(model_.handle_count(), 2u) << "looking takes no handle";
}

TEST_F(SessionModelTest, AMonitorLineGetsHandlesOnTheCallsAlreadyUpOnItsSpan) {
  const CallId up = OutgoingIn(S::kConnected);
  const CallId other_span = OutgoingIn(S::kConnected, kUuiOffSpan);
  const CallId gone = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Drop(kAlice, gone, std::nullopt, std::nullopt).ok());
  model_.WireCleared(gone, q850::kNormalClearing, std::nullopt, false);

  OpenMonitor(kMonty);

  const auto offers = events_.OffersOf(up);
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].client, kMonty);
  EXPECT_EQ(offers[0].privilege, Privilege::kMonitor);
  EXPECT_EQ(offers[0].handle_state, H::kConnected);
  EXPECT_THAT(events_.OffersOf(other_span), IsEmpty());
  EXPECT_THAT(events_.OffersOf(gone), IsEmpty()) << "an idle call is not up";
  ASSERT_THAT(model_.List(kMonty, std::nullopt), SizeIs(1));
  OpenMonitor(kMonty);
  EXPECT_THAT(events_.OffersOf(up), SizeIs(1)) << "reopening gives no second handle";
}

// ---------------------------------------------------------------------------
// What the call record keeps for call detail records (docs/cdr.md)

TEST_F(SessionModelTest, AClientsDropStampsItsUidAndTheClearingTime) {
  model_.AddClientUid(kAlice, 1000);
  model_.AddSupervisor(kSue);
  model_.AddClientUid(kSue, 0);
  const CallId own = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.Drop(kAlice, own, std::nullopt, std::nullopt).ok());
  ASSERT_TRUE(model_.Find(own)->clearing_at.has_value()) << "our DISCONNECT went";
  model_.WireCleared(own, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(model_.Find(own)->dropped_by_uid, 1000u);
  EXPECT_LE(*model_.Find(own)->clearing_at, *model_.Find(own)->idle_at);

  const CallId supervised = OutgoingIn(S::kConnected);
  ASSERT_TRUE(model_.SupervisorDrop(kSue, supervised, std::nullopt, std::nullopt).ok());
  model_.WireCleared(supervised, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(model_.Find(supervised)->dropped_by_uid, 0u);
}

TEST_F(SessionModelTest, AFarEndClearingNamesNoUid) {
  model_.AddClientUid(kAlice, 1000);
  const CallId id = OutgoingIn(S::kConnected);
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  ASSERT_TRUE(model_.Find(id)->clearing_at.has_value()) << "the far end's DISCONNECT came";
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  EXPECT_FALSE(model_.Find(id)->dropped_by_uid.has_value()) << "the far end started the clearing";
}

TEST_F(SessionModelTest, AClientGoneDropsItsCallsInItsNameThenForgetsItsUid) {
  model_.AddClientUid(kAlice, 1000);
  const CallId id = OutgoingIn(S::kConnected);
  model_.ClientGone(kAlice);
  ASSERT_NE(model_.Find(id), nullptr) << "still on the wire";
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(model_.Find(id), nullptr) << "idle with no handle: freed";
  ASSERT_EQ(events_.cleared().size(), 1u);
  EXPECT_EQ(events_.cleared()[0].call, id);
  EXPECT_EQ(events_.cleared()[0].dropped_by_uid, 1000u) << "stamped before its uid was forgotten";
}

TEST_F(SessionModelTest, AChannelRetryKeepsTheFirstChannel) {
  const CallId id = Dial();
  const int first = model_.Find(id)->channel;
  model_.ChannelChanged(id, first + 1);
  model_.ChannelChanged(id, first + 2);
  EXPECT_EQ(model_.Find(id)->first_channel, first);
  EXPECT_EQ(model_.Find(id)->channel, first + 2);
}


// ---------------------------------------------------------------------------
// What the far end sends beside state changes (call.indication)

TEST_F(SessionModelTest, InfoReceivedGoesToTheHandlesAndTheRecordKeepsDisplayAndConnectedNumber) {
  OpenMonitor(kMonty);
  const CallId id = OutgoingIn(S::kRingback);
  FarEndInfo info;
  info.message = "CONNECT";
  info.progress = {2, 8};
  info.display = "Bob";
  info.connected = q931::Party{"5551234", 2, 1, 0, 3};
  model_.InfoReceived(id, info);
  model_.Answered(id, std::nullopt);

  ASSERT_THAT(events_.infos(), SizeIs(1));
  const InfoEvent& e = events_.infos()[0];
  EXPECT_EQ(e.call, id);
  EXPECT_EQ(e.message, "CONNECT");
  EXPECT_EQ(e.info.progress, (std::vector<std::uint8_t>{2, 8}));
  EXPECT_THAT(e.recipients, UnorderedElementsAre(kAlice, kMonty));
  const Call* call = model_.Find(id);
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->display, "Bob");
  EXPECT_EQ(call->connected_party, (q931::Party{"5551234", 2, 1, 0, 3}));
  // Told before the state change the same message causes.
  const auto states = events_.StatesOf(id);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back().state, H::kConnected);
  EXPECT_LT(e.seq, states.back().seq);
}

TEST_F(SessionModelTest, InfoWithNothingInItOrForAnIdleCallTellsNoOne) {
  const CallId id = OutgoingIn(S::kProceeding);
  model_.InfoReceived(id, FarEndInfo{"ALERTING", {}, std::nullopt, std::nullopt, std::nullopt, ""});
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  model_.InfoReceived(id, FarEndInfo{"PROGRESS", {8}, std::nullopt, std::nullopt, std::nullopt, ""});
  EXPECT_THAT(events_.infos(), IsEmpty());
}

TEST_F(SessionModelTest, AnIncomingCallsDisplayIsTheRecordsUntilTheFarEndSendsAnother) {
  OpenOwner(kAlice);
  IncomingCallInfo offer;
  offer.channel = kIncomingChannel;
  offer.parties.called.digits = "4000";
  offer.parties.display = "Alice Caller";
  const CallId id = model_.IncomingCall(kSpan, offer, [](CallId) {});
  ASSERT_NE(model_.Find(id), nullptr);
  EXPECT_EQ(model_.Find(id)->display, "Alice Caller");
  model_.InfoReceived(id, FarEndInfo{"INFORMATION", {}, std::nullopt, std::string("Now"), std::nullopt, "12"});
  EXPECT_EQ(model_.Find(id)->display, "Now");
  ASSERT_THAT(events_.infos(), SizeIs(1));
  EXPECT_EQ(events_.infos()[0].info.keypad, "12");
}

}  // namespace
}  // namespace prid::daemon
