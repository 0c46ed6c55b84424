// The session model: calls, handles, lines, drop rules, state machine.
#include "daemon/session/session_model.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "base/log.h"
#include "q931/q850.h"

namespace prid::daemon {
namespace {

using S = CallState;
using H = HandleState;
namespace q850 = q931::cause;

// --- the state machine's tables --------------------------------------------
//
// Allowed moves of a call's API state (the diagram beside CallState in
// call.h):
//
//   collecting ─▶ offering ─▶ accepted ─▶ connected ◀──▶ onhold
//                 (collecting ─▶ accepted / connected, offering ─▶ connected too)
//   dialing ─▶ proceeding ─▶ ringback ─▶ connected     (each may skip ahead)
//   connected / onhold ─▶ conferenced ─▶ connected
//   every state but idle ─▶ disconnected ─▶ idle, and ─▶ idle directly
struct Transition {
  CallState from;
  std::array<CallState, 5> to;
  int count;
};
constexpr Transition kAllowed[] = {
    {S::kCollecting, {S::kOffering, S::kAccepted, S::kConnected, S::kDisconnected, S::kIdle}, 5},
    {S::kOffering, {S::kAccepted, S::kConnected, S::kDisconnected, S::kIdle}, 4},
    {S::kAccepted, {S::kConnected, S::kDisconnected, S::kIdle}, 3},
    {S::kDialing, {S::kProceeding, S::kRingback, S::kConnected, S::kDisconnected, S::kIdle}, 5},
    {S::kProceeding, {S::kRingback, S::kConnected, S::kDisconnected, S::kIdle}, 4},
    {S::kRingback, {S::kConnected, S::kDisconnected, S::kIdle}, 3},
    {S::kConnected, {S::kOnHold, S::kConferenced, S::kDisconnected, S::kIdle}, 4},
    {S::kOnHold, {S::kConnected, S::kConferenced, S::kDisconnected, S::kIdle}, 4},
    {S::kConferenced, {S::kConnected, S::kDisconnected, S::kIdle}, 3},
    {S::kDisconnected, {S::kIdle}, 1},
};

// The states in which a bridged station may leave the call (go inactive)
// or join it again; at the call's end every station sees the end.
constexpr CallState kStationStates[] = {S::kCollecting, S::kOffering,  S::kAccepted, S::kDialing,
                                        S::kProceeding, S::kRingback,  S::kConnected, S::kOnHold};

bool StateMoveAllowed(CallState from, CallState to) {
  if (from == to) return true;
  for (const Transition& t : kAllowed) {
    if (t.from == from) return std::find(t.to.begin(), t.to.begin() + t.count, to) != t.to.begin() + t.count;
  }
  return false;
}

bool Ending(CallState state) { return state == S::kDisconnected || state == S::kIdle; }

// An incoming call no answer has been sent for yet but SETUP ACKNOWLEDGE:
// alert, answer and proceed take it, a drop rejects it.
bool Unanswered(CallState state) { return state == S::kCollecting || state == S::kOffering; }

// call.dial's digits: 1…kMaxDialDigits of 0-9 * #.
constexpr std::size_t kMaxDialDigits = 32;

// The state a HOLD or RETRIEVE is sent from.
CallState RequestedFrom(HoldRequest request) { return request == HoldRequest::kHold ? S::kConnected : S::kOnHold; }

// The sub-states beside the API state (CallPhase, HoldRequest in call.h):
//   - our clearing starts in any state but idle, and while it runs the API
//     state moves only to idle, which ends it (idle is always steady);
//   - a HOLD is sent only from connected, a RETRIEVE only from onhold, both
//     only while steady and with nothing else outstanding; an outstanding
//     one outlives other moves (the far end's own HOLD may cross ours) but
//     not the call's end (disconnected, idle).
bool Allowed(const FullCallState& from, const FullCallState& to) {
  if (!StateMoveAllowed(from.state, to.state)) return false;
  if (to.state == S::kIdle && (to.phase != CallPhase::kSteady || to.hold != HoldRequest::kNone)) return false;
  if (from.phase == CallPhase::kSteady && to.phase == CallPhase::kClearing) {
    if (from.state == S::kIdle || to.state != from.state) return false;
  }
  if (from.phase == CallPhase::kClearing && to.state != from.state && to.state != S::kIdle) return false;
  if (to.hold != HoldRequest::kNone) {
    if (Ending(to.state)) return false;
    if (from.hold == HoldRequest::kNone) {
      return from.state == to.state && to.state == RequestedFrom(to.hold) && from.phase == CallPhase::kSteady &&
             to.phase == CallPhase::kSteady;
    }
    if (from.hold != to.hold) return false;
  }
  return true;
}

// A call moved to API state `state`, its sub-states following: idle ends
// every clearing and request, disconnected every request.
FullCallState Moved(const Call& call, CallState state) {
  FullCallState to = call.full_state();
  to.state = state;
  if (state == S::kIdle) to.phase = CallPhase::kSteady;
  if (Ending(state)) to.hold = HoldRequest::kNone;
  return to;
}

FullCallState WithPhase(const Call& call, CallPhase phase) {
  FullCallState to = call.full_state();
  to.phase = phase;
  return to;
}

FullCallState WithRequest(const Call& call, HoldRequest request) {
  FullCallState to = call.full_state();
  to.hold = request;
  return to;
}

// --- errors ------------------------------------------------------------------

constexpr std::array<std::pair<ModelErrorKind, std::string_view>, 9> kModelErrorNames{{
    {ModelErrorKind::kInvalidCallHandle, "InvalidCallHandle"},
    {ModelErrorKind::kInvalidCallState, "InvalidCallState"},
    {ModelErrorKind::kNotOwner, "NotOwner"},
    {ModelErrorKind::kUserUserInfoTooBig, "UserUserInfoTooBig"},
    {ModelErrorKind::kOperationUnavailable, "OperationUnavailable"},
    {ModelErrorKind::kResourceUnavailable, "ResourceUnavailable"},
    {ModelErrorKind::kSpanDown, "SpanDown"},
    {ModelErrorKind::kInvalidParams, "InvalidParams"},
    {ModelErrorKind::kPermissionDenied, "PermissionDenied"},
}};

// A span's refusal to place a call, its name and the model's error for it.
struct PortErrorEntry {
  PortErrorKind kind;
  std::string_view name;
  ModelErrorKind model;
};
constexpr PortErrorEntry kPortErrors[] = {
    {PortErrorKind::kSpanDown, "SpanDown", ModelErrorKind::kSpanDown},
    {PortErrorKind::kNoChannel, "NoChannel", ModelErrorKind::kResourceUnavailable},
    {PortErrorKind::kFailed, "Failed", ModelErrorKind::kOperationUnavailable},
    {PortErrorKind::kInvalidChannel, "InvalidChannel", ModelErrorKind::kInvalidParams},
    {PortErrorKind::kWrongState, "WrongState", ModelErrorKind::kInvalidCallState},
};

ModelError Error(ModelErrorKind kind, std::string message) {
  ModelError error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

base::Unexpected<ModelError> Fail(ModelErrorKind kind, std::string message) {
  return {Error(kind, std::move(message))};
}

}  // namespace

std::string_view ModelErrorName(ModelErrorKind kind) {
  for (const auto& [k, name] : kModelErrorNames) {
    if (k == kind) return name;
  }
  return "InternalError";
}

ModelErrorKind ModelErrorFor(PortErrorKind kind) {
  for (const PortErrorEntry& e : kPortErrors) {
    if (e.kind == kind) return e.model;
  }
  return ModelErrorKind::kOperationUnavailable;
}

std::string_view PortErrorName(PortErrorKind kind) {
  for (const PortErrorEntry& e : kPortErrors) {
    if (e.kind == kind) return e.name;
  }
  return "Failed";
}

SessionModel::SessionModel(EventSink& events, TimerFactory& timers) : events_(events), timers_(timers) {}
SessionModel::~SessionModel() = default;

void SessionModel::AddSpan(const SpanSettings& settings, SpanPort* port) {
  SpanEntry& entry = spans_[settings.span];
  entry.settings = settings;
  entry.port = port;
}

void SessionModel::RemoveSpan(int span) {
  // Calls of a removed span are over on the wire as far as we can tell.
  std::vector<CallId> ids;
  for (auto& [id, call] : calls_) {
    if (call->span == span) ids.push_back(id);
  }
  for (CallId id : ids) {
    if (Call* call = FindCall(id); call && call->on_wire()) {
      WireCleared(id, call->cause.value_or(q850::kNormalClearing), std::nullopt, false);
    }
  }
  spans_.erase(span);
}

Call* SessionModel::FindCall(CallId call) {
  auto it = calls_.find(call);
  return it == calls_.end() ? nullptr : it->second.get();
}

const Call* SessionModel::Find(CallId call) const {
  auto it = calls_.find(call);
  return it == calls_.end() ? nullptr : it->second.get();
}

std::vector<ClientId> SessionModel::LineHolders(int span) const {
  std::vector<ClientId> out;
  if (auto it = spans_.find(span); it != spans_.end()) {
    out.assign(it->second.owners.begin(), it->second.owners.end());
    out.insert(out.end(), it->second.monitors.begin(), it->second.monitors.end());
  }
  return out;
}

bool SessionModel::HasMonitorLine(ClientId client, int span) const {
  auto it = spans_.find(span);
  return it != spans_.end() && it->second.monitors.count(client) != 0;
}

SessionModel::SpanEntry* SessionModel::FindSpan(int span) {
  auto it = spans_.find(span);
  return it == spans_.end() ? nullptr : &it->second;
}

std::size_t SessionModel::active_count() const {
  return static_cast<std::size_t>(std::count_if(
      calls_.begin(), calls_.end(), [](const auto& entry) { return entry.second->state() != S::kIdle; }));
}

std::size_t SessionModel::handle_count() const {
  std::size_t n = 0;
  for (const auto& [id, call] : calls_) n += call->handles.size();
  return n;
}

ModelResult<Call*> SessionModel::CallForClient(ClientId client, CallId id) {
  Call* call = FindCall(id);
  if (call == nullptr || call->FindHandle(client) == nullptr) {
    return Fail(ModelErrorKind::kInvalidCallHandle,
                fmt::format("call {} does not exist or this client holds no handle on it", id));
  }
  return call;
}

ModelResult<Call*> SessionModel::CallForOwner(ClientId client, CallId id) {
  auto call = CallForClient(client, id);
  if (!call.ok()) return call;
  if ((*call)->FindHandle(client)->privilege != Privilege::kOwner) {
    return Fail(ModelErrorKind::kNotOwner,
                fmt::format("this client holds only a monitor handle on call {}", id));
  }
  return call;
}

ModelStatus SessionModel::CheckUui(const SpanEntry& span,
                                   const std::optional<q931::UserUser>& uui) const {
  if (!uui) return std::monostate{};
  if (!span.settings.uui) {
    return Fail(ModelErrorKind::kOperationUnavailable,
                fmt::format("span {} does not carry user-user information (uui = false)",
                            span.settings.span));
  }
  if (uui->info.size() > span.settings.uui_max) {
    ModelError error = Error(ModelErrorKind::kUserUserInfoTooBig,
                             fmt::format("user-user information of {} octets exceeds span {}'s "
                                         "limit of {} octets; nothing was sent",
                                         uui->info.size(), span.settings.span,
                                         span.settings.uui_max));
    error.max = span.settings.uui_max;
    return base::Unexpected<ModelError>{std::move(error)};
  }
  return std::monostate{};
}

// --- the one writer of the state machine --------------------------------------

std::unique_ptr<Call> SessionModel::NewRecord(CallId id, int span, CallState initial) {
  auto call = std::make_unique<Call>();
  call->id = id;
  call->span = span;
  call->created = std::chrono::system_clock::now();
  call->full_.state = initial;
  return call;
}

ModelStatus SessionModel::TransitionTo(Call& call, const FullCallState& to,
                                       const std::optional<q931::UserUser>& uui) {
  const FullCallState from = call.full_;
  if (to == from) return std::monostate{};
  if (!Allowed(from, to)) {
    // A broken invariant of the model, not client or wire input: refuse it
    // loudly and leave the record as it was.
    PRID_LOGF(kError, base::LogFields::Call(call.span, call.id),
              "span {}: call {}: illegal transition from {} to {} refused", call.span, call.id,
              DescribeState(from), DescribeState(to));
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} cannot go from {} to {}", call.id, DescribeState(from), DescribeState(to)));
  }
  const bool was_in_media = call.in_conference_media();
  call.full_ = to;
  if (was_in_media && !call.in_conference_media()) {
    // Out of the media conference before anything is sent or told.
    if (SpanEntry* span = FindSpan(call.span); span && span->port) span->port->LeaveConference(call.id);
  }
  if (!call.clearing_at && (to.phase == CallPhase::kClearing || to.state == S::kDisconnected)) {
    call.clearing_at = std::chrono::system_clock::now();  // the first clearing message, either way
  }
  if (to.state == from.state) return std::monostate{};

