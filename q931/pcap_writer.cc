// pcap output of D-channel frames (LINKTYPE_LINUX_LAPD, one record a frame).
#include "q931/pcap_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace prid::q931 {
namespace {

void PutLe32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void PutLe16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void PutBe16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

}  // namespace

void PcapWriter::FileCloser::operator()(std::FILE* f) const {
  if (f != nullptr) std::fclose(f);
}

PcapWriter::PcapWriter(std::unique_ptr<std::FILE, FileCloser> file, bool we_are_network)
    : file_(std::move(file)), we_are_network_(we_are_network) {}
PcapWriter::PcapWriter(PcapWriter&&) noexcept = default;
PcapWriter& PcapWriter::operator=(PcapWriter&&) noexcept = default;
PcapWriter::~PcapWriter() = default;

base::Result<PcapWriter> PcapWriter::Open(const std::string& path, bool we_are_network) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) return base::Fail(fmt::format("open {}: {}", path, std::strerror(errno)));

  // The classic pcap file header, written little-endian (readers take the
  // byte order from the magic).
  std::vector<std::uint8_t> header;
  PutLe32(header, pcap::kMagicMicroseconds);
  PutLe16(header, pcap::kVersionMajor);
  PutLe16(header, pcap::kVersionMinor);
  PutLe32(header, 0);  // thiszone: timestamps are UTC
  PutLe32(header, 0);  // sigfigs
  PutLe32(header, pcap::kSnapLength);
  PutLe32(header, pcap::kLinkTypeLinuxLapd);
  if (std::fwrite(header.data(), 1, header.size(), file.get()) != header.size() ||
      std::fflush(file.get()) != 0) {
    return base::Fail(fmt::format("write {}: {}", path, std::strerror(errno)));
  }
  PcapWriter writer(std::move(file), we_are_network);
  writer.path_ = path;
  return writer;
}

base::Status PcapWriter::Write(base::WallTime time, FrameDirection direction,
                               std::span<const std::uint8_t> frame) {
  if (!file_) return base::Status::Error(fmt::format("write {}: pcap writer is closed", path_));
  const std::size_t length = pcap::kLinuxLapdHeaderLength + frame.size();
  if (length > pcap::kSnapLength) {
    return base::Status::Error(
        fmt::format("write {}: frame of {} octets is longer than the pcap "
                    "snapshot length",
                    path_, frame.size()));
  }
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(time.time_since_epoch()).count();
  // Floor division so that times before 1970 still give 0 <= usec < 10^6.
  auto seconds = us / 1'000'000;
  auto micros = us % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    seconds -= 1;
  }

  std::vector<std::uint8_t> record;
  record.reserve(16 + length);
  PutLe32(record, static_cast<std::uint32_t>(seconds));
  PutLe32(record, static_cast<std::uint32_t>(micros));
  PutLe32(record, static_cast<std::uint32_t>(length));  // incl_len
  PutLe32(record, static_cast<std::uint32_t>(length));  // orig_len
  // LINKTYPE_LINUX_LAPD pseudo-header, big-endian.
  PutBe16(record, direction == FrameDirection::kSent ? pcap::kPacketOutgoing : pcap::kPacketHost);
  PutBe16(record, pcap::kHaTypeLapd);
  PutBe16(record, 1);                         // halen
  record.push_back(we_are_network_ ? 1 : 0);  // addr[0]: 1 when we are the network side
  record.insert(record.end(), 7, 0);          // addr[1..7]
  PutBe16(record, pcap::kProtocolLapd);
  record.insert(record.end(), frame.begin(), frame.end());

  if (std::fwrite(record.data(), 1, record.size(), file_.get()) != record.size()) {
    return base::Status::Error(fmt::format("write {}: {}", path_, std::strerror(errno)));
  }
  // Flushed at once: traces are small and must be readable while the span
  // runs (and complete if the daemon dies).
  return Flush();
}

base::Status PcapWriter::Flush() {
  if (!file_) return base::Status::Error(fmt::format("flush {}: pcap writer is closed", path_));
  if (std::fflush(file_.get()) != 0) {
    return base::Status::Error(fmt::format("flush {}: {}", path_, std::strerror(errno)));
  }
  return base::Status::Ok();
}

}  // namespace prid::q931
