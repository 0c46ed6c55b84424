// call.state notification lines written straight into a string.
#include "daemon/api/event_line.h"

#include <algorithm>
#include <charconv>
#include <span>
#include <type_traits>

#include "base/hex.h"
#include "ipc/event_types.h"
#include "q931/names.h"

namespace prid::daemon {
namespace {

// Plain appends: fmt::format_to through a back_inserter pushed one char at
// a time and was most of this function's cost.
template <typename Integer>
void AppendNumber(std::string& out, Integer value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

template <typename Integer>
  requires std::is_integral_v<Integer>
void AppendField(std::string& out, std::string_view key, Integer value) {
  out += ",\"";
  out += key;
  out += "\":";
  AppendNumber(out, value);
}

// The value is a name of ours: no character needs escaping.
void AppendField(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":\"";
  out += value;
  out += '"';
}

void AppendUui(std::string& out, const q931::UserUser& uui) {
  out += R"({"pd":)";
  AppendNumber(out, uui.pd);
  out += R"(,"hex":")";
  base::AppendHex(out, uui.info);
  out += '"';
  const bool text = uui.pd == q931::kUuiPdIa5 &&
                    std::all_of(uui.info.begin(), uui.info.end(), [](std::uint8_t b) { return b >= 0x20 && b <= 0x7e; });
  if (text) {
    out += R"(,"text":)";
    AppendJsonString(out, std::string_view(reinterpret_cast<const char*>(uui.info.data()), uui.info.size()));
  }
  out += '}';
}

// `text` is valid UTF-8 (q931::DisplayText or printable ASCII): only
// quotes, backslashes and control characters need escaping.
void AppendUtf8String(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      base::AppendHex(out, std::span<const std::uint8_t>(&c, 1));
    } else {
      out += ch;
    }
  }
  out += '"';
}

// API.md "Party numbers" with octet 3a.
void AppendParty(std::string& out, const q931::Party& party) {
  out += R"({"digits":)";
  AppendJsonString(out, party.digits);
  AppendField(out, "ton", q931::TonName(party.ton));
  AppendField(out, "npi", q931::NpiName(party.npi));
  AppendField(out, "presentation", q931::PresentationName(party.presentation));
  AppendField(out, "screening", q931::ScreeningName(party.screening));
  out += '}';
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c > 0x7e) {
      out += "\\u00";
      base::AppendHex(out, std::span<const std::uint8_t>(&c, 1));
    } else {
      out += ch;
    }
  }
  out += '"';
}

std::string CallStateEventLine(const Call& call, HandleState previous, HandleState state,
                               const std::optional<q931::UserUser>& uui, std::uint64_t seq,
                               std::string_view time) {
  std::string out;
  out.reserve(256 + (uui ? uui->info.size() * 3 : 0));
  out += R"({"jsonrpc":"2.0","method":")";
  out += ipc::kEventMethod;
  out += R"(","params":{"type":")";
  out += ipc::event_type::kCallState;
  out += '"';
  AppendField(out, "seq", seq);
  AppendField(out, "time", time);
  AppendField(out, "call", call.id);
  AppendField(out, "span", call.span);
  AppendField(out, "channel", call.channel);
  AppendField(out, "state", HandleStateName(state));
  AppendField(out, "previous", HandleStateName(previous));
  if (!call.tag.empty()) {
    out += R"(,"tag":)";
    AppendJsonString(out, call.tag);
  }
  if ((state == HandleState::kDisconnected || state == HandleState::kIdle) && call.cause) {
    AppendField(out, "cause", *call.cause);
    AppendField(out, "cause_name", q931::CauseName(*call.cause));
    AppendField(out, "mode", DisconnectModeName(*call.cause));
    if (call.origin) AppendField(out, "origin", OriginName(*call.origin));
  }
  if (!call.display.empty()) {
    out += R"(,"display":)";
    AppendUtf8String(out, call.display);
  }
  if (call.connected_party) {
    out += R"(,"connected_party":)";
    AppendParty(out, *call.connected_party);
  }
  if (uui) {
    out += R"(,"uui":)";
    AppendUui(out, *uui);
  }
  out += "}}\n";
  return out;
}

}  // namespace prid::daemon
