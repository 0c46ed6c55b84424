// Renders daemon replies and events for people: tables, key/value lists and
// one line per event. Tolerates missing or unexpected fields ("-").
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "ipc/errors.h"

namespace prid::cli {

// A UUI value ({pd, hex, text?}) for people: its text when present, else its
// hex; "-" when absent. Control characters are shown as \xNN.
std::string UuiForPeople(const nlohmann::json& uui);

// calls: ID SPAN CHAN DIR STATE CALLED CALLING CAUSE UUI-RX, from call.list.
void WriteCallTable(std::ostream& out, const nlohmann::json& calls);
// calls --all: ID SPAN/CHAN DIR STATE CALLED CALLING DURATION HANDLES, from
// call.list {all: true}. DURATION is measured at `now` (prid's clock and
// ours are the machine's): for a call that was answered, from `connected`
// to `disconnected` (or `idle`, or now); for one never answered, "setup"
// and the time from `created` to `idle` (or now). HANDLES lists every
// holder as "CLIENT PRIVILEGE", with its state when that is not the call's.
void WriteAllCallsTable(std::ostream& out, const nlohmann::json& calls,
                        std::chrono::system_clock::time_point now);
// How long a call has lasted, as in WriteAllCallsTable; "-" when the record
// has no readable times.
std::string CallDuration(const nlohmann::json& call, std::chrono::system_clock::time_point now);
// An RFC 3339 UTC time as prid writes it ("2026-11-21T18:31:02.123Z");
// nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);
// spans: SPAN NAME DRIVER NODE SWITCH STATE D-CHAN B-CHANNELS, from span.list.
void WriteSpanTable(std::ostream& out, const nlohmann::json& spans);
// Span `span` of a span.list reply as "key  value" lines, then one line per
// B-channel; "no span N" when the list has none.
void WriteSpanDetail(std::ostream& out, const nlohmann::json& spans, int span);
// True when a span.list reply has span `span`.
bool HasSpan(const nlohmann::json& spans, int span);
// daemon.status as "key  value" lines.
void WriteStatus(std::ostream& out, const nlohmann::json& status);
// daemon.reload's report: spans added, removed, restarted, unchanged; then
// spans that failed to start and settings waiting for a restart.
void WriteReload(std::ostream& out, const nlohmann::json& report);
// A call record (call.info) as "key  value" lines; a supervisor's record
// also lists its handles.
void WriteCallInfo(std::ostream& out, const nlohmann::json& call);

// One line for a notification from the daemon, e.g.
// "18:31:02.123 event 12 call.state call=3 span=1 ringback ← dialing":
// first the time of day of the event's `time`, in UTC as prid writes it
// (left out when the event has none that can be read).
std::string FormatNotification(const nlohmann::json& notification);
// The same for an event's params ({seq, time, type, …}).
std::string FormatEvent(const nlohmann::json& event);

// A daemon error for people: "InvalidCallState: <message>", with its extra
// data ("(max=128)").
std::string DescribeError(const ipc::RpcError& error);

// Compact JSON on one line; invalid UTF-8 is replaced, never thrown on.
std::string JsonLine(const nlohmann::json& value);

}  // namespace prid::cli
