// RestartProcedure: RESTART with T316/N316 (Q.931 5.5.1) against a fake link
// and timers fired by hand.
#include "daemon/line/restart_procedure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/fake_timers.h"

namespace prid::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records what the procedure did, in order: "restart 1", "clear 1 local",
// "clear 2 remote", "restarting 1", "done 1".
class FakeRestartLink : public RestartLink {
 public:
  void SendRestart(int channel) override { actions.push_back("restart " + std::to_string(channel)); }
  void ClearRestartedCall(int channel, bool remote) override {
    actions.push_back("clear " + std::to_string(channel) + (remote ? " remote" : " local"));
  }
  void SetRestarting(int channel, bool restarting) override {
    actions.push_back((restarting ? "restarting " : "done ") + std::to_string(channel));
  }
  std::vector<std::string> Take() { return std::exchange(actions, {}); }
  std::size_t Count(const std::string& action) const {
    return static_cast<std::size_t>(std::count(actions.begin(), actions.end(), action));
  }

  std::vector<std::string> actions;
};

class RestartProcedureTest : public ::testing::Test {
 protected:
  // The procedure with channels 1-3, T316 = 5 s, N316 = 2 (unless changed
  // before), its link up unless `up` is false.
  RestartProcedure& Make(bool up = true) {
    procedure_ = std::make_unique<RestartProcedure>(options_, link_, timers_);
    procedure_->LinkChanged(up, false);
    return *procedure_;
  }
  bool T316Running() const { return timers_.timer(0).running; }
  void FireT316() { ASSERT_TRUE(timers_.Fire(0)) << "T316 was not running"; }

  RestartOptions options_{1, {1, 2, 3}, 5.0, 2, false};
  FakeRestartLink link_;
  testing::FakeTimerFactory timers_;
  std::unique_ptr<RestartProcedure> procedure_;
};

TEST_F(RestartProcedureTest, RestartClearsTheChannelsCallSendsRestartAndStartsT316) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(2).ok());
  EXPECT_THAT(link_.Take(), ElementsAre("restarting 2", "clear 2 local", "restart 2"));
  EXPECT_EQ(p.state(), RestartState::kAwaitingAcknowledge);
  EXPECT_EQ(p.restarting_channel(), 2);
  EXPECT_EQ(p.tries(), 1);
  ASSERT_EQ(timers_.created(), 1u);
  EXPECT_TRUE(T316Running());
  EXPECT_EQ(timers_.timer(0).seconds, 5.0);
}

TEST_F(RestartProcedureTest, AcknowledgeEndsTheRestartAndStopsT316) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(2).ok());
  link_.Take();
  p.OnAcknowledged(2);
  EXPECT_THAT(link_.Take(), ElementsAre("done 2"));
  EXPECT_EQ(p.state(), RestartState::kIdle);
  EXPECT_EQ(p.restarting_channel(), 0);
  EXPECT_FALSE(T316Running());
  EXPECT_EQ(p.failures(), 0u);
}

TEST_F(RestartProcedureTest, T316ExpiryResendsTheRestart) {
  options_.n316 = 3;
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(1).ok());
  link_.Take();
  FireT316();
  EXPECT_THAT(link_.Take(), ElementsAre("clear 1 local", "restart 1"));
  EXPECT_EQ(p.tries(), 2);
  EXPECT_TRUE(T316Running());
  EXPECT_EQ(timers_.timer(0).starts, 2);
  EXPECT_EQ(p.state(), RestartState::kAwaitingAcknowledge);
}

TEST_F(RestartProcedureTest, N316TriesWithoutAcknowledgeGiveUpAndCountAFailure) {
  RestartProcedure& p = Make();  // N316 = 2
  ASSERT_TRUE(p.Restart(1).ok());
  FireT316();
  EXPECT_EQ(link_.Count("restart 1"), 2u);
  link_.Take();
  FireT316();
  EXPECT_THAT(link_.Take(), ElementsAre("done 1")) << "no third RESTART";
  EXPECT_EQ(p.failures(), 1u);
  EXPECT_EQ(p.state(), RestartState::kIdle);
  EXPECT_FALSE(T316Running());
}

TEST_F(RestartProcedureTest, WholeInterfaceRestartSendsOneChannelAtATimeInOrder) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(0).ok());
  EXPECT_THAT(link_.Take(),
              ElementsAre("restarting 1", "restarting 2", "restarting 3", "clear 1 local", "restart 1"));
  EXPECT_EQ(p.queued(), 2u);
  p.OnAcknowledged(1);
  EXPECT_THAT(link_.Take(), ElementsAre("done 1", "clear 2 local", "restart 2"));
  EXPECT_EQ(p.tries(), 1);
  p.OnAcknowledged(2);
  EXPECT_THAT(link_.Take(), ElementsAre("done 2", "clear 3 local", "restart 3"));
  p.OnAcknowledged(3);
  EXPECT_THAT(link_.Take(), ElementsAre("done 3"));
  EXPECT_EQ(p.state(), RestartState::kIdle);
  EXPECT_EQ(p.queued(), 0u);
}

