// Tests of overlap dialling in the session model (API.md "Overlap
// dialling"): a call made with overlap stays dialing through SETUP
// ACKNOWLEDGE and takes call.dial digits, a connected one takes keypad
// digits; an incoming call in overlap receiving starts collecting, gains
// digits with call.digits events and leaves collecting by proceed, alert,
// answer or drop. Against a recording span port.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/session/session_model.h"
#include "q931/q850.h"
#include "tests/support/fake_span_port.h"
#include "tests/support/fake_timers.h"
#include "tests/support/recording_event_sink.h"

namespace prid::daemon {
namespace {

using ::testing::ElementsAre;
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
constexpr ClientId kAlice = 1;  // owner
constexpr ClientId kMonty = 2;  // monitor

template <typename T>
ModelErrorKind KindOf(const ModelResult<T>& result) {
  return result.ok() ? static_cast<ModelErrorKind>(-1) : result.error().kind;
}

class SessionModelOverlapTest : public ::testing::Test {
 protected:
  SessionModelOverlapTest() {
    SpanSettings settings;
    settings.span = kSpan;
    model_.AddSpan(settings, &port_);
    port_.set_channel(3);
    EXPECT_TRUE(model_.OpenLine(kAlice, kSpan, Privilege::kOwner).ok());
  }

  CallId Make(bool overlap, std::string digits = "30") {
    MakeCallRequest request;
    request.span = kSpan;
    request.parties.called.digits = std::move(digits);
    request.overlap = overlap;
    auto made = model_.Make(kAlice, request);
    EXPECT_TRUE(made.ok());
    return made.ok() ? *made : 0;
  }

  // The far end's SETUP without Sending complete on an overlap span.
  CallId Collecting() {
    IncomingCallInfo info;
    info.channel = 5;
    info.parties.called.digits = "12";
    info.collecting = true;
    return model_.IncomingCall(kSpan, info, [](CallId) {});
  }

  CallState StateOf(CallId id) const { return model_.Find(id) ? model_.Find(id)->state() : S::kIdle; }

  std::vector<PortRequest> Requests(K kind) const {
    std::vector<PortRequest> out;
    for (const PortRequest& r : port_.requests()) {
      if (r.kind == kind) out.push_back(r);
    }
    return out;
  }

