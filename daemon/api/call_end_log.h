// The one log line per Q.931 call that the wire has cleared (docs/design.md
// "Logging"): at notice, so the default log level keeps it, with journald
// fields that mirror its key=value pairs. Fed by EventRouter::CallCleared.
#pragma once

#include <string>
#include <string_view>

#include "base/log.h"
#include "daemon/session/call.h"

namespace prid::daemon {

// journald MESSAGE_ID of every call-end line (`journalctl MESSAGE_ID=…`).
inline constexpr std::string_view kCallEndMessageId = "59363b13d4584dcfa2dbad67a3b05535";

// "span 1: call 7: ended span_name=trunk-a channel=3 direction=out
// called=1001 calling=2000 answered=yes duration=12.345s cause=16
// cause_name=normal_clearing origin=local uui_sent=yes uui_received=no".
// `call` has gone idle (idle_at set); `span_name` "" leaves span_name out.
std::string CallEndLine(const Call& call, std::string_view span_name);
// SPAN, CALL, CAUSE and the same pairs as fields (key upper-cased; seconds
// in DURATION_S / SINCE_SETUP_S without the unit), plus MESSAGE_ID.
base::LogFields CallEndFields(const Call& call, std::string_view span_name);
// Writes the line with its fields at notice.
void LogCallEnd(const Call& call, std::string_view span_name);

}  // namespace prid::daemon
