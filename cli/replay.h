// `prictl replay FILE`: plays the far end of a captured trace against a
// running prid over a sim span (speaking LAPD itself), drives the near end's
// actions through the socket API (call.make, call.proceed, call.alert,
// call.progress, call.answer, call.drop, span.restart, as the capture did),
// and compares every Q.931 message prid sends with the capture's (see
// cli/replay_plan.h). A CALL PROCEEDING either side leaves out is passed
// over; a call the plan or an API refusal leaves out is reported once and
// not played further.
#pragma once

#include <ostream>

#include "cli/command_line.h"
#include "cli/connection.h"

namespace prid::cli {

// Exit 0 when prid sent what the capture holds (calls the plan leaves out
// do not count), 1 on a difference that matters (or an API refusal), 2
// when the trace, the span or the link is unusable.
int RunReplay(Connection& api, const Command& command, std::ostream& out, std::ostream& err);

}  // namespace prid::cli