  const auto now = std::chrono::system_clock::now();
  if (to.state == S::kConnected && !call.connected_at) call.connected_at = now;
  if (to.state == S::kDisconnected) call.disconnected_at = now;
  if (to.state == S::kIdle) call.idle_at = now;
  if (to.state == S::kIdle && !call.is_conference) {
    // Idle is where a Q.931 call ends: the wire is done with it.
    const SpanEntry* span = FindSpan(call.span);
    events_.CallCleared(call, span ? std::string_view(span->settings.name) : std::string_view());
  }
  const bool ending = Ending(to.state);
  std::vector<ClientId> recipients;
  std::vector<ClientId> inactive;  // bridged stations off the call: only its end reaches them
  recipients.reserve(call.handles.size());
  for (Handle& handle : call.handles) {
    if (handle.inactive_) {
      if (!ending) continue;
      handle.inactive_ = false;
      inactive.push_back(handle.client);
    } else {
      recipients.push_back(handle.client);
    }
  }
  events_.CallStateChanged(call, ViewOf(from.state), ViewOf(to.state), recipients, uui);
  if (!inactive.empty()) events_.CallStateChanged(call, H::kInactive, ViewOf(to.state), inactive, uui);
  return std::monostate{};
}

ModelStatus SessionModel::TransitionHandle(Call& call, Handle& handle, HandleState to) {
  const HandleState from = call.StateSeenBy(handle);
  if (from == to) return std::monostate{};
  const bool station_state = std::find(std::begin(kStationStates), std::end(kStationStates), call.state()) !=
                             std::end(kStationStates);
  const bool leaving = from == ViewOf(call.state()) && to == H::kInactive;
  const bool joining = from == H::kInactive && to == ViewOf(call.state());
  if (!station_state || call.clearing() || !(leaving || joining)) {
    PRID_LOGF(kError, base::LogFields::Call(call.span, call.id),
              "span {}: call {}: illegal transition of client {}'s handle from {} to {} refused (call {})",
              call.span, call.id, handle.client, HandleStateName(from), HandleStateName(to),
              DescribeState(call.full_));
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("this station's appearance of call {} cannot go from {} to {}", call.id,
                            HandleStateName(from), HandleStateName(to)));
  }
  handle.inactive_ = leaving;
  events_.CallStateChanged(call, from, to, {handle.client}, std::nullopt);
  return std::monostate{};
}

