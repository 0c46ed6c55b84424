// Tests of the call statistics: offered/placed/answered, clearings by cause
// and origin, ASR and NER over the calls that ended, post-dial delay (mean,
// p95, the bounded sample) and hold time, with exact values.
#include "daemon/stats/call_counters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <utility>

#include "q931/q850.h"

namespace prid::daemon {
namespace {

namespace q850 = q931::cause;
using std::chrono::milliseconds;
using std::chrono::seconds;
using S = CallState;

const base::WallTime kT0 = base::WallTime(seconds(1'000'000));

Call MakeCall(Direction direction) {
  Call call;
  call.direction = direction;
  call.created = kT0;
  return call;
}

// An outgoing call that rang after `pdd` and was answered `answer_after`
// later, then held for `hold`, cleared with `cause` from `origin`.
void AnsweredOutgoing(CallCounters& c, milliseconds pdd, seconds hold, std::uint8_t cause, Origin origin) {
  Call call = MakeCall(Direction::kOut);
  c.Began(call);
  c.Moved(call, S::kDialing, S::kProceeding, kT0 + pdd / 2);
  c.Moved(call, S::kProceeding, S::kRingback, kT0 + pdd);
  call.connected_at = kT0 + pdd + seconds(1);
  c.Moved(call, S::kRingback, S::kConnected, *call.connected_at);
  call.idle_at = *call.connected_at + hold;
  call.cause = cause;
  call.origin = origin;
  c.Cleared(call);
}

void FailedOutgoing(CallCounters& c, milliseconds pdd, std::uint8_t cause) {
  Call call = MakeCall(Direction::kOut);
  c.Began(call);
  c.Moved(call, S::kDialing, S::kRingback, kT0 + pdd);
  call.cause = cause;
  call.origin = Origin::kRemote;
  call.idle_at = kT0 + pdd + seconds(2);
  c.Cleared(call);
}

TEST(BoundedSampleTest, EmptyHasNoMeanNorP95) {
  BoundedSample s;
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.Mean(), std::nullopt);
  EXPECT_EQ(s.P95(), std::nullopt);
}

TEST(BoundedSampleTest, P95IsTheNearestRank) {
  BoundedSample s;
  for (int v = 100; v >= 1; --v) s.Add(v);  // order does not matter
  EXPECT_EQ(s.size(), 100u);
  EXPECT_DOUBLE_EQ(*s.Mean(), 50.5);
  EXPECT_DOUBLE_EQ(*s.P95(), 95.0);
  BoundedSample one;
  one.Add(0.25);
  EXPECT_DOUBLE_EQ(*one.P95(), 0.25);
  BoundedSample twenty;
  for (int v = 1; v <= 20; ++v) twenty.Add(v);
  EXPECT_DOUBLE_EQ(*twenty.P95(), 19.0) << "ceil(0.95 * 20) = 19";
}

TEST(BoundedSampleTest, KeepsTheLast1024Values) {
  BoundedSample s;
  for (int i = 0; i < 1024; ++i) s.Add(1000.0);
  for (int i = 0; i < 1024; ++i) s.Add(2.0);
  EXPECT_EQ(s.size(), BoundedSample::kSamples);
  EXPECT_DOUBLE_EQ(*s.Mean(), 2.0) << "the first 1024 are gone";
  s.Add(1026.0);
  EXPECT_DOUBLE_EQ(*s.Mean(), 3.0);
}

TEST(CallCountersTest, NothingEndedHasNoAsrNerNorHoldTime) {
  CallCounters c;
  Call call = MakeCall(Direction::kIn);
  c.Began(call);
  EXPECT_EQ(c.offered(), 1u);
  EXPECT_EQ(c.Asr(), std::nullopt);
  EXPECT_EQ(c.Ner(), std::nullopt);
  EXPECT_EQ(c.MeanHoldTime(), std::nullopt);
}

TEST(CallCountersTest, ThreeAnsweredTwoBusyOneRejectedOneUnallocated) {
  CallCounters c;
  AnsweredOutgoing(c, milliseconds(100), seconds(10), q850::kNormalClearing, Origin::kLocal);
  AnsweredOutgoing(c, milliseconds(200), seconds(20), q850::kNormalClearing, Origin::kRemote);
  AnsweredOutgoing(c, milliseconds(300), seconds(60), q850::kNormalClearing, Origin::kSupervisor);
  FailedOutgoing(c, milliseconds(400), q850::kUserBusy);
  FailedOutgoing(c, milliseconds(500), q850::kUserBusy);
  FailedOutgoing(c, milliseconds(600), q850::kCallRejected);
  FailedOutgoing(c, milliseconds(700), q850::kUnallocatedNumber);
  FailedOutgoing(c, milliseconds(800), q850::kNormalUnspecified);

  EXPECT_EQ(c.placed(), 8u);
  EXPECT_EQ(c.offered(), 0u);
  EXPECT_EQ(c.answered_out(), 3u);
  EXPECT_EQ(c.answered_in(), 0u);
  EXPECT_EQ(c.ended(), 8u);
  EXPECT_DOUBLE_EQ(*c.Asr(), 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(*c.Ner(), 6.0 / 8.0) << "answered, 17, 17, 21; not 1 nor 31";
  using Key = std::pair<std::uint8_t, Origin>;
  EXPECT_THAT(c.clearings(), ::testing::ElementsAre(std::pair{Key{q850::kUnallocatedNumber, Origin::kRemote}, 1u},
                                                    std::pair{Key{q850::kNormalClearing, Origin::kLocal}, 1u},
                                                    std::pair{Key{q850::kNormalClearing, Origin::kRemote}, 1u},
                                                    std::pair{Key{q850::kNormalClearing, Origin::kSupervisor}, 1u},
                                                    std::pair{Key{q850::kUserBusy, Origin::kRemote}, 2u},
                                                    std::pair{Key{q850::kCallRejected, Origin::kRemote}, 1u},
                                                    std::pair{Key{q850::kNormalUnspecified, Origin::kRemote}, 1u}));
  EXPECT_EQ(c.post_dial_delay().size(), 8u);
  EXPECT_NEAR(*c.post_dial_delay().Mean(), 0.45, 1e-9);
  EXPECT_NEAR(*c.post_dial_delay().P95(), 0.8, 1e-9) << "ceil(0.95 * 8) = 8th";
  EXPECT_EQ(c.hold_time_samples(), 3u);
  EXPECT_DOUBLE_EQ(*c.MeanHoldTime(), 30.0);
}

TEST(CallCountersTest, PostDialDelayIsToTheFirstAlertingOrConnectOnly) {
  CallCounters c;
  Call call = MakeCall(Direction::kOut);
  c.Began(call);
  c.Moved(call, S::kDialing, S::kConnected, kT0 + milliseconds(250));  // CONNECT without ALERTING
  c.Moved(call, S::kConnected, S::kOnHold, kT0 + seconds(5));
  c.Moved(call, S::kOnHold, S::kConnected, kT0 + seconds(6));
  EXPECT_EQ(c.post_dial_delay().size(), 1u);
  EXPECT_DOUBLE_EQ(*c.post_dial_delay().Mean(), 0.25);
  EXPECT_EQ(c.answered_out(), 1u) << "back from hold is not another answer";
}

TEST(CallCountersTest, IncomingCallsAreOfferedAndAnsweredInWithoutPostDialDelay) {
  CallCounters c;
  Call call = MakeCall(Direction::kIn);
  c.Began(call);
  c.Moved(call, S::kOffering, S::kAccepted, kT0 + seconds(1));
  call.connected_at = kT0 + seconds(3);
  c.Moved(call, S::kAccepted, S::kConnected, *call.connected_at);
  call.idle_at = kT0 + seconds(8);
  call.cause = q850::kNormalClearing;
  call.origin = Origin::kRemote;
  c.Cleared(call);
  EXPECT_EQ(c.offered(), 1u);
  EXPECT_EQ(c.answered_in(), 1u);
  EXPECT_EQ(c.post_dial_delay().size(), 0u);
  EXPECT_DOUBLE_EQ(*c.MeanHoldTime(), 5.0);
  EXPECT_DOUBLE_EQ(*c.Asr(), 1.0);
}

TEST(CallCountersTest, ACallWithoutCauseCountsAsCauseZeroLocal) {
  CallCounters c;
  Call call = MakeCall(Direction::kOut);
  c.Cleared(call);
  using Key = std::pair<std::uint8_t, Origin>;
  EXPECT_THAT(c.clearings(), ::testing::ElementsAre(std::pair{Key{0, Origin::kLocal}, 1u}));
  EXPECT_DOUBLE_EQ(*c.Ner(), 0.0);
}

TEST(CallCountersTest, ResetZeroesEverything) {
  CallCounters c;
  AnsweredOutgoing(c, milliseconds(100), seconds(10), q850::kNormalClearing, Origin::kLocal);
  c.Reset();
  EXPECT_EQ(c.placed(), 0u);
  EXPECT_EQ(c.answered_out(), 0u);
  EXPECT_EQ(c.ended(), 0u);
  EXPECT_TRUE(c.clearings().empty());
  EXPECT_EQ(c.post_dial_delay().size(), 0u);
  EXPECT_EQ(c.hold_time_samples(), 0u);
  EXPECT_EQ(c.Asr(), std::nullopt);
}

}  // namespace
}  // namespace prid::daemon
