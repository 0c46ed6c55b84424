// ChannelRetry: the one retry on another B-channel after the far end
// refused the span's choice (Q.931 5.2.3.1), rule by rule.
#include "daemon/line/channel_retry.h"

#include <gtest/gtest.h>

#include "q931/q850.h"

namespace prid::daemon {
namespace {

using q931::CallState;
using q931::CallStateSet;
namespace cause = q931::cause;

q931::SetupRequest PlacedSetup() {
  q931::SetupRequest setup;
  setup.channel = 1;
  setup.parties.called.digits = "100";
  setup.parties.calling = q931::Party{"200"};
  setup.uui = q931::UserUser{q931::kUuiPdIa5, {'h', 'i'}};
  return setup;
}

// A SETUP the far end answered with CALL PROCEEDING and then refused.
const CallStateSet kProceededThenRefused = {CallState::kNull, CallState::kCallInitiated,
                                            CallState::kOutgoingCallProceeding};

class ChannelRetryTest : public ::testing::Test {
 protected:
  ChannelPool pool_{{1, 2, 3}, HuntOrder::kAscending};
};

TEST_F(ChannelRetryTest, RefusalWithCause44IsRetriedOnceOnAnotherChannelWithTheSameSetup) {
  pool_.Assign(1, 7);
  ChannelRetry retry(PlacedSetup());
  EXPECT_EQ(retry.state(), ChannelRetry::State::kAvailable);
  auto setup = retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, true, 1, pool_);
  ASSERT_TRUE(setup.has_value());
  EXPECT_EQ(setup->channel, 2);
  EXPECT_EQ(setup->parties.called.digits, "100");
  EXPECT_EQ(setup->parties.calling.value_or(q931::Party{}).digits, "200");
  EXPECT_EQ(setup->uui, PlacedSetup().uui);
  retry.Spend();
  EXPECT_EQ(retry.state(), ChannelRetry::State::kSpent);
  EXPECT_FALSE(retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, true, 2, pool_));
}

TEST_F(ChannelRetryTest, OverlapCallsRetryCarriesEveryDigitDialledSoFar) {
  q931::SetupRequest placed = PlacedSetup();
  placed.parties.called.digits = "55";
  placed.complete = false;
  ChannelRetry retry(placed);
  retry.Dialled("12", false);
  auto setup = retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, true, 1, pool_);
  ASSERT_TRUE(setup.has_value());
  EXPECT_EQ(setup->parties.called.digits, "5512");
  EXPECT_FALSE(setup->complete);  // more digits follow on the new call
  retry.Dialled("3", true);
  setup = retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, true, 1, pool_);
  ASSERT_TRUE(setup.has_value());
  EXPECT_EQ(setup->parties.called.digits, "55123");
  EXPECT_TRUE(setup->complete);
}

TEST_F(ChannelRetryTest, RefusalWithCause34IsRetried) {
  ChannelRetry retry(PlacedSetup());
  EXPECT_TRUE(retry.Decide(cause::kNoCircuitAvailable, kProceededThenRefused, true, 1, pool_));
}

TEST_F(ChannelRetryTest, RefusalStraightAfterSetupIsRetried) {
  ChannelRetry retry(PlacedSetup());
  EXPECT_TRUE(retry.Decide(cause::kRequestedChannelUnavailable, {CallState::kNull, CallState::kCallInitiated}, true,
                           1, pool_));
}

TEST_F(ChannelRetryTest, RefusalByDisconnectAfterCallProceedingIsRetried) {
  ChannelRetry retry(PlacedSetup());
  CallStateSet history = kProceededThenRefused;
  history.Add(CallState::kDisconnectIndication);
  EXPECT_TRUE(retry.Decide(cause::kRequestedChannelUnavailable, history, true, 1, pool_));
}

TEST_F(ChannelRetryTest, OtherCausesAreNotRetried) {
  ChannelRetry retry(PlacedSetup());
  EXPECT_FALSE(retry.Decide(cause::kUserBusy, kProceededThenRefused, true, 1, pool_));
  EXPECT_FALSE(retry.Decide(cause::kNormalClearing, kProceededThenRefused, true, 1, pool_));
  EXPECT_FALSE(retry.Decide(cause::kTemporaryFailure, kProceededThenRefused, true, 1, pool_));
}

TEST_F(ChannelRetryTest, ChannelTheClientNamedIsNotRetried) {
  ChannelRetry retry;
  EXPECT_EQ(retry.state(), ChannelRetry::State::kNever);
  EXPECT_FALSE(retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, true, 1, pool_));
}

TEST_F(ChannelRetryTest, SetupAcknowledgeAlertingOrConnectFirstMeansNoRetry) {
  ChannelRetry retry(PlacedSetup());
  for (CallState progress : {CallState::kOverlapSending, CallState::kCallDelivered, CallState::kActive}) {
    CallStateSet history = kProceededThenRefused;
    history.Add(progress);
    EXPECT_FALSE(retry.Decide(cause::kRequestedChannelUnavailable, history, true, 1, pool_))
        << q931::CallStateName(progress);
  }
}

TEST_F(ChannelRetryTest, CallWeWereClearingOurselvesIsNotRetried) {
  ChannelRetry retry(PlacedSetup());
  for (CallState ours : {CallState::kDisconnectRequest, CallState::kReleaseRequest}) {
    CallStateSet history = kProceededThenRefused;
    history.Add(ours);
    EXPECT_FALSE(retry.Decide(cause::kRequestedChannelUnavailable, history, true, 1, pool_))
        << q931::CallStateName(ours);
  }
}

TEST_F(ChannelRetryTest, SpanDownMeansNoRetry) {
  ChannelRetry retry(PlacedSetup());
  EXPECT_FALSE(retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, false, 1, pool_));
}

TEST_F(ChannelRetryTest, NoOtherFreeChannelMeansNoRetry) {
  pool_.Assign(1, 7);
  pool_.Assign(2, 8);
  pool_.SetInService(3, false);
  ChannelRetry retry(PlacedSetup());
  EXPECT_FALSE(retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, true, 1, pool_));
}

TEST_F(ChannelRetryTest, TheRefusedChannelIsNeverPickedAgain) {
  ChannelRetry retry(PlacedSetup());
  ChannelPool one_free{{1, 2}, HuntOrder::kAscending};
  one_free.Assign(2, 8);
  EXPECT_FALSE(retry.Decide(cause::kRequestedChannelUnavailable, kProceededThenRefused, true, 1, one_free));
}

TEST(ChannelRetryStateNames, EveryStateHasAName) {
  EXPECT_EQ(ChannelRetryStateName(ChannelRetry::State::kNever), "never");
  EXPECT_EQ(ChannelRetryStateName(ChannelRetry::State::kAvailable), "available");
  EXPECT_EQ(ChannelRetryStateName(ChannelRetry::State::kSpent), "spent");
}

}  // namespace
}  // namespace prid::daemon