bool SessionModel::Bridged(const Call& call) const {
  auto it = spans_.find(call.span);
  return !call.is_conference && it != spans_.end() && it->second.settings.appearance == Appearance::kBridged;
}

bool SessionModel::OtherLiveOwner(const Call& call, ClientId client) const {
  if (call.state() == S::kIdle) return false;
  return std::any_of(call.handles.begin(), call.handles.end(), [client](const Handle& h) {
    return h.client != client && h.privilege == Privilege::kOwner && !h.inactive();
  });
}

// --- lines --------------------------------------------------------------

ModelStatus SessionModel::OpenLine(ClientId client, int span, Privilege privilege) {
  SpanEntry* entry = FindSpan(span);
  if (entry == nullptr) return Fail(ModelErrorKind::kInvalidParams, fmt::format("no span {}", span));
  (privilege == Privilege::kOwner ? entry->monitors : entry->owners).erase(client);
  (privilege == Privilege::kOwner ? entry->owners : entry->monitors).insert(client);
  if (privilege == Privilege::kMonitor) {
    // The calls already up on the span, as AddMonitorHandles would have
    // given them (participants, not conference calls).
    for (auto& [id, call] : calls_) {
      if (call->span != span || call->is_conference || call->state() == S::kIdle || call->FindHandle(client)) {
        continue;
      }
      call->handles.emplace_back(client, Privilege::kMonitor);
      events_.CallOffered(*call, call->handles.back());
    }
  }
  return std::monostate{};
}

ModelStatus SessionModel::CloseLine(ClientId client, int span) {
  SpanEntry* entry = FindSpan(span);
  if (entry == nullptr) return Fail(ModelErrorKind::kInvalidParams, fmt::format("no span {}", span));
  if (entry->owners.erase(client) + entry->monitors.erase(client) == 0) {
    return Fail(ModelErrorKind::kInvalidParams,
                fmt::format("this client has no line open on span {}", span));
  }
  return std::monostate{};
}

void SessionModel::AddMonitorHandles(Call& call, const SpanEntry& span) {
  for (ClientId monitor : span.monitors) {
    if (call.FindHandle(monitor)) continue;
    call.handles.emplace_back(monitor, Privilege::kMonitor);
    events_.CallOffered(call, call.handles.back());
  }
}

// --- outgoing -------------------------------------------------------------

ModelResult<CallId> SessionModel::Make(ClientId client, const MakeCallRequest& request) {
  if (spans_.empty()) return Fail(ModelErrorKind::kInvalidParams, "the daemon has no span");
  const int span_number = request.span.value_or(spans_.begin()->first);
  SpanEntry* span = FindSpan(span_number);
  if (span == nullptr) {
    return Fail(ModelErrorKind::kInvalidParams, fmt::format("no span {}", span_number));
  }
  // Overlap sending may start with no digits at all (Q.931 5.1.3).
  if (request.parties.called.digits.empty() && !request.overlap) {
    return Fail(ModelErrorKind::kInvalidParams, "number is empty");
  }
  if (auto ok = CheckUui(*span, request.uui); !ok.ok()) return base::Unexpected<ModelError>{ok.error()};
  if (!span->port->up()) {
    return Fail(ModelErrorKind::kSpanDown,
                fmt::format("span {}'s D-channel is not up; try again when span.state says up",
                            span_number));
  }

  const CallId id = next_call_id_++;
  auto call = NewRecord(id, span_number, S::kDialing);
  call->direction = Direction::kOut;
  call->bearer = request.bearer;
  call->called = request.parties.called.digits;
  call->calling = request.parties.calling ? request.parties.calling->digits : "";
  call->parties = request.parties;
  call->tag = request.tag;
  call->overlap = request.overlap;
  call->uui_sent = request.uui;
  call->handles.emplace_back(client, Privilege::kOwner);
  Call& ref = *call;
  calls_.emplace(id, std::move(call));

  PlaceCallRequest place{request.parties, request.bearer, request.channel, request.uui, request.overlap};
  auto channel = span->port->PlaceCall(id, place);
  if (!channel.ok()) {
    calls_.erase(id);
    events_.CallRecordFreed(id);
    const PortError& e = channel.error();
    return Fail(ModelErrorFor(e.kind), e.message);
  }
  ref.channel = *channel;
  events_.CallBegan(ref);
  if (span->settings.appearance == Appearance::kBridged) {
    // Every station of a bridged span has an appearance of the call; the
    // others are off it until they join.
    for (ClientId station : span->owners) {
      if (station == client) continue;
      Handle& handle = ref.handles.emplace_back(station, Privilege::kOwner);
      handle.inactive_ = true;
      events_.CallOffered(ref, handle);
    }
  }
  AddMonitorHandles(ref, *span);
  return id;
}

// --- incoming ---------------------------------------------------------

