// Unit tests of q931/link_payload: unwrapping each supported pcap link type
// (LINUX_LAPD, LAPD, Ethernet and raw IP with Cisco's PRI backhaul) into the
// D-channel data of one record, one test per case and malformation.
#include "q931/link_payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Concat;
using ::prid::q931::testing::Hex;
using ::prid::q931::testing::ToHex;
using ::testing::HasSubstr;

// SETUP, call reference 1, no IEs.
const std::vector<std::uint8_t> kSetup = Hex("08 02 00 01 05");

// IPv4 (20 octets, no options) / TCP (20 octets) / Cisco backhaul header
// (12 octets, the last two the length of what follows) / `q931`.
std::vector<std::uint8_t> IpBackhaul(std::uint16_t sport, std::uint16_t dport,
                                     const std::vector<std::uint8_t>& q931,
                                     std::uint16_t declared_length) {
  const std::size_t total = 20 + 20 + 12 + q931.size();
  std::vector<std::uint8_t> ip = {0x45, 0x00, static_cast<std::uint8_t>(total >> 8),
                                  static_cast<std::uint8_t>(total), 0, 0, 0, 0, 0x40, 0x06,
                                  0, 0, 192, 168, 0, 1, 192, 168, 0, 2};
  std::vector<std::uint8_t> tcp = {static_cast<std::uint8_t>(sport >> 8),
                                   static_cast<std::uint8_t>(sport),
                                   static_cast<std::uint8_t>(dport >> 8),
                                   static_cast<std::uint8_t>(dport),
                                   0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0x20, 0x00, 0, 0, 0, 0};
  std::vector<std::uint8_t> backhaul = Hex("00 01 00 00 00 00 00 00 00 00");
  backhaul.push_back(static_cast<std::uint8_t>(declared_length >> 8));
  backhaul.push_back(static_cast<std::uint8_t>(declared_length));
  return Concat(Concat(Concat(ip, tcp), backhaul), q931);
}

std::vector<std::uint8_t> IpBackhaul(std::uint16_t sport, std::uint16_t dport,
                                     const std::vector<std::uint8_t>& q931) {
  return IpBackhaul(sport, dport, q931, static_cast<std::uint16_t>(q931.size()));
}

// Ethernet II (destination, source, EtherType 0x0800) around `ip`.
std::vector<std::uint8_t> Ethernet(const std::vector<std::uint8_t>& ip,
                                   std::string_view ether_type = "08 00") {
  return Concat(Concat(Hex("02 00 00 00 00 01 02 00 00 00 00 02"), Hex(ether_type)), ip);
}

TEST(LinkPayload, SupportedLinkTypesAreTheFiveItUnwraps) {
  EXPECT_TRUE(IsSupportedLinkType(pcap::kLinkTypeLinuxLapd));
  EXPECT_TRUE(IsSupportedLinkType(pcap::kLinkTypeLapd));
  EXPECT_TRUE(IsSupportedLinkType(kLinkTypeEthernet));
  EXPECT_TRUE(IsSupportedLinkType(kLinkTypeRaw));
  EXPECT_TRUE(IsSupportedLinkType(kLinkTypeIpv4));
  EXPECT_FALSE(IsSupportedLinkType(0));
  EXPECT_FALSE(IsSupportedLinkType(105));  // IEEE 802.11
}

TEST(LinkPayload, LinuxLapdReceivedFrameDropsThePseudoHeader) {
  // pkttype 0 (to us), addr[0] 0 (we are the user side), then a LAPD frame.
  const auto data = Hex("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 30  02 01 00 00 08 02 00 01 05");
  TraceRecord record;
  auto taken = TakeLinkPayload(pcap::kLinkTypeLinuxLapd, data, record);
  ASSERT_TRUE(taken.ok()) << taken.error();
  EXPECT_TRUE(*taken);
  EXPECT_EQ(ToHex(record.frame), "02 01 00 00 08 02 00 01 05");
  EXPECT_EQ(record.direction, FrameDirection::kReceived);
  EXPECT_FALSE(record.network_side);
  EXPECT_FALSE(record.q931_only);
}

TEST(LinkPayload, LinuxLapdOutgoingOnTheNetworkSideIsSentByTheNetwork) {
  const auto data = Hex("00 04 00 00 00 00 01 00 00 00 00 00 00 00 00 30  00 01 00 00");
  TraceRecord record;
  auto taken = TakeLinkPayload(pcap::kLinkTypeLinuxLapd, data, record);
  ASSERT_TRUE(taken.ok()) << taken.error();
  EXPECT_EQ(record.direction, FrameDirection::kSent);
  EXPECT_TRUE(record.network_side);
  EXPECT_EQ(ToHex(record.frame), "00 01 00 00");
}

TEST(LinkPayload, LinuxLapdOtherPacketTypeLeavesTheDirectionUnknown) {
  const auto data = Hex("00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 30  02 01 01 01");
  TraceRecord record;
  ASSERT_TRUE(TakeLinkPayload(pcap::kLinkTypeLinuxLapd, data, record).ok());
  EXPECT_FALSE(record.direction.has_value());
}

TEST(LinkPayload, LinuxLapdShorterThanItsPseudoHeaderIsAnError) {
  TraceRecord record;
  auto taken = TakeLinkPayload(pcap::kLinkTypeLinuxLapd, Hex("00 00 00 00 00 00 00 00"), record);
  ASSERT_FALSE(taken.ok());
  EXPECT_THAT(taken.error(), HasSubstr("too short for the 16-octet LINUX_LAPD pseudo-header"));
  EXPECT_THAT(taken.error(), HasSubstr("8 octets"));
  EXPECT_TRUE(record.frame.empty());
}