TEST_F(RestartProcedureTest, NextQueuedChannelFollowsAChannelGivenUpOn) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(1).ok());
  ASSERT_TRUE(p.Restart(3).ok());
  EXPECT_THAT(link_.Take(), ElementsAre("restarting 1", "clear 1 local", "restart 1", "restarting 3"));
  FireT316();
  FireT316();
  EXPECT_THAT(link_.Take(), ElementsAre("clear 1 local", "restart 1", "done 1", "clear 3 local", "restart 3"));
  EXPECT_EQ(p.failures(), 1u);
  EXPECT_EQ(p.restarting_channel(), 3);
  EXPECT_EQ(p.tries(), 1) << "tries count afresh for each channel";
  EXPECT_TRUE(T316Running());
}

TEST_F(RestartProcedureTest, AChannelQueuedOrPendingIsNotQueuedTwice) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(1).ok());
  ASSERT_TRUE(p.Restart(2).ok());
  link_.Take();
  ASSERT_TRUE(p.Restart(1).ok());
  ASSERT_TRUE(p.Restart(2).ok());
  ASSERT_TRUE(p.Restart(0).ok());
  EXPECT_THAT(link_.Take(), ElementsAre("restarting 3")) << "1 pending, 2 queued: only 3 is new";
  EXPECT_EQ(p.queued(), 2u);
  EXPECT_EQ(p.tries(), 1) << "the pending one is not resent";
}

TEST_F(RestartProcedureTest, LinkDownStopsT316AndLinkUpResendsThePendingOne) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(2).ok());
  ASSERT_TRUE(p.Restart(3).ok());
  link_.Take();
  p.LinkChanged(false, false);
  EXPECT_FALSE(T316Running());
  EXPECT_EQ(p.state(), RestartState::kWaitingForLink);
  EXPECT_THAT(link_.Take(), IsEmpty());
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(), ElementsAre("clear 2 local", "restart 2")) << "the pending one, not the next";
  EXPECT_EQ(p.state(), RestartState::kAwaitingAcknowledge);
  EXPECT_EQ(p.tries(), 2);
  EXPECT_TRUE(T316Running());
  p.OnAcknowledged(2);
  EXPECT_THAT(link_.Take(), ElementsAre("done 2", "clear 3 local", "restart 3"));
}

TEST_F(RestartProcedureTest, T316ExpiringDuringAnAlarmWaitsForTheLink) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(1).ok());
  link_.Take();
  p.LinkChanged(true, true);  // alarm, D-channel still up: T316 runs on
  EXPECT_TRUE(T316Running());
  FireT316();
  EXPECT_THAT(link_.Take(), IsEmpty()) << "nothing sent while the span is in alarm";
  EXPECT_EQ(p.state(), RestartState::kWaitingForLink);
  EXPECT_EQ(p.failures(), 0u);
  p.LinkChanged(false, true);
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(), ElementsAre("clear 1 local", "restart 1"));
  EXPECT_EQ(p.tries(), 2);
}

TEST_F(RestartProcedureTest, AcknowledgeWhileWaitingForTheLinkEndsTheRestart) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(1).ok());
  p.LinkChanged(true, true);
  FireT316();
  link_.Take();
  p.OnAcknowledged(1);
  EXPECT_THAT(link_.Take(), ElementsAre("done 1"));
  EXPECT_EQ(p.state(), RestartState::kIdle);
}

TEST_F(RestartProcedureTest, UnexpectedAcknowledgeIsIgnored) {
  RestartProcedure& p = Make();
  p.OnAcknowledged(1);  // nothing pending
  EXPECT_EQ(p.state(), RestartState::kIdle);
  ASSERT_TRUE(p.Restart(1).ok());
  link_.Take();
  p.OnAcknowledged(2);
  p.OnAcknowledged(0);
  EXPECT_THAT(link_.Take(), IsEmpty());
  EXPECT_EQ(p.state(), RestartState::kAwaitingAcknowledge);
  EXPECT_EQ(p.restarting_channel(), 1);
  EXPECT_TRUE(T316Running());
}

