// ChannelPool: hunting orders and the channels a call may not use.
#include "daemon/line/channel_pool.h"

#include <gtest/gtest.h>

namespace prid::daemon {
namespace {

TEST(ChannelPoolTest, AscendingPicksTheLowestFree) {
  ChannelPool pool({1, 2, 3}, HuntOrder::kAscending);
  EXPECT_EQ(pool.Pick(), 1);
  pool.Assign(1, 10);
  EXPECT_EQ(pool.Pick(), 2);
  EXPECT_EQ(pool.Pick(), 2);  // picking alone does not take it
  pool.Release(1, 10);
  EXPECT_EQ(pool.Pick(), 1);
}

TEST(ChannelPoolTest, DescendingPicksTheHighestFree) {
  ChannelPool pool({1, 2, 3}, HuntOrder::kDescending);
  EXPECT_EQ(pool.Pick(), 3);
  pool.Assign(3, 10);
  EXPECT_EQ(pool.Pick(), 2);
}

TEST(ChannelPoolTest, RoundRobinGoesOnAfterTheLastPickAndWraps) {
  ChannelPool pool({1, 2, 3}, HuntOrder::kRoundRobin);
  EXPECT_EQ(pool.Pick(), 1);
  EXPECT_EQ(pool.Pick(), 2);
  pool.Assign(3, 7);
  EXPECT_EQ(pool.Pick(), 1);  // 3 busy: wraps round
  pool.Release(3, 7);
  EXPECT_EQ(pool.Pick(), 2);
  EXPECT_EQ(pool.Pick(), 3);
}

TEST(ChannelPoolTest, PickAvoidsTheChannelGiven) {
  ChannelPool pool({4, 5}, HuntOrder::kAscending);
  EXPECT_EQ(pool.Pick(4), 5);
  pool.Assign(5, 1);
  EXPECT_EQ(pool.Pick(4), 0);
}

TEST(ChannelPoolTest, OutOfServiceAndRestartingChannelsAreNotPicked) {
  ChannelPool pool({1, 2, 3}, HuntOrder::kAscending);
  pool.SetInService(1, false);
  pool.SetRestarting(2, true);
  EXPECT_EQ(pool.Pick(), 3);
  EXPECT_FALSE(pool.IsFree(1));
  EXPECT_FALSE(pool.IsFree(2));
  pool.Assign(3, 9);
  EXPECT_EQ(pool.Pick(), 0);
  auto snapshot = pool.Snapshot();
  ASSERT_EQ(snapshot.size(), 3u);
  EXPECT_EQ(snapshot[0].state(), ChannelState::kOutOfService);
  EXPECT_EQ(snapshot[1].state(), ChannelState::kRestarting);
  EXPECT_EQ(snapshot[2].state(), ChannelState::kBusy);
  EXPECT_EQ(ChannelStateName(snapshot[0].state()), "out_of_service");
}

TEST(ChannelPoolTest, ReleaseByAnotherCallLeavesTheChannelHeld) {
  ChannelPool pool({1}, HuntOrder::kAscending);
  pool.Assign(1, 5);
  pool.Release(1, 6);
  EXPECT_EQ(pool.CallOn(1), 5u);
  EXPECT_FALSE(pool.Contains(2));
  EXPECT_FALSE(pool.IsFree(2));
}

}  // namespace
}  // namespace prid::daemon
