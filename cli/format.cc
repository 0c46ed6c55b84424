// Renders daemon replies and events for people.
#include "cli/format.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/table.h"

namespace prid::cli {
namespace {

using nlohmann::json;

// Control characters would break a line or a column: show them as \xNN.
std::string Printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

const json* Find(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

// A scalar for people; "-" when absent or empty.
std::string Text(const json* value) {
  if (value == nullptr) return "-";
  if (value->is_string()) {
    const auto& s = value->get_ref<const std::string&>();
    return s.empty() ? "-" : Printable(s);
  }
  if (value->is_boolean()) return value->get<bool>() ? "yes" : "no";
  if (value->is_array()) {
    if (value->empty()) return "-";
    std::vector<std::string> items;
    for (const auto& item : *value) items.push_back(Text(&item));
    return fmt::format("{}", fmt::join(items, ","));
  }
  if (value->is_object()) {
    std::vector<std::string> items;
    for (const auto& [key, item] : value->items()) items.push_back(key + "=" + Text(&item));
    return items.empty() ? "-" : fmt::format("{}", fmt::join(items, " "));
  }
  return Printable(JsonLine(*value));
}

std::string Field(const json& object, std::string_view key) { return Text(Find(object, key)); }

// "16 normal_clearing", "16", or "-".
std::string CauseText(const json& object) {
  const json* cause = Find(object, "cause");
  if (cause == nullptr) return "-";
  const json* name = Find(object, "cause_name");
  if (name == nullptr) return Text(cause);
  return Text(cause) + " " + Text(name);
}

// "28 idle, 2 busy": B-channels counted by state, in order of appearance.
std::string BchannelSummary(const json* bchannels) {
  if (bchannels == nullptr || !bchannels->is_array() || bchannels->empty()) return "-";
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& channel : *bchannels) {
    std::string state = Field(channel, "state");
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& entry) { return entry.first == state; });
    if (it == counts.end()) {
      counts.emplace_back(state, 1);
    } else {
      ++it->second;
    }
  }
  std::vector<std::string> parts;
  for (const auto& [state, count] : counts) parts.push_back(fmt::format("{} {}", count, state));
  return fmt::format("{}", fmt::join(parts, ", "));
}

// "up", or "alarm (red,yellow)" when alarms are raised.
std::string SpanStateText(const json& span) {
  std::string state = Field(span, "state");
  const json* alarms = Find(span, "alarms");
  if (alarms != nullptr && alarms->is_array() && !alarms->empty()) {
    state += " (" + Text(alarms) + ")";
  }
  return state;
}

// "00:01:05", or "2d 03:04:05" past a day.
std::string ElapsedText(std::int64_t s) {
  std::int64_t days = s / 86400;
  std::string hms = fmt::format("{:02}:{:02}:{:02}", s / 3600 % 24, s / 60 % 60, s % 60);
  return days > 0 ? fmt::format("{}d {}", days, hms) : hms;
}

std::string Uptime(const json* seconds) {
  if (seconds == nullptr || !seconds->is_number()) return Text(seconds);
  auto s = seconds->get<std::int64_t>();
  if (s < 0) return Text(seconds);
  return ElapsedText(s);
}