CallId SessionModel::IncomingCall(int span_number, const IncomingCallInfo& info,
                                  const std::function<void(CallId)>& bind) {
  SpanEntry* span = FindSpan(span_number);
  if (span == nullptr) return 0;
  const CallId id = next_call_id_++;
  auto call = NewRecord(id, span_number, info.collecting ? S::kCollecting : S::kOffering);
  call->channel = info.channel;
  call->direction = Direction::kIn;
  call->bearer = info.bearer;
  call->called = info.parties.called.digits;
  call->calling = info.parties.calling ? info.parties.calling->digits : "";
  call->parties = info.parties;
  call->display = info.parties.display;
  call->uui_received = info.uui;
  Call& ref = *call;
  calls_.emplace(id, std::move(call));
  bind(id);
  events_.CallBegan(ref);

  for (ClientId owner : span->owners) {
    ref.handles.emplace_back(owner, Privilege::kOwner);
    events_.CallOffered(ref, ref.handles.back());
  }
  AddMonitorHandles(ref, *span);
  if (span->owners.empty()) {
    // Nobody to offer it to: reject it as an owner's drop would.
    (void)StartClearing(ref, q850::kCallRejected, std::nullopt);
    MaybeFree(id);
  }
  return id;
}

void SessionModel::DigitsReceived(CallId id, const std::string& digits, bool complete) {
  Call* call = FindCall(id);
  if (call == nullptr || call->clearing() || call->state() != S::kCollecting) return;
  call->called += digits;
  call->parties.called.digits = call->called;
  std::vector<ClientId> recipients;
  for (const Handle& h : call->handles) {
    if (!h.inactive()) recipients.push_back(h.client);
  }
  events_.CallDigits(*call, digits, complete, recipients);
}

void SessionModel::Proceeding(CallId id) {
  // Progress that crosses our own drop on the wire changes nothing.
  if (Call* call = FindCall(id); call && !call->clearing() && call->state() == S::kDialing) {
    (void)TransitionTo(*call, Moved(*call, S::kProceeding));
  }
}

void SessionModel::Alerting(CallId id, std::optional<q931::UserUser> uui) {
  Call* call = FindCall(id);
  if (call && !call->clearing() && (call->state() == S::kDialing || call->state() == S::kProceeding)) {
    if (uui) call->uui_received = uui;
    (void)TransitionTo(*call, Moved(*call, S::kRingback), uui);
  }
}

void SessionModel::Answered(CallId id, std::optional<q931::UserUser> uui) {
  Call* call = FindCall(id);
  if (call && !call->clearing() && call->direction == Direction::kOut &&
      (call->state() == S::kDialing || call->state() == S::kProceeding || call->state() == S::kRingback)) {
    if (uui) call->uui_received = uui;
    (void)TransitionTo(*call, Moved(*call, S::kConnected), uui);
  }
}

void SessionModel::InfoReceived(CallId id, const FarEndInfo& info) {
  Call* call = FindCall(id);
  if (call == nullptr || call->is_conference || call->state() == S::kIdle || info.empty()) return;
  if (info.display) call->display = *info.display;
  if (info.connected) call->connected_party = info.connected;
  std::vector<ClientId> recipients;
  for (const Handle& h : call->handles) {
    if (!h.inactive()) recipients.push_back(h.client);
  }
  events_.CallInfoReceived(*call, info, recipients);
}

// --- client call control ------------------------------------------------

ModelStatus SessionModel::Alert(ClientId client, CallId id, bool inband, int channel) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if (!Unanswered(c.state()) || c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; only an offering or collecting call can be alerted", id,
                            CallStateName(c.state())));
  }
  SpanEntry* span = FindSpan(c.span);
  auto sent = span->port->Alert(id, inband, channel);
  if (!sent.ok()) return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
  c.channel = *sent;
  return TransitionTo(c, Moved(c, S::kAccepted));
}

ModelStatus SessionModel::Proceed(ClientId client, CallId id, int channel) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if (!Unanswered(c.state()) || c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; only an offering or collecting call can proceed", id,
                            CallStateName(c.state())));
  }
  if (auto sent = FindSpan(c.span)->port->Proceed(id, channel); !sent.ok()) {
    return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
  }
  if (channel != 0) c.channel = channel;
  // The number is complete: the call is offered as an en-bloc one would be.
  if (c.state() == S::kCollecting) return TransitionTo(c, Moved(c, S::kOffering));
  return std::monostate{};
}

ModelStatus SessionModel::Progress(ClientId client, CallId id, const std::vector<std::uint8_t>& descriptions,
                                   std::optional<std::uint8_t> cause) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if ((!Unanswered(c.state()) && c.state() != S::kAccepted) || c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; PROGRESS goes only on a collecting, offering or accepted call", id,
                            CallStateName(c.state())));
  }
  if (auto sent = FindSpan(c.span)->port->Progress(id, descriptions, cause); !sent.ok()) {
    return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
  }
  return std::monostate{};
}

ModelStatus SessionModel::Redirect(ClientId client, CallId id, const q931::Party& to, std::uint8_t reason) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if (c.direction != Direction::kIn || (!Unanswered(c.state()) && c.state() != S::kAccepted) || c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only an incoming call that is collecting, offering or accepted can "
                            "be redirected",
                            id, CallStateName(c.state()), c.clearing() ? " and clearing" : ""));
  }
  if (auto sent = FindSpan(c.span)->port->Redirect(id, to, c.parties.called, reason); !sent.ok()) {
    return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
  }
  PRID_LOGF(kInfo, base::LogFields::Call(c.span, c.id), "span {}: call {}: redirected to {} by client {}", c.span,
            c.id, to.digits, client);
  // The far end clears a rerouted call (ETSI EN 300 207-1, ISO 13868): the
  // call is ours to end like a drop, but the clearing message is its.
  if (c.release_timer) c.release_timer->Stop();
  if (auto ok = TransitionTo(c, WithPhase(c, CallPhase::kClearing)); !ok.ok()) return ok;
  c.cause = q850::kNormalClearing;
  c.origin = Origin::kRedirect;
  if (auto uid = uids_.find(client); uid != uids_.end()) c.dropped_by_uid = uid->second;
  // A far end that refuses the rerouting (a ROSE error) or ignores it keeps
  // the call: after release_timeout prid clears it as a drop would.
  const SpanEntry* span = FindSpan(c.span);
  if (!c.release_timer) c.release_timer = timers_.Create();
  c.release_timer->Start(span ? span->settings.release_timeout_s : 10.0, [this, id] {
    Call* r = FindCall(id);
    if (r == nullptr || !r->on_wire() || !r->clearing()) return;
    SpanEntry* s = FindSpan(r->span);
    if (s == nullptr || s->port == nullptr ||
        s->port->Clear(id, q850::kNormalClearing, std::nullopt) == ClearOutcome::kCleared) {
      WireCleared(id, q850::kNormalClearing, std::nullopt, false);
    }
  });
  return std::monostate{};
}

