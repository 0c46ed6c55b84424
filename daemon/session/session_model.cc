// The session model: calls, handles, lines, drop rules, state machine.
#include "daemon/session/session_model.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include <fmt/format.h>

namespace prid::daemon {
namespace {

using S = CallState;

// Allowed transitions of a call's state (see the diagram in call.h).
struct Transition {
  CallState from;
  std::array<CallState, 5> to;
  int count;
};
constexpr Transition kAllowed[] = {
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

bool Allowed(CallState from, CallState to) {
  for (const Transition& t : kAllowed) {
    if (t.from == from) return std::find(t.to.begin(), t.to.begin() + t.count, to) != t.to.begin() + t.count;
  }
  return false;
}

ModelError Error(ModelErrorKind kind, std::string message) { return {kind, std::move(message), {}}; }

base::Unexpected<ModelError> Fail(ModelErrorKind kind, std::string message) {
  return {Error(kind, std::move(message))};
}

constexpr std::uint8_t kCauseNormalClearing = 16;
constexpr std::uint8_t kCauseCallRejected = 21;

}  // namespace

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
    if (Call* call = FindCall(id); call && call->on_wire) {
      WireCleared(id, call->cause.value_or(kCauseNormalClearing), std::nullopt, false);
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

SessionModel::SpanEntry* SessionModel::FindSpan(int span) {
  auto it = spans_.find(span);
  return it == spans_.end() ? nullptr : &it->second;
}

std::size_t SessionModel::active_count() const {
  return static_cast<std::size_t>(std::count_if(
      calls_.begin(), calls_.end(), [](const auto& entry) { return entry.second->state != S::kIdle; }));
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

void SessionModel::TransitionTo(Call& call, CallState state, const std::optional<q931::UserUser>& uui) {
  if (call.state == state) return;
  if (!Allowed(call.state, state)) {
    // A broken invariant, not client input: keep the record consistent.
    return;
  }
  const CallState previous = call.state;
  call.state = state;
  const auto now = std::chrono::system_clock::now();
  if (state == S::kConnected && !call.connected_at) call.connected_at = now;
  if (state == S::kDisconnected) call.disconnected_at = now;
  if (state == S::kIdle) call.idle_at = now;
  const bool ending = state == S::kDisconnected || state == S::kIdle;
  if (ending) call.pending = Call::Pending::kNone;
  std::vector<ClientId> recipients;
  std::vector<ClientId> inactive;  // bridged stations off the call: only its end reaches them
  recipients.reserve(call.handles.size());
  for (Handle& handle : call.handles) {
    if (handle.state == S::kInactive) {
      if (!ending) continue;
      inactive.push_back(handle.client);
    } else {
      recipients.push_back(handle.client);
    }
    handle.state = state;
  }
  events_.CallStateChanged(call, previous, state, recipients, uui);
  if (!inactive.empty()) events_.CallStateChanged(call, S::kInactive, state, inactive, uui);
}

void SessionModel::TransitionHandle(Call& call, Handle& handle, CallState state) {
  if (handle.state == state) return;
  const CallState previous = handle.state;
  handle.state = state;
  events_.CallStateChanged(call, previous, state, {handle.client}, std::nullopt);
}

bool SessionModel::Bridged(const Call& call) const {
  auto it = spans_.find(call.span);
  return !call.is_conference && it != spans_.end() && it->second.settings.appearance == Appearance::kBridged;
}

bool SessionModel::OtherLiveOwner(const Call& call, ClientId client) const {
  return std::any_of(call.handles.begin(), call.handles.end(), [client](const Handle& h) {
    return h.client != client && h.privilege == Privilege::kOwner && h.state != S::kInactive &&
           h.state != S::kIdle;
  });
}

// --- lines --------------------------------------------------------------

ModelStatus SessionModel::OpenLine(ClientId client, int span, Privilege privilege) {
  SpanEntry* entry = FindSpan(span);
  if (entry == nullptr) return Fail(ModelErrorKind::kInvalidParams, fmt::format("no span {}", span));
  (privilege == Privilege::kOwner ? entry->monitors : entry->owners).erase(client);
  (privilege == Privilege::kOwner ? entry->owners : entry->monitors).insert(client);
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
    call.handles.push_back({monitor, Privilege::kMonitor, call.state});
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
  if (request.called.empty()) return Fail(ModelErrorKind::kInvalidParams, "number is empty");
  if (auto ok = CheckUui(*span, request.uui); !ok.ok()) return base::Unexpected<ModelError>{ok.error()};
  if (!span->port->up()) {
    return Fail(ModelErrorKind::kSpanDown,
                fmt::format("span {}'s D-channel is not up; try again when span.state says up",
                            span_number));
  }

  const CallId id = next_call_id_++;
  auto call = std::make_unique<Call>();
  call->id = id;
  call->span = span_number;
  call->direction = Direction::kOut;
  call->bearer = request.bearer;
  call->called = request.called;
  call->calling = request.calling;
  call->state = S::kDialing;
  call->created = std::chrono::system_clock::now();
  call->uui_sent = request.uui;
  call->handles.push_back({client, Privilege::kOwner, S::kDialing});
  Call& ref = *call;
  calls_.emplace(id, std::move(call));

  PlaceCallRequest place{request.called, request.calling, request.bearer, request.channel, request.uui};
  auto channel = span->port->PlaceCall(id, place);
  if (!channel.ok()) {
    calls_.erase(id);
    const PortError& e = channel.error();
    switch (e.kind) {
      case PortErrorKind::kNoChannel:
        return Fail(ModelErrorKind::kResourceUnavailable, e.message);
      case PortErrorKind::kSpanDown:
        return Fail(ModelErrorKind::kSpanDown, e.message);
      case PortErrorKind::kFailed:
        return Fail(ModelErrorKind::kOperationUnavailable, e.message);
    }
  }
  ref.channel = *channel;
  ref.on_wire = true;
  if (span->settings.appearance == Appearance::kBridged) {
    // Every station of a bridged span has an appearance of the call; the
    // others are off it until they join.
    for (ClientId station : span->owners) {
      if (station == client) continue;
      ref.handles.push_back({station, Privilege::kOwner, S::kInactive});
      events_.CallOffered(ref, ref.handles.back());
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
  auto call = std::make_unique<Call>();
  call->id = id;
  call->span = span_number;
  call->channel = info.channel;
  call->direction = Direction::kIn;
  call->bearer = info.bearer;
  call->called = info.called;
  call->calling = info.calling;
  call->state = S::kOffering;
  call->created = std::chrono::system_clock::now();
  call->uui_received = info.uui;
  call->on_wire = true;
  Call& ref = *call;
  calls_.emplace(id, std::move(call));
  bind(id);

  for (ClientId owner : span->owners) {
    ref.handles.push_back({owner, Privilege::kOwner, S::kOffering});
    events_.CallOffered(ref, ref.handles.back());
  }
  AddMonitorHandles(ref, *span);
  if (span->owners.empty()) {
    // Nobody to offer it to: reject it as an owner's drop would.
    StartClearing(ref, kCauseCallRejected, std::nullopt, false);
    MaybeFree(id);
  }
  return id;
}

void SessionModel::Proceeding(CallId id) {
  // Progress that crosses our own drop on the wire changes nothing.
  if (Call* call = FindCall(id); call && !call->clearing && call->state == S::kDialing) {
    TransitionTo(*call, S::kProceeding);
  }
}

void SessionModel::Alerting(CallId id, std::optional<q931::UserUser> uui) {
  Call* call = FindCall(id);
  if (call && !call->clearing && (call->state == S::kDialing || call->state == S::kProceeding)) {
    if (uui) call->uui_received = uui;
    TransitionTo(*call, S::kRingback, uui);
  }
}

void SessionModel::Answered(CallId id, std::optional<q931::UserUser> uui) {
  Call* call = FindCall(id);
  if (call && !call->clearing && call->direction == Direction::kOut &&
      (call->state == S::kDialing || call->state == S::kProceeding || call->state == S::kRingback)) {
    if (uui) call->uui_received = uui;
    TransitionTo(*call, S::kConnected, uui);
  }
}

// --- client call control ------------------------------------------------

ModelStatus SessionModel::Alert(ClientId client, CallId id, bool inband) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if (c.state != S::kOffering || c.clearing) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; only an offering call can be alerted", id,
                            CallStateName(c.state)));
  }
  SpanEntry* span = FindSpan(c.span);
  if (auto sent = span->port->Alert(id, inband); !sent.ok()) {
    return Fail(ModelErrorKind::kOperationUnavailable, sent.message());
  }
  TransitionTo(c, S::kAccepted);
  return std::monostate{};
}

ModelStatus SessionModel::Answer(ClientId client, CallId id, const std::optional<q931::UserUser>& uui,
                                 bool non_isdn) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  // A bridged station answering a call another station has: it joins.
  if (Bridged(c) && c.FindHandle(client)->state == S::kInactive) return Join(client, id);
  if ((c.state != S::kOffering && c.state != S::kAccepted) || c.clearing) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; only an offering or accepted call can be answered", id,
                            CallStateName(c.state)));
  }
  SpanEntry* span = FindSpan(c.span);
  if (auto ok = CheckUui(*span, uui); !ok.ok()) return ok;
  if (auto sent = span->port->Answer(id, uui, non_isdn); !sent.ok()) {
    return Fail(ModelErrorKind::kOperationUnavailable, sent.message());
  }
  if (uui) c.uui_sent = uui;
  if (Bridged(c)) {
    // The answering station is on the call; the other stations' appearances
    // become inactive (each may join).
    for (Handle& h : c.handles) {
      if (h.client != client && h.privilege == Privilege::kOwner) TransitionHandle(c, h, S::kInactive);
    }
  }
  TransitionTo(c, S::kConnected);
  return std::monostate{};
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
  if (handle.state != S::kInactive) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("this station's appearance of call {} is {}; only an inactive one can join", id,
                            CallStateName(handle.state)));
  }
  const bool live = c.state == S::kDialing || c.state == S::kProceeding || c.state == S::kRingback ||
                    c.state == S::kConnected || c.state == S::kOnHold;
  if (!live || c.clearing) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; there is no call to join", id, CallStateName(c.state),
                            c.clearing ? " and being cleared" : ""));
  }
  TransitionHandle(c, handle, c.state);
  return std::monostate{};
}

