// call.state notification lines written straight into a string. This runs
// for every state change of every call, and building an nlohmann DOM for it
// and serializing that was most of prid's CPU per call (measured with
// bench/prid-load under callgrind); every other JSON goes through nlohmann.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/session/call.h"

namespace prid::daemon {

// Appends `text` as a JSON string (quoted, escaped; bytes that are not
// printable ASCII become \u00XX, so the line is always valid UTF-8).
void AppendJsonString(std::string& out, std::string_view text);

// The whole line, {"jsonrpc":"2.0","method":"event","params":{…}}\n, with
// the same fields as API.md's call.state.
std::string CallStateEventLine(const Call& call, HandleState previous, HandleState state,
                               const std::optional<q931::UserUser>& uui, std::uint64_t seq,
                               std::string_view time);

}  // namespace prid::daemon
