// `prictl decode FILE`: reads a trace in any format q931/trace_reader.h
// knows and prints every frame decoded (readable blocks, or JSON lines with
// --json), or writes the frames as a LINUX_LAPD pcap (--pcap OUT).
#pragma once

#include <ostream>

#include "cli/command_line.h"

namespace prid::cli {

// Exit 0 when every frame decodes, 1 when some frame does not (it is shown
// with its offset and reason and the rest still printed), 2 when the file
// cannot be read or the pcap cannot be written.
int RunDecode(const Command& command, bool json, std::ostream& out, std::ostream& err);

}  // namespace prid::cli
