// pcapng block parsing (SHB, IDB, EPB, SPB, PB; other blocks skipped).
#include "q931/pcapng_reader.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "q931/link_payload.h"

namespace prid::q931 {
namespace {

constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kObsoletePacket = 2;
constexpr std::uint32_t kSimplePacket = 3;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint16_t kOptionEnd = 0;
constexpr std::uint16_t kOptionTsResol = 9;   // IDB if_tsresol
constexpr std::uint16_t kOptionEpbFlags = 2;  // EPB epb_flags

struct Interface {
  std::uint32_t link_type = 0;
  // Timestamp units per second (if_tsresol; 10^6 by default).
  double units_per_second = 1e6;
};

class Block {
 public:
  Block(std::span<const std::uint8_t> bytes, bool big_endian)
      : bytes_(bytes), big_endian_(big_endian) {}
  std::uint32_t u32(std::size_t at) const {
    const std::uint8_t* p = &bytes_[at];
    return big_endian_ ? (std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                          std::uint32_t{p[2]} << 8 | p[3])
                       : (std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 |
                          std::uint32_t{p[1]} << 8 | p[0]);
  }
  std::uint16_t u16(std::size_t at) const {
    const std::uint8_t* p = &bytes_[at];
    return static_cast<std::uint16_t>(big_endian_ ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]));
  }
  std::size_t size() const { return bytes_.size(); }
  std::span<const std::uint8_t> sub(std::size_t at, std::size_t n) const {
    return bytes_.subspan(at, n);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  bool big_endian_;
};

std::size_t Padded(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

// Calls `each(code, value)` for every option from `at` to the block's
// trailing length field.
template <typename F>
void ForEachOption(const Block& b, std::size_t at, F each) {
  const std::size_t end = b.size() - 4;
  while (at + 4 <= end) {
    const std::uint16_t code = b.u16(at);
    const std::uint16_t length = b.u16(at + 2);
    if (code == kOptionEnd || at + 4 + length > end) return;
    each(code, b.sub(at + 4, length));
    at += 4 + Padded(length);
  }
}

}  // namespace

base::Result<std::vector<TraceRecord>> ParsePcapng(std::span<const std::uint8_t> bytes,
                                                   const std::string& name) {
  const auto fail = [&name](std::size_t offset, const std::string& reason) {
    return base::Fail(fmt::format("{}: offset {}: {}", name, offset, reason));
  };
  std::vector<TraceRecord> records;
  std::vector<Interface> interfaces;
  bool big_endian = false;
  std::size_t packets = 0;
  std::size_t pos = 0;
  const std::size_t n = bytes.size();
  while (pos < n) {
    if (n - pos < 12) return fail(pos, fmt::format("truncated block header ({} octets)", n - pos));
    const auto le32 = [&](std::size_t at) {
      return std::uint32_t{bytes[at]} | std::uint32_t{bytes[at + 1]} << 8 |
             std::uint32_t{bytes[at + 2]} << 16 | std::uint32_t{bytes[at + 3]} << 24;
    };
    std::uint32_t type = le32(pos);
    if (type == kPcapngSectionHeader) {
      // The byte order of the section comes from its magic.
      const std::uint32_t magic = le32(pos + 8);
      if (magic == kByteOrderMagic) {
        big_endian = false;
      } else if (magic == 0x4D3C2B1A) {
        big_endian = true;
      } else {
        return fail(pos + 8, fmt::format("bad byte-order magic 0x{:08x}", magic));
      }
      interfaces.clear();
    } else if (pos == 0) {
      return fail(0, "not a pcapng file (no section header block)");
    }
    const Block head(bytes.subspan(pos, 12), big_endian);
    type = head.u32(0);
    const std::uint32_t length = head.u32(4);
    if (length < 12 || length % 4 != 0) {
      return fail(pos,
                  fmt::format("block length {} is not a multiple of 4 of at least 12", length));
    }
    if (length > n - pos) {
      return fail(
          pos, fmt::format("block length {} runs past the end ({} octets left)", length, n - pos));
    }
    const Block b(bytes.subspan(pos, length), big_endian);
    if (type == kInterfaceDescription) {
      if (length < 20) return fail(pos, "interface description block too short");
      Interface i;
      i.link_type = b.u16(8);
      ForEachOption(b, 16, [&i](std::uint16_t code, std::span<const std::uint8_t> v) {
        if (code == kOptionTsResol && v.size() == 1) {
          const int e = v[0] & 0x7F;
          i.units_per_second = (v[0] & 0x80) ? std::ldexp(1.0, e) : std::pow(10.0, e);
        }
      });
      interfaces.push_back(i);
    } else if (type == kEnhancedPacket || type == kObsoletePacket || type == kSimplePacket) {
      ++packets;
      TraceRecord record;
      record.source = fmt::format("packet {}", packets);
      std::uint32_t interface = 0;
      std::size_t data_at = 0;
      std::uint32_t captured = 0;
      if (type == kSimplePacket) {
        if (length < 16) return fail(pos, "simple packet block too short");
        data_at = 12;
        captured = std::min<std::uint32_t>(b.u32(8), length - 16);
      } else {
        if (length < 32) return fail(pos, "packet block too short");
        interface = type == kEnhancedPacket ? b.u32(8) : b.u16(8);
        data_at = 28;
        captured = b.u32(20);
        if (captured > length - 32) {
          return fail(pos, fmt::format("packet length {} runs past its block", captured));
        }
      }
      if (interface >= interfaces.size()) {
        return fail(pos, fmt::format("packet on interface {} which was not described", interface));
      }
      const Interface& i = interfaces[interface];
      if (!IsSupportedLinkType(i.link_type)) {
        pos += length;
        continue;
      }
      if (type != kSimplePacket) {
        const std::uint64_t ts = std::uint64_t{b.u32(12)} << 32 | b.u32(16);
        // A timestamp past what a time_point holds (a corrupt block) gives
        // no time rather than an overflow.
        const long double ns = static_cast<long double>(ts) * 1e9L / i.units_per_second;
        if (ns >= 0 && ns < 9.0e18L) {
          record.time = base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(
              std::chrono::nanoseconds(static_cast<std::int64_t>(ns))));
        }
      }
      if (type == kEnhancedPacket) {
        ForEachOption(b, data_at + Padded(captured),
                      [&record, big_endian](std::uint16_t code, std::span<const std::uint8_t> v) {
                        if (code != kOptionEpbFlags || v.size() != 4) return;
                        // Bits 2-1: 01 inbound, 10 outbound.
                        const std::uint32_t f = Block(v, big_endian).u32(0);
                        if ((f & 3) == 1) record.direction = FrameDirection::kReceived;
                        if ((f & 3) == 2) record.direction = FrameDirection::kSent;
                      });
      }
      auto taken = TakeLinkPayload(i.link_type, b.sub(data_at, captured), record);
      if (!taken) return fail(pos, taken.error());
      if (*taken) records.push_back(std::move(record));
    }
    pos += length;
  }
  return records;
}

}  // namespace prid::q931
