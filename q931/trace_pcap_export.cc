// pcap export of trace records.
#include "q931/trace_pcap_export.h"

#include "q931/lapd.h"

namespace prid::q931 {

base::Result<TracePcapExport> TracePcapExport::Open(const std::string& path, bool we_are_network) {
  auto writer = PcapWriter::Open(path, we_are_network);
  if (!writer) return base::Fail(writer.error());
  return TracePcapExport(std::move(*writer), we_are_network);
}

base::Status TracePcapExport::Write(const TraceRecord& record) {
  if (record.time) last_time_ = *record.time;
  std::optional<FrameDirection> direction = record.direction;
  std::optional<bool> from_network;
  if (direction) from_network = (*direction == FrameDirection::kSent) == we_are_network_;
  if (!from_network) from_network = record.sent_by_network;
  std::vector<std::uint8_t> frame;
  if (record.q931_only) {
    if (!from_network) from_network = !we_are_network_;  // unknown: received
    const int sender = *from_network ? 1 : 0;
    // Q.921 3.3.2: commands (I frames) carry C/R 1 from the network side.
    frame = EncodeLapdHeader(MakeIFrame(lapd::kSapiCallControl, 0, *from_network, next_ns_[sender],
                                        next_ns_[1 - sender]));
    next_ns_[sender] = static_cast<std::uint8_t>((next_ns_[sender] + 1) & 0x7F);
    frame.insert(frame.end(), record.frame.begin(), record.frame.end());
  } else {
    frame = record.frame;
    if (!from_network) {
      if (auto h = DecodeLapdHeader(frame)) from_network = LapdSentByNetwork(*h);
    }
  }
  if (!direction) {
    direction = from_network && (*from_network == we_are_network_) ? FrameDirection::kSent
                                                                   : FrameDirection::kReceived;
  }
  return writer_.Write(last_time_, *direction, frame);
}

}  // namespace prid::q931
