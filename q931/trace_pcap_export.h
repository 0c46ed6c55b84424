// Writes trace records of any origin as a LINKTYPE_LINUX_LAPD pcap that
// Wireshark reads without complaint: bare Q.931 messages get an I-frame
// header (SAPI 0, TEI 0, C/R from the sending side, N(S)/N(R) counted per
// side), records without a direction get it from the LAPD C/R bit where the
// frame type tells (else "received"), records without a time keep the last
// time seen.
#pragma once

#include <string>

#include "base/expected.h"
#include "q931/pcap_writer.h"
#include "q931/trace_record.h"

namespace prid::q931 {

class TracePcapExport {
 public:
  static base::Result<TracePcapExport> Open(const std::string& path, bool we_are_network);
  base::Status Write(const TraceRecord& record);

 private:
  TracePcapExport(PcapWriter writer, bool we_are_network)
      : writer_(std::move(writer)), we_are_network_(we_are_network) {}
  PcapWriter writer_;
  bool we_are_network_;
  std::uint8_t next_ns_[2] = {0, 0};  // [0] user side, [1] network side
  base::WallTime last_time_{};
};

}  // namespace prid::q931
