// Tests of daemon/api/trace_router: a subscription gets the frames of its
// span only, a call's subscription the messages of that call only (also
// after the call left the wire), starting with the frames kept since its
// SETUP, frames carry the call id once the span tied the reference to the
// call, the bounds on what is kept, and that it goes with the call's
// record; through a fake outbox, with frames as hex.
#include "daemon/api/trace_router.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "base/hex.h"
#include "tests/daemon/api/fake_outbox.h"

namespace prid::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::FakeOutbox;
using q931::FrameDirection;

constexpr ipc::ClientId kAlice = 1;
constexpr ipc::ClientId kBob = 2;

// Q.921 I-frames carrying Q.931 messages. The far end's call with call
// reference 1 (libpri cref 1): its SETUP and DISCONNECT (cause 31) as it
// sends them (flag 0), and our RELEASE (flag 1: we answer the originating
// side). Another call of the far end, reference 2. Our own call, reference
// 2 (libpri cref 0x8002): our SETUP and the far end's CALL PROCEEDING.
constexpr const char* kSetupCref1 = "00010206 0802 0001 05 04038090a3";
constexpr const char* kDisconnectCref1 = "0001040608020001450802809f";
constexpr const char* kDisconnectCref2 = "0001040608020002450802809f";
constexpr const char* kReleaseCref1Sent = "02010606 0802 8001 4d";
constexpr const char* kOurSetupCref2 = "02010000 0802 0002 05 04038090a3";
constexpr const char* kProceedingCref2 = "00010202 0802 8002 02";
constexpr const char* kRr = "00010101";
constexpr int kOurs = 0x8000;

std::vector<std::uint8_t> Frame(std::string hex) {
  std::erase(hex, ' ');
  auto octets = base::FromHex(hex);
  EXPECT_TRUE(octets.ok()) << hex;
  return octets.ok() ? *octets : std::vector<std::uint8_t>{};
}

// "SETUP", "DISCONNECT", … of what went to `client`, in order.
std::vector<std::string> Messages(const FakeOutbox& outbox, ipc::ClientId client) {
  std::vector<std::string> out;
  for (const auto& s : outbox.SentTo(client)) out.push_back(s.Json()["params"]["q931"]["message"]);
  return out;
}

class TraceRouterTest : public ::testing::Test {
 protected:
  // The calls the spans have tied: (span, libpri cref) -> call id.
  std::map<std::pair<int, int>, CallId> on_wire_;
  // The call records prid holds.
  std::set<CallId> records_;
  FakeOutbox outbox_;
  TraceRouter traces_{outbox_,
                      [this](int span, int cref) -> std::optional<CallId> {
                        auto it = on_wire_.find({span, cref});
                        if (it == on_wire_.end()) return std::nullopt;
                        return it->second;
                      },
                      [this](CallId call) { return records_.contains(call); }};

  // Call `id` tied to (span, cref), with its record.
  void Tie(CallId id, int span, int cref) {
    on_wire_[{span, cref}] = id;
    records_.insert(id);
  }
};

TEST_F(TraceRouterTest, NoSubscriberNothingSent) {
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  EXPECT_THAT(outbox_.sent(), IsEmpty());
}

TEST_F(TraceRouterTest, ASpanSubscriptionGetsFramesOfItsSpanOnly) {
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = 2, .call = std::nullopt}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  EXPECT_THAT(outbox_.sent(), IsEmpty());
  traces_.Frame(2, FrameDirection::kReceived, Frame(kDisconnectCref1));
  ASSERT_THAT(outbox_.Recipients(), ElementsAre(kAlice));
  const auto j = outbox_.sent()[0].Json();
  EXPECT_EQ(j["method"], "trace");
  EXPECT_EQ(j["params"]["span"], 2);
  EXPECT_FALSE(j["params"].contains("call")) << "no call holds that reference";
  EXPECT_EQ(outbox_.sent()[0].seq, 0u) << "traces are not numbered events";
}

