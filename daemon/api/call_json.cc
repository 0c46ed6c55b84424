// JSON shapes of API.md for call records, UUI and causes.
#include "daemon/api/call_json.h"

#include <fmt/format.h>

#include "base/hex.h"
#include "base/time_format.h"
#include "q931/names.h"

namespace prid::daemon {
namespace {

bool PrintableIa5(const std::vector<std::uint8_t>& bytes) {
  for (std::uint8_t b : bytes) {
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

// API.md "Party numbers": {digits, ton, npi[, presentation, screening]}.
nlohmann::json PartyJson(const q931::Party& party, bool with_octet_3a) {
  nlohmann::json out = {{"digits", party.digits}, {"ton", q931::TonName(party.ton)}, {"npi", q931::NpiName(party.npi)}};
  if (with_octet_3a) {
    out["presentation"] = q931::PresentationName(party.presentation);
    out["screening"] = q931::ScreeningName(party.screening);
  }
  return out;
}

// {type: "nsap"|"user_specified", hex, text?, odd?}: text when printable
// IA5 (as UUI), odd for a user specified one.
nlohmann::json SubaddressJson(const q931::Subaddress& subaddress) {
  const std::vector<std::uint8_t> octets(subaddress.data.begin(), subaddress.data.end());
  nlohmann::json out = {{"type", subaddress.user_specified ? "user_specified" : "nsap"},
                        {"hex", base::ToHex(octets)}};
  if (PrintableIa5(octets)) out["text"] = subaddress.data;
  if (subaddress.user_specified) out["odd"] = subaddress.odd;
  return out;
}

void AddParties(const q931::SetupParties& parties, nlohmann::json& out) {
  out["called_party"] = PartyJson(parties.called, false);
  if (parties.calling) out["calling_party"] = PartyJson(*parties.calling, true);
  if (parties.redirecting) {
    nlohmann::json r = PartyJson(parties.redirecting->party, true);
    r["reason"] = q931::RedirectReasonName(parties.redirecting->reason);
    r["count"] = parties.redirecting->count;
    out["redirecting"] = std::move(r);
  }
  if (parties.called_subaddress) out["called_subaddress"] = SubaddressJson(*parties.called_subaddress);
  if (parties.calling_subaddress) out["calling_subaddress"] = SubaddressJson(*parties.calling_subaddress);
}

}  // namespace

nlohmann::json UuiToJson(const q931::UserUser& uui) {
  nlohmann::json out = {{"pd", uui.pd}, {"hex", base::ToHex(uui.info)}};
  if (uui.pd == q931::kUuiPdIa5 && PrintableIa5(uui.info)) {
    out["text"] = std::string(uui.info.begin(), uui.info.end());
  }
  return out;
}

nlohmann::json CallIndicationJson(const Call& call, const FarEndInfo& info) {
  nlohmann::json out = {{"call", call.id}, {"span", call.span}, {"message", std::string(info.message)}};
  if (!call.tag.empty()) out["tag"] = call.tag;
  if (!info.progress.empty()) out["progress"] = info.progress;
  if (info.cause) {
    out["cause"] = *info.cause;
    out["cause_name"] = std::string(q931::CauseName(*info.cause));
  }
  if (info.display) out["display"] = *info.display;
  if (info.connected) out["connected_party"] = PartyJson(*info.connected, true);
  if (!info.keypad.empty()) out["keypad"] = info.keypad;
  return out;
}

void AddClearingFields(const Call& call, nlohmann::json& out) {
  if (!call.cause) return;
  out["cause"] = *call.cause;
  out["cause_name"] = std::string(q931::CauseName(*call.cause));
  out["mode"] = std::string(DisconnectModeName(*call.cause));
  if (call.origin) out["origin"] = std::string(OriginName(*call.origin));
}

nlohmann::json CallRecordJson(const Call& call, const Handle& handle) {
  nlohmann::json out = {
      {"call", call.id},
      {"span", call.span},
      {"channel", call.channel},
      {"direction", std::string(DirectionName(call.direction))},
      {"state", std::string(HandleStateName(call.StateSeenBy(handle)))},
      {"privilege", std::string(PrivilegeName(handle.privilege))},
      {"called", call.called},
      {"calling", call.calling},
      {"bearer", std::string(BearerName(call.bearer))},
      {"created", base::FormatRfc3339(call.created)},
  };
  if (!call.tag.empty()) out["tag"] = call.tag;
  if (!call.is_conference) AddParties(call.parties, out);
  // The far end's display; ours (call.make's) as display_sent.
  if (!call.display.empty()) out["display"] = call.display;
  if (call.direction == Direction::kOut && !call.parties.display.empty()) out["display_sent"] = call.parties.display;
  if (call.connected_party) out["connected_party"] = PartyJson(*call.connected_party, true);
  AddClearingFields(call, out);
  if (call.uui_sent) out["uui_sent"] = UuiToJson(*call.uui_sent);
  if (call.uui_received) out["uui_received"] = UuiToJson(*call.uui_received);
  if (call.connected_at) out["connected"] = base::FormatRfc3339(*call.connected_at);
  if (call.disconnected_at) out["disconnected"] = base::FormatRfc3339(*call.disconnected_at);
  if (call.idle_at) out["idle"] = base::FormatRfc3339(*call.idle_at);
  if (call.conference != 0) out["conference"] = call.conference;
  if (call.is_conference) out["participants"] = call.participants;
  return out;
}

nlohmann::json SupervisorRecordJson(const Call& call, const Handle* own) {
  // A viewer that is not inactive sees the call's own state.
  const Handle viewer(0, Privilege::kMonitor);
  nlohmann::json out = CallRecordJson(call, own ? *own : viewer);
  if (own == nullptr) out.erase("privilege");
  nlohmann::json handles = nlohmann::json::array();
  for (const Handle& handle : call.handles) {
    handles.push_back({{"client", handle.client},
                       {"privilege", std::string(PrivilegeName(handle.privilege))},
                       {"state", std::string(HandleStateName(call.StateSeenBy(handle)))}});
  }
  out["handles"] = std::move(handles);
  return out;
}

}  // namespace prid::daemon
