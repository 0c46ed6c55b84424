// `prictl trace [--span N] [--call ID] [--pcap FILE] [--count N]`: live
// D-channel frames from prid (trace.subscribe), shown as readable blocks,
// JSON lines (--json) or written to a LINUX_LAPD pcap (--pcap). With --call
// it follows one call and stops after the call's RELEASE COMPLETE; with
// --count after that many frames; otherwise until prid closes.
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