ModelStatus SessionModel::Transfer(ClientId client, CallId id, CallId to) {
  if (id == to) {
    return Fail(ModelErrorKind::kInvalidParams,
                fmt::format("parameter 'to_call' is call {} itself; a transfer joins two calls", id));
  }
  auto first = CallForOwner(client, id);
  if (!first.ok()) return base::Unexpected<ModelError>{first.error()};
  auto second = CallForOwner(client, to);
  if (!second.ok()) return base::Unexpected<ModelError>{second.error()};
  Call& a = **first;
  Call& b = **second;
  for (const Call* c : {&a, &b}) {
    if (c->is_conference) {
      return Fail(ModelErrorKind::kOperationUnavailable,
                  fmt::format("call {} is a conference; transfer its participants instead", c->id));
    }
    const bool answered = c->state() == S::kConnected || c->state() == S::kOnHold;
    if (!answered || c->clearing() || c->hold_request() != HoldRequest::kNone || c->transferring_with != 0) {
      return Fail(ModelErrorKind::kInvalidCallState,
                  fmt::format("call {} is {}{}; a transfer joins two connected or held calls", c->id,
                              CallStateName(c->state()),
                              c->transferring_with != 0 ? " with a transfer pending"
                              : c->clearing()            ? " and clearing"
                              : c->hold_request() != HoldRequest::kNone ? " with a HOLD or RETRIEVE pending"
                                                                        : ""));
    }
  }
  if (a.span != b.span) {
    return Fail(ModelErrorKind::kInvalidParams,
                fmt::format("calls {} (span {}) and {} (span {}) are on different spans; a transfer joins two "
                            "calls of one D-channel",
                            a.id, a.span, b.id, b.span));
  }
  if (a.bearer != b.bearer) {
    return Fail(ModelErrorKind::kInvalidParams,
                fmt::format("calls {} ({}) and {} ({}) have different bearers; a transfer joins calls of one bearer",
                            a.id, BearerName(a.bearer), b.id, BearerName(b.bearer)));
  }
  SpanEntry* span = FindSpan(a.span);
  if (auto sent = span->port->Transfer(id, to); !sent.ok()) {
    return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
  }
  PRID_LOGF(kInfo, base::LogFields::Call(a.span, a.id), "span {}: calls {} and {}: transfer asked by client {}",
            a.span, a.id, b.id, client);
  if (auto uid = uids_.find(client); uid != uids_.end()) a.dropped_by_uid = b.dropped_by_uid = uid->second;
  // The network carries it out by clearing both calls (ETSI EN 300 369-1);
  // libpri reports no refusal, so silence for release_timeout is one.
  for (auto [call, partner] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    call->transferring_with = partner->id;
    call->transfer_joined = false;
    if (!call->transfer_timer) call->transfer_timer = timers_.Create();
    call->transfer_timer->Start(span->settings.release_timeout_s,
                                [this, cid = call->id] { TransferTimedOut(cid); });
  }
  return std::monostate{};
}

void SessionModel::TransferCarriedOut(Call& call, std::uint8_t cause, const std::optional<q931::UserUser>& uui) {
  if (Call* partner = FindCall(call.transferring_with); partner && partner->transferring_with == call.id) {
    partner->transfer_joined = true;
  }
  call.transferring_with = 0;
  if (call.transfer_timer) call.transfer_timer->Stop();
  call.cause = cause;
  call.origin = Origin::kTransfer;
  if (uui) call.uui_received = uui;
  // Ended as a drop is (the DISCONNECT answered with RELEASE), not left
  // disconnected for its owner: the owner asked for this clearing.
  (void)StartClearing(call, cause, std::nullopt, Origin::kTransfer);
}

void SessionModel::TransferTimedOut(CallId id) {
  Call* call = FindCall(id);
  if (call == nullptr || !call->on_wire() || call->transferring_with == 0) return;
  if (call->transfer_joined) {
    // The network cleared the other call but not this one: clear it.
    call->transferring_with = 0;
    if (!call->clearing()) {
      call->cause = q850::kNormalClearing;
      call->origin = Origin::kTransfer;
      (void)StartClearing(*call, q850::kNormalClearing, std::nullopt, Origin::kTransfer);
    }
    return;
  }
  // Neither call cleared: the network refused the transfer or ignored it.
  Call* partner = FindCall(call->transferring_with);
  for (Call* c : {call, partner}) {
    if (c == nullptr || (c != call && c->transferring_with != id)) continue;
    c->transferring_with = 0;
    if (c->transfer_timer) c->transfer_timer->Stop();
    if (!c->on_wire() || c->clearing()) continue;
    PRID_LOGF(kWarning, base::LogFields::Call(c->span, c->id),
              "span {}: call {}: the network carried out no transfer within release_timeout; the call stays",
              c->span, c->id);
    std::vector<ClientId> recipients;
    for (const Handle& h : c->handles) {
      if (!h.inactive()) recipients.push_back(h.client);
    }
    events_.CallRequestRefused(*c, c->state(), q850::kRecoveryOnTimerExpiry, recipients, "transfer");
  }
}

ModelStatus SessionModel::Display(ClientId client, CallId id, const std::string& text) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if (!c.on_wire() || c.clearing() || c.state() == S::kDisconnected) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; display goes on a call under way", id, CallStateName(c.state()),
                            c.clearing() ? " and clearing" : ""));
  }
  if (auto sent = FindSpan(c.span)->port->Display(id, text); !sent.ok()) {
    return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
  }
  return std::monostate{};
}

ModelStatus SessionModel::Dial(ClientId client, CallId id, const std::string& digits, bool complete) {
  if (digits.empty() || digits.size() > kMaxDialDigits ||
      digits.find_first_not_of("0123456789*#") != std::string::npos) {
    return Fail(ModelErrorKind::kInvalidParams,
                fmt::format("parameter 'digits' must be 1 to {} of 0-9 * #", kMaxDialDigits));
  }
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  SpanPort* port = FindSpan(c.span)->port;
  if (c.state() == S::kDialing && c.overlap && !c.clearing()) {
    if (auto sent = port->Dial(id, digits, complete); !sent.ok()) {
      return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
    }
    c.called += digits;
    c.parties.called.digits = c.called;
    return std::monostate{};
  }
  if (c.state() == S::kConnected && !c.clearing()) {
    // TAPI lineDial after the answer: keypad facility, where the variant has it.
    if (auto sent = port->Keypad(id, digits); !sent.ok()) {
      return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
    }
    return std::monostate{};
  }
  return Fail(ModelErrorKind::kInvalidCallState,
              fmt::format("call {} is {}{}; digits go on a call made with overlap while it is dialing, or on a "
                          "connected call (keypad)",
                          id, CallStateName(c.state()),
                          c.state() == S::kDialing && !c.overlap ? " and was not made with overlap" : ""));
}

