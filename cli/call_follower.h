// A standalone `prictl call`. prictl's connection owns the call it makes,
// and prid drops a call whose owner disconnects (API.md "Drop"), so prictl
// stays with the call: it prints the call's events until the call ends,
// releases it when the far end clears, and drops it on Ctrl-C or SIGTERM.
#pragma once

#include <ostream>
#include <string>

#include "cli/command_line.h"
#include "cli/connection.h"
#include "cli/interrupts.h"
#include "cli/outcome.h"
#include "cli/session.h"

namespace prid::cli {

struct CallFollowOptions {
  std::string socket;  // for messages about the connection
  bool json = false;   // the reply and events as JSON lines
};

// Runs a kCall command: call.make through `session` (over `connection`),
// then prints the call's id (--json: the reply) to `out`.
//
// With command.detach it returns at once, after a warning on `err` that
// prid drops the call as prictl exits.
//
// Otherwise it prints every event this connection gets (only the call's:
// it opens no line) until the call is `idle` (or, on a bridged span,
// `inactive` for us). When the far end clears (`disconnected`) it releases
// the call at once (call.drop). An interrupt read from `interrupts` (may be
// null: none) drops the call with cause 16 and goes on waiting for its end;
// a second one leaves without waiting (prid clears the call as the
// connection closes).
//
// Ok when the call was answered (it reached `connected`), whoever ended it;
// kExitError when it ended unanswered (busy, rejected, no answer, dropped
// before the answer) or when a second interrupt left before its end;
// kExitTransport when the connection closed first.
Outcome FollowCall(Session& session, Connection& connection, const Command& command,
                   Interrupts* interrupts, const CallFollowOptions& options, std::ostream& out,
                   std::ostream& err);

}  // namespace prid::cli
