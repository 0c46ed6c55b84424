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
                      {false, msg::kCallProceeding, NearAction::kProceed},
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
  EXPECT_TRUE(plan->skipped.empty());
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

// Q.931 5.1.2: the network side too may leave CALL PROCEEDING out.
TEST(ReplayPlanTest, NetworkSidesCallProceedingIsOptionalAndCallProceed) {
  auto plan = PlanReplay(Hex("00 01 00 00 08 02 00 01 05 18 03 a1 83 81\n"  // user's SETUP, preferred B1
                             "02 01 00 00 08 02 80 01 02 18 03 a9 83 82\n"  // CALL PROCEEDING, B2
                             "02 01 00 00 08 02 80 01 01\n"),               // ALERTING
                         /*near_is_network=*/true);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 3u);
  EXPECT_EQ(plan->steps[1].action, NearAction::kProceed);
  EXPECT_TRUE(plan->steps[1].optional);
  EXPECT_EQ(plan->steps[1].expected.channel, 2);
  EXPECT_FALSE(plan->steps[2].optional);
  EXPECT_TRUE(plan->skipped.empty());
}

TEST(ReplayPlanTest, NearEndsProgressIsCallProgress) {
  auto plan = PlanReplay(Hex("02 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"
                             "00 01 00 00 08 02 80 01 03 1e 02 81 81 1e 02 81 88\n"),  // PROGRESS, PI 1 and 8
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[1].action, NearAction::kProgress);
  EXPECT_EQ(NearActionMethod(plan->steps[1].action), "call.progress");
  EXPECT_TRUE(plan->skipped.empty());
}

// The capture began with the call up: prid knows nothing of it, so none of
// it is replayed; the next call is.
TEST(ReplayPlanTest, CallWhoseSetupTheCaptureLacksIsSkippedWhole) {
  auto plan = PlanReplay(Hex("02 01 00 00 08 02 80 07 45 08 02 80 90\n"                // call 1: DISCONNECT
                             "00 01 00 00 08 02 00 07 4d\n"                            // RELEASE
                             "02 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"  // call 2: SETUP
                             "00 01 00 00 08 02 80 01 07\n"),                         // CONNECT
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 4u);
  EXPECT_TRUE(plan->steps[0].skipped);
  EXPECT_TRUE(plan->steps[1].skipped);
  EXPECT_FALSE(plan->steps[2].skipped);
  EXPECT_FALSE(plan->steps[3].skipped);
  ASSERT_EQ(plan->skipped.size(), 1u);
  EXPECT_EQ(plan->skipped[0].call, 1);
  EXPECT_EQ(plan->skipped[0].source, "line 1");
  EXPECT_NE(plan->skipped[0].why.find("holds no SETUP"), std::string::npos) << plan->skipped[0].why;
  EXPECT_NE(plan->skipped[0].why.find("DISCONNECT"), std::string::npos) << plan->skipped[0].why;
}

// NOTIFY from the near end: no API method sends it. The call is replayed
// up to it and no further.
TEST(ReplayPlanTest, MessageNoMethodSendsSkipsTheRestOfItsCallOnly) {
  auto plan = PlanReplay(Hex("02 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"  // SETUP
                             "00 01 00 00 08 02 80 01 07\n"                            // CONNECT
                             "00 01 00 00 08 02 80 01 6e 27 01 80\n"                   // NOTIFY
                             "02 01 00 00 08 02 00 01 45 08 02 80 90\n"),              // DISCONNECT
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 4u);
  EXPECT_FALSE(plan->steps[1].skipped);
  EXPECT_TRUE(plan->steps[2].skipped);
  EXPECT_TRUE(plan->steps[3].skipped);
  ASSERT_EQ(plan->skipped.size(), 1u);
  EXPECT_EQ(plan->skipped[0].source, "line 3");
  EXPECT_EQ(plan->skipped[0].why, "no API method makes prid send NOTIFY");
}

// Overlap sending: the SETUP whose number INFORMATION goes on dialling is
// call.make {overlap: true}, the INFORMATION call.dial.
TEST(ReplayPlanTest, OverlapSetupAndItsInformationAreMakeAndDial) {
  auto plan = PlanReplay(Hex("00 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 04 80 35 35 35\n"  // SETUP, 555
                             "02 01 00 00 08 02 80 01 0d 18 03 a9 83 81\n"                  // SETUP ACKNOWLEDGE
                             "00 01 00 00 08 02 00 01 7b 70 05 80 31 30 30 30 a1\n"),       // INFORMATION, 1000
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 3u);
  EXPECT_EQ(plan->steps[0].action, NearAction::kMake);
  EXPECT_TRUE(plan->steps[0].overlap);
  EXPECT_EQ(plan->steps[2].action, NearAction::kDial);
  EXPECT_EQ(NearActionMethod(plan->steps[2].action), "call.dial");
  EXPECT_EQ(plan->steps[2].expected.called, "1000");
  EXPECT_TRUE(plan->skipped.empty());
}