ModelStatus SessionModel::Answer(ClientId client, CallId id, const std::optional<q931::UserUser>& uui,
                                 bool non_isdn, int channel) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  // A bridged station answering a call another station has: it joins.
  if (Bridged(c) && c.FindHandle(client)->inactive()) return Join(client, id);
  if ((!Unanswered(c.state()) && c.state() != S::kAccepted) || c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; only a collecting, offering or accepted call can be answered", id,
                            CallStateName(c.state())));
  }
  SpanEntry* span = FindSpan(c.span);
  if (auto ok = CheckUui(*span, uui); !ok.ok()) return ok;
  auto sent = span->port->Answer(id, uui, non_isdn, channel);
  if (!sent.ok()) return Fail(ModelErrorFor(sent.error().kind), sent.error().message);
  c.channel = *sent;
  if (uui) c.uui_sent = uui;
  if (Bridged(c)) {
    // The answering station is on the call; the other stations' appearances
    // become inactive (each may join).
    for (Handle& h : c.handles) {
      if (h.client == client || h.privilege != Privilege::kOwner) continue;
      if (auto ok = TransitionHandle(c, h, H::kInactive); !ok.ok()) return ok;
    }
  }
  return TransitionTo(c, Moved(c, S::kConnected));
}

ModelStatus SessionModel::Join(ClientId client, CallId id) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if (!Bridged(c)) {
    return Fail(ModelErrorKind::kOperationUnavailable,
                fmt::format("call {} is not on a bridged span (appearance = \"bridged\"); "
                            "call.join is for party-line stations",
                            id));
  }
  Handle& handle = *c.FindHandle(client);
  if (!handle.inactive()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("this station's appearance of call {} is {}; only an inactive one can join", id,
                            HandleStateName(c.StateSeenBy(handle))));
  }
  const bool live = c.state() == S::kDialing || c.state() == S::kProceeding || c.state() == S::kRingback ||
                    c.state() == S::kConnected || c.state() == S::kOnHold;
  if (!live || c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; there is no call to join", id, CallStateName(c.state()),
                            c.clearing() ? " and being cleared" : ""));
  }
  return TransitionHandle(c, handle, ViewOf(c.state()));
}

class SessionModel::DropperScope {
 public:
  DropperScope(SessionModel& model, ClientId client) : model_(model), saved_(model.dropping_uid_) {
    auto it = model.uids_.find(client);
    model.dropping_uid_ = it == model.uids_.end() ? std::nullopt : std::optional<std::uint32_t>(it->second);
  }
  ~DropperScope() { model_.dropping_uid_ = saved_; }
  DropperScope(const DropperScope&) = delete;
  DropperScope& operator=(const DropperScope&) = delete;

 private:
  SessionModel& model_;
  std::optional<std::uint32_t> saved_;
};

ModelStatus SessionModel::Drop(ClientId client, CallId id, std::optional<std::uint8_t> cause,
                               const std::optional<q931::UserUser>& uui) {
  DropperScope dropper(*this, client);
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  const HandleState seen = c.StateSeenBy(*c.FindHandle(client));
  if (seen == H::kIdle || seen == H::kInactive) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; there is nothing to drop (deallocate it instead)", id,
                            HandleStateName(seen)));
  }
  if (c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is already being dropped; it goes idle when the far end "
                            "completes the clearing",
                            id));
  }
  return DropCall(c, client, cause, uui);
}

ModelStatus SessionModel::CheckSupervisor(ClientId client, std::string_view what) const {
  if (IsSupervisor(client)) return std::monostate{};
  return Fail(ModelErrorKind::kPermissionDenied,
              fmt::format("{} needs the supervisor privilege: root, prid's own user or a member of "
                          "supervisor_group (prid.conf)",
                          what));
}

ModelStatus SessionModel::SupervisorDrop(ClientId client, CallId id, std::optional<std::uint8_t> cause,
                                         const std::optional<q931::UserUser>& uui) {
  if (auto ok = CheckSupervisor(client, "call.drop {supervisor: true}"); !ok.ok()) return ok;
  DropperScope dropper(*this, client);
  Call* found = FindCall(id);
  if (found == nullptr) return Fail(ModelErrorKind::kInvalidCallHandle, fmt::format("call {} does not exist", id));
  Call& c = *found;
  if (c.state() == S::kIdle) {
    return Fail(ModelErrorKind::kInvalidCallState, fmt::format("call {} is idle; there is nothing to drop", id));
  }
  if (c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is already being dropped; it goes idle when the far end "
                            "completes the clearing",
                            id));
  }
  if (c.is_conference) {
    for (CallId participant : c.participants) {
      if (const Call* p = FindCall(participant)) {
        if (auto ok = CheckUui(*FindSpan(p->span), uui); !ok.ok()) return ok;
      }
    }
  } else if (auto ok = CheckUui(*FindSpan(c.span), uui); !ok.ok()) {
    return ok;
  }
  PRID_LOGF(kNotice, base::LogFields::Call(c.span, c.id), "span {}: call {}: dropped by supervisor client {}",
            c.span, c.id, client);
  if (c.FindHandle(client) == nullptr) {
    // Its handle first: it sees the drop it asked for, and the record stays
    // for it to query once the call is idle.
    c.handles.emplace_back(client, Privilege::kMonitor);
    events_.CallOffered(c, c.handles.back());
  }
  // The whole call, every station of a bridged span included.
  if (c.is_conference) return DropConference(c, cause, uui, Origin::kSupervisor);
  const bool rejecting = Unanswered(c.state()) || c.state() == S::kAccepted;
  return StartClearing(c, cause.value_or(rejecting ? q850::kCallRejected : q850::kNormalClearing), uui,
                       Origin::kSupervisor);
}

ModelStatus SessionModel::DropCall(Call& c, ClientId client, std::optional<std::uint8_t> cause,
                                   const std::optional<q931::UserUser>& uui) {
  if (c.is_conference) return DropConference(c, cause, uui);
  if (auto ok = CheckUui(*FindSpan(c.span), uui); !ok.ok()) return ok;
  const bool on_the_line = c.state() == S::kDialing || c.state() == S::kProceeding ||
                           c.state() == S::kRingback || c.state() == S::kConnected || c.state() == S::kOnHold;
  if (Bridged(c) && on_the_line && OtherLiveOwner(c, client)) {
    // API.md: a station leaving a party line that others are still on sends
    // nothing; only its own appearance goes inactive.
    return TransitionHandle(c, *c.FindHandle(client), H::kInactive);
  }
  // API.md "Drop": an offered or accepted call is rejected (Q.850 21), any
  // other is cleared normally (16), unless the client named a cause.
  const bool rejecting = Unanswered(c.state()) || c.state() == S::kAccepted;
  return StartClearing(c, cause.value_or(rejecting ? q850::kCallRejected : q850::kNormalClearing), uui);
}

