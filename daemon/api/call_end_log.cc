// The call-end log line and its journald fields.
#include "daemon/api/call_end_log.h"

#include <chrono>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "q931/names.h"
#include "q931/party.h"

namespace prid::daemon {
namespace {

// One key=value pair of the line; its journald field is `field`.
struct Pair {
  std::string_view key;
  std::string_view field;
  std::string value;
  std::string unit;  // appended in the line only ("s")
};

// Seconds with millisecond precision; a wall clock stepped back gives 0.
std::string Seconds(base::WallTime from, base::WallTime to) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
  return fmt::format("{:.3f}", static_cast<double>(ms < 0 ? 0 : ms) / 1000.0);
}

std::string YesNo(bool yes) { return yes ? "yes" : "no"; }

std::vector<Pair> Pairs(const Call& call, std::string_view span_name) {
  std::vector<Pair> out;
  if (!span_name.empty()) out.push_back({"span_name", "SPAN_NAME", std::string(span_name), ""});
  out.push_back({"channel", "CHANNEL", call.channel > 0 ? std::to_string(call.channel) : "none", ""});
  out.push_back({"direction", "DIRECTION", std::string(DirectionName(call.direction)), ""});
  // A number's type and plan where it has them (not both unknown): the
  // first thing to check when a carrier refuses a number.
  auto attributes = [&out](const q931::Party& party, std::string_view ton_key, std::string_view ton_field,
                           std::string_view npi_key, std::string_view npi_field) {
    if (party.ton == 0 && party.npi == 0) return;
    out.push_back({ton_key, ton_field, q931::TonName(party.ton), ""});
    out.push_back({npi_key, npi_field, q931::NpiName(party.npi), ""});
  };
  out.push_back({"called", "CALLED", call.called, ""});
  if (!call.is_conference) attributes(call.parties.called, "called_ton", "CALLED_TON", "called_npi", "CALLED_NPI");
  out.push_back({"calling", "CALLING", call.calling, ""});
  if (call.parties.calling) {
    attributes(*call.parties.calling, "calling_ton", "CALLING_TON", "calling_npi", "CALLING_NPI");
  }
  const base::WallTime end = call.idle_at.value_or(call.created);
  out.push_back({"answered", "ANSWERED", YesNo(call.connected_at.has_value()), ""});
  if (call.connected_at) {
    out.push_back({"duration", "DURATION_S", Seconds(*call.connected_at, end), "s"});
  } else {
    out.push_back({"since_setup", "SINCE_SETUP_S", Seconds(call.created, end), "s"});
  }
  if (call.cause) {
    out.push_back({"cause", "CAUSE", std::to_string(*call.cause), ""});
    out.push_back({"cause_name", "CAUSE_NAME", std::string(q931::CauseName(*call.cause)), ""});
  } else {
    out.push_back({"cause", "CAUSE", "none", ""});
  }
  if (call.origin) out.push_back({"origin", "ORIGIN", std::string(OriginName(*call.origin)), ""});
  out.push_back({"uui_sent", "UUI_SENT", YesNo(call.uui_sent.has_value()), ""});
  out.push_back({"uui_received", "UUI_RECEIVED", YesNo(call.uui_received.has_value()), ""});
  return out;
}

}  // namespace

std::string CallEndLine(const Call& call, std::string_view span_name) {
  std::string line = fmt::format("span {}: call {}: ended", call.span, call.id);
  for (const Pair& p : Pairs(call, span_name)) line += fmt::format(" {}={}{}", p.key, p.value, p.unit);
  return line;
}

base::LogFields CallEndFields(const Call& call, std::string_view span_name) {
  base::LogFields fields = base::LogFields::Call(call.span, call.id);
  if (call.cause) fields.cause = *call.cause;
  fields.Add("MESSAGE_ID", std::string(kCallEndMessageId));
  for (Pair& p : Pairs(call, span_name)) {
    // SPAN, CALL and CAUSE are LogFields' own; "none" is no value.
    if (p.field == "CAUSE" || p.value == "none") continue;
    fields.Add(std::string(p.field), std::move(p.value));
  }
  return fields;
}

void LogCallEnd(const Call& call, std::string_view span_name) {
  if (static_cast<int>(base::LogLevel::kNotice) > static_cast<int>(base::GetLogLevel())) return;
  base::LogLine(base::LogLevel::kNotice, CallEndLine(call, span_name), CallEndFields(call, span_name));
}

}  // namespace prid::daemon