TEST_F(TraceRouterTest, ASubscriptionWithoutFilterGetsEverySpan) {
  ASSERT_TRUE(traces_.Subscribe(kAlice, {}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  traces_.Frame(3, FrameDirection::kReceived, Frame(kDisconnectCref2));
  traces_.Frame(3, FrameDirection::kReceived, Frame(kRr));
  EXPECT_THAT(outbox_.Recipients(), ElementsAre(kAlice, kAlice, kAlice));
}

TEST_F(TraceRouterTest, ACallSubscriptionGetsThatCallsMessagesOnlyBothWays) {
  Tie(7, 1, 1);
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7}));
  ASSERT_TRUE(traces_.Subscribe(kBob, {.span = 1, .call = std::nullopt}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref2));  // another call
  traces_.Frame(2, FrameDirection::kReceived, Frame(kDisconnectCref1));  // another span
  traces_.Frame(1, FrameDirection::kReceived, Frame(kRr));              // no call
  EXPECT_THAT(outbox_.SentTo(kAlice), IsEmpty());
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  EXPECT_THAT(Messages(outbox_, kAlice), ElementsAre("DISCONNECT", "RELEASE"));
  EXPECT_EQ(outbox_.SentTo(kBob).size(), 4u) << "the span's subscriber sees all of span 1";
}

TEST_F(TraceRouterTest, FramesOfACallCarryItsId) {
  ASSERT_TRUE(traces_.Subscribe(kAlice, {}));
  Tie(7, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kRr));
  const auto sent = outbox_.SentTo(kAlice);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].Json()["params"]["call"], 7);
  EXPECT_EQ(sent[1].Json()["params"]["call"], 7);
  EXPECT_FALSE(sent[2].Json()["params"].contains("call")) << "an RR belongs to no call";
}

TEST_F(TraceRouterTest, AnIncomingSetupGoesOutWithItsCallOnceTheCallBegins) {
  ASSERT_TRUE(traces_.Subscribe(kAlice, {}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  traces_.Frame(1, FrameDirection::kSent, Frame(kRr));  // libpri's RR, before it tells of the call
  EXPECT_THAT(outbox_.sent(), IsEmpty()) << "held back until the span ties the reference";
  Tie(7, 1, 1);
  traces_.CallBegan();
  const auto sent = outbox_.SentTo(kAlice);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].Json()["params"]["q931"]["message"], "SETUP");
  EXPECT_EQ(sent[0].Json()["params"]["call"], 7);
  EXPECT_EQ(sent[1].Json()["params"]["lapd"]["frame"], "RR");
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  EXPECT_EQ(outbox_.SentTo(kAlice).size(), 3u) << "nothing held any more";
}

TEST_F(TraceRouterTest, ASetupNoCallTakesGoesOutAtTheNextRead) {
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = 1, .call = std::nullopt}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  EXPECT_THAT(outbox_.sent(), IsEmpty());
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref2));
  const auto sent = outbox_.SentTo(kAlice);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].Json()["params"]["q931"]["message"], "SETUP");
  EXPECT_FALSE(sent[0].Json()["params"].contains("call"));
  EXPECT_EQ(sent[1].Json()["params"]["q931"]["message"], "DISCONNECT");
}

TEST_F(TraceRouterTest, ALateCallSubscriptionStartsWithTheIncomingSetup) {
  // The SETUP is read before the span tied its reference to call 7.
  records_.insert(7);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  EXPECT_EQ(traces_.pending_crefs(), 1u);
  Tie(7, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kRr));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  EXPECT_EQ(traces_.pending_crefs(), 0u);
  auto replay = traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->replayed, 2u);
  EXPECT_EQ(replay->dropped, 0u);
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  EXPECT_THAT(Messages(outbox_, kAlice), ElementsAre("SETUP", "DISCONNECT", "RELEASE"));
  for (const auto& s : outbox_.SentTo(kAlice)) {
    EXPECT_EQ(s.Json()["params"]["call"], 7) << s.line;
    EXPECT_EQ(s.Json()["params"]["span"], 1) << s.line;
  }
  EXPECT_EQ(outbox_.SentTo(kAlice)[0].Json()["params"]["dir"], "rx");
}

TEST_F(TraceRouterTest, OurSetupSentBeforeTheSpanTiedItIsReplayed) {
  records_.insert(8);
  traces_.Frame(1, FrameDirection::kSent, Frame(kOurSetupCref2));
  // pri_setup returned: the span ties the reference, no frame since.
  on_wire_[{1, kOurs | 2}] = 8;
  auto replay = traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 8});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->replayed, 1u);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kProceedingCref2));
  EXPECT_THAT(Messages(outbox_, kAlice), ElementsAre("SETUP", "CALL PROCEEDING"));
}

