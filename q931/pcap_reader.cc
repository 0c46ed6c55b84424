// Classic pcap reading for LINKTYPE_LINUX_LAPD and LINKTYPE_LAPD captures.
#include "q931/pcap_reader.h"

#include "q931/link_payload.h"

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
    return fail(0, "pcapng is not supported by the classic pcap reader (use the pcapng reader)");
  } else {
    return fail(0, fmt::format("not a pcap file (magic 0x{:08x})", Be32(p)));
  }
  const auto u32 = [big_endian](const std::uint8_t* q) { return big_endian ? Be32(q) : Le32(q); };

  // The link type is the low 16 bits of the header's last field (the upper
  // bits carry FCS information some writers set).
  const std::uint32_t link_type = u32(p + 20) & 0xFFFF;
  if (!IsSupportedLinkType(link_type)) {
    return fail(20, fmt::format("unsupported link type {} (need 177 LINUX_LAPD, 203 LAPD, or "
                                "1 / 101 / 228 (IP) with PRI backhaul)",
                                link_type));
  }

  std::vector<PcapRecord> records;
  std::size_t skipped = 0;  // packets without D-channel data
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
    record.source = fmt::format("record {}", records.size() + skipped + 1);
    auto taken = TakeLinkPayload(link_type, std::span(data, captured), record);
    if (!taken) return fail(pos, taken.error());
    if (*taken) {
      records.push_back(std::move(record));
    } else {
      ++skipped;
    }
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
