// Name tables: Q.931 message names, IE names and Q.850 cause values, one
// table each.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace prid::q931 {

// "DISCONNECT", "RELEASE COMPLETE", … as in Q.931; "UNKNOWN" otherwise.
std::string_view MessageName(std::uint8_t message_type);
// As above, but the maintenance protocol discriminators 0x03 and 0x43 give
// "SERVICE" (0x0F) and "SERVICE ACKNOWLEDGE" (0x07).
std::string_view MessageName(std::uint8_t protocol_discriminator, std::uint8_t message_type);
// Inverse of MessageName(message_type) for the names it knows.
std::optional<std::uint8_t> MessageTypeFromName(std::string_view name);

// Information element names as in Q.931 Table 4-3 ("Cause", "Channel
// identification"), codeset 0 plus the national codeset 5/6 IEs the switch
// variants use; single-octet IEs by their type (0x9x "Shift", 0xA1 "Sending
// complete"); "Unknown" otherwise ("User-specific" in codeset 7).
std::string_view IeName(std::uint8_t codeset, std::uint8_t id);

// Q.850 cause identifiers in snake case: 16 → "normal_clearing",
// 17 → "user_busy", 21 → "call_rejected"; "cause_N" for unassigned values.
std::string_view CauseName(std::uint8_t cause);
// Q.850's text: 16 → "Normal call clearing"; "Unassigned cause value" for
// unassigned values.
std::string_view CauseText(std::uint8_t cause);
// Inverse of CauseName for assigned values.
std::optional<std::uint8_t> CauseFromName(std::string_view name);

}  // namespace prid::q931