ModelStatus SessionModel::Drop(ClientId client, CallId id, std::optional<std::uint8_t> cause,
                               const std::optional<q931::UserUser>& uui) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  const CallState seen = c.FindHandle(client)->state;
  if (seen == S::kIdle || seen == S::kInactive) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}; there is nothing to drop (deallocate it instead)", id,
                            CallStateName(seen)));
  }
  if (c.clearing) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is already being dropped; it goes idle when the far end "
                            "completes the clearing",
                            id));
  }
  return DropCall(c, client, cause, uui);
}

ModelStatus SessionModel::DropCall(Call& c, ClientId client, std::optional<std::uint8_t> cause,
                                   const std::optional<q931::UserUser>& uui) {
  if (c.is_conference) return DropConference(c, cause, uui);
  if (auto ok = CheckUui(*FindSpan(c.span), uui); !ok.ok()) return ok;
  const bool on_the_line = c.state == S::kDialing || c.state == S::kProceeding || c.state == S::kRingback ||
                           c.state == S::kConnected || c.state == S::kOnHold;
  if (Bridged(c) && on_the_line && OtherLiveOwner(c, client)) {
    // API.md: a station leaving a party line that others are still on sends
    // nothing; only its own appearance goes inactive.
    TransitionHandle(c, *c.FindHandle(client), S::kInactive);
    return std::monostate{};
  }
  const bool rejecting = c.state == S::kOffering || c.state == S::kAccepted;
  StartClearing(c, cause.value_or(rejecting ? kCauseCallRejected : kCauseNormalClearing), uui, true);
  return std::monostate{};
}