// The time at `key` of a call record; nullopt when absent or unreadable.
std::optional<std::chrono::system_clock::time_point> TimeField(const json& call, std::string_view key) {
  const json* value = Find(call, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return ParseRfc3339(value->get<std::string>());
}

// "1/3": span and B-channel; "1/-" for a conference (channel 0).
std::string SpanChannelText(const json& call) {
  const json* channel = Find(call, "channel");
  const bool none = channel == nullptr || (channel->is_number_integer() && channel->get<std::int64_t>() == 0);
  return Field(call, "span") + "/" + (none ? "-" : Text(channel));
}

// "3 owner, 5 monitor": each holder of a supervisor's record, with its own
// state where it differs from the call's (a bridged station's inactive).
std::string HandlesText(const json& call) {
  const json* handles = Find(call, "handles");
  if (handles == nullptr || !handles->is_array() || handles->empty()) return "-";
  const std::string call_state = Field(call, "state");
  std::vector<std::string> items;
  for (const json& handle : *handles) {
    std::string item = Field(handle, "client") + " " + Field(handle, "privilege");
    if (const json* state = Find(handle, "state"); state != nullptr && Text(state) != call_state) {
      item += " " + Text(state);
    }
    items.push_back(std::move(item));
  }
  return fmt::format("{}", fmt::join(items, ", "));
}

// "key  value" lines with the keys padded to one width.
void WritePairs(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::size_t width = 0;
  for (const auto& [key, value] : pairs) width = std::max(width, key.size());
  for (const auto& [key, value] : pairs) {
    out << key << std::string(width - key.size() + 2, ' ') << value << '\n';
  }
}

// Adds the fields of `object` not in `shown`, in key order.
void AddRemaining(const json& object, const std::set<std::string_view>& shown,
                  std::vector<std::pair<std::string, std::string>>& pairs) {
  for (const auto& [key, value] : object.items()) {
    if (shown.count(key) == 0 && !value.is_null()) pairs.emplace_back(key, Text(&value));
  }
}

// A UUI in an event line: uui="text" (quoted, escaped) or uui=hex.
std::string UuiInLine(const json& uui) {
  const json* text = Find(uui, "text");
  if (text != nullptr && text->is_string()) return "uui=" + JsonLine(*text);
  return "uui=" + UuiForPeople(uui);
}

// "call=3 span=1" style fields for an event line.
void AddKey(std::string& line, const json& event, std::string_view key) {
  if (const json* value = Find(event, key)) line += fmt::format(" {}={}", key, Text(value));
}

// " ringback ← dialing", or " ringback" without a previous state.
void AddTransition(std::string& line, const json& event) {
  line += " " + Field(event, "state");
  if (const json* previous = Find(event, "previous")) line += " ← " + Text(previous);
}

void AddCause(std::string& line, const json& event) {
  if (Find(event, "cause") == nullptr) return;
  line += " cause=" + Text(Find(event, "cause"));
  if (const json* name = Find(event, "cause_name")) line += " (" + Text(name) + ")";
}

// A participant: "in N"; a conference: "of A,B,C"; otherwise "-".
std::string ConferenceText(const json& call) {
  if (const json* conference = Find(call, "conference")) return "in " + Text(conference);
  const json* participants = Find(call, "participants");
  if (participants == nullptr || !participants->is_array()) return "-";
  std::string out = "of ";
  for (const json& id : *participants) out += (out.size() > 3 ? "," : "") + Text(&id);
  return participants->empty() ? "of none" : out;
}

std::string FormatCallState(const json& event) {
  std::string line;
  AddKey(line, event, "call");
  AddKey(line, event, "span");
  AddTransition(line, event);
  AddCause(line, event);
  AddKey(line, event, "refused");
  AddKey(line, event, "mode");
  AddKey(line, event, "origin");
  if (const json* uui = Find(event, "uui")) line += " " + UuiInLine(*uui);
  return line;
}

std::string FormatCallNew(const json& event) {
  std::string line;
  AddKey(line, event, "call");
  AddKey(line, event, "span");
  AddKey(line, event, "channel");
  if (const json* direction = Find(event, "direction")) line += " " + Text(direction);
  line += " " + Field(event, "state");
  AddKey(line, event, "called");
  AddKey(line, event, "calling");
  AddKey(line, event, "privilege");
  if (const json* uui = Find(event, "uui_received")) line += " " + UuiInLine(*uui);
  return line;
}

std::string FormatSpanState(const json& event) {
  std::string line;
  AddKey(line, event, "span");
  AddTransition(line, event);
  const json* alarms = Find(event, "alarms");
  if (alarms != nullptr && alarms->is_array() && !alarms->empty()) {
    line += " alarms=" + Text(alarms);
  }
  return line;
}

std::string FormatOtherEvent(const json& event) {
  std::string line;
  if (!event.is_object()) return " " + Printable(JsonLine(event));
  for (const auto& [key, value] : event.items()) {
    if (key != "seq" && key != "type" && key != "time" && !value.is_null()) {
      line += fmt::format(" {}={}", key, Text(&value));
    }
  }
  return line;
}

}  // namespace

