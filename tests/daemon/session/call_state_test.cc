// Tests of the session model's state machine itself: the name tables (API
// state names, handle views, error names), the sub-states beside the API
// state (our clearing, a HOLD or RETRIEVE sent), and the refusal of an
// illegal transition — logged at error with both states and the call, and
// failing the operation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "daemon/session/call.h"
#include "daemon/session/session_model.h"
#include "q931/q850.h"
#include "tests/support/fake_span_port.h"
#include "tests/support/fake_timers.h"
#include "tests/support/recording_event_sink.h"

namespace prid::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::FakeSpanPort;
using testing::FakeTimerFactory;
using testing::PortRequest;
using testing::RecordingEventSink;

using S = CallState;
using H = HandleState;
using K = PortRequest::Kind;
namespace q850 = q931::cause;

constexpr int kSpan = 1;
constexpr int kBridgedSpan = 2;
constexpr ClientId kAlice = 1;
constexpr ClientId kBob = 2;

// --- name tables ---------------------------------------------------------------

TEST(CallStateNames, AreApiMdsStateNamesAndReadBack) {
  const std::pair<CallState, std::string_view> names[] = {
      {S::kOffering, "offering"},     {S::kAccepted, "accepted"},   {S::kDialing, "dialing"},
      {S::kProceeding, "proceeding"}, {S::kRingback, "ringback"},   {S::kConnected, "connected"},
      {S::kOnHold, "onhold"},         {S::kConferenced, "conferenced"}, {S::kDisconnected, "disconnected"},
      {S::kIdle, "idle"},
  };
  for (const auto& [state, name] : names) {
    EXPECT_EQ(CallStateName(state), name);
    EXPECT_EQ(CallStateFromName(name), state);
    // A handle on the call sees the call's state under the same name.
    EXPECT_EQ(HandleStateName(ViewOf(state)), name);
    EXPECT_EQ(HandleStateFromName(name), ViewOf(state));
  }
}

TEST(CallStateNames, InactiveIsAHandleStateOnly) {
  EXPECT_EQ(HandleStateName(H::kInactive), "inactive");
  EXPECT_EQ(HandleStateFromName("inactive"), H::kInactive);
  EXPECT_EQ(CallStateFromName("inactive"), std::nullopt);
  EXPECT_EQ(CallStateFromName("clearing"), std::nullopt) << "sub-states have no API name";
  EXPECT_EQ(HandleStateFromName("bogus"), std::nullopt);
}

TEST(CallStateNames, DescribeStateNamesTheSubStatesForLogs) {
  EXPECT_EQ(DescribeState({S::kConnected, CallPhase::kSteady, HoldRequest::kNone}), "connected");
  EXPECT_EQ(DescribeState({S::kConnected, CallPhase::kClearing, HoldRequest::kNone}), "connected (clearing)");
  EXPECT_EQ(DescribeState({S::kOnHold, CallPhase::kSteady, HoldRequest::kRetrieve}), "onhold (retrieve sent)");
  EXPECT_EQ(DescribeState({S::kConnected, CallPhase::kClearing, HoldRequest::kHold}),
            "connected (clearing, hold sent)");
}

TEST(ModelErrorNames, AreTheApiErrorNames) {
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kInvalidCallHandle), "InvalidCallHandle");
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kInvalidCallState), "InvalidCallState");
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kNotOwner), "NotOwner");
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kUserUserInfoTooBig), "UserUserInfoTooBig");
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kOperationUnavailable), "OperationUnavailable");
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kResourceUnavailable), "ResourceUnavailable");
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kSpanDown), "SpanDown");
  EXPECT_EQ(ModelErrorName(ModelErrorKind::kInvalidParams), "InvalidParams");
}