ModelStatus SessionModel::StartClearing(Call& call, std::uint8_t cause,
                                        const std::optional<q931::UserUser>& uui, Origin origin) {
  if (call.clearing()) {
    // A second clearing of one call: a broken invariant (callers check).
    PRID_LOGF(kError, base::LogFields::Call(call.span, call.id),
              "span {}: call {}: illegal transition from {} to a second clearing refused", call.span, call.id,
              DescribeState(call.full_));
    return Fail(ModelErrorKind::kInvalidCallState, fmt::format("call {} is already being cleared", call.id));
  }
  if (call.release_timer) call.release_timer->Stop();
  if (auto ok = TransitionTo(call, WithPhase(call, CallPhase::kClearing)); !ok.ok()) return ok;
  if (!call.cause) {
    call.cause = cause;
    call.origin = origin;
    call.dropped_by_uid = dropping_uid_;
  }
  if (uui) call.uui_sent = uui;
  SpanEntry* span = FindSpan(call.span);
  if (span == nullptr || span->port == nullptr) {
    WireCleared(call.id, cause, std::nullopt, false);
    return std::monostate{};
  }
  if (span->port->Clear(call.id, cause, uui) == ClearOutcome::kCleared) {
    WireCleared(call.id, cause, std::nullopt, false);
  }
  return std::monostate{};
}

void SessionModel::RemoteDisconnect(CallId id, std::uint8_t cause, std::optional<q931::UserUser> uui) {
  Call* call = FindCall(id);
  if (call == nullptr || !call->on_wire()) return;
  if (call->clearing()) {
    // Clear collision (Q.931 5.3.5: both sides sent DISCONNECT): release.
    SpanEntry* span = FindSpan(call->span);
    if (span && span->port->Clear(id, cause, std::nullopt) == ClearOutcome::kCleared) {
      WireCleared(id, cause, std::nullopt, false);
    }
    return;
  }
  if (call->transferring_with != 0) {
    TransferCarriedOut(*call, cause, uui);
    return;
  }
  call->cause = cause;
  call->origin = Origin::kRemote;
  if (uui) call->uui_received = uui;
  if (!TransitionTo(*call, Moved(*call, S::kDisconnected), uui).ok()) return;
  if (call->OwnerCount() == 0) {
    ReleaseNow(*call);
    return;
  }
  const SpanEntry* span = FindSpan(call->span);
  if (!call->release_timer) call->release_timer = timers_.Create();
  call->release_timer->Start(span ? span->settings.release_timeout_s : 10.0, [this, id] {
    // No owner dropped within release_timeout: release without UUI.
    if (Call* c = FindCall(id); c && c->state() == S::kDisconnected && !c->clearing()) ReleaseNow(*c);
  });
}

void SessionModel::ReleaseNow(Call& call) {
  (void)StartClearing(call, call.cause.value_or(q850::kNormalClearing), std::nullopt);
}

void SessionModel::WireCleared(CallId id, std::uint8_t cause, std::optional<q931::UserUser> uui,
                               bool remote) {
  Call* call = FindCall(id);
  if (call == nullptr || !call->on_wire()) return;
  if (call->release_timer) call->release_timer->Stop();
  if (call->transferring_with != 0) {
    // Cleared with no DISCONNECT first (a RELEASE or RELEASE COMPLETE): by
    // the network, that is the transfer too.
    Call* partner = FindCall(call->transferring_with);
    if (remote && !call->cause) {
      call->cause = cause;
      call->origin = Origin::kTransfer;
      if (partner && partner->transferring_with == id) partner->transfer_joined = true;
    }
    call->transferring_with = 0;
    if (call->transfer_timer) call->transfer_timer->Stop();
  }
  if (!call->cause) {
    call->cause = cause;
    call->origin = remote ? Origin::kRemote : Origin::kLocal;
  }
  if (uui) call->uui_received = uui;
  // Idle is reachable from every state: the wire has the last word.
  (void)TransitionTo(*call, Moved(*call, S::kIdle), uui);
  LeaveConference(*call);
  MaybeFree(id);
}

// --- hold ------------------------------------------------------------------

ModelStatus SessionModel::Hold(ClientId client, CallId id) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  SpanEntry* span = FindSpan(c.span);
  if (c.is_conference) {
    return Fail(ModelErrorKind::kOperationUnavailable,
                fmt::format("call {} is a conference; hold or remove its participants instead", id));
  }
  if (!span->settings.hold) {
    return Fail(ModelErrorKind::kOperationUnavailable,
                fmt::format("span {}'s switch variant has no Q.931 HOLD (call hold exists on "
                            "euroisdn_e1, euroisdn_t1 and qsig)",
                            c.span));
  }
  const HandleState seen = c.StateSeenBy(*c.FindHandle(client));
  const bool requested = c.hold_request() != HoldRequest::kNone;
  if (c.state() != S::kConnected || seen != H::kConnected || c.clearing() || requested) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a connected call can be held", id, HandleStateName(seen),
                            requested ? " with a HOLD or RETRIEVE pending" : ""));
  }
  if (auto sent = span->port->Hold(id); !sent.ok()) {
    return Fail(ModelErrorKind::kOperationUnavailable, sent.message());
  }
  return TransitionTo(c, WithRequest(c, HoldRequest::kHold));
}

ModelStatus SessionModel::Unhold(ClientId client, CallId id) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  SpanEntry* span = FindSpan(c.span);
  if (c.is_conference || !span->settings.hold) {
    return Fail(ModelErrorKind::kOperationUnavailable,
                fmt::format("call {} cannot be held or retrieved on span {}", id, c.span));
  }
  const HandleState seen = c.StateSeenBy(*c.FindHandle(client));
  const bool requested = c.hold_request() != HoldRequest::kNone;
  if (c.state() != S::kOnHold || seen != H::kOnHold || c.clearing() || requested) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a held call can be retrieved", id, HandleStateName(seen),
                            requested ? " with a HOLD or RETRIEVE pending" : ""));
  }
  if (auto sent = span->port->Retrieve(id); !sent.ok()) {
    return Fail(ModelErrorKind::kOperationUnavailable, sent.message());
  }
  return TransitionTo(c, WithRequest(c, HoldRequest::kRetrieve));
}

void SessionModel::HoldAcknowledged(CallId id) {
  Call* c = FindCall(id);
  if (c == nullptr || c->hold_request() != HoldRequest::kHold) return;
  FullCallState to = WithRequest(*c, HoldRequest::kNone);
  if (c->state() == S::kConnected && !c->clearing()) to.state = S::kOnHold;
  (void)TransitionTo(*c, to);
}

void SessionModel::HoldRejected(CallId id, std::uint8_t cause) {
  Call* c = FindCall(id);
  if (c == nullptr || c->hold_request() != HoldRequest::kHold) return;
  (void)TransitionTo(*c, WithRequest(*c, HoldRequest::kNone));
  std::vector<ClientId> recipients;
  for (const Handle& h : c->handles) {
    if (!h.inactive()) recipients.push_back(h.client);
  }
  events_.CallRequestRefused(*c, c->state(), cause, recipients, "hold");
}

