// Name tables for Q.931 message types and Q.850 cause values.
#include "q931/names.h"

#include <array>
#include <span>
#include <string>

namespace prid::q931 {
namespace {

struct MessageEntry {
  std::uint8_t type;
  std::string_view name;
};

// Q.931 Table 4-2 (with the Q.932 supplementary-service messages it refers
// to: FACILITY, REGISTER, HOLD/RETRIEVE and their answers).
constexpr MessageEntry kMessages[] = {
    // Call establishment messages.
    {0x01, "ALERTING"},
    {0x02, "CALL PROCEEDING"},
    {0x03, "PROGRESS"},
    {0x05, "SETUP"},
    {0x07, "CONNECT"},
    {0x0D, "SETUP ACKNOWLEDGE"},
    {0x0F, "CONNECT ACKNOWLEDGE"},
    // Call information phase messages.
    {0x20, "USER INFORMATION"},
    {0x21, "SUSPEND REJECT"},
    {0x22, "RESUME REJECT"},
    {0x24, "HOLD"},
    {0x25, "SUSPEND"},
    {0x26, "RESUME"},
    {0x28, "HOLD ACKNOWLEDGE"},
    {0x2D, "SUSPEND ACKNOWLEDGE"},
    {0x2E, "RESUME ACKNOWLEDGE"},
    {0x30, "HOLD REJECT"},
    {0x31, "RETRIEVE"},
    {0x33, "RETRIEVE ACKNOWLEDGE"},
    {0x37, "RETRIEVE REJECT"},
    // Call clearing messages.
    {0x45, "DISCONNECT"},
    {0x46, "RESTART"},
    {0x4D, "RELEASE"},
    {0x4E, "RESTART ACKNOWLEDGE"},
    {0x5A, "RELEASE COMPLETE"},
    // Miscellaneous messages.
    {0x60, "SEGMENT"},
    {0x62, "FACILITY"},
    {0x64, "REGISTER"},
    {0x6E, "NOTIFY"},
    {0x75, "STATUS ENQUIRY"},
    {0x79, "CONGESTION CONTROL"},
    {0x7B, "INFORMATION"},
    {0x7D, "STATUS"},
    // Q.932 / 5ESS and NI-2 supplementary-service answers.
    {0x72, "FACILITY ACKNOWLEDGE"},
    {0x7A, "FACILITY REJECT"},
};

// Maintenance messages (protocol discriminator 0x03 / 0x43, as in ANSI
// T1.607 and the NI-2 / 5ESS / DMS-100 profiles).
constexpr MessageEntry kMaintenanceMessages[] = {
    {0x07, "SERVICE ACKNOWLEDGE"},
    {0x0F, "SERVICE"},
};

struct IeEntry {
  std::uint8_t codeset;
  std::uint8_t id;
  std::string_view name;
};

// Q.931 Table 4-3 (codeset 0), Q.932 and Q.951/Q.952 additions, and the
// codeset 5/6 IEs of ETSI and the North American variants (as libpri knows
// them).
constexpr IeEntry kIes[] = {
    {0, 0x00, "Segmented message"},
    {0, 0x01, "Change status"},
    {0, 0x04, "Bearer capability"},
    {0, 0x08, "Cause"},
    {0, 0x0C, "Connected address"},
    {0, 0x10, "Call identity"},
    {0, 0x14, "Call state"},
    {0, 0x18, "Channel identification"},
    {0, 0x1C, "Facility"},
    {0, 0x1E, "Progress indicator"},
    {0, 0x20, "Network-specific facilities"},
    {0, 0x26, "Endpoint identification"},
    {0, 0x27, "Notification indicator"},
    {0, 0x28, "Display"},
    {0, 0x29, "Date/time"},
    {0, 0x2C, "Keypad facility"},
    {0, 0x2D, "Call status"},
    {0, 0x31, "Update"},
    {0, 0x32, "Information request"},
    {0, 0x34, "Signal"},
    {0, 0x36, "Switchhook"},
    {0, 0x38, "Feature activation"},
    {0, 0x39, "Feature indication"},
    {0, 0x40, "Information rate"},
    {0, 0x42, "End-to-end transit delay"},
    {0, 0x43, "Transit delay selection and indication"},
    {0, 0x44, "Packet layer binary parameters"},
    {0, 0x45, "Packet layer window size"},
    {0, 0x46, "Packet size"},
    {0, 0x47, "Closed user group"},
    {0, 0x4A, "Reverse charging indication"},
    {0, 0x4C, "Connected number"},
    {0, 0x4D, "Connected subaddress"},
    {0, 0x6C, "Calling party number"},
    {0, 0x6D, "Calling party subaddress"},
    {0, 0x70, "Called party number"},
    {0, 0x71, "Called party subaddress"},
    {0, 0x73, "Original called number"},
    {0, 0x74, "Redirecting number"},
    {0, 0x75, "Redirecting subaddress"},
    {0, 0x76, "Redirection number"},
    {0, 0x77, "Redirection subaddress"},
    {0, 0x78, "Transit network selection"},
    {0, 0x79, "Restart indicator"},
    {0, 0x7A, "User-user facility"},
    {0, 0x7C, "Low layer compatibility"},
    {0, 0x7D, "High layer compatibility"},
    {0, 0x7E, "User-user"},
    {0, 0x7F, "Escape for extension"},
    {5, 0x32, "Calling party category"},
    {6, 0x01, "Originating line information"},
    {6, 0x28, "Display"},
    {6, 0x37, "Generic digits"},
};

struct CauseEntry {
  std::uint8_t value;
  std::string_view name;  // snake case identifier for logs, JSON and config
  std::string_view text;  // Q.850 Table 1 wording
};

// Q.850 Table 1: every assigned cause value.
constexpr CauseEntry kCauses[] = {
    {1, "unallocated_number", "Unallocated (unassigned) number"},
    {2, "no_route_to_transit_network", "No route to specified transit network"},
    {3, "no_route_to_destination", "No route to destination"},
    {4, "send_special_information_tone", "Send special information tone"},
    {5, "misdialled_trunk_prefix", "Misdialled trunk prefix"},
    {6, "channel_unacceptable", "Channel unacceptable"},
    {7, "call_awarded_delivered", "Call awarded and being delivered in an established channel"},
    {8, "preemption", "Preemption"},
    {9, "preemption_circuit_reserved", "Preemption - circuit reserved for reuse"},
    {14, "qor_ported_number", "QoR: ported number"},
    {16, "normal_clearing", "Normal call clearing"},
    {17, "user_busy", "User busy"},
    {18, "no_user_responding", "No user responding"},
    {19, "no_answer", "No answer from user (user alerted)"},
    {20, "subscriber_absent", "Subscriber absent"},
    {21, "call_rejected", "Call rejected"},
    {22, "number_changed", "Number changed"},
    {23, "redirection_to_new_destination", "Redirection to new destination"},
    {25, "exchange_routing_error", "Exchange routing error"},
    {26, "non_selected_user_clearing", "Non-selected user clearing"},
    {27, "destination_out_of_order", "Destination out of order"},
    {28, "invalid_number_format", "Invalid number format (address incomplete)"},
    {29, "facility_rejected", "Facility rejected"},
    {30, "response_to_status_enquiry", "Response to STATUS ENQUIRY"},
    {31, "normal_unspecified", "Normal, unspecified"},
    {34, "no_circuit_available", "No circuit/channel available"},
    {38, "network_out_of_order", "Network out of order"},
    {39, "permanent_frame_connection_out_of_service",
     "Permanent frame mode connection out of service"},
    {40, "permanent_frame_connection_operational", "Permanent frame mode connection operational"},
    {41, "temporary_failure", "Temporary failure"},
    {42, "switching_equipment_congestion", "Switching equipment congestion"},
    {43, "access_information_discarded", "Access information discarded"},
    {44, "requested_channel_unavailable", "Requested circuit/channel not available"},
    {46, "precedence_call_blocked", "Precedence call blocked"},
    {47, "resource_unavailable", "Resource unavailable, unspecified"},
    {49, "qos_unavailable", "Quality of service not available"},
    {50, "facility_not_subscribed", "Requested facility not subscribed"},
    {53, "outgoing_calls_barred_within_cug", "Outgoing calls barred within CUG"},
    {55, "incoming_calls_barred_within_cug", "Incoming calls barred within CUG"},
    {57, "bearer_capability_not_authorized", "Bearer capability not authorized"},
    {58, "bearer_capability_not_available", "Bearer capability not presently available"},
    {62, "inconsistent_outgoing_access_and_subscriber_class",
     "Inconsistency in designated outgoing access information and subscriber class"},
    {63, "service_unavailable", "Service or option not available, unspecified"},
    {65, "bearer_capability_not_implemented", "Bearer capability not implemented"},
    {66, "channel_type_not_implemented", "Channel type not implemented"},
    {69, "facility_not_implemented", "Requested facility not implemented"},
    {70, "only_restricted_digital",
     "Only restricted digital information bearer capability is available"},
    {79, "service_not_implemented", "Service or option not implemented, unspecified"},
    {81, "invalid_call_reference", "Invalid call reference value"},
    {82, "identified_channel_does_not_exist", "Identified channel does not exist"},
    {83, "suspended_call_exists_but_not_this_identity",
     "A suspended call exists, but this call identity does not"},
    {84, "call_identity_in_use", "Call identity in use"},
    {85, "no_call_suspended", "No call suspended"},
    {86, "call_identity_cleared", "Call having the requested call identity has been cleared"},
    {87, "user_not_member_of_cug", "User not member of CUG"},
    {88, "incompatible_destination", "Incompatible destination"},
    {90, "non_existent_cug", "Non-existent CUG"},
    {91, "invalid_transit_network_selection", "Invalid transit network selection"},
    {95, "invalid_message", "Invalid message, unspecified"},
    {96, "mandatory_ie_missing", "Mandatory information element is missing"},
    {97, "message_type_nonexistent", "Message type non-existent or not implemented"},
    {98, "message_not_compatible_with_state",
     "Message not compatible with call state or message type non-existent or not implemented"},
    {99, "ie_nonexistent", "Information element/parameter non-existent or not implemented"},
    {100, "invalid_ie_contents", "Invalid information element contents"},
    {101, "message_not_compatible_with_call_state", "Message not compatible with call state"},
    {102, "recovery_on_timer_expiry", "Recovery on timer expiry"},
    {103, "parameter_nonexistent_passed_on",
     "Parameter non-existent or not implemented, passed on"},
    {110, "message_with_unrecognized_parameter_discarded",
     "Message with unrecognized parameter, discarded"},
    {111, "protocol_error", "Protocol error, unspecified"},
    {127, "interworking", "Interworking, unspecified"},
};

const CauseEntry* FindCause(std::uint8_t cause) {
  for (const auto& c : kCauses) {
    if (c.value == cause) return &c;
  }
  return nullptr;
}

std::string_view FindMessage(std::span<const MessageEntry> table, std::uint8_t type) {
  for (const auto& m : table) {
    if (m.type == type) return m.name;
  }
  return "UNKNOWN";
}

// "cause_0" … "cause_255", built once; string_views into it stay valid.
const std::array<std::string, 256>& UnassignedCauseNames() {
  static const auto* names = [] {
    auto* a = new std::array<std::string, 256>;
    for (std::size_t i = 0; i < a->size(); ++i) (*a)[i] = "cause_" + std::to_string(i);
    return a;
  }();
  return *names;
}

}  // namespace

std::string_view MessageName(std::uint8_t message_type) {
  return FindMessage(kMessages, message_type);
}

std::string_view MessageName(std::uint8_t protocol_discriminator, std::uint8_t message_type) {
  if (protocol_discriminator == 0x03 || protocol_discriminator == 0x43) {
    return FindMessage(kMaintenanceMessages, message_type);
  }
  return FindMessage(kMessages, message_type);
}

std::optional<std::uint8_t> MessageTypeFromName(std::string_view name) {
  for (const auto& m : kMessages) {
    if (m.name == name) return m.type;
  }
  return std::nullopt;
}

std::string_view IeName(std::uint8_t codeset, std::uint8_t id) {
  // Q.931 4.5.1 Table 4-3: single-octet IEs, the same in every codeset.
  if (id & 0x80) {
    switch (id & 0xF0) {
      case 0x90:
        return (id & 0x08) ? "Non-locking shift" : "Locking shift";
      case 0xB0:
        return "Congestion level";
      case 0xD0:
        return "Repeat indicator";
    }
    if (id == 0xA0) return "More data";
    if (id == 0xA1) return "Sending complete";
    return "Unknown";
  }
  for (const auto& e : kIes) {
    if (e.codeset == codeset && e.id == id) return e.name;
  }
  return codeset == 7 ? "User-specific" : "Unknown";
}

std::string_view CauseName(std::uint8_t cause) {
  if (const CauseEntry* c = FindCause(cause)) return c->name;
  return UnassignedCauseNames()[cause];
}

std::string_view CauseText(std::uint8_t cause) {
  if (const CauseEntry* c = FindCause(cause)) return c->text;
  return "Unassigned cause value";
}

std::optional<std::uint8_t> CauseFromName(std::string_view name) {
  for (const auto& c : kCauses) {
    if (c.name == name) return c.value;
  }
  return std::nullopt;
}

}  // namespace prid::q931
