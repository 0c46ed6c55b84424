// Reads a D-channel trace in any format prid knows, told apart by content:
// pcap, pcapng (see pcap_reader.h, pcapng_reader.h), else text: Cisco IOS
// `debug isdn q931` output (see cisco_trace_reader.h), libpri debug output
// or hex dumps (see text_trace_reader.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "q931/trace_record.h"

namespace prid::q931 {

// Errors name the file: "open x.pcap: No such file or directory",
// "x.gz: gzip-compressed (gunzip it first)".
base::Result<std::vector<TraceRecord>> ReadTraceFile(const std::string& path);
base::Result<std::vector<TraceRecord>> ParseTrace(std::span<const std::uint8_t> bytes,
                                                  const std::string& name);

}  // namespace prid::q931