TEST_F(TraceRouterTest, ACallsBeginningTiesItsPendingSetup) {
  records_.insert(8);
  traces_.Frame(1, FrameDirection::kSent, Frame(kOurSetupCref2));
  EXPECT_EQ(traces_.pending_crefs(), 1u);
  on_wire_[{1, kOurs | 2}] = 8;
  traces_.CallBegan();
  EXPECT_EQ(traces_.pending_crefs(), 0u);
  EXPECT_EQ(traces_.kept_calls(), 1u);
}

TEST_F(TraceRouterTest, AReplayKeepsToTheSubscriptionsSpan) {
  Tie(7, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = 2, .call = 7}));
  EXPECT_THAT(outbox_.sent(), IsEmpty());
}

TEST_F(TraceRouterTest, ACallKeepsItsSetupAndItsLastFrames) {
  Tie(7, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  for (int i = 0; i < 99; ++i) traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  auto replay = traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->replayed, kTraceFramesPerCall);
  EXPECT_EQ(replay->dropped, 101 - kTraceFramesPerCall);
  const auto messages = Messages(outbox_, kAlice);
  ASSERT_EQ(messages.size(), kTraceFramesPerCall);
  EXPECT_EQ(messages.front(), "SETUP");
  EXPECT_EQ(messages[1], "DISCONNECT");
  EXPECT_EQ(messages.back(), "RELEASE");
}

TEST_F(TraceRouterTest, TheKeptFramesGoWithTheCallsRecord) {
  Tie(7, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  EXPECT_EQ(traces_.kept_calls(), 1u);
  on_wire_.clear();
  records_.clear();
  traces_.CallGone(7);
  EXPECT_EQ(traces_.kept_calls(), 0u);
  EXPECT_FALSE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7}));
  // A stray frame of the reference no longer finds the call.
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  EXPECT_EQ(traces_.kept_calls(), 0u);
}

TEST_F(TraceRouterTest, ACallsLastMessagesStillArriveAfterItLeftTheWire) {
  Tie(7, 1, 1);
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  on_wire_.clear();
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  EXPECT_THAT(Messages(outbox_, kAlice), ElementsAre("DISCONNECT", "RELEASE"));
}

TEST_F(TraceRouterTest, ASetupReusingAReferenceStartsAnotherCall) {
  Tie(7, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  on_wire_.clear();  // call 7 left the wire; its record stays (a handle holds it)
  traces_.Frame(1, FrameDirection::kReceived, Frame(kSetupCref1));
  Tie(9, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7}));
  ASSERT_TRUE(traces_.Subscribe(kBob, {.span = std::nullopt, .call = 9}));
  EXPECT_THAT(Messages(outbox_, kAlice), ElementsAre("SETUP", "RELEASE"));
  EXPECT_THAT(Messages(outbox_, kBob), ElementsAre("SETUP", "DISCONNECT"));
}

TEST_F(TraceRouterTest, ReferencesNeverTiedToACallAreBounded) {
  for (int cref = 1; cref <= static_cast<int>(kTracePendingCrefs) + 10; ++cref) {
    const std::string hex = fmt::format("00010206 0802 {:04x} 05 04038090a3", cref);
    traces_.Frame(1, FrameDirection::kReceived, Frame(hex));
  }
  EXPECT_EQ(traces_.pending_crefs(), kTracePendingCrefs);
  EXPECT_EQ(traces_.kept_calls(), 0u);
}

TEST_F(TraceRouterTest, SupervisoryFramesAreNotKept) {
  Tie(7, 1, 1);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kRr));
  EXPECT_EQ(traces_.kept_calls(), 0u);
  EXPECT_EQ(traces_.pending_crefs(), 0u);
}

TEST_F(TraceRouterTest, SubscribingToACallPridHasNoRecordOfIsRefused) {
  EXPECT_FALSE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 9}));
  EXPECT_FALSE(traces_.subscribed(kAlice));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  EXPECT_THAT(outbox_.sent(), IsEmpty());
}

TEST_F(TraceRouterTest, AKnownCallWithoutFramesYetIsSubscribed) {
  records_.insert(9);
  auto replay = traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 9});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->replayed, 0u);
}

TEST_F(TraceRouterTest, UnsubscribedOrGoneClientsGetNothing) {
  ASSERT_TRUE(traces_.Subscribe(kAlice, {}));
  ASSERT_TRUE(traces_.Subscribe(kBob, {}));
  traces_.Unsubscribe(kAlice);
  traces_.ClientGone(kBob);
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  EXPECT_THAT(outbox_.sent(), IsEmpty());
}

}  // namespace
}  // namespace prid::daemon
