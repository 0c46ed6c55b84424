// Classic pcap reading for LINKTYPE_LINUX_LAPD and LINKTYPE_LAPD captures.
#include "q931/pcap_reader.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

namespace prid::q931 {
namespace {

constexpr std::uint32_t kMagicPcapng = 0x0A0D0D0A;  // section header block

std::uint32_t Le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}
std::uint32_t Be32(const std::uint8_t* p) {
  return std::uint32_t{p[3]} | std::uint32_t{p[2]} << 8 | std::uint32_t{p[1]} << 16 |
         std::uint32_t{p[0]} << 24;
}
std::uint16_t Be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

base::Result<std::vector<PcapRecord>> ParsePcap(std::span<const std::uint8_t> bytes,
                                                const std::string& name) {
  const auto fail = [&name](std::size_t offset, const std::string& reason) {
    return base::Fail(fmt::format("{}: offset {}: {}", name, offset, reason));
  };
  const std::size_t n = bytes.size();
  if (n < pcap::kFileHeaderLength) {
    return fail(0, fmt::format("too short for a pcap file header ({} octets)", n));
  }
  const std::uint8_t* p = bytes.data();
  bool big_endian = false;
  bool nanoseconds = false;
  const std::uint32_t magic = Le32(p);
  if (magic == pcap::kMagicMicroseconds || magic == pcap::kMagicNanoseconds) {
    nanoseconds = magic == pcap::kMagicNanoseconds;
  } else if (Be32(p) == pcap::kMagicMicroseconds || Be32(p) == pcap::kMagicNanoseconds) {
    big_endian = true;
    nanoseconds = Be32(p) == pcap::kMagicNanoseconds;
  } else if (magic == kMagicPcapng) {
    return fail(0, "pcapng is not supported (classic pcap only; convert with editcap -F pcap)");
  } else {
    return fail(0, fmt::format("not a pcap file (magic 0x{:08x})", Be32(p)));
  }
  const auto u32 = [big_endian](const std::uint8_t* q) { return big_endian ? Be32(q) : Le32(q); };

  // The link type is the low 16 bits of the header's last field (the upper
  // bits carry FCS information some writers set).
  const std::uint32_t link_type = u32(p + 20) & 0xFFFF;
  if (link_type != pcap::kLinkTypeLinuxLapd && link_type != pcap::kLinkTypeLapd) {
    return fail(
        20, fmt::format("unsupported link type {} (need 177 LINUX_LAPD or 203 LAPD)", link_type));
  }

  std::vector<PcapRecord> records;
  std::size_t pos = pcap::kFileHeaderLength;
  while (pos < n) {
    if (n - pos < pcap::kRecordHeaderLength) {
      return fail(pos, fmt::format("truncated record header ({} of 16 octets)", n - pos));
    }
    const std::uint32_t seconds = u32(p + pos);
    const std::uint32_t fraction = u32(p + pos + 4);
    const std::uint32_t captured = u32(p + pos + 8);
    const std::size_t left = n - pos - pcap::kRecordHeaderLength;
    if (captured > left) {
      return fail(pos,
                  fmt::format("truncated record (header says {} octets, {} left)", captured, left));
    }
    const std::uint8_t* data = p + pos + pcap::kRecordHeaderLength;

    PcapRecord record;
    const std::chrono::nanoseconds since_epoch =
        std::chrono::seconds(seconds) +
        (nanoseconds ? std::chrono::nanoseconds(fraction) : std::chrono::microseconds(fraction));
    record.time = base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(since_epoch));
    std::size_t skip = 0;
    if (link_type == pcap::kLinkTypeLinuxLapd) {
      if (captured < pcap::kLinuxLapdHeaderLength) {
        return fail(pos, fmt::format("record of {} octets is too short for the 16-octet "
                                     "LINUX_LAPD pseudo-header",
                                     captured));
      }
      const std::uint16_t pkttype = Be16(data);
      if (pkttype == pcap::kPacketHost) record.direction = FrameDirection::kReceived;
      if (pkttype == pcap::kPacketOutgoing) record.direction = FrameDirection::kSent;
      record.network_side = data[6] != 0;  // addr[0]
      skip = pcap::kLinuxLapdHeaderLength;
    }
    record.frame.assign(data + skip, data + captured);
    records.push_back(std::move(record));
    pos += pcap::kRecordHeaderLength + captured;
  }
  return records;
}

base::Result<std::vector<PcapRecord>> ReadPcapFile(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return base::Fail(fmt::format("open {}: {}", path, std::strerror(errno)));
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[65536];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  if (std::ferror(file.get()))
    return base::Fail(fmt::format("read {}: {}", path, std::strerror(errno)));
  return ParsePcap(bytes, path);
}

}  // namespace prid::q931
