// call.state notification lines written straight into a string.
#include "daemon/event_line.h"

#include <fmt/format.h>

#include "q931/names.h"

namespace prid::daemon {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendUui(std::string& out, const q931::UserUser& uui) {
  fmt::format_to(std::back_inserter(out), R"({{"pd":{},"hex":")", uui.pd);
  bool text = uui.pd == q931::kUuiPdIa5;
  for (std::uint8_t b : uui.info) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
    text = text && b >= 0x20 && b <= 0x7e;
  }
  out += '"';
  if (text) {
    out += R"(,"text":)";
    AppendJsonString(out, std::string_view(reinterpret_cast<const char*>(uui.info.data()), uui.info.size()));
  }
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
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

std::string CallStateEventLine(const Call& call, CallState previous, CallState state,
                               const std::optional<q931::UserUser>& uui, std::uint64_t seq,
                               std::string_view time) {
  std::string out;
  out.reserve(256 + (uui ? uui->info.size() * 3 : 0));
  fmt::format_to(std::back_inserter(out),
                 R"({{"jsonrpc":"2.0","method":"event","params":{{"type":"call.state","seq":{},"time":"{}",)"
                 R"("call":{},"span":{},"channel":{},"state":"{}","previous":"{}")",
                 seq, time, call.id, call.span, call.channel, CallStateName(state), CallStateName(previous));
  if ((state == CallState::kDisconnected || state == CallState::kIdle) && call.cause) {
    fmt::format_to(std::back_inserter(out), R"(,"cause":{},"cause_name":"{}","mode":"{}")", *call.cause,
                   q931::CauseName(*call.cause), DisconnectModeName(*call.cause));
    if (call.origin) fmt::format_to(std::back_inserter(out), R"(,"origin":"{}")", OriginName(*call.origin));
  }
  if (uui) {
    out += R"(,"uui":)";
    AppendUui(out, *uui);
  }
  out += "}}\n";
  return out;
}

}  // namespace prid::daemon
