// JSON shapes of API.md for call records, UUI and causes.
#include "daemon/call_json.h"

#include <fmt/format.h>

#include "base/time_format.h"
#include "q931/names.h"

namespace prid::daemon {
namespace {

std::string ToHex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PrintableIa5(const std::vector<std::uint8_t>& bytes) {
  for (std::uint8_t b : bytes) {
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

}  // namespace

nlohmann::json UuiToJson(const q931::UserUser& uui) {
  nlohmann::json out = {{"pd", uui.pd}, {"hex", ToHex(uui.info)}};
  if (uui.pd == q931::kUuiPdIa5 && PrintableIa5(uui.info)) {
    out["text"] = std::string(uui.info.begin(), uui.info.end());
  }
  return out;
}

base::Result<q931::UserUser> UuiFromJson(const nlohmann::json& value) {
  if (!value.is_object()) return base::Fail("uui must be an object: {\"text\": …} or {\"hex\": …}");
  // One pass over the members (this runs for every call.make and call.drop).
  const nlohmann::json* text = nullptr;
  const nlohmann::json* hex = nullptr;
  const nlohmann::json* pd = nullptr;
  for (const auto& [key, v] : value.get_ref<const nlohmann::json::object_t&>()) {
    if (key == "text") {
      text = &v;
    } else if (key == "hex") {
      hex = &v;
    } else if (key == "pd") {
      pd = &v;
    } else {
      return base::Fail(fmt::format("uui has an unknown key '{}' (expected text, hex, pd)", key));
    }
  }
  const bool has_text = text != nullptr;
  if (has_text == (hex != nullptr)) return base::Fail("uui needs exactly one of \"text\" and \"hex\"");
  q931::UserUser uui;
  if (pd != nullptr) {
    if (!pd->is_number_integer() || pd->get<long long>() < 0 || pd->get<long long>() > 255) {
      return base::Fail("uui.pd must be an integer 0…255");
    }
    uui.pd = static_cast<std::uint8_t>(pd->get<int>());
  }
  if (has_text) {
    if (!text->is_string()) return base::Fail("uui.text must be a string");
    const std::string& chars = text->get_ref<const std::string&>();
    uui.info.assign(chars.begin(), chars.end());
  } else {
    if (!hex->is_string()) return base::Fail("uui.hex must be a string");
    const std::string& digits = hex->get_ref<const std::string&>();
    if (digits.size() % 2 != 0) return base::Fail("uui.hex must have an even number of digits");
    uui.info.reserve(digits.size() / 2);
    for (std::size_t i = 0; i < digits.size(); i += 2) {
      int hi = HexValue(digits[i]);
      int lo = HexValue(digits[i + 1]);
      if (hi < 0 || lo < 0) {
        return base::Fail(fmt::format("uui.hex has a non-hex character at position {}", hi < 0 ? i : i + 1));
      }
      uui.info.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
  }
  return uui;
}

base::Result<std::uint8_t> CauseFromJson(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    long long n = value.get<long long>();
    if (n < 1 || n > 127) return base::Fail(fmt::format("cause {} is out of range (1…127)", n));
    return static_cast<std::uint8_t>(n);
  }
  if (value.is_string()) {
    const std::string& name = value.get_ref<const std::string&>();
    if (auto cause = CauseFromApiName(name)) return *cause;
    if (auto cause = q931::CauseFromName(name)) return *cause;
    return base::Fail(fmt::format(
        "unknown cause '{}' (a number 1…127, or normal, busy, noanswer, rejected, unavailable)", name));
  }
  return base::Fail("cause must be a number or a name");
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
      {"state", std::string(CallStateName(handle.state))},
      {"privilege", std::string(PrivilegeName(handle.privilege))},
      {"called", call.called},
      {"calling", call.calling},
      {"bearer", std::string(BearerName(call.bearer))},
      {"created", base::FormatRfc3339(call.created)},
  };
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

}  // namespace prid::daemon
