// `prictl compare EXPECTED SEEN`: compares the call flows of two traces
// (say a capture and prid's own trace of a replay of it, see
// q931/call_flow.h) and prints them side by side with the differences.
#pragma once

#include <ostream>

#include "cli/command_line.h"

namespace prid::cli {

// Exit 0 when the flows match, 1 when they differ, 2 when a file cannot be
// read.
int RunCompare(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace prid::cli
