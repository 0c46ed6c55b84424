// Writes D-channel frames as a pcap file with LINKTYPE_LINUX_LAPD (177):
// a 16-octet pseudo-header (pkttype 0 = received by us / 4 = sent by us,
// hatype 8445, halen 1, addr[0] = 1 when we are the network side, protocol
// 0x0030) before each LAPD frame. Frames never carry FCS octets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "base/expected.h"
#include "base/time_format.h"

namespace prid::q931 {

enum class FrameDirection { kReceived, kSent };

// Constants of the classic pcap format and of LINKTYPE_LINUX_LAPD, shared
// with the pcap reader.
namespace pcap {
inline constexpr std::uint32_t kMagicMicroseconds = 0xA1B2C3D4;
inline constexpr std::uint32_t kMagicNanoseconds = 0xA1B23C4D;
inline constexpr std::uint16_t kVersionMajor = 2;
inline constexpr std::uint16_t kVersionMinor = 4;
inline constexpr std::uint32_t kSnapLength = 65535;
inline constexpr std::size_t kFileHeaderLength = 24;
inline constexpr std::size_t kRecordHeaderLength = 16;

// LINKTYPE_LINUX_LAPD: each record starts with a 16-octet big-endian
// pseudo-header (sll-like): pkttype, hatype, halen, addr[8], protocol.
inline constexpr std::uint32_t kLinkTypeLinuxLapd = 177;
// LINKTYPE_LAPD: the bare LAPD frame (address, control, information).
inline constexpr std::uint32_t kLinkTypeLapd = 203;
inline constexpr std::size_t kLinuxLapdHeaderLength = 16;
inline constexpr std::uint16_t kPacketHost = 0;      // received by us
inline constexpr std::uint16_t kPacketOutgoing = 4;  // sent by us
inline constexpr std::uint16_t kHaTypeLapd = 8445;   // ARPHRD_LAPD
inline constexpr std::uint16_t kProtocolLapd = 0x0030;  // ETH_P_LAPD
}  // namespace pcap

// Each Write is flushed to the file at once (traces are small, and a trace
// must be complete even if the daemon dies). Errors name the file.
class PcapWriter {
 public:
  // Creates (or truncates) `path` and writes the pcap file header
  // (little-endian, magic 0xa1b2c3d4, v2.4, snaplen 65535, link type 177).
  static base::Result<PcapWriter> Open(const std::string& path, bool we_are_network);
  PcapWriter(PcapWriter&&) noexcept;
  PcapWriter& operator=(PcapWriter&&) noexcept;
  ~PcapWriter();

  // One record, microsecond timestamp. Fails on a moved-from writer and for
  // frames that do not fit the snapshot length.
  base::Status Write(base::WallTime time, FrameDirection direction,
                     std::span<const std::uint8_t> frame);
  base::Status Flush();

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const;
  };
  PcapWriter(std::unique_ptr<std::FILE, FileCloser> file, bool we_are_network);
  std::unique_ptr<std::FILE, FileCloser> file_;
  bool we_are_network_ = false;
  std::string path_;  // for error messages
};

}  // namespace prid::q931
