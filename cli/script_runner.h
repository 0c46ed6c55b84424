// `prictl run`: executes a script, one command per line, over one session.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "cli/session.h"

namespace prid::cli {

// Subscribes the session to its events, then parses and executes each line
// of `input` (see SplitScriptLine for the syntax), printing events between
// and during commands. Stops at the first failing line and returns its exit
// code after printing the error and where it stopped to `err`; 0 at the
// end of the input. `name` names the script in messages.
int RunScript(std::istream& input, const std::string& name, Session& session, std::ostream& out,
              std::ostream& err);

}  // namespace prid::cli