TEST(LinkPayload, LapdIsTheWholePacket) {
  TraceRecord record;
  auto taken = TakeLinkPayload(pcap::kLinkTypeLapd, Hex("02 01 00 00 08 02 00 01 05"), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(*taken);
  EXPECT_EQ(ToHex(record.frame), "02 01 00 00 08 02 00 01 05");
  EXPECT_FALSE(record.direction.has_value());
  EXPECT_FALSE(record.q931_only);
}

TEST(LinkPayload, EthernetBackhaulToPort2428IsQ931SentByTheNetworkSide) {
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeEthernet, Ethernet(IpBackhaul(40000, 2428, kSetup)), record);
  ASSERT_TRUE(taken.ok()) << taken.error();
  EXPECT_TRUE(*taken);
  EXPECT_EQ(ToHex(record.frame), "08 02 00 01 05");
  EXPECT_TRUE(record.q931_only);
  EXPECT_EQ(record.sent_by_network, true);
}

TEST(LinkPayload, BackhaulFromPort2428IsSentByTheUserSide) {
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeEthernet, Ethernet(IpBackhaul(2428, 40000, kSetup)), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(*taken);
  EXPECT_EQ(record.sent_by_network, false);
}

TEST(LinkPayload, EthernetWithOneVlanTagIsUnwrapped) {
  const auto tagged = Concat(Hex("00 64 08 00"), IpBackhaul(40000, 2428, kSetup));
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeEthernet, Ethernet(tagged, "81 00"), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(*taken);
  EXPECT_EQ(ToHex(record.frame), "08 02 00 01 05");
}

TEST(LinkPayload, RawIpBackhaulHasNoEthernetHeader) {
  for (std::uint32_t link_type : {kLinkTypeRaw, kLinkTypeIpv4}) {
    TraceRecord record;
    auto taken = TakeLinkPayload(link_type, IpBackhaul(40000, 2428, kSetup), record);
    ASSERT_TRUE(taken.ok()) << link_type;
    EXPECT_TRUE(*taken) << link_type;
    EXPECT_EQ(ToHex(record.frame), "08 02 00 01 05") << link_type;
  }
}

TEST(LinkPayload, MaintenanceMessagesAreQ931Too) {
  for (std::string_view pd : {"03", "43"}) {
    TraceRecord record;
    const auto message = Concat(Hex(pd), Hex("02 00 01 0f"));
    auto taken = TakeLinkPayload(kLinkTypeRaw, IpBackhaul(40000, 2428, message), record);
    ASSERT_TRUE(taken.ok());
    EXPECT_TRUE(*taken) << pd;
  }
}

TEST(LinkPayload, BackhaulKeepAliveIsNoDchannelData) {
  // A backhaul payload that is not Q.931 (protocol discriminator 0x00).
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeRaw, IpBackhaul(40000, 2428, Hex("00 00 00 00")), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(*taken);
  EXPECT_TRUE(record.frame.empty());
  EXPECT_FALSE(record.q931_only);
}

TEST(LinkPayload, OtherTcpTrafficIsNoDchannelData) {
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeEthernet, Ethernet(IpBackhaul(40000, 80, kSetup)), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(*taken);
  EXPECT_TRUE(record.frame.empty());
}

TEST(LinkPayload, NonIpv4EtherTypeIsNoDchannelData) {
  TraceRecord record;
  auto taken =
      TakeLinkPayload(kLinkTypeEthernet, Ethernet(IpBackhaul(40000, 2428, kSetup), "86 dd"), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(*taken);
}

TEST(LinkPayload, UdpIsNoDchannelData) {
  auto packet = IpBackhaul(40000, 2428, kSetup);
  packet[9] = 17;  // IP protocol: UDP
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeRaw, packet, record);
  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(*taken);
}

TEST(LinkPayload, TruncatedIpHeaderIsNoDchannelData) {
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeRaw, Hex("45 00 00 40 00 00"), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(*taken);
}

TEST(LinkPayload, EthernetFrameShorterThanItsHeaderIsAnError) {
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeEthernet, Hex("02 00 00 00 00 01 02 00 00 00"), record);
  ASSERT_FALSE(taken.ok());
  EXPECT_THAT(taken.error(), HasSubstr("Ethernet frame of 10 octets"));
}

TEST(LinkPayload, BackhaulLengthBeyondThePacketTakesWhatIsThere) {
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeRaw, IpBackhaul(40000, 2428, kSetup, 200), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(*taken);
  EXPECT_EQ(ToHex(record.frame), "08 02 00 01 05");
}

TEST(LinkPayload, BackhaulLengthShorterThanThePayloadCutsTheMessage) {
  TraceRecord record;
  auto taken = TakeLinkPayload(kLinkTypeRaw, IpBackhaul(40000, 2428, kSetup, 3), record);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(*taken);
  EXPECT_EQ(ToHex(record.frame), "08 02 00");
}

TEST(LinkPayload, UnsupportedLinkTypeIsAnError) {
  TraceRecord record;
  auto taken = TakeLinkPayload(105, Hex("00 01 02"), record);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error(), "unsupported link type 105");
}

}  // namespace
}  // namespace prid::q931