TEST(PortErrorNames, HaveNamesAndTheModelErrorTheyBecome) {
  EXPECT_EQ(PortErrorName(PortErrorKind::kSpanDown), "SpanDown");
  EXPECT_EQ(PortErrorName(PortErrorKind::kNoChannel), "NoChannel");
  EXPECT_EQ(PortErrorName(PortErrorKind::kFailed), "Failed");
  EXPECT_EQ(ModelErrorFor(PortErrorKind::kSpanDown), ModelErrorKind::kSpanDown);
  EXPECT_EQ(ModelErrorFor(PortErrorKind::kNoChannel), ModelErrorKind::kResourceUnavailable);
  EXPECT_EQ(ModelErrorFor(PortErrorKind::kFailed), ModelErrorKind::kOperationUnavailable);
}

TEST(DisconnectModes, EveryQ850ClassHasItsTapiMode) {
  EXPECT_EQ(DisconnectModeName(q850::kNormalClearing), "normal");
  EXPECT_EQ(DisconnectModeName(q850::kNormalUnspecified), "normal");
  EXPECT_EQ(DisconnectModeName(q850::kCallRejected), "reject");
  EXPECT_EQ(DisconnectModeName(q850::kUserBusy), "busy");
  EXPECT_EQ(DisconnectModeName(q850::kNoUserResponding), "noanswer");
  EXPECT_EQ(DisconnectModeName(q850::kNoAnswer), "noanswer");
  for (std::uint8_t c : {q850::kNoRouteToTransitNetwork, q850::kNoRouteToDestination, q850::kSubscriberAbsent,
                         q850::kDestinationOutOfOrder}) {
    EXPECT_EQ(DisconnectModeName(c), "unreachable") << int{c};
  }
  for (std::uint8_t c : {q850::kNoCircuitAvailable, q850::kNetworkOutOfOrder, q850::kTemporaryFailure,
                         q850::kSwitchingEquipmentCongestion, q850::kRequestedChannelUnavailable}) {
    EXPECT_EQ(DisconnectModeName(c), "congestion") << int{c};
  }
  for (std::uint8_t c : {q850::kBearerCapabilityNotAvailable, q850::kBearerCapabilityNotImplemented,
                         q850::kChannelTypeNotImplemented, q850::kOnlyRestrictedDigital,
                         q850::kIncompatibleDestination}) {
    EXPECT_EQ(DisconnectModeName(c), "incompatible") << int{c};
  }
  for (std::uint8_t c : {q850::kResourceUnavailable, q850::kServiceUnavailable, q850::kFacilityNotImplemented,
                         q850::kServiceNotImplemented}) {
    EXPECT_EQ(DisconnectModeName(c), "unavailable") << int{c};
  }
  for (std::uint8_t c : {q850::kUnallocatedNumber, q850::kNumberChanged, q850::kInvalidNumberFormat}) {
    EXPECT_EQ(DisconnectModeName(c), "badaddress") << int{c};
  }
  EXPECT_EQ(DisconnectModeName(q850::kFacilityRejected), "unknown");
  EXPECT_EQ(DisconnectModeName(q850::kRecoveryOnTimerExpiry), "unknown");
}

TEST(ApiCauseNames, NameTheirQ850Causes) {
  EXPECT_EQ(CauseFromApiName("normal"), q850::kNormalClearing);
  EXPECT_EQ(CauseFromApiName("busy"), q850::kUserBusy);
  EXPECT_EQ(CauseFromApiName("noanswer"), q850::kNoAnswer);
  EXPECT_EQ(CauseFromApiName("rejected"), q850::kCallRejected);
  EXPECT_EQ(CauseFromApiName("unavailable"), q850::kNoCircuitAvailable);
  EXPECT_EQ(CauseFromApiName("bogus"), std::nullopt);
}

// --- the machine ---------------------------------------------------------------

struct LogRecord {
  base::LogLevel level;
  std::string line;
  base::LogFields fields;
};

class CapturingLogSink : public base::LogSink {
 public:
  void Write(base::LogLevel level, std::string_view line, const base::LogFields& fields) override {
    lines.push_back({level, std::string(line), fields});
  }
  std::vector<LogRecord> Errors() const {
    std::vector<LogRecord> out;
    for (const LogRecord& r : lines) {
      if (r.level == base::LogLevel::kError) out.push_back(r);
    }
    return out;
  }
  std::vector<LogRecord> lines;
};

