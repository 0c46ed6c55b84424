// Tests of daemon/api/trace_router: a subscription gets the frames of its
// span only, a call's subscription the messages of that call's reference
// only (also after the call left the wire), and nobody else gets anything;
// through a fake outbox, with frames as hex.
#include "daemon/api/trace_router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

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

// Q.921 I-frames carrying a Q.931 DISCONNECT (cause 31) for the call
// reference 1 or 2, as the far end sends them (flag 0); and our RELEASE for
// call reference 1 (flag 1: we answer the originating side).
constexpr const char* kDisconnectCref1 = "0001040608020001450802809f";
constexpr const char* kDisconnectCref2 = "0001040608020002450802809f";
constexpr const char* kReleaseCref1Sent = "02010606 0802 8001 4d";

std::vector<std::uint8_t> Frame(std::string hex) {
  std::erase(hex, ' ');
  auto octets = base::FromHex(hex);
  EXPECT_TRUE(octets.ok()) << hex;
  return octets.ok() ? *octets : std::vector<std::uint8_t>{};
}

class TraceRouterTest : public ::testing::Test {
 protected:
  // The calls on the wire: call id -> (span, libpri cref).
  std::map<CallId, std::pair<int, int>> on_wire_;
  FakeOutbox outbox_;
  TraceRouter traces_{outbox_, [this](CallId call) -> std::optional<std::pair<int, int>> {
                        auto it = on_wire_.find(call);
                        if (it == on_wire_.end()) return std::nullopt;
                        return it->second;
                      }};
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
  EXPECT_EQ(outbox_.sent()[0].seq, 0u) << "traces are not numbered events";
}

TEST_F(TraceRouterTest, ASubscriptionWithoutFilterGetsEverySpan) {
  ASSERT_TRUE(traces_.Subscribe(kAlice, {}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  traces_.Frame(3, FrameDirection::kReceived, Frame(kDisconnectCref2));
  EXPECT_THAT(outbox_.Recipients(), ElementsAre(kAlice, kAlice));
}

TEST_F(TraceRouterTest, ACallSubscriptionGetsThatCallsMessagesOnlyBothWays) {
  on_wire_[7] = {1, 1};
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7}));
  ASSERT_TRUE(traces_.Subscribe(kBob, {.span = 1, .call = std::nullopt}));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref2));  // another call
  traces_.Frame(2, FrameDirection::kReceived, Frame(kDisconnectCref1));  // another span
  EXPECT_THAT(outbox_.SentTo(kAlice), IsEmpty());
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  EXPECT_EQ(outbox_.SentTo(kAlice).size(), 2u);
  EXPECT_EQ(outbox_.SentTo(kBob).size(), 3u) << "the span's subscriber sees all of span 1";
}

TEST_F(TraceRouterTest, ACallsLastMessagesStillArriveAfterItLeftTheWire) {
  on_wire_[7] = {1, 1};
  ASSERT_TRUE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 7}));
  on_wire_.clear();
  traces_.Frame(1, FrameDirection::kSent, Frame(kReleaseCref1Sent));
  EXPECT_THAT(outbox_.Recipients(), ElementsAre(kAlice));
}

TEST_F(TraceRouterTest, SubscribingToACallNotOnTheWireIsRefused) {
  EXPECT_FALSE(traces_.Subscribe(kAlice, {.span = std::nullopt, .call = 9}));
  EXPECT_FALSE(traces_.subscribed(kAlice));
  traces_.Frame(1, FrameDirection::kReceived, Frame(kDisconnectCref1));
  EXPECT_THAT(outbox_.sent(), IsEmpty());
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
