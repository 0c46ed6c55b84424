// Reads D-channel captures: classic pcap with LINKTYPE_LINUX_LAPD (177,
// direction and side from the pseudo-header) or LINKTYPE_LAPD (203, bare
// frames), either byte order, microsecond or nanosecond timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/time_format.h"
#include "q931/pcap_writer.h"

namespace prid::q931 {

struct PcapRecord {
  base::WallTime time;
  // From the LINUX_LAPD pkttype (0: received by us, 4: sent by us); nullopt
  // for other pkttypes and for LINKTYPE_LAPD.
  std::optional<FrameDirection> direction;
  // LINUX_LAPD addr[0] != 0: the capturing side is the network side.
  bool network_side = false;
  // The LAPD frame, without the pseudo-header (as captured: FCS octets, if
  // the capture kept them, are not removed).
  std::vector<std::uint8_t> frame;
};

// Reads the whole file. Errors name the file, the offset and the reason
// ("call.pcap: offset 24: truncated record (header says 40 octets, 12
// left)", "x.pcap: offset 20: unsupported link type 1 (need 177 or 203)").
// pcapng files are refused.
base::Result<std::vector<PcapRecord>> ReadPcapFile(const std::string& path);

// Parses a pcap image held in memory; `name` is used in error messages in
// place of the file name.
base::Result<std::vector<PcapRecord>> ParsePcap(std::span<const std::uint8_t> bytes,
                                                const std::string& name);

}  // namespace prid::q931