void SessionModel::StartClearing(Call& call, std::uint8_t cause,
                                 const std::optional<q931::UserUser>& uui, bool by_client) {
  (void)by_client;
  if (call.release_timer) call.release_timer->Stop();
  LeaveMedia(call);
  if (!call.cause) {
    call.cause = cause;
    call.origin = Origin::kLocal;
  }
  if (uui) call.uui_sent = uui;
  call.clearing = true;
  SpanEntry* span = FindSpan(call.span);
  if (span == nullptr || span->port == nullptr) {
    WireCleared(call.id, cause, std::nullopt, false);
    return;
  }
  if (span->port->Clear(call.id, cause, uui) == ClearOutcome::kCleared) {
    WireCleared(call.id, cause, std::nullopt, false);
  }
}

void SessionModel::RemoteDisconnect(CallId id, std::uint8_t cause, std::optional<q931::UserUser> uui) {
  Call* call = FindCall(id);
  if (call == nullptr || !call->on_wire) return;
  if (call->clearing) {
    // Clear collision (Q.931 5.3.5? both sides sent DISCONNECT): release.
    SpanEntry* span = FindSpan(call->span);
    if (span && span->port->Clear(id, cause, std::nullopt) == ClearOutcome::kCleared) {
      WireCleared(id, cause, std::nullopt, false);
    }
    return;
  }
  call->cause = cause;
  call->origin = Origin::kRemote;
  if (uui) call->uui_received = uui;
  LeaveMedia(*call);
  TransitionTo(*call, S::kDisconnected, uui);
  if (call->OwnerCount() == 0) {
    ReleaseNow(*call);
    return;
  }
  const SpanEntry* span = FindSpan(call->span);
  if (!call->release_timer) call->release_timer = timers_.Create();
  call->release_timer->Start(span ? span->settings.release_timeout_s : 10.0, [this, id] {
    // No owner dropped within release_timeout: release without UUI.
    if (Call* c = FindCall(id); c && c->state == S::kDisconnected && !c->clearing) ReleaseNow(*c);
  });
}

