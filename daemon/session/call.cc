// Name tables of the call record's enums and the cause → mode mapping.
#include "daemon/session/call.h"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "daemon/session/timer.h"
#include "q931/q850.h"

namespace prid::daemon {
namespace {

namespace q850 = q931::cause;

// API.md "States": the one table of state names. A call's state is shown
// under the name of the view it gives its handles (ViewOf).
constexpr std::array<std::pair<HandleState, std::string_view>, 12> kStateNames{{
    {HandleState::kCollecting, "collecting"},
    {HandleState::kOffering, "offering"},
    {HandleState::kAccepted, "accepted"},
    {HandleState::kDialing, "dialing"},
    {HandleState::kProceeding, "proceeding"},
    {HandleState::kRingback, "ringback"},
    {HandleState::kConnected, "connected"},
    {HandleState::kOnHold, "onhold"},
    {HandleState::kConferenced, "conferenced"},
    {HandleState::kDisconnected, "disconnected"},
    {HandleState::kInactive, "inactive"},
    {HandleState::kIdle, "idle"},
}};

constexpr std::array<std::pair<CallState, HandleState>, 11> kViews{{
    {CallState::kCollecting, HandleState::kCollecting},
    {CallState::kOffering, HandleState::kOffering},
    {CallState::kAccepted, HandleState::kAccepted},
    {CallState::kDialing, HandleState::kDialing},
    {CallState::kProceeding, HandleState::kProceeding},
    {CallState::kRingback, HandleState::kRingback},
    {CallState::kConnected, HandleState::kConnected},
    {CallState::kOnHold, HandleState::kOnHold},
    {CallState::kConferenced, HandleState::kConferenced},
    {CallState::kDisconnected, HandleState::kDisconnected},
    {CallState::kIdle, HandleState::kIdle},
}};

constexpr std::array<std::pair<CallPhase, std::string_view>, 2> kPhaseNames{{
    {CallPhase::kSteady, "steady"},
    {CallPhase::kClearing, "clearing"},
}};

constexpr std::array<std::pair<HoldRequest, std::string_view>, 3> kHoldRequestNames{{
    {HoldRequest::kNone, "none"},
    {HoldRequest::kHold, "hold sent"},
    {HoldRequest::kRetrieve, "retrieve sent"},
}};

constexpr std::array<std::pair<Bearer, std::string_view>, 3> kBearerNames{{
    {Bearer::kSpeech, "speech"},
    {Bearer::k3_1kHz, "3.1khz"},
    {Bearer::kDigital, "digital"},
}};

constexpr std::array<std::pair<std::string_view, std::uint8_t>, 5> kApiCauseNames{{
    {"normal", q850::kNormalClearing},
    {"busy", q850::kUserBusy},
    {"noanswer", q850::kNoAnswer},
    {"rejected", q850::kCallRejected},
    {"unavailable", q850::kNoCircuitAvailable},
}};

// Q.850 cause classes mapped to TAPI's LINEDISCONNECTMODE_* spirit.
constexpr std::array<std::pair<std::uint8_t, std::string_view>, 27> kDisconnectModes{{
    {q850::kNormalClearing, "normal"},
    {q850::kNormalUnspecified, "normal"},
    {q850::kCallRejected, "reject"},
    {q850::kUserBusy, "busy"},
    {q850::kNoUserResponding, "noanswer"},
    {q850::kNoAnswer, "noanswer"},
    {q850::kNoRouteToTransitNetwork, "unreachable"},
    {q850::kNoRouteToDestination, "unreachable"},
    {q850::kSubscriberAbsent, "unreachable"},
    {q850::kDestinationOutOfOrder, "unreachable"},
    {q850::kNoCircuitAvailable, "congestion"},
    {q850::kNetworkOutOfOrder, "congestion"},
    {q850::kTemporaryFailure, "congestion"},
    {q850::kSwitchingEquipmentCongestion, "congestion"},
    {q850::kRequestedChannelUnavailable, "congestion"},
    {q850::kBearerCapabilityNotAvailable, "incompatible"},
    {q850::kBearerCapabilityNotImplemented, "incompatible"},
    {q850::kChannelTypeNotImplemented, "incompatible"},
    {q850::kOnlyRestrictedDigital, "incompatible"},
    {q850::kIncompatibleDestination, "incompatible"},
    {q850::kResourceUnavailable, "unavailable"},
    {q850::kServiceUnavailable, "unavailable"},
    {q850::kFacilityNotImplemented, "unavailable"},
    {q850::kServiceNotImplemented, "unavailable"},
    {q850::kUnallocatedNumber, "badaddress"},
    {q850::kNumberChanged, "badaddress"},
    {q850::kInvalidNumberFormat, "badaddress"},
}};  // any other cause: "unknown"

template <typename Table, typename Key>
auto Lookup(const Table& table, const Key& key) -> std::optional<decltype(table[0].second)> {
  for (const auto& [k, v] : table) {
    if (k == key) return v;
  }
  return std::nullopt;
}

template <typename Table, typename Value>
auto ReverseLookup(const Table& table, const Value& value) -> std::optional<decltype(table[0].first)> {
  for (const auto& [k, v] : table) {
    if (v == value) return k;
  }
  return std::nullopt;
}

}  // namespace

std::string_view HandleStateName(HandleState state) {
  return Lookup(kStateNames, state).value_or("unknown");
}

std::optional<HandleState> HandleStateFromName(std::string_view name) { return ReverseLookup(kStateNames, name); }

HandleState ViewOf(CallState state) { return Lookup(kViews, state).value_or(HandleState::kIdle); }

std::string_view CallStateName(CallState state) { return HandleStateName(ViewOf(state)); }

std::optional<CallState> CallStateFromName(std::string_view name) {
  auto view = HandleStateFromName(name);
  return view ? ReverseLookup(kViews, *view) : std::nullopt;
}

std::string_view CallPhaseName(CallPhase phase) { return Lookup(kPhaseNames, phase).value_or("unknown"); }

std::string_view HoldRequestName(HoldRequest request) {
  return Lookup(kHoldRequestNames, request).value_or("unknown");
}

std::string DescribeState(const FullCallState& state) {
  std::string out(CallStateName(state.state));
  if (state.phase == CallPhase::kSteady && state.hold == HoldRequest::kNone) return out;
  out += " (";
  if (state.phase != CallPhase::kSteady) out += CallPhaseName(state.phase);
  if (state.phase != CallPhase::kSteady && state.hold != HoldRequest::kNone) out += ", ";
  if (state.hold != HoldRequest::kNone) out += HoldRequestName(state.hold);
  out += ")";
  return out;
}

std::string_view PrivilegeName(Privilege privilege) {
  return privilege == Privilege::kOwner ? "owner" : "monitor";
}

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kIn ? "in" : "out";
}

std::string_view OriginName(Origin origin) {
  switch (origin) {
    case Origin::kLocal: return "local";
    case Origin::kRemote: return "remote";
    case Origin::kSupervisor: return "supervisor";
    case Origin::kRedirect: return "redirect";
    case Origin::kTransfer: return "transfer";
  }
  return "local";
}

std::string_view BearerName(Bearer bearer) { return Lookup(kBearerNames, bearer).value_or("speech"); }

std::optional<Bearer> BearerFromName(std::string_view name) { return ReverseLookup(kBearerNames, name); }

std::string_view DisconnectModeName(std::uint8_t cause) {
  return Lookup(kDisconnectModes, cause).value_or("unknown");
}

std::optional<std::uint8_t> CauseFromApiName(std::string_view name) { return Lookup(kApiCauseNames, name); }

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