TEST_F(RestartProcedureTest, FarEndRestartOfTheInterfaceClearsEveryChannelsCallAsRemote) {
  RestartProcedure& p = Make();
  p.OnRestartRequested(0);
  EXPECT_THAT(link_.Take(), ElementsAre("clear 1 remote", "clear 2 remote", "clear 3 remote"));
  EXPECT_EQ(p.state(), RestartState::kIdle) << "no RESTART of ours";
  EXPECT_EQ(timers_.running_count(), 0u);
}

TEST_F(RestartProcedureTest, FarEndRestartOfOneChannelClearsOnlyItsCall) {
  RestartProcedure& p = Make();
  p.OnRestartRequested(2);
  EXPECT_THAT(link_.Take(), ElementsAre("clear 2 remote"));
}

TEST_F(RestartProcedureTest, RestartOfAChannelNotOfTheSpanIsRefused) {
  RestartProcedure& p = Make();
  base::Status status = p.Restart(16);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "channel 16 is not a B-channel of span 1");
  EXPECT_THAT(link_.Take(), IsEmpty());
}

TEST_F(RestartProcedureTest, RestartIsRefusedWhileTheLinkIsDownOrInAlarm) {
  RestartProcedure& p = Make(/*up=*/false);
  base::Status down = p.Restart(1);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.message(), "span 1 is down");
  p.LinkChanged(true, true);
  base::Status alarm = p.Restart(0);
  ASSERT_FALSE(alarm.ok());
  EXPECT_EQ(alarm.message(), "span 1 is alarm");
  EXPECT_THAT(link_.Take(), IsEmpty());
}

TEST_F(RestartProcedureTest, RestartWhenUpRestartsEveryChannelOnceTheLinkIsFirstUp) {
  options_.restart_when_up = true;
  RestartProcedure& p = Make(/*up=*/false);
  EXPECT_THAT(link_.Take(), IsEmpty());
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(),
              ElementsAre("restarting 1", "restarting 2", "restarting 3", "clear 1 local", "restart 1"));
  p.OnAcknowledged(1);
  p.OnAcknowledged(2);
  p.OnAcknowledged(3);
  link_.Take();
  // A later loss of the D-channel alone restarts nothing.
  p.LinkChanged(false, false);
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(), IsEmpty());
}

TEST_F(RestartProcedureTest, WithoutRestartWhenUpTheLinkComingUpSendsNothing) {
  RestartProcedure& p = Make(/*up=*/false);
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(), IsEmpty());
  EXPECT_EQ(p.state(), RestartState::kIdle);
}

TEST_F(RestartProcedureTest, AnAlarmAtLinkUpDefersTheStartUpRestartUntilItClears) {
  options_.restart_when_up = true;
  RestartProcedure& p = Make(/*up=*/false);
  p.LinkChanged(false, true);
  p.LinkChanged(true, true);
  EXPECT_THAT(link_.Take(), IsEmpty());
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(),
              ElementsAre("restarting 1", "restarting 2", "restarting 3", "clear 1 local", "restart 1"));
}

TEST_F(RestartProcedureTest, AClearedAlarmRestartsEveryChannelAgain) {
  options_.restart_when_up = true;
  RestartProcedure& p = Make();
  for (int ch = 1; ch <= 3; ++ch) p.OnAcknowledged(ch);
  link_.Take();
  p.LinkChanged(true, true);
  EXPECT_THAT(link_.Take(), IsEmpty());
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(),
              ElementsAre("restarting 1", "restarting 2", "restarting 3", "clear 1 local", "restart 1"));
}

TEST_F(RestartProcedureTest, AClearedAlarmDuringARestartResendsThePendingChannelAndQueuesTheOthers) {
  options_.restart_when_up = true;
  RestartProcedure& p = Make();
  link_.Take();  // 1 pending, 2 and 3 queued from start-up
  p.LinkChanged(true, true);
  FireT316();  // in alarm: waits
  p.LinkChanged(true, false);
  EXPECT_THAT(link_.Take(), ElementsAre("clear 1 local", "restart 1"));
  EXPECT_EQ(p.queued(), 2u);
}

TEST_F(RestartProcedureTest, DestroyingTheProcedureStopsT316) {
  RestartProcedure& p = Make();
  ASSERT_TRUE(p.Restart(1).ok());
  procedure_.reset();
  EXPECT_TRUE(timers_.timer(0).destroyed);
  EXPECT_FALSE(timers_.Fire(0));
}

TEST(RestartStateNameTest, EveryStateHasAName) {
  EXPECT_EQ(RestartStateName(RestartState::kIdle), "idle");
  EXPECT_EQ(RestartStateName(RestartState::kAwaitingAcknowledge), "awaiting_acknowledge");
  EXPECT_EQ(RestartStateName(RestartState::kWaitingForLink), "waiting_for_link");
}

}  // namespace
}  // namespace prid::daemon