SpanSettings Settings(int span, Appearance appearance) {
  SpanSettings s;
  s.span = span;
  s.appearance = appearance;
  s.hold = true;
  return s;
}

class CallStateMachineTest : public ::testing::Test {
 protected:
  CallStateMachineTest() {
    model_.AddSpan(Settings(kSpan, Appearance::kSingle), &port_);
    model_.AddSpan(Settings(kBridgedSpan, Appearance::kBridged), &bridged_port_);
  }
  void SetUp() override { base::SetLogSink(&log_); }
  void TearDown() override { base::SetLogSink(nullptr); }

  CallId Offer(int span = kSpan) {
    IncomingCallInfo info;
    info.channel = 4;
    info.parties.called.digits = "4000";
    return model_.IncomingCall(span, info, [](CallId) {});
  }
  CallId Connected() {
    MakeCallRequest request;
    request.span = kSpan;
    request.parties.called.digits = "6000";
    auto id = model_.Make(kAlice, request);
    EXPECT_TRUE(id.ok());
    model_.Answered(*id, std::nullopt);
    return *id;
  }
  const Call& Record(CallId id) const { return *model_.Find(id); }

  CapturingLogSink log_;
  RecordingEventSink events_;
  FakeTimerFactory timers_;
  FakeSpanPort port_;
  FakeSpanPort bridged_port_;
  SessionModel model_{events_, timers_};
};

TEST_F(CallStateMachineTest, ClearingIsASubStateTheApiStateDoesNotShow) {
  const CallId id = Connected();
  EXPECT_FALSE(Record(id).clearing());
  EXPECT_TRUE(Record(id).on_wire());

  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());

  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kConnected, CallPhase::kClearing, HoldRequest::kNone}));
  EXPECT_EQ(model_.Info(kAlice, id)->state(), H::kConnected);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kIdle, CallPhase::kSteady, HoldRequest::kNone}));
  EXPECT_FALSE(Record(id).on_wire());
  EXPECT_THAT(log_.Errors(), IsEmpty());
}

TEST_F(CallStateMachineTest, HoldSentIsASubStateUntilItsAnswer) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Hold(kAlice, id).ok());
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kConnected, CallPhase::kSteady, HoldRequest::kHold}));
  model_.HoldAcknowledged(id);
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kOnHold, CallPhase::kSteady, HoldRequest::kNone}));
  ASSERT_TRUE(model_.Unhold(kAlice, id).ok());
  EXPECT_EQ(Record(id).hold_request(), HoldRequest::kRetrieve);
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kDisconnected, CallPhase::kSteady, HoldRequest::kNone}))
      << "the call's end drops the outstanding RETRIEVE";
  EXPECT_THAT(log_.Errors(), IsEmpty());
}

TEST_F(CallStateMachineTest, FarEndHoldCrossingOursKeepsOursOutstanding) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Hold(kAlice, id).ok());
  model_.RemoteHold(id);
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kOnHold, CallPhase::kSteady, HoldRequest::kHold}));
  model_.HoldAcknowledged(id);
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kOnHold, CallPhase::kSteady, HoldRequest::kNone}));
  EXPECT_THAT(log_.Errors(), IsEmpty());
}

TEST_F(CallStateMachineTest, HoldRejectCrossingOurDropIsStillReported) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Hold(kAlice, id).ok());
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kConnected, CallPhase::kClearing, HoldRequest::kHold}));
  events_.Forget();

  model_.HoldRejected(id, q850::kFacilityRejected);

  ASSERT_THAT(events_.states(), SizeIs(1));
  EXPECT_EQ(events_.states()[0].refused, "hold");
  EXPECT_EQ(Record(id).full_state(), (FullCallState{S::kConnected, CallPhase::kClearing, HoldRequest::kNone}));
  EXPECT_THAT(log_.Errors(), IsEmpty());
}

