// Reads D-channel captures: classic pcap with LINKTYPE_LINUX_LAPD (177,
// direction and side from the pseudo-header), LINKTYPE_LAPD (203, bare
// frames) or Ethernet (1) carrying Cisco's PRI backhaul (TCP port 2428; other
// packets are skipped), either byte order, microsecond or nanosecond
// timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/time_format.h"
#include "q931/pcap_writer.h"
#include "q931/trace_record.h"

namespace prid::q931 {

// The records of a pcap file (see TraceRecord; `source` is "record N").
using PcapRecord = TraceRecord;

// Reads the whole file. Errors name the file, the offset and the reason
// ("call.pcap: offset 24: truncated record (header says 40 octets, 12
// left)", "x.pcap: offset 20: unsupported link type 1 (need 177 or 203)").
// pcapng files are refused here (see pcapng_reader.h).
base::Result<std::vector<PcapRecord>> ReadPcapFile(const std::string& path);

// Parses a pcap image held in memory; `name` is used in error messages in
// place of the file name.
base::Result<std::vector<PcapRecord>> ParsePcap(std::span<const std::uint8_t> bytes,
                                                const std::string& name);

}  // namespace prid::q931