std::string JsonLine(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string DescribeError(const ipc::RpcError& error) {
  std::string text = error.name.empty()
                         ? std::string(ipc::ErrorName(static_cast<ipc::ErrorCode>(error.code)))
                         : error.name;
  text += ": " + error.message;
  if (error.data.is_object()) {
    std::string extra;
    for (const auto& [key, value] : error.data.items()) {
      if (key == "name") continue;
      if (!extra.empty()) extra += ", ";
      extra += key + "=" + (value.is_string() ? value.get<std::string>() : JsonLine(value));
    }
    if (!extra.empty()) text += " (" + extra + ")";
  }
  return text;
}

std::string UuiForPeople(const json& uui) {
  const json* text = Find(uui, "text");
  if (text != nullptr && text->is_string()) return Printable(text->get_ref<const std::string&>());
  return Field(uui, "hex");
}

void WriteCallTable(std::ostream& out, const json& calls) {
  if (!calls.is_array()) {
    out << JsonLine(calls) << '\n';
    return;
  }
  Table table({"ID", "SPAN", "CHAN", "DIR", "STATE", "CONF", "CALLED", "CALLING", "CAUSE", "UUI-RX"});
  for (const auto& call : calls) {
    const json* uui = Find(call, "uui_received");
    table.AddRow({Field(call, "call"), Field(call, "span"), Field(call, "channel"),
                  Field(call, "direction"), Field(call, "state"), ConferenceText(call), Field(call, "called"),
                  Field(call, "calling"), CauseText(call), uui ? UuiForPeople(*uui) : "-"});
  }
  table.Write(out);
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  std::size_t pos = static_cast<std::size_t>(consumed);
  std::int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    int digits = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (pos + 1 != text.size() || text[pos] != 'Z' || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t seconds = ::timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds) + std::chrono::milliseconds(millis);
}

std::string CallDuration(const json& call, std::chrono::system_clock::time_point now) {
  const auto connected = TimeField(call, "connected");
  const auto begin = connected ? connected : TimeField(call, "created");
  if (!begin) return "-";
  // An answered call's duration ends when it was disconnected, an
  // unanswered one's when it was cleared.
  auto end = connected ? TimeField(call, "disconnected") : std::nullopt;
  if (!end) end = TimeField(call, "idle");
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(end.value_or(now) - *begin).count();
  const std::string elapsed = ElapsedText(std::max<std::int64_t>(seconds, 0));
  return connected ? elapsed : "setup " + elapsed;
}

void WriteAllCallsTable(std::ostream& out, const json& calls, std::chrono::system_clock::time_point now) {
  if (!calls.is_array()) {
    out << JsonLine(calls) << '\n';
    return;
  }
  Table table({"ID", "SPAN/CHAN", "DIR", "STATE", "CALLED", "CALLING", "DURATION", "HANDLES"});
  for (const auto& call : calls) {
    table.AddRow({Field(call, "call"), SpanChannelText(call), Field(call, "direction"), Field(call, "state"),
                  Field(call, "called"), Field(call, "calling"), CallDuration(call, now), HandlesText(call)});
  }
  table.Write(out);
}

void WriteSpanTable(std::ostream& out, const json& spans) {
  if (!spans.is_array()) {
    out << JsonLine(spans) << '\n';
    return;
  }
  Table table({"SPAN", "NAME", "DRIVER", "NODE", "SWITCH", "STATE", "D-CHAN", "B-CHANNELS"});
  for (const auto& span : spans) {
    table.AddRow({Field(span, "span"), Field(span, "name"), Field(span, "driver"),
                  Field(span, "node"), Field(span, "switch"), SpanStateText(span),
                  Field(span, "dchannel_state"), BchannelSummary(Find(span, "bchannels"))});
  }
  table.Write(out);
  // Why a span in state error could not start: too long for a column.
  for (const auto& span : spans) {
    if (Find(span, "reason") != nullptr) out << "span " << Field(span, "span") << ": " << Field(span, "reason") << '\n';
  }
}

namespace {

// Span `number` of a span.list reply, or null.
const json* FindSpan(const json& spans, int number) {
  const json* span = nullptr;
  if (spans.is_array()) {
    for (const auto& s : spans) {
      const json* n = Find(s, "span");
      if (n != nullptr && n->is_number_integer() && n->get<int>() == number) span = &s;
    }
  }
  return span;
}

}  // namespace

bool HasSpan(const json& spans, int number) { return FindSpan(spans, number) != nullptr; }

void WriteSpanDetail(std::ostream& out, const json& spans, int number) {
  const json* span = FindSpan(spans, number);
  if (span == nullptr) {
    out << "no span " << number << '\n';
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"span", Field(*span, "span")},
      {"name", Field(*span, "name")},
      {"driver", Field(*span, "driver")},
      {"node", Field(*span, "node")},
      {"switch", Field(*span, "switch")},
      {"state", SpanStateText(*span)},
      {"d-channel", Field(*span, "dchannel_state")},
      {"restart failures", Field(*span, "restart_failures")},
  };
  if (const json* nfas = Find(*span, "nfas"); nfas != nullptr && nfas->is_object()) {
    const std::string dchannel = Field(*nfas, "dchannel");
    // A primary's or backup's own D-channel: its link's state beside the group's.
    const std::string link = Find(*nfas, "link") != nullptr ? fmt::format(" (link {})", Field(*nfas, "link")) : "";
    const std::string role = dchannel == "primary"  ? "the group's D-channel" + link
                             : dchannel == "backup" ? "the group's backup D-channel" + link
                                                    : std::string("signalled on the group's D-channel");
    pairs.emplace_back("nfas",
                       fmt::format("group {} interface {}, {}", Field(*nfas, "group"), Field(*nfas, "interface"), role));
  }
  if (Find(*span, "error") != nullptr) pairs.emplace_back("error", Field(*span, "error"));
  if (Find(*span, "reason") != nullptr) pairs.emplace_back("reason", Field(*span, "reason"));
  if (const json* timers = Find(*span, "timers"); timers != nullptr && timers->is_object()) {
    // The timers (seconds) first, then the counts (n316).
    std::string text;
    for (bool seconds : {true, false}) {
      for (const auto& [name, value] : timers->items()) {
        if ((name.front() == 't') != seconds) continue;
        if (!text.empty()) text += "  ";
        text += fmt::format("{} {}{}", name, value.dump(), seconds ? " s" : "");
      }
    }
    pairs.emplace_back("timers", text);
  }
  if (const json* history = Find(*span, "alarm_history"); history != nullptr && history->is_array()) {
    for (const json& change : *history) {
      const json* alarms = Find(change, "alarms");
      std::string names;
      if (alarms != nullptr && alarms->is_array()) {
        for (const json& name : *alarms) names += (names.empty() ? "" : ", ") + Text(&name);
      }
      pairs.emplace_back("alarm", fmt::format("{} {}", Field(change, "time"), names.empty() ? "cleared" : names));
    }
  }
  WritePairs(out, pairs);
  const json* channels = Find(*span, "bchannels");
  if (channels == nullptr || !channels->is_array()) return;
  Table table({"CHAN", "STATE", "SERVICE", "CALL"});
  for (const auto& ch : *channels) {
    table.AddRow({Field(ch, "channel"), Field(ch, "state"), Field(ch, "service"), Field(ch, "call")});
  }
  table.Write(out);
}