void SessionModel::ReleaseNow(Call& call) {
  StartClearing(call, call.cause.value_or(kCauseNormalClearing), std::nullopt, false);
}

void SessionModel::WireCleared(CallId id, std::uint8_t cause, std::optional<q931::UserUser> uui,
                               bool remote) {
  Call* call = FindCall(id);
  if (call == nullptr || !call->on_wire) return;
  call->on_wire = false;
  call->clearing = false;
  if (call->release_timer) call->release_timer->Stop();
  if (!call->cause) {
    call->cause = cause;
    call->origin = remote ? Origin::kRemote : Origin::kLocal;
  }
  if (uui) call->uui_received = uui;
  LeaveMedia(*call);
  TransitionTo(*call, S::kIdle, uui);
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
  const CallState seen = c.FindHandle(client)->state;
  if (c.state != S::kConnected || seen != S::kConnected || c.clearing || c.pending != Call::Pending::kNone) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a connected call can be held", id, CallStateName(seen),
                            c.pending != Call::Pending::kNone ? " with a HOLD or RETRIEVE pending" : ""));
  }
  if (auto sent = span->port->Hold(id); !sent.ok()) {
    return Fail(ModelErrorKind::kOperationUnavailable, sent.message());
  }
  c.pending = Call::Pending::kHold;
  return std::monostate{};
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
  const CallState seen = c.FindHandle(client)->state;
  if (c.state != S::kOnHold || seen != S::kOnHold || c.clearing || c.pending != Call::Pending::kNone) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a held call can be retrieved", id, CallStateName(seen),
                            c.pending != Call::Pending::kNone ? " with a HOLD or RETRIEVE pending" : ""));
  }
  if (auto sent = span->port->Retrieve(id); !sent.ok()) {
    return Fail(ModelErrorKind::kOperationUnavailable, sent.message());
  }
  c.pending = Call::Pending::kRetrieve;
  return std::monostate{};
}

void SessionModel::HoldAcknowledged(CallId id) {
  Call* c = FindCall(id);
  if (c == nullptr || c->pending != Call::Pending::kHold) return;
  c->pending = Call::Pending::kNone;
  if (c->state == S::kConnected && !c->clearing) TransitionTo(*c, S::kOnHold);
}

void SessionModel::HoldRejected(CallId id, std::uint8_t cause) {
  Call* c = FindCall(id);
  if (c == nullptr || c->pending != Call::Pending::kHold) return;
  c->pending = Call::Pending::kNone;
  std::vector<ClientId> recipients;
  for (const Handle& h : c->handles) {
    if (h.state != S::kInactive) recipients.push_back(h.client);
  }
  events_.CallRequestRefused(*c, c->state, cause, recipients, "hold");
}

