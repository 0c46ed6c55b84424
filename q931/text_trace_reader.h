// Reads D-channel traces kept as text:
//  - libpri's debug output (`pri set debug` in Asterisk), with or without
//    Asterisk's log prefixes ("[Nov 21 12:00:00] VERBOSE[123] chan_dahdi.c:",
//    "PRI Span: 1"): raw Q.921 frames ("> [ 00 01 00 00 08 … ]") and Q.931
//    dumps rebuilt from their header lines (Protocol Discriminator, Call
//    Ref, Message Type) and IE dumps ("< [18 03 a9 83 81]"). A Q.931 dump of
//    a message whose Q.921 frame is in the trace too is not repeated. Every
//    libpri since 1.0 is read: "Message type:" and "(Originator)" /
//    "(Terminator)" up to 1.4.10, "Message Type:", "TEI=0 Call Ref:" and
//    "(Sent from originator)" / "(Sent to originator)" / "(Dummy)" after.
//  - hex dumps, one frame a line ("08 02 00 01 05 …" or "0802000105…",
//    optionally after "<"/">" or "rx"/"tx"), offset-prefixed dumps
//    ("0000  00 01 …" or "0000: 00 01 …", as Wireshark and text2pcap use; offset
//    0 starts a frame),
//    and '|'-separated tables with a hex column (and an epoch time column).
//    A line starting with 0x08, 0x03 or 0x43 is a bare Q.931 message (those
//    octets are no valid first LAPD address octet on a PRI); anything else is
//    a LAPD frame.
// Lines that are none of these are ignored ('#' lines are comments).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "q931/trace_record.h"

namespace prid::q931 {

// Errors only when nothing in the text is a frame: "x.txt: no frames found
// (neither libpri debug output nor a hex dump)". Each record's `source` is
// "line N".
base::Result<std::vector<TraceRecord>> ParseTextTrace(std::string_view text,
                                                      const std::string& name);

}  // namespace prid::q931
