// Link-layer unwrapping of captured packets into LAPD frames or Q.931.
#include "q931/link_payload.h"

#include <fmt/format.h>

namespace prid::q931 {
namespace {

std::uint16_t Be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

// (Ethernet II, optionally with one 802.1Q tag, or raw IP) / IPv4 / TCP to or from port
// 2428 whose payload is Cisco's backhaul header (12 octets, the last two
// the length of what follows) and a Q.931 message.
base::Result<bool> TakeBackhaul(std::span<const std::uint8_t> d, bool ethernet,
                                TraceRecord& record) {
  std::size_t pos = 0;
  if (ethernet) {
    pos = 12;
    if (d.size() < 14) return base::Fail(fmt::format("Ethernet frame of {} octets", d.size()));
    std::uint16_t ether_type = Be16(&d[pos]);
    pos += 2;
    if (ether_type == 0x8100 && d.size() >= pos + 4) {
      ether_type = Be16(&d[pos + 2]);
      pos += 4;
    }
    if (ether_type != 0x0800) return false;
  }
  if (d.size() < pos + 20) return false;
  const std::size_t ihl = (d[pos] & 0x0F) * 4u;
  if ((d[pos] >> 4) != 4 || ihl < 20 || d[pos + 9] != 6) return false;  // IPv4, TCP
  const std::size_t ip_total = Be16(&d[pos + 2]);
  const std::size_t ip_end = std::min(d.size(), pos + ip_total);
  pos += ihl;
  if (ip_end < pos + 20) return false;
  const std::uint16_t sport = Be16(&d[pos]);
  const std::uint16_t dport = Be16(&d[pos + 2]);
  if (sport != kCiscoBackhaulPort && dport != kCiscoBackhaulPort) return false;
  const std::size_t tcp_header = (d[pos + 12] >> 4) * 4u;
  pos += tcp_header;
  if (ip_end < pos + 13) return false;
  const std::size_t length = Be16(&d[pos + 10]);
  // Only Q.931 (protocol discriminator 0x08 or maintenance 0x03 / 0x43).
  const std::uint8_t pd = d[pos + 12];
  if (pd != 0x08 && pd != 0x03 && pd != 0x43) return false;
  const std::size_t take = std::min(length, ip_end - (pos + 12));
  record.frame.assign(d.begin() + static_cast<std::ptrdiff_t>(pos + 12),
                      d.begin() + static_cast<std::ptrdiff_t>(pos + 12 + take));
  record.q931_only = true;
  // The gateway (relaying the network side) connects to the call agent's
  // port 2428.
  record.sent_by_network = dport == kCiscoBackhaulPort;
  return true;
}

}  // namespace

bool IsSupportedLinkType(std::uint32_t link_type) {
  return link_type == pcap::kLinkTypeLinuxLapd || link_type == pcap::kLinkTypeLapd ||
         link_type == kLinkTypeEthernet || link_type == kLinkTypeRaw || link_type == kLinkTypeIpv4;
}

base::Result<bool> TakeLinkPayload(std::uint32_t link_type, std::span<const std::uint8_t> data,
                                   TraceRecord& record) {
  switch (link_type) {
    case pcap::kLinkTypeLinuxLapd: {
      if (data.size() < pcap::kLinuxLapdHeaderLength) {
        return base::Fail(fmt::format(
            "record of {} octets is too short for the 16-octet LINUX_LAPD pseudo-header",
            data.size()));
      }
      const std::uint16_t pkttype = Be16(data.data());
      if (pkttype == pcap::kPacketHost) record.direction = FrameDirection::kReceived;
      if (pkttype == pcap::kPacketOutgoing) record.direction = FrameDirection::kSent;
      record.network_side = data[6] != 0;  // addr[0]
      record.frame.assign(data.begin() + pcap::kLinuxLapdHeaderLength, data.end());
      return true;
    }
    case pcap::kLinkTypeLapd:
      record.frame.assign(data.begin(), data.end());
      return true;
    case kLinkTypeEthernet:
      return TakeBackhaul(data, true, record);
    case kLinkTypeRaw:
    case kLinkTypeIpv4:
      return TakeBackhaul(data, false, record);
  }
  return base::Fail(fmt::format("unsupported link type {}", link_type));
}

}  // namespace prid::q931
