// prictl as a function: arguments and streams in, exit code out, so tests
// can drive it without a process.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/connection.h"

namespace prid::cli {

struct Environment {
  const char* prid_socket = nullptr;  // $PRID_SOCKET, or null
  Connector connect;                  // opens the daemon's socket
};

// Parses `args` (without the program name), connects, runs the command and
// returns the exit code: 0 ok, 1 the daemon refused (or a wait failed),
// 2 bad usage or no connection. `in` is the script for `run -`.
int Main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
         std::ostream& err, const Environment& env);

}  // namespace prid::cli
