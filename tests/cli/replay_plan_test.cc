// Turning a captured trace into the replay's steps.
#include "cli/replay_plan.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "q931/text_trace_reader.h"
#include "q931/trace_reader.h"

namespace prid::cli {
namespace {

namespace msg = q931::msg;

std::vector<q931::TraceRecord> Cisco() {
  const char* dir = std::getenv("PRID_TRACES_DIR");
  EXPECT_NE(dir, nullptr) << "PRID_TRACES_DIR is not set (tests/cli/meson.build sets it)";
  auto records = q931::ReadTraceFile(std::string(dir ? dir : "") + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng");
  EXPECT_TRUE(records.ok()) << (records.ok() ? "" : records.error());
  return records.ok() ? *records : std::vector<q931::TraceRecord>{};
}

struct Expected {
  bool far;
  std::uint8_t type;
  NearAction action;
};

void ExpectSteps(const ReplayPlan& plan, const std::vector<Expected>& expected) {
  ASSERT_EQ(plan.steps.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(plan.steps[i].by_far_end, expected[i].far) << "step " << i + 1;
    EXPECT_EQ(plan.steps[i].message.message_type, expected[i].type) << "step " << i + 1;
    EXPECT_EQ(plan.steps[i].action, expected[i].action) << "step " << i + 1;
    EXPECT_EQ(plan.steps[i].call, 1) << "step " << i + 1;
  }
}

TEST(ReplayPlanTest, PridAsTheUserSideOfTheCiscoCall) {
  auto plan = PlanReplay(Cisco(), /*near_is_network=*/false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ExpectSteps(*plan, {{true, msg::kSetup, NearAction::kNone},
                      {false, msg::kCallProceeding, NearAction::kNone},
                      {false, msg::kAlerting, NearAction::kAlert},
                      {false, msg::kConnect, NearAction::kAnswer},
                      {true, msg::kConnectAcknowledge, NearAction::kNone},
                      {true, msg::kDisconnect, NearAction::kNone},
                      {false, msg::kRelease, NearAction::kDrop},
                      {true, msg::kReleaseComplete, NearAction::kNone}});
  // A user side may leave CALL PROCEEDING out (Q.931 5.2.5.1).
  EXPECT_TRUE(plan->steps[1].optional);
  EXPECT_FALSE(plan->steps[2].optional);
  // RELEASE is the application's drop after the far end's DISCONNECT.
  EXPECT_TRUE(plan->steps[6].after_remote_disconnect);
  EXPECT_EQ(plan->steps[0].expected.called, "1001");
}

TEST(ReplayPlanTest, PridAsTheNetworkSideOfTheCiscoCall) {
  auto plan = PlanReplay(Cisco(), /*near_is_network=*/true);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ExpectSteps(*plan, {{false, msg::kSetup, NearAction::kMake},
                      {true, msg::kCallProceeding, NearAction::kNone},
                      {true, msg::kAlerting, NearAction::kNone},
                      {true, msg::kConnect, NearAction::kNone},
                      {false, msg::kConnectAcknowledge, NearAction::kNone},
                      {false, msg::kDisconnect, NearAction::kDrop},
                      {true, msg::kRelease, NearAction::kNone},
                      {false, msg::kReleaseComplete, NearAction::kNone}});
  EXPECT_FALSE(plan->steps[5].after_remote_disconnect);
}

// LAPD I frames as hex: network commands C/R 1, user commands C/R 0.
std::vector<q931::TraceRecord> Hex(const std::string& text) {
  auto records = q931::ParseTextTrace(text, "test.txt");
  EXPECT_TRUE(records.ok()) << (records.ok() ? "" : records.error());
  return records.ok() ? *records : std::vector<q931::TraceRecord>{};
}

TEST(ReplayPlanTest, ReleaseCompleteToAnOfferedCallIsAReject) {
  auto plan = PlanReplay(Hex("02 01 00 00 08 02 00 01 05 18 03 a9 83 81\n"
                             "00 01 00 00 08 02 80 01 5a 08 02 80 95\n"),
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[1].action, NearAction::kDrop);
  EXPECT_EQ(plan->steps[1].expected.cause, 21);
}

TEST(ReplayPlanTest, ReleaseCompleteAfterTheFarEndsReleaseIsAutomatic) {
  auto plan = PlanReplay(Hex("00 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"
                             "02 01 00 00 08 02 80 01 02 18 03 a9 83 81\n"
                             "02 01 00 00 08 02 80 01 4d 08 02 80 90\n"
                             "00 01 00 00 08 02 00 01 5a\n"),
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 4u);
  EXPECT_EQ(plan->steps[0].action, NearAction::kMake);
  EXPECT_EQ(plan->steps[3].action, NearAction::kNone);
}

TEST(ReplayPlanTest, GlobalRestartIsSpanRestartOnTheNearEnd) {
  auto plan = PlanReplay(Hex("00 01 00 00 08 02 00 00 46 79 01 87\n"
                             "02 01 00 00 08 02 80 00 4e 79 01 87\n"),
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[0].call, 0);
  EXPECT_EQ(plan->steps[0].action, NearAction::kRestart);
  EXPECT_TRUE(plan->steps[1].by_far_end);
}

TEST(ReplayPlanTest, TraceWithoutSidesOrMessagesIsRefused) {
  auto sideless = PlanReplay(Hex("08 02 00 01 05 18 03 a9 83 81\n"), false);
  ASSERT_FALSE(sideless.ok());
  EXPECT_EQ(sideless.error(), "line 1: the trace does not tell which side sent SETUP");
  auto empty = PlanReplay(Hex("02 01 01 5d\n"), false);  // an RR only
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error(), "the trace holds no Q.931 message to replay");
}

}  // namespace
}  // namespace prid::cli