void WriteReload(std::ostream& out, const json& report) {
  auto list = [&](const char* key) {
    std::string text;
    if (report.contains(key) && report[key].is_array()) {
      for (const json& item : report[key]) {
        if (!text.empty()) text += ", ";
        text += item.is_string() ? item.get<std::string>() : item.dump();
      }
    }
    return text.empty() ? std::string("-") : text;
  };
  out << "reloaded: added " << list("added") << "; removed " << list("removed") << "; restarted "
      << list("restarted") << "; unchanged " << list("unchanged") << '\n';
  if (report.contains("failed")) {
    for (const json& failure : report["failed"]) out << "failed: " << failure.get<std::string>() << '\n';
  }
  if (report.contains("pending_restart") && !report["pending_restart"].empty()) {
    out << "needs a restart of prid: " << list("pending_restart") << '\n';
  }
}

void WriteStatus(std::ostream& out, const json& status) {
  if (!status.is_object()) {
    out << JsonLine(status) << '\n';
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"version", Field(status, "version")}, {"api", Field(status, "api")},
      {"pid", Field(status, "pid")},         {"uptime", Uptime(Find(status, "uptime_s"))},
      {"spans", Field(status, "spans")},
  };
  const json* calls = Find(status, "calls");
  if (calls != nullptr && calls->is_object()) {
    pairs.emplace_back("calls", fmt::format("{} active, {} records", Field(*calls, "active"),
                                            Field(*calls, "records")));
  } else {
    pairs.emplace_back("calls", Text(calls));
  }
  pairs.emplace_back("clients", Field(status, "clients"));
  AddRemaining(status, {"version", "api", "pid", "uptime_s", "spans", "calls", "clients"}, pairs);
  WritePairs(out, pairs);
}

