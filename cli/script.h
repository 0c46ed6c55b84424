// Splits one line of a `prictl run` script into words: shell-like quoting,
// '#' comments and $CALL expansion. Pure; the run loop is in script_runner.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace prid::cli {

// Words are separated by blanks. 'single quotes' keep everything literal;
// "double quotes" keep blanks and honour \" \\ \$; a backslash outside
// quotes escapes the next character; a '#' that starts a word starts a
// comment. $CALL, $call, ${CALL} and ${call} (outside single quotes) become
// `current_call`; $CALL1, $CALL2 … the first, second … call the script met
// (`calls`, in order), for commands that name several (conf create). Fails
// on an unterminated quote, a trailing backslash, an unknown $NAME, or a
// call variable while no such call is known. A blank or comment line gives
// no words.
base::Result<std::vector<std::string>> SplitScriptLine(std::string_view line,
                                                       std::optional<std::int64_t> current_call,
                                                       const std::vector<std::int64_t>& calls = {});

}  // namespace prid::cli