TEST(ReplayPlanTest, EnBlocSetupIsNoOverlapAndEmptyInformationCannotBeDialled) {
  auto plan = PlanReplay(Hex("00 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"  // SETUP, en bloc
                             "02 01 00 00 08 02 80 01 07\n"                            // CONNECT
                             "00 01 00 00 08 02 00 01 7b 28 02 68 69\n"),              // INFORMATION, display only
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_FALSE(plan->steps[0].overlap);
  ASSERT_EQ(plan->skipped.size(), 1u);
  EXPECT_EQ(plan->skipped[0].why,
            "its INFORMATION has neither called number digits nor keypad digits (call.dial needs them)");
}

// Call rerouting of an offered call is call.redirect, with the number and
// reason of the invoke; the network's clearing ends the call, so prid's
// RELEASE is no call.drop.
TEST(ReplayPlanTest, ReroutingFacilityIsCallRedirect) {
  auto plan = PlanReplay(
      Hex("02 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"  // SETUP
          "00 01 00 00 08 02 80 01 01\n"                            // ALERTING
          // FACILITY: CallRerouting (14), cfnr, unknownPartyNumber 5553000
          "00 01 00 00 08 02 80 01 62 1c 1c 91 a1 19 02 01 01 02 01 0e 30 11 0a 01 03 30 09 80 07 35 35 35 33 "
          "30 30 30 02 01 01\n"
          "02 01 00 00 08 02 00 01 45 08 02 80 90\n"                 // DISCONNECT
          "00 01 00 00 08 02 80 01 4d\n"),                          // RELEASE
      false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 5u);
  EXPECT_EQ(plan->steps[2].action, NearAction::kRedirect);
  EXPECT_EQ(plan->steps[4].action, NearAction::kNone);
  EXPECT_TRUE(plan->skipped.empty());
  auto params = RedirectParams(plan->steps[2].message);
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, (nlohmann::json{{"number", {{"digits", "5553000"}, {"npi", "unknown"}}}, {"reason", "no_reply"}}));
}

// ETSI ECT: the EctLinkIdRequest is call.transfer to the call its
// ExplicitEctExecute goes on, which libpri sends by itself.
TEST(ReplayPlanTest, EctLinkIdRequestIsCallTransferToTheOtherCall) {
  auto plan = PlanReplay(
      Hex("00 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"  // call 1: SETUP
          "02 01 00 00 08 02 80 01 07\n"                            // CONNECT
          "00 01 00 00 08 02 00 02 05 18 03 a9 83 82 70 02 80 32\n"  // call 2: SETUP
          "02 01 00 00 08 02 80 02 07\n"                            // CONNECT
          "00 01 00 00 08 02 00 01 62 1c 0e 91 a1 0b 02 01 01 06 06 04 00 82 71 01 04\n"  // EctLinkIdRequest
          "02 01 00 00 08 02 80 01 62 1c 13 91 a2 10 02 01 01 30 0b 06 06 04 00 82 71 01 04 02 01 01\n"
          "00 01 00 00 08 02 00 02 62 1c 11 91 a1 0e 02 01 02 06 06 04 00 82 71 01 01 02 01 01\n"  // Execute
          "02 01 00 00 08 02 80 02 45 08 02 80 90\n"                 // call 2: DISCONNECT
          "00 01 00 00 08 02 00 02 4d\n"),                          // RELEASE
      false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->steps.size(), 9u);
  EXPECT_EQ(plan->steps[4].action, NearAction::kTransfer);
  EXPECT_EQ(plan->steps[4].call, 1);
  EXPECT_EQ(plan->steps[4].to_call, 2);
  EXPECT_EQ(plan->steps[6].action, NearAction::kNone);
  EXPECT_EQ(plan->steps[8].action, NearAction::kNone);
  EXPECT_TRUE(plan->skipped.empty()) << plan->skipped[0].why;
}

TEST(ReplayPlanTest, ProgressOnACallPridPlacedCannotBeReplayed) {
  auto plan = PlanReplay(Hex("00 01 00 00 08 02 00 01 05 18 03 a9 83 81 70 02 80 31\n"  // prid's SETUP
                             "00 01 00 00 08 02 00 01 03 1e 02 81 88\n"),              // prid's PROGRESS
                         false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->skipped.size(), 1u);
  EXPECT_EQ(plan->skipped[0].why, "prid sends PROGRESS (call.progress) only on a call it is offered");
  EXPECT_FALSE(plan->steps[0].skipped);
}

TEST(ReplayPlanTest, SetupWithNothingToDialIsSkipped) {
  auto plan = PlanReplay(Hex("00 01 00 00 08 02 00 01 05 18 03 a9 83 81\n"), false);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->skipped.size(), 1u);
  EXPECT_NE(plan->skipped[0].why.find("no called party number"), std::string::npos);
}

}  // namespace
}  // namespace prid::cli