  RecordingEventSink events_;
  FakeTimerFactory timers_;
  FakeSpanPort port_;
  SessionModel model_{events_, timers_};
};

TEST_F(SessionModelOverlapTest, MakeWithOverlapAsksTheSpanForOverlapAndMayHaveNoDigits) {
  const CallId id = Make(/*overlap=*/true, "");
  ASSERT_NE(id, 0u);
  ASSERT_THAT(Requests(K::kPlaceCall), SizeIs(1));
  EXPECT_TRUE(Requests(K::kPlaceCall)[0].place.overlap);
  EXPECT_TRUE(model_.Find(id)->overlap);
  EXPECT_EQ(StateOf(id), S::kDialing);

  MakeCallRequest enbloc;
  enbloc.span = kSpan;
  EXPECT_EQ(KindOf(model_.Make(kAlice, enbloc)), ModelErrorKind::kInvalidParams) << "an en-bloc call needs a number";
}

TEST_F(SessionModelOverlapTest, DialOnADialingOverlapCallSendsTheDigitsAndAddsThemToTheNumber) {
  const CallId id = Make(true, "30");
  ASSERT_TRUE(model_.Dial(kAlice, id, "12", false).ok());
  ASSERT_TRUE(model_.Dial(kAlice, id, "3#", true).ok());

  const auto dialed = Requests(K::kDial);
  ASSERT_THAT(dialed, SizeIs(2));
  EXPECT_EQ(dialed[0].digits, "12");
  EXPECT_FALSE(dialed[0].complete);
  EXPECT_EQ(dialed[1].digits, "3#");
  EXPECT_TRUE(dialed[1].complete);
  EXPECT_EQ(model_.Find(id)->called, "30123#");
  EXPECT_EQ(model_.Find(id)->parties.called.digits, "30123#");
  EXPECT_EQ(StateOf(id), S::kDialing);
  EXPECT_THAT(events_.states(), IsEmpty());
}

TEST_F(SessionModelOverlapTest, DialRefusesBadDigitsNamingThem) {
  const CallId id = Make(true);
  for (const char* bad : {"", "12a", "1 2", "+1", "123456789012345678901234567890123"}) {
    auto dialed = model_.Dial(kAlice, id, bad, false);
    EXPECT_EQ(KindOf(dialed), ModelErrorKind::kInvalidParams) << bad;
    if (!dialed.ok()) {
      EXPECT_THAT(dialed.error().message, ::testing::HasSubstr("'digits'")) << bad;
    }
  }
  EXPECT_THAT(Requests(K::kDial), IsEmpty());
}

TEST_F(SessionModelOverlapTest, DialInAStateThatHasNoOverlapIsInvalidCallState) {
  const CallId enbloc = Make(false);
  EXPECT_EQ(KindOf(model_.Dial(kAlice, enbloc, "1", false)), ModelErrorKind::kInvalidCallState);

  const CallId proceeding = Make(true);
  model_.Proceeding(proceeding);
  EXPECT_EQ(KindOf(model_.Dial(kAlice, proceeding, "1", false)), ModelErrorKind::kInvalidCallState);

  const CallId ringing = Make(true);
  model_.Alerting(ringing, std::nullopt);
  EXPECT_EQ(KindOf(model_.Dial(kAlice, ringing, "1", false)), ModelErrorKind::kInvalidCallState);

  const CallId offered = Collecting();
  EXPECT_EQ(KindOf(model_.Dial(kAlice, offered, "1", false)), ModelErrorKind::kInvalidCallState);

  const CallId dropped = Make(true);
  ASSERT_TRUE(model_.Drop(kAlice, dropped, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(KindOf(model_.Dial(kAlice, dropped, "1", false)), ModelErrorKind::kInvalidCallState)
      << "a call being cleared";
  EXPECT_THAT(Requests(K::kDial), IsEmpty());
}

TEST_F(SessionModelOverlapTest, DialOnAConnectedCallSendsKeypadDigitsAndLeavesTheNumber) {
  const CallId id = Make(false, "6000");
  model_.Answered(id, std::nullopt);
  ASSERT_TRUE(model_.Dial(kAlice, id, "*9#", false).ok());
  const auto keypad = Requests(K::kKeypad);
  ASSERT_THAT(keypad, SizeIs(1));
  EXPECT_EQ(keypad[0].digits, "*9#");
  EXPECT_THAT(Requests(K::kDial), IsEmpty());
  EXPECT_EQ(model_.Find(id)->called, "6000");
}

TEST_F(SessionModelOverlapTest, TheSpansRefusalIsItsErrorAndChangesNothing) {
  const CallId id = Make(true, "30");
  port_.set_dial_error(PortErrorKind::kWrongState);
  EXPECT_EQ(KindOf(model_.Dial(kAlice, id, "1", false)), ModelErrorKind::kInvalidCallState);
  EXPECT_EQ(model_.Find(id)->called, "30");

  const CallId connected = Make(false);
  model_.Answered(connected, std::nullopt);
  port_.set_dial_error(PortErrorKind::kFailed);
  EXPECT_EQ(KindOf(model_.Dial(kAlice, connected, "1", false)), ModelErrorKind::kOperationUnavailable);
}

TEST_F(SessionModelOverlapTest, DialByAMonitorIsNotOwner) {
  const CallId id = Make(true);
  ASSERT_TRUE(model_.OpenLine(kMonty, kSpan, Privilege::kMonitor).ok());
  ASSERT_TRUE(model_.Find(id)->FindHandle(kMonty));
  EXPECT_EQ(KindOf(model_.Dial(kMonty, id, "1", false)), ModelErrorKind::kNotOwner);
}

TEST_F(SessionModelOverlapTest, ACollectingCallIsOfferedCollectingAndGainsDigitsWithEvents) {
  ASSERT_TRUE(model_.OpenLine(kMonty, kSpan, Privilege::kMonitor).ok());
  const CallId id = Collecting();
  EXPECT_EQ(StateOf(id), S::kCollecting);
  ASSERT_THAT(events_.offers(), SizeIs(2));
  EXPECT_EQ(events_.offers()[0].handle_state, H::kCollecting);
  EXPECT_EQ(HandleStateName(H::kCollecting), "collecting");
  EXPECT_EQ(CallStateFromName("collecting"), S::kCollecting);

  model_.DigitsReceived(id, "34", false);
  model_.DigitsReceived(id, "5", true);
  ASSERT_THAT(events_.digits(), SizeIs(2));
  EXPECT_EQ(events_.digits()[0].digits, "34");
  EXPECT_EQ(events_.digits()[0].called, "1234");
  EXPECT_FALSE(events_.digits()[0].complete);
  EXPECT_THAT(events_.digits()[0].recipients, ElementsAre(kAlice, kMonty));
  EXPECT_EQ(events_.digits()[1].called, "12345");
  EXPECT_TRUE(events_.digits()[1].complete);
  EXPECT_EQ(model_.Find(id)->parties.called.digits, "12345");
  EXPECT_EQ(StateOf(id), S::kCollecting) << "complete digits do not end the collecting: the owner does";
}

TEST_F(SessionModelOverlapTest, DigitsForACallThatIsNotCollectingAreIgnored) {
  IncomingCallInfo info;
  info.channel = 5;
  info.parties.called.digits = "12";
  const CallId offered = model_.IncomingCall(kSpan, info, [](CallId) {});
  model_.DigitsReceived(offered, "3", false);
  const CallId collecting = Collecting();
  ASSERT_TRUE(model_.Proceed(kAlice, collecting).ok());
  model_.DigitsReceived(collecting, "3", false);
  EXPECT_THAT(events_.digits(), IsEmpty());
  EXPECT_EQ(model_.Find(offered)->called, "12");
  EXPECT_EQ(model_.Find(collecting)->called, "12");
}

TEST_F(SessionModelOverlapTest, ProceedAlertAndAnswerEndTheCollecting) {
  const CallId proceeded = Collecting();
  ASSERT_TRUE(model_.Proceed(kAlice, proceeded).ok());
  EXPECT_EQ(StateOf(proceeded), S::kOffering);
  ASSERT_TRUE(model_.Alert(kAlice, proceeded).ok());
  EXPECT_EQ(StateOf(proceeded), S::kAccepted);

  const CallId alerted = Collecting();
  ASSERT_TRUE(model_.Alert(kAlice, alerted).ok());
  EXPECT_EQ(StateOf(alerted), S::kAccepted);

  const CallId answered = Collecting();
  ASSERT_TRUE(model_.Progress(kAlice, answered, {8}, std::nullopt).ok());
  ASSERT_TRUE(model_.Answer(kAlice, answered, std::nullopt).ok());
  EXPECT_EQ(StateOf(answered), S::kConnected);

  const auto moves = events_.StatesOf(proceeded);
  ASSERT_THAT(moves, SizeIs(2));
  EXPECT_EQ(moves[0].previous, H::kCollecting);
  EXPECT_EQ(moves[0].state, H::kOffering);
}

TEST_F(SessionModelOverlapTest, DropOfACollectingCallRejectsIt) {
  const CallId id = Collecting();
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  const auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(1));
  EXPECT_EQ(clears[0].cause, q850::kCallRejected);
}

TEST_F(SessionModelOverlapTest, TheFarEndsDisconnectEndsACollectingCall) {
  const CallId id = Collecting();
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  EXPECT_EQ(StateOf(id), S::kDisconnected);
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, true);
  EXPECT_EQ(StateOf(id), S::kIdle);
}

}  // namespace
}  // namespace prid::daemon
