// Reads Cisco IOS `debug isdn q931` output and rebuilds each Q.931 message:
//
//   *Mar  1 04:51:52.442: ISDN Se1/0:23 Q931: RX <- DISCONNECT pd = 8  callref = 0x0001
//           Cause i = 0x8290 - Normal call clearing
//
// A header ("TX ->" sent, "RX <-" received; the message name as IOS spells
// it, SETUP_ACK, CALL_PROC, RELEASE_COMP; "pd = N" in decimal; the call
// reference octets in hex, flag bit included, so 0x05 is one octet and
// 0x8005 two) is followed by its IE lines: "<IE name> i = 0x<contents>",
// then, for numbers and text, the digits or characters in quotes
// ("Called Party Number i = 0x80, '1234'" is 70 05 80 31 32 33 34), or
// "Sending Complete" alone. Interface names ("ISDN BR0", "ISDN Se0/0/0:15",
// with or without "Q931:") and IOS time stamps ("*Mar  1 00:10:22.123:",
// "Jan 12 10:11:12.345 UTC:", "00:10:22:", each optionally after a
// "000123: " sequence number) are accepted; a time stamp becomes the
// record's time. IOS prints no year: times fall in 1970 so that their
// order and spacing hold; the zone name is ignored.
//
// Indented lines under an IE (IOS's decoding: "Standard = CCITT") are
// skipped; a line that is neither an IE nor indented ends the message.
// An IE whose name this reader does not know, contents that are no hex,
// and headers with an unknown message name are left out with a warning
// ("line 12: unknown IE name 'Foo' (IE left out)") in the `warnings` of
// the record (of a message left out: of the next record, else the last);
// the rest of the trace is read on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "q931/trace_record.h"

namespace prid::q931 {

// True when some line of `text` is a `debug isdn q931` message header.
bool LooksLikeCiscoQ931Debug(std::string_view text);

// Errors only when no message could be rebuilt: "x.txt: no Q.931 message
// found in the Cisco debug isdn q931 output" (with the first warning, if
// any). Each record's `source` is "line N" (its header line).
base::Result<std::vector<TraceRecord>> ParseCiscoTrace(std::string_view text,
                                                       const std::string& name);

}  // namespace prid::q931
