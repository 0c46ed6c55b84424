// Runs parsed prictl commands over one connection: sends requests, shows
// results, prints events, tracks $CALL and waits for call states.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/connection.h"
#include "cli/outcome.h"

namespace prid::cli {

struct SessionOptions {
  std::string socket;   // for messages about the connection
  bool json = false;    // raw JSON lines instead of tables
  // Run mode: print every notification as it arrives (after each command).
  // Otherwise only the events command prints them.
  bool echo_events = false;
};

// Borrows `connection` and `out`, which must outlive it.
class Session {
 public:
  Session(Connection& connection, std::ostream& out, SessionOptions options);

  // Executes a kRequest, kEvents or kWait command (kRun is the caller's).
  Outcome Execute(const Command& command);

  // Handles the notifications that have already arrived, without waiting.
  void Pump();

  // Sends one request (a paged list: every page) and gives its result; a
  // daemon error, an argument that is not UTF-8 or a failed connection
  // as the Outcome that prictl exits with.
  Outcome Send(const Request& request, nlohmann::json* result);

  // The last call made by `call` or offered by a call.new event ($CALL).
  std::optional<std::int64_t> current_call() const { return current_call_; }
  // Every call (and conference) that was $CALL at some point, first first
  // ($CALL1, $CALL2 …).
  const std::vector<std::int64_t>& calls() const { return calls_; }

 private:
  // `prictl span N`: stats.get {span} under the span.list entry.
  void ShowSpanStats(int span);
  void Show(const Command& command, const nlohmann::json& result);
  Outcome Events(const Command& command);
  Outcome Wait(const Command& command);
  // Prints a notification (when `print`), tracks $CALL and keeps events for
  // Wait.
  void Handle(const nlohmann::json& notification, bool print);
  Outcome Closed(const std::string& while_doing) const;
  void SetCurrentCall(std::int64_t call);

  Connection& connection_;
  std::ostream& out_;
  SessionOptions options_;
  std::optional<std::int64_t> current_call_;
  std::vector<std::int64_t> calls_;
  // Events received and not yet consumed by a wait, oldest first, so that a
  // wait also sees what arrived before it started.
  std::deque<nlohmann::json> backlog_;
};

}  // namespace prid::cli
