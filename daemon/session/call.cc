// Name tables of the call record's enums and the cause → mode mapping.
#include "daemon/session/call.h"

#include <algorithm>
#include <array>
#include <utility>

#include "daemon/session/timer.h"

namespace prid::daemon {
namespace {

constexpr std::array<std::pair<CallState, std::string_view>, 11> kStateNames{{
    {CallState::kOffering, "offering"},
    {CallState::kAccepted, "accepted"},
    {CallState::kDialing, "dialing"},
    {CallState::kProceeding, "proceeding"},
    {CallState::kRingback, "ringback"},
    {CallState::kConnected, "connected"},
    {CallState::kOnHold, "onhold"},
    {CallState::kConferenced, "conferenced"},
    {CallState::kDisconnected, "disconnected"},
    {CallState::kInactive, "inactive"},
    {CallState::kIdle, "idle"},
}};

constexpr std::array<std::pair<Bearer, std::string_view>, 3> kBearerNames{{
    {Bearer::kSpeech, "speech"},
    {Bearer::k3_1kHz, "3.1khz"},
    {Bearer::kDigital, "digital"},
}};

constexpr std::array<std::pair<std::string_view, std::uint8_t>, 5> kApiCauseNames{{
    {"normal", 16},
    {"busy", 17},
    {"noanswer", 19},
    {"rejected", 21},
    {"unavailable", 34},
}};

}  // namespace

std::string_view CallStateName(CallState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<CallState> CallStateFromName(std::string_view name) {
  for (const auto& [s, n] : kStateNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::string_view PrivilegeName(Privilege privilege) {
  return privilege == Privilege::kOwner ? "owner" : "monitor";
}

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kIn ? "in" : "out";
}

std::string_view OriginName(Origin origin) { return origin == Origin::kLocal ? "local" : "remote"; }

std::string_view BearerName(Bearer bearer) {
  for (const auto& [b, name] : kBearerNames) {
    if (b == bearer) return name;
  }
  return "speech";
}

std::optional<Bearer> BearerFromName(std::string_view name) {
  for (const auto& [b, n] : kBearerNames) {
    if (n == name) return b;
  }
  return std::nullopt;
}

std::string_view DisconnectModeName(std::uint8_t cause) {
  // Q.850 cause classes mapped to TAPI's LINEDISCONNECTMODE_* spirit.
  switch (cause) {
    case 16:
    case 31:
      return "normal";
    case 21:
      return "reject";
    case 17:
      return "busy";
    case 18:
    case 19:
      return "noanswer";
    case 2:
    case 3:
    case 20:
    case 27:
      return "unreachable";
    case 34:
    case 38:
    case 41:
    case 42:
    case 44:
      return "congestion";
    case 58:
    case 65:
    case 66:
    case 70:
    case 88:
      return "incompatible";
    case 47:
    case 63:
    case 69:
    case 79:
      return "unavailable";
    case 1:
    case 22:
    case 28:
      return "badaddress";
    default:
      return "unknown";
  }
}

std::optional<std::uint8_t> CauseFromApiName(std::string_view name) {
  for (const auto& [n, cause] : kApiCauseNames) {
    if (n == name) return cause;
  }
  return std::nullopt;
}

Handle* Call::FindHandle(ClientId client) {
  auto it = std::find_if(handles.begin(), handles.end(),
                         [client](const Handle& h) { return h.client == client; });
  return it == handles.end() ? nullptr : &*it;
}

const Handle* Call::FindHandle(ClientId client) const {
  return const_cast<Call*>(this)->FindHandle(client);
}

std::size_t Call::OwnerCount() const {
  return static_cast<std::size_t>(std::count_if(
      handles.begin(), handles.end(), [](const Handle& h) { return h.privilege == Privilege::kOwner; }));
}

}  // namespace prid::daemon
