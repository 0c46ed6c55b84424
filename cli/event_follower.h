// `prictl events --follow`: prints prid's events and, like `journalctl -f`,
// goes on across a cut-off (events.lost), a lost connection and a daemon
// restart, resubscribing with {since, instance} so that no event is lost
// unsaid and none is printed twice.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "cli/command_line.h"
#include "cli/connection.h"
#include "cli/outcome.h"

namespace prid::cli {

// The first wait before reaching prid again, doubled after every failed
// attempt up to kRetryPauseMax; a subscription that succeeds resets it.
inline constexpr std::chrono::milliseconds kRetryPauseFirst{100};
inline constexpr std::chrono::milliseconds kRetryPauseMax{2000};

// Waits `pause` before the next attempt to reach prid; false gives up.
using RetryPause = std::function<bool(std::chrono::milliseconds pause)>;

struct FollowOptions {
  std::string socket;  // where to reconnect, and for messages
  bool json = false;   // raw JSON lines instead of one line per event
  Connector connect;   // opens the socket again after the connection ended
  RetryPause pause;    // unset: following ends when the connection does
};

// Runs a kEvents command with follow on `connection` (the first one, already
// open): line.open for --monitor, events.subscribe, then prints every event
// to `out`; notices about reconnecting go to `err`. Returns ok when `out`
// fails (the reader went away); an error when the first subscription is
// refused, when prid refuses the monitor line or the subscription after a
// reconnect for another reason than EventsLost, or when `pause` gives up.
Outcome FollowEvents(std::unique_ptr<Connection> connection, const Command& command,
                     FollowOptions options, std::ostream& out, std::ostream& err);

}  // namespace prid::cli
