// `prictl trace [--span N] [--call ID] [--pcap FILE] [--count N] [--q931]
// [--oneline | --ladder]`: live D-channel frames from prid
// (trace.subscribe), shown as readable blocks, one short line each
// (--oneline), the Q.931 messages as a two-column call flow (--ladder,
// q931/call_flow.h), JSON lines (--json) or written to a LINUX_LAPD pcap
// (--pcap); --q931 leaves out RR, RNR and REJ. With --call it follows one
// call from its SETUP (the frames prid kept, then live ones) and stops
// after the call's RELEASE COMPLETE; with --count after that many frames
// shown; otherwise until prid closes. A call prid does not know is an
// error (exit 1). The pcap file is created once the subscription is made,
// and removed if the trace fails before its first frame or the file cannot
// be written.
#pragma once

#include <ostream>

#include "cli/command_line.h"
#include "cli/connection.h"
#include "cli/outcome.h"

namespace prid::cli {

// With --pcap, "prictl: tracing … to FILE" goes to `err` once subscribed.
Outcome RunTrace(Connection& connection, const Command& command, bool json, std::ostream& out,
                 std::ostream& err);

}  // namespace prid::cli
