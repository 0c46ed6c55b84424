// The D-channel data of one captured packet, by pcap link type: LINUX_LAPD
// (177, with its pseudo-header), LAPD (203, bare frames), and Ethernet (1)
// or raw IP (101, 228) carrying Cisco's PRI backhaul (Q.931 over TCP port
// 2428 after a 12-octet header).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "base/expected.h"
#include "q931/trace_record.h"

namespace prid::q931 {

inline constexpr std::uint32_t kLinkTypeEthernet = 1;
inline constexpr std::uint32_t kLinkTypeRaw = 101;  // raw IPv4 or IPv6
inline constexpr std::uint32_t kLinkTypeIpv4 = 228;
inline constexpr std::uint16_t kCiscoBackhaulPort = 2428;

bool IsSupportedLinkType(std::uint32_t link_type);

// Fills `record.frame`, `direction`, `network_side` and `q931_only`.
// Returns false (and leaves `record` alone) for a packet with no D-channel
// data (other Ethernet traffic, backhaul keep-alives); an error (the reason
// only) for a packet too short for its link header.
base::Result<bool> TakeLinkPayload(std::uint32_t link_type, std::span<const std::uint8_t> data,
                                   TraceRecord& record);

}  // namespace prid::q931
