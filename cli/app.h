// prictl as a function: arguments and streams in, exit code out, so tests
// can drive it without a process.
#pragma once

#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/connection.h"
#include "cli/event_follower.h"
#include "cli/interrupts.h"

namespace prid::cli {

struct Environment {
  const char* prid_socket = nullptr;  // $PRID_SOCKET, or null
  Connector connect;                  // opens the daemon's socket
  // events --follow: waits before another attempt to reach prid; unset,
  // following ends when the connection does.
  RetryPause retry_pause;
  // events --follow: called once before following (prictl makes SIGINT
  // and SIGTERM end it with exit 0, following's normal end).
  std::function<void()> following;
  // A standalone `call`: catches Ctrl-C and SIGTERM while it stays with
  // its call (prictl: CatchInterrupts); unset, nothing interrupts it.
  InterruptCatcher interrupts;
};

// Parses `args` (without the program name), connects, runs the command and
// returns the exit code: 0 ok, 1 the daemon refused (or a wait failed, or
// a standalone call ended unanswered), 2 bad usage or no connection. `in`
// is the script for `run -`.
int Main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
         std::ostream& err, const Environment& env);

}  // namespace prid::cli