void SessionModel::RetrieveAcknowledged(CallId id) {
  Call* c = FindCall(id);
  if (c == nullptr || c->pending != Call::Pending::kRetrieve) return;
  c->pending = Call::Pending::kNone;
  if (c->state != S::kOnHold || c->clearing) return;
  if (c->conference != 0) {
    // A held call added to a conference joins it once it is back.
    Call* conference = FindCall(c->conference);
    if (conference && conference->state != S::kIdle && !conference->clearing &&
        FindSpan(c->span)->port->JoinConference(id, conference->conference_number).ok()) {
      c->in_conference_media = true;
      TransitionTo(*c, S::kConferenced);
      return;
    }
    TransitionTo(*c, S::kConnected);
    LeaveConference(*c);
    return;
  }
  TransitionTo(*c, S::kConnected);
}

void SessionModel::RetrieveRejected(CallId id, std::uint8_t cause) {
  Call* c = FindCall(id);
  if (c == nullptr || c->pending != Call::Pending::kRetrieve) return;
  c->pending = Call::Pending::kNone;
  std::vector<ClientId> recipients;
  for (const Handle& h : c->handles) {
    if (h.state != S::kInactive) recipients.push_back(h.client);
  }
  events_.CallRequestRefused(*c, c->state, cause, recipients, "retrieve");
  // A held call that was on its way into a conference stays out of it.
  LeaveConference(*c);
}

void SessionModel::RemoteHold(CallId id) {
  Call* c = FindCall(id);
  if (c && c->state == S::kConnected && !c->clearing) TransitionTo(*c, S::kOnHold);
}

void SessionModel::RemoteRetrieve(CallId id) {
  Call* c = FindCall(id);
  if (c && c->state == S::kOnHold && !c->clearing && c->pending == Call::Pending::kNone) {
    TransitionTo(*c, S::kConnected);
  }
}

// --- queries and handle release ------------------------------------------

ModelResult<CallView> SessionModel::Info(ClientId client, CallId id) const {
  auto call = const_cast<SessionModel*>(this)->CallForClient(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  return CallView{*call, (*call)->FindHandle(client)};
}

std::vector<CallView> SessionModel::List(ClientId client, std::optional<CallState> state) const {
  std::vector<CallView> views;
  for (const auto& [id, call] : calls_) {
    const Handle* handle = call->FindHandle(client);
    if (handle && (!state || handle->state == *state)) views.push_back({call.get(), handle});
  }
  return views;
}

ModelStatus SessionModel::Deallocate(ClientId client, CallId id) {
  auto call = CallForClient(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  const Handle* handle = c.FindHandle(client);
  if (handle->privilege == Privilege::kOwner && handle->state != S::kIdle &&
      handle->state != S::kInactive && c.OwnerCount() == 1) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {} and this client is its only owner: drop it first", id,
                            CallStateName(handle->state)));
  }
  std::erase_if(c.handles, [client](const Handle& h) { return h.client == client; });
  MaybeFree(id);
  return std::monostate{};
}

void SessionModel::ClientGone(ClientId client) {
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
    if (handle->privilege == Privilege::kOwner && handle->state != S::kIdle &&
        handle->state != S::kInactive && !call->clearing && !OtherLiveOwner(*call, client)) {
      // API.md: calls it alone owned (on a bridged span: that no other
      // station is on) are dropped first, cause 16.
      (void)DropCall(*call, client, kCauseNormalClearing, std::nullopt);
    }
    if ((call = FindCall(id)) == nullptr) continue;
    std::erase_if(call->handles, [client](const Handle& h) { return h.client == client; });
    MaybeFree(id);
  }
}

std::size_t SessionModel::DropAll(std::uint8_t cause) {
  std::vector<CallId> ids;
  for (const auto& [id, call] : calls_) {
    if (call->on_wire && !call->clearing) ids.push_back(id);
  }
  std::size_t started = 0;
  for (CallId id : ids) {
    // An earlier clearing may have freed or cleared this one.
    Call* call = FindCall(id);
    if (call == nullptr || !call->on_wire || call->clearing) continue;
    StartClearing(*call, cause, std::nullopt, false);
    ++started;
  }
  return started;
}

std::size_t SessionModel::wire_count() const {
  return static_cast<std::size_t>(
      std::count_if(calls_.begin(), calls_.end(), [](const auto& entry) { return entry.second->on_wire; }));
}

void SessionModel::MaybeFree(CallId id) {
  Call* call = FindCall(id);
  if (call && call->handles.empty() && !call->on_wire) calls_.erase(id);
}

void SessionModel::ChannelChanged(CallId call, int channel) {
  if (Call* c = FindCall(call)) c->channel = channel;
}

}  // namespace prid::daemon
