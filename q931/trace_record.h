// One frame of a D-channel trace, whatever file it came from (pcap, pcapng,
// libpri debug text, hex dump).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "q931/pcap_writer.h"

namespace prid::q931 {

struct TraceRecord {
  // When the file says (text traces often do not).
  std::optional<base::WallTime> time;
  // From the LINUX_LAPD pkttype (0: received by us, 4: sent by us), the
  // pcapng direction flag or libpri's "<" / ">" markers; nullopt when the
  // file does not tell.
  std::optional<FrameDirection> direction;
  // LINUX_LAPD addr[0] != 0: the capturing side is the network side.
  bool network_side = false;
  // Which side sent the frame when the file tells it apart from `direction`
  // (Cisco PRI backhaul: the gateway, which relays the network side,
  // connects to port 2428); nullopt otherwise.
  std::optional<bool> sent_by_network;
  // True when `frame` is a bare Q.931 message with no LAPD header (libpri's
  // Q.931 dump, Cisco PRI backhaul over TCP port 2428, hex dumps of Q.931).
  bool q931_only = false;
  // Where in the file: "record 12", "line 40".
  std::string source;
  // What the reader left out of this record (or of the lines just before
  // it), for the user: "line 12: unknown IE name 'Foo' (IE left out)".
  std::vector<std::string> warnings;
  // The LAPD frame (or Q.931 message); FCS octets, if the capture kept
  // them, are not removed.
  std::vector<std::uint8_t> frame;
};

}  // namespace prid::q931