void SessionModel::RetrieveAcknowledged(CallId id) {
  Call* c = FindCall(id);
  if (c == nullptr || c->hold_request() != HoldRequest::kRetrieve) return;
  if (c->state() != S::kOnHold || c->clearing()) {
    (void)TransitionTo(*c, WithRequest(*c, HoldRequest::kNone));
    return;
  }
  const FullCallState connected{S::kConnected, CallPhase::kSteady, HoldRequest::kNone};
  if (c->conference != 0) {
    // A held call added to a conference joins it once it is back.
    Call* conference = FindCall(c->conference);
    SpanPort* port = FindSpan(c->span)->port;
    if (conference && conference->state() != S::kIdle && !conference->clearing() &&
        port->JoinConference(id, conference->conference_number).ok()) {
      if (TransitionTo(*c, {S::kConferenced, CallPhase::kSteady, HoldRequest::kNone}).ok()) return;
      port->LeaveConference(id);
    }
    (void)TransitionTo(*c, connected);
    LeaveConference(*c);
    return;
  }
  (void)TransitionTo(*c, connected);
}

void SessionModel::RetrieveRejected(CallId id, std::uint8_t cause) {
  Call* c = FindCall(id);
  if (c == nullptr || c->hold_request() != HoldRequest::kRetrieve) return;
  (void)TransitionTo(*c, WithRequest(*c, HoldRequest::kNone));
  std::vector<ClientId> recipients;
  for (const Handle& h : c->handles) {
    if (!h.inactive()) recipients.push_back(h.client);
  }
  events_.CallRequestRefused(*c, c->state(), cause, recipients, "retrieve");
  // A held call that was on its way into a conference stays out of it.
  LeaveConference(*c);
}

void SessionModel::RemoteHold(CallId id) {
  Call* c = FindCall(id);
  if (c && c->state() == S::kConnected && !c->clearing()) (void)TransitionTo(*c, Moved(*c, S::kOnHold));
}

void SessionModel::RemoteRetrieve(CallId id) {
  Call* c = FindCall(id);
  if (c && c->state() == S::kOnHold && !c->clearing() && c->hold_request() == HoldRequest::kNone) {
    (void)TransitionTo(*c, Moved(*c, S::kConnected));
  }
}

// --- queries and handle release ------------------------------------------

ModelResult<CallView> SessionModel::Info(ClientId client, CallId id) const {
  auto call = const_cast<SessionModel*>(this)->CallForClient(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  return CallView{*call, (*call)->FindHandle(client)};
}

std::vector<CallView> SessionModel::List(ClientId client, std::optional<HandleState> state) const {
  std::vector<CallView> views;
  for (const auto& [id, call] : calls_) {
    const Handle* handle = call->FindHandle(client);
    if (handle && (!state || call->StateSeenBy(*handle) == *state)) views.push_back({call.get(), handle});
  }
  return views;
}

ModelResult<CallView> SessionModel::SupervisorInfo(ClientId client, CallId id) const {
  if (auto ok = CheckSupervisor(client, "call.info {supervisor: true}"); !ok.ok()) {
    return base::Unexpected<ModelError>{ok.error()};
  }
  const Call* call = Find(id);
  if (call == nullptr) return Fail(ModelErrorKind::kInvalidCallHandle, fmt::format("call {} does not exist", id));
  return CallView{call, call->FindHandle(client)};
}

ModelResult<std::vector<CallView>> SessionModel::ListAll(ClientId client, std::optional<HandleState> state) const {
  if (auto ok = CheckSupervisor(client, "call.list {all: true}"); !ok.ok()) {
    return base::Unexpected<ModelError>{ok.error()};
  }
  std::vector<CallView> views;
  for (const auto& [id, call] : calls_) {
    const CallView view{call.get(), call->FindHandle(client)};
    if (!state || view.state() == *state) views.push_back(view);
  }
  return views;
}

ModelStatus SessionModel::Deallocate(ClientId client, CallId id) {
  auto call = CallForClient(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  const Handle* handle = c.FindHandle(client);
  const HandleState seen = c.StateSeenBy(*handle);
  // The only owner on the call (on a bridged span: the only station on it,
  // the others being inactive) would leave it on the wire with nobody to
  // end it, and the inactive stations with no end to see.
  if (handle->privilege == Privilege::kOwner && seen != H::kIdle && seen != H::kInactive &&
      !OtherLiveOwner(c, client)) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {} and this client is its only owner{}: drop it first", id,
                            HandleStateName(seen), Bridged(c) ? " on the call" : ""));
  }
  std::erase_if(c.handles, [client](const Handle& h) { return h.client == client; });
  MaybeFree(id);
  return std::monostate{};
}

void SessionModel::ClientGone(ClientId client) {
  supervisors_.erase(client);
  // Its calls below are dropped in its name; then it is forgotten.
  DropperScope dropper(*this, client);
  uids_.erase(client);
  for (auto& [number, span] : spans_) {
    span.owners.erase(client);
    span.monitors.erase(client);
  }
  std::vector<CallId> held;
  for (const auto& [id, call] : calls_) {
    if (call->FindHandle(client)) held.push_back(id);
  }
  for (CallId id : held) {
    Call* call = FindCall(id);
    if (call == nullptr) continue;
    const Handle* handle = call->FindHandle(client);
    const HandleState seen = call->StateSeenBy(*handle);
    if (handle->privilege == Privilege::kOwner && seen != H::kIdle && seen != H::kInactive &&
        !call->clearing() && !OtherLiveOwner(*call, client)) {
      // API.md: calls it alone owned (on a bridged span: that no other
      // station is on) are dropped first, with normal clearing.
      (void)DropCall(*call, client, q850::kNormalClearing, std::nullopt);
    }
    if ((call = FindCall(id)) == nullptr) continue;
    std::erase_if(call->handles, [client](const Handle& h) { return h.client == client; });
    MaybeFree(id);
  }
}

std::size_t SessionModel::DropAll(std::uint8_t cause) {
  std::vector<CallId> ids;
  for (const auto& [id, call] : calls_) {
    if (call->on_wire() && !call->clearing()) ids.push_back(id);
  }
  std::size_t started = 0;
  for (CallId id : ids) {
    // An earlier clearing may have freed or cleared this one.
    Call* call = FindCall(id);
    if (call == nullptr || !call->on_wire() || call->clearing()) continue;
    if (StartClearing(*call, cause, std::nullopt).ok()) ++started;
  }
  return started;
}

std::size_t SessionModel::wire_count() const {
  return static_cast<std::size_t>(
      std::count_if(calls_.begin(), calls_.end(), [](const auto& entry) { return entry.second->on_wire(); }));
}

void SessionModel::MaybeFree(CallId id) {
  Call* call = FindCall(id);
  if (call && call->handles.empty() && !call->on_wire()) {
    calls_.erase(id);
    events_.CallRecordFreed(id);
  }
}

void SessionModel::ChannelChanged(CallId call, int channel) {
  if (Call* c = FindCall(call)) {
    if (c->first_channel == 0) c->first_channel = c->channel;
    c->channel = channel;
  }
}

}  // namespace prid::daemon