void WriteCallInfo(std::ostream& out, const json& call) {
  if (!call.is_object()) {
    out << JsonLine(call) << '\n';
    return;
  }
  // API.md's call record, in its order; the optional fields only when set.
  static constexpr std::array<std::string_view, 8> kAlways = {
      "call", "span", "channel", "direction", "state", "privilege", "called", "calling"};
  static constexpr std::array<std::string_view, 8> kWhenSet = {
      "mode", "origin", "conference", "participants", "created", "connected", "disconnected",
      "idle"};
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto key : kAlways) pairs.emplace_back(key, Field(call, key));
  pairs.emplace_back("cause", CauseText(call));
  for (auto key : kWhenSet) {
    if (Find(call, key) != nullptr) pairs.emplace_back(key, Field(call, key));
  }
  if (const json* uui = Find(call, "uui_sent")) pairs.emplace_back("uui sent", UuiForPeople(*uui));
  if (const json* uui = Find(call, "uui_received")) {
    pairs.emplace_back("uui received", UuiForPeople(*uui));
  }
  if (Find(call, "handles") != nullptr) pairs.emplace_back("handles", HandlesText(call));
  std::set<std::string_view> shown(kAlways.begin(), kAlways.end());
  shown.insert(kWhenSet.begin(), kWhenSet.end());
  shown.insert({"cause", "cause_name", "uui_sent", "uui_received", "handles"});
  AddRemaining(call, shown, pairs);
  WritePairs(out, pairs);
}

namespace {

// "18:31:02.123 ": the UTC time of day of an event's `time`, the clock of
// the JSON output and of prid's records; "" when the event has no readable time.
std::string EventClock(const json& event) {
  const json* time = Find(event, "time");
  if (time == nullptr || !time->is_string()) return "";
  auto when = ParseRfc3339(time->get<std::string>());
  if (!when) return "";
  constexpr long long kDayMs = 86400000;
  long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(when->time_since_epoch()).count();
  ms = (ms % kDayMs + kDayMs) % kDayMs;
  return fmt::format("{:02}:{:02}:{:02}.{:03} ", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

}  // namespace

std::string FormatEvent(const json& event) {
  std::string type = Field(event, "type");
  std::string line = fmt::format("{}event {} {}", EventClock(event), Field(event, "seq"), type);
  if (type == "call.state") return line + FormatCallState(event);
  if (type == "call.new") return line + FormatCallNew(event);
  if (type == "span.state") return line + FormatSpanState(event);
  return line + FormatOtherEvent(event);
}

std::string FormatNotification(const json& notification) {
  const json* method = Find(notification, "method");
  const json* params = Find(notification, "params");
  if (method != nullptr && *method == "event" && params != nullptr) return FormatEvent(*params);
  std::string line = Text(method);
  if (params != nullptr) line += FormatOtherEvent(*params);
  return line;
}

}  // namespace prid::cli
