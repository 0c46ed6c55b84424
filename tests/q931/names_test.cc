// Tests of the Q.931 message name and Q.850 cause name tables.
#include "q931/names.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "q931/message.h"

namespace prid::q931 {
namespace {

TEST(MessageNameTest, NamesTheMessagesOfTable4_2) {
  EXPECT_EQ(MessageName(msg::kAlerting), "ALERTING");
  EXPECT_EQ(MessageName(msg::kCallProceeding), "CALL PROCEEDING");
  EXPECT_EQ(MessageName(msg::kProgress), "PROGRESS");
  EXPECT_EQ(MessageName(msg::kSetup), "SETUP");
  EXPECT_EQ(MessageName(msg::kConnect), "CONNECT");
  EXPECT_EQ(MessageName(msg::kSetupAcknowledge), "SETUP ACKNOWLEDGE");
  EXPECT_EQ(MessageName(msg::kConnectAcknowledge), "CONNECT ACKNOWLEDGE");
  EXPECT_EQ(MessageName(msg::kUserInformation), "USER INFORMATION");
  EXPECT_EQ(MessageName(0x21), "SUSPEND REJECT");
  EXPECT_EQ(MessageName(0x22), "RESUME REJECT");
  EXPECT_EQ(MessageName(0x25), "SUSPEND");
  EXPECT_EQ(MessageName(0x26), "RESUME");
  EXPECT_EQ(MessageName(0x2D), "SUSPEND ACKNOWLEDGE");
  EXPECT_EQ(MessageName(0x2E), "RESUME ACKNOWLEDGE");
  EXPECT_EQ(MessageName(msg::kDisconnect), "DISCONNECT");
  EXPECT_EQ(MessageName(msg::kRestart), "RESTART");
  EXPECT_EQ(MessageName(msg::kRelease), "RELEASE");
  EXPECT_EQ(MessageName(msg::kRestartAcknowledge), "RESTART ACKNOWLEDGE");
  EXPECT_EQ(MessageName(msg::kReleaseComplete), "RELEASE COMPLETE");
  EXPECT_EQ(MessageName(0x60), "SEGMENT");
  EXPECT_EQ(MessageName(msg::kFacility), "FACILITY");
  EXPECT_EQ(MessageName(0x64), "REGISTER");
  EXPECT_EQ(MessageName(msg::kNotify), "NOTIFY");
  EXPECT_EQ(MessageName(msg::kStatusEnquiry), "STATUS ENQUIRY");
  EXPECT_EQ(MessageName(0x79), "CONGESTION CONTROL");
  EXPECT_EQ(MessageName(msg::kInformation), "INFORMATION");
  EXPECT_EQ(MessageName(msg::kStatus), "STATUS");
}

TEST(MessageNameTest, NamesTheQ932HoldAndRetrieveMessages) {
  EXPECT_EQ(MessageName(msg::kHold), "HOLD");
  EXPECT_EQ(MessageName(0x28), "HOLD ACKNOWLEDGE");
  EXPECT_EQ(MessageName(0x30), "HOLD REJECT");
  EXPECT_EQ(MessageName(msg::kRetrieve), "RETRIEVE");
  EXPECT_EQ(MessageName(0x33), "RETRIEVE ACKNOWLEDGE");
  EXPECT_EQ(MessageName(0x37), "RETRIEVE REJECT");
}

TEST(MessageNameTest, NamesTheFacilityAnswersOfTheNorthAmericanVariants) {
  EXPECT_EQ(MessageName(0x72), "FACILITY ACKNOWLEDGE");
  EXPECT_EQ(MessageName(0x7A), "FACILITY REJECT");
}

TEST(MessageNameTest, UnknownTypesAreUnknown) {
  EXPECT_EQ(MessageName(0x00), "UNKNOWN");
  EXPECT_EQ(MessageName(0x13), "UNKNOWN");
  EXPECT_EQ(MessageName(0x7F), "UNKNOWN");
  EXPECT_EQ(MessageName(0xFF), "UNKNOWN");
}

TEST(MessageNameTest, MaintenanceDiscriminatorNamesServiceMessages) {
  EXPECT_EQ(MessageName(0x03, 0x0F), "SERVICE");
  EXPECT_EQ(MessageName(0x43, 0x07), "SERVICE ACKNOWLEDGE");
  EXPECT_EQ(MessageName(0x03, 0x05), "UNKNOWN");
  EXPECT_EQ(MessageName(kPdQ931, 0x0F), "CONNECT ACKNOWLEDGE");
}

TEST(MessageNameTest, TypeFromNameInvertsMessageName) {
  int named = 0;
  for (int t = 0; t < 256; ++t) {
    const auto name = MessageName(static_cast<std::uint8_t>(t));
    if (name == "UNKNOWN") continue;
    ++named;
    EXPECT_EQ(MessageTypeFromName(name), t) << name;
  }
  // Table 4-2's 33 plus the Q.932 FACILITY ACKNOWLEDGE / FACILITY REJECT.
  EXPECT_EQ(named, 35);
  EXPECT_FALSE(MessageTypeFromName("UNKNOWN").has_value());
  EXPECT_FALSE(MessageTypeFromName("disconnect").has_value());
}

struct CauseCase {
  int value;
  const char* name;
};

TEST(CauseNameTest, NamesTheCommonQ850Causes) {
  const CauseCase cases[] = {
      {1, "unallocated_number"},
      {2, "no_route_to_transit_network"},
      {3, "no_route_to_destination"},
      {6, "channel_unacceptable"},
      {7, "call_awarded_delivered"},
      {16, "normal_clearing"},
      {17, "user_busy"},
      {18, "no_user_responding"},
      {19, "no_answer"},
      {20, "subscriber_absent"},
      {21, "call_rejected"},
      {22, "number_changed"},
      {26, "non_selected_user_clearing"},
      {27, "destination_out_of_order"},
      {28, "invalid_number_format"},
      {29, "facility_rejected"},
      {30, "response_to_status_enquiry"},
      {31, "normal_unspecified"},
      {34, "no_circuit_available"},
      {38, "network_out_of_order"},
      {41, "temporary_failure"},
      {42, "switching_equipment_congestion"},
      {43, "access_information_discarded"},
      {44, "requested_channel_unavailable"},
      {47, "resource_unavailable"},
      {49, "qos_unavailable"},
      {50, "facility_not_subscribed"},
      {57, "bearer_capability_not_authorized"},
      {58, "bearer_capability_not_available"},
      {63, "service_unavailable"},
      {65, "bearer_capability_not_implemented"},
      {66, "channel_type_not_implemented"},
      {69, "facility_not_implemented"},
      {70, "only_restricted_digital"},
      {79, "service_not_implemented"},
      {81, "invalid_call_reference"},
      {82, "identified_channel_does_not_exist"},
      {88, "incompatible_destination"},
      {95, "invalid_message"},
      {96, "mandatory_ie_missing"},
      {97, "message_type_nonexistent"},
      {98, "message_not_compatible_with_state"},
      {99, "ie_nonexistent"},
      {100, "invalid_ie_contents"},
      {101, "message_not_compatible_with_call_state"},
      {102, "recovery_on_timer_expiry"},
      {111, "protocol_error"},
      {127, "interworking"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CauseName(static_cast<std::uint8_t>(c.value)), c.name) << c.value;
    EXPECT_EQ(CauseFromName(c.name), c.value) << c.name;
  }
}

TEST(CauseNameTest, NamesTheOtherAssignedQ850Causes) {
  EXPECT_EQ(CauseName(4), "send_special_information_tone");
  EXPECT_EQ(CauseName(8), "preemption");
  EXPECT_EQ(CauseName(23), "redirection_to_new_destination");
  EXPECT_EQ(CauseName(53), "outgoing_calls_barred_within_cug");
  EXPECT_EQ(CauseName(103), "parameter_nonexistent_passed_on");
  EXPECT_EQ(CauseName(110), "message_with_unrecognized_parameter_discarded");
}

TEST(CauseNameTest, UnassignedValuesGetCauseN) {
  EXPECT_EQ(CauseName(0), "cause_0");
  EXPECT_EQ(CauseName(15), "cause_15");
  EXPECT_EQ(CauseName(126), "cause_126");
  EXPECT_EQ(CauseName(200), "cause_200");
  EXPECT_EQ(CauseText(15), "Unassigned cause value");
  EXPECT_FALSE(CauseFromName("cause_15").has_value());
  EXPECT_FALSE(CauseFromName("cause_16").has_value());
  EXPECT_FALSE(CauseFromName("").has_value());
  EXPECT_FALSE(CauseFromName("Normal call clearing").has_value());
}

TEST(CauseNameTest, TextIsQ850Wording) {
  EXPECT_EQ(CauseText(1), "Unallocated (unassigned) number");
  EXPECT_EQ(CauseText(16), "Normal call clearing");
  EXPECT_EQ(CauseText(17), "User busy");
  EXPECT_EQ(CauseText(19), "No answer from user (user alerted)");
  EXPECT_EQ(CauseText(31), "Normal, unspecified");
  EXPECT_EQ(CauseText(34), "No circuit/channel available");
  EXPECT_EQ(CauseText(127), "Interworking, unspecified");
}

TEST(CauseNameTest, NamesAreUniqueSnakeCaseAndInvertible) {
  std::set<std::string> seen;
  int assigned = 0;
  for (int v = 0; v < 128; ++v) {
    const auto name = CauseName(static_cast<std::uint8_t>(v));
    for (char c : name)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << name;
    EXPECT_TRUE(seen.insert(std::string(name)).second) << name;
    if (name.starts_with("cause_")) {
      EXPECT_EQ(name, "cause_" + std::to_string(v));
      EXPECT_EQ(CauseText(static_cast<std::uint8_t>(v)), "Unassigned cause value");
      continue;
    }
    ++assigned;
    EXPECT_EQ(CauseFromName(name), v) << name;
    EXPECT_NE(CauseText(static_cast<std::uint8_t>(v)), "Unassigned cause value") << v;
  }
  EXPECT_EQ(assigned, 70);
}

}  // namespace
}  // namespace prid::q931