TEST_F(CallStateMachineTest, ConferenceMediaFollowsTheConferencedState) {
  const CallId a = Connected();
  auto conference = model_.ConferenceCreate(kAlice, {a});
  ASSERT_TRUE(conference.ok());
  EXPECT_TRUE(Record(a).in_conference_media());
  EXPECT_FALSE(Record(*conference).on_wire()) << "a conference has no Q.931 call of its own";

  ASSERT_TRUE(model_.Drop(kAlice, a, std::nullopt, std::nullopt).ok());

  EXPECT_FALSE(Record(a).in_conference_media());
  EXPECT_EQ(Record(a).state(), S::kConferenced);
  const auto requests = port_.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[requests.size() - 2].kind, K::kLeaveConference) << "out of the media before the clearing";
  EXPECT_EQ(requests.back().kind, K::kClear);
}

TEST_F(CallStateMachineTest, IllegalTransitionIsLoggedWithBothStatesAndFailsTheOperation) {
  ASSERT_TRUE(model_.OpenLine(kAlice, kSpan, Privilege::kOwner).ok());
  const CallId id = Offer();
  // The span reports the call gone while the model is still sending our
  // CONNECT: answering it would move an idle call to connected.
  port_.set_hook(K::kAnswer, [&] { model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true); });
  events_.Forget();

  auto answered = model_.Answer(kAlice, id, std::nullopt);

  ASSERT_FALSE(answered.ok());
  EXPECT_EQ(answered.error().kind, ModelErrorKind::kInvalidCallState);
  EXPECT_THAT(answered.error().message, HasSubstr("idle"));
  const auto errors = log_.Errors();
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].line, "span 1: call " + std::to_string(id) + ": illegal transition from idle to connected refused");
  EXPECT_EQ(errors[0].fields.call, id);
  EXPECT_EQ(errors[0].fields.span, kSpan);
  // Nothing moved: idle stays idle and no one heard of a connected call.
  EXPECT_EQ(Record(id).state(), S::kIdle);
  ASSERT_THAT(events_.states(), SizeIs(1));
  EXPECT_EQ(events_.states()[0].state, H::kIdle);
}

TEST_F(CallStateMachineTest, IllegalSubStateTransitionIsRefusedToo) {
  const CallId id = Connected();
  // The wire clears the call while our HOLD is on its way: a HOLD cannot be
  // outstanding on an idle call.
  port_.set_hook(K::kHold, [&] { model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true); });

  auto held = model_.Hold(kAlice, id);

  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().kind, ModelErrorKind::kInvalidCallState);
  const auto errors = log_.Errors();
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].line, HasSubstr("illegal transition from idle to idle (hold sent)"));
  EXPECT_EQ(Record(id).hold_request(), HoldRequest::kNone);
}

TEST_F(CallStateMachineTest, IllegalHandleTransitionIsLoggedAndFailsTheOperation) {
  ASSERT_TRUE(model_.OpenLine(kAlice, kBridgedSpan, Privilege::kOwner).ok());
  ASSERT_TRUE(model_.OpenLine(kBob, kBridgedSpan, Privilege::kOwner).ok());
  const CallId id = Offer(kBridgedSpan);
  bridged_port_.set_hook(K::kAnswer,
                         [&] { model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true); });

  // Alice answers; Bob's appearance would go inactive on a call already idle.
  auto answered = model_.Answer(kAlice, id, std::nullopt);

  ASSERT_FALSE(answered.ok());
  EXPECT_EQ(answered.error().kind, ModelErrorKind::kInvalidCallState);
  const auto errors = log_.Errors();
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0].line, HasSubstr("call " + std::to_string(id)));
  EXPECT_THAT(errors[0].line, HasSubstr("handle from idle to inactive"));
  EXPECT_EQ(model_.Info(kBob, id)->state(), H::kIdle);
}

}  // namespace
}  // namespace prid::daemon
