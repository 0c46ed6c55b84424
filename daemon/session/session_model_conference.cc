// The session model's conferences (API.md "Drop", conference rows): a
// conference call owned by its creator, participants `conferenced`, their
// B-channels joined in one media conference, and the drop of all of them.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "daemon/session/session_model.h"
#include "q931/q850.h"

namespace prid::daemon {
namespace {

using S = CallState;
namespace q850 = q931::cause;

// DAHDI numbers its conferences 1 … DAHDI_MAX_CONF - 1 (1023).
constexpr int kMaxConferenceNumber = 1023;

base::Unexpected<ModelError> Fail(ModelErrorKind kind, std::string message) {
  ModelError error;
  error.kind = kind;
  error.message = std::move(message);
  return {std::move(error)};
}

}  // namespace

int SessionModel::AllocateConferenceNumber() const {
  std::set<int> used;
  for (const auto& [id, call] : calls_) {
    if (call->is_conference && call->state() != S::kIdle) used.insert(call->conference_number);
  }
  for (int number = 1; number <= kMaxConferenceNumber; ++number) {
    if (!used.contains(number)) return number;
  }
  return 0;
}

ModelStatus SessionModel::CheckConferenceable(ClientId client, CallId id) {
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  const Call& c = **call;
  if (c.is_conference) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is itself a conference; add its participants instead", id));
  }
  if (c.conference != 0) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is already in conference {}", id, c.conference));
  }
  if (Bridged(c)) {
    return Fail(ModelErrorKind::kOperationUnavailable,
                fmt::format("call {} is on bridged span {}; party-line calls cannot be conferenced", id,
                            c.span));
  }
  const bool requested = c.hold_request() != HoldRequest::kNone;
  if ((c.state() != S::kConnected && c.state() != S::kOnHold) || c.clearing() || requested) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a connected or held call can join a conference", id,
                            CallStateName(c.state()), requested ? " with a HOLD or RETRIEVE pending" : ""));
  }
  return std::monostate{};
}

ModelStatus SessionModel::EnterConference(Call& conference, Call& call) {
  SpanEntry* span = FindSpan(call.span);
  if (call.state() == S::kOnHold) {
    // Retrieve it first: it becomes conferenced with RETRIEVE ACKNOWLEDGE.
    if (auto sent = span->port->Retrieve(call.id); !sent.ok()) {
      return Fail(ModelErrorKind::kOperationUnavailable,
                  fmt::format("call {} could not be retrieved from hold: {}", call.id, sent.message()));
    }
    FullCallState retrieving = call.full_state();
    retrieving.hold = HoldRequest::kRetrieve;
    if (auto ok = TransitionTo(call, retrieving); !ok.ok()) return ok;
    call.conference = conference.id;
    conference.participants.push_back(call.id);
    return std::monostate{};
  }
  if (auto joined = span->port->JoinConference(call.id, conference.conference_number); !joined.ok()) {
    return Fail(ModelErrorKind::kResourceUnavailable,
                fmt::format("call {}'s B-channel could not join conference {}: {}", call.id, conference.id,
                            joined.message()));
  }
  call.conference = conference.id;
  conference.participants.push_back(call.id);
  FullCallState conferenced = call.full_state();
  conferenced.state = S::kConferenced;
  if (auto ok = TransitionTo(call, conferenced); !ok.ok()) {
    // Not conferenced after all: out of the media and the membership again.
    span->port->LeaveConference(call.id);
    call.conference = 0;
    std::erase(conference.participants, call.id);
    return ok;
  }
  return std::monostate{};
}

ModelResult<CallId> SessionModel::ConferenceCreate(ClientId client, const std::vector<CallId>& calls) {
  if (calls.empty()) return Fail(ModelErrorKind::kInvalidParams, "calls is empty: name the calls to conference");
  std::set<CallId> distinct(calls.begin(), calls.end());
  if (distinct.size() != calls.size()) {
    return Fail(ModelErrorKind::kInvalidParams, "calls names the same call twice");
  }
  for (CallId id : calls) {
    if (auto ok = CheckConferenceable(client, id); !ok.ok()) return base::Unexpected<ModelError>{ok.error()};
  }
  const int number = AllocateConferenceNumber();
  if (number == 0) {
    return Fail(ModelErrorKind::kResourceUnavailable,
                fmt::format("all {} conferences are in use", kMaxConferenceNumber));
  }

  const CallId id = next_call_id_++;
  auto record = NewRecord(id, FindCall(calls.front())->span, S::kConnected);
  record->direction = Direction::kOut;
  record->is_conference = true;
  record->conference_number = number;
  record->connected_at = record->created;
  record->handles.emplace_back(client, Privilege::kOwner);
  Call& conference = *record;
  calls_.emplace(id, std::move(record));

  for (CallId member : calls) {
    if (auto ok = EnterConference(conference, *FindCall(member)); !ok.ok()) {
      // Undo: the calls already in go back to connected; the conference
      // record goes as if it never was.
      for (CallId joined : std::vector<CallId>(conference.participants)) {
        Call& c = *FindCall(joined);
        c.conference = 0;
        if (c.state() == S::kConferenced) {
          FullCallState connected = c.full_state();
          connected.state = S::kConnected;
          (void)TransitionTo(c, connected);  // takes its B-channel out of the media conference
        }
      }
      calls_.erase(id);
      events_.CallRecordFreed(id);
      return base::Unexpected<ModelError>{ok.error()};
    }
  }
  return id;
}

namespace {
bool UsableConference(const Call& conference) {
  return conference.is_conference && conference.state() != S::kIdle && !conference.clearing();
}
}  // namespace

ModelStatus SessionModel::ConferenceAdd(ClientId client, CallId conference_id, CallId id) {
  auto conference = CallForOwner(client, conference_id);
  if (!conference.ok()) return base::Unexpected<ModelError>{conference.error()};
  if (!(*conference)->is_conference) {
    return Fail(ModelErrorKind::kInvalidParams, fmt::format("call {} is not a conference", conference_id));
  }
  if (!UsableConference(**conference)) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("conference {} is {}; calls can join only a connected conference", conference_id,
                            (*conference)->clearing() ? "being dropped" : "idle"));
  }
  if (auto ok = CheckConferenceable(client, id); !ok.ok()) return ok;
  return EnterConference(**conference, *FindCall(id));
}

ModelStatus SessionModel::ConferenceRemove(ClientId client, CallId conference_id, CallId id) {
  auto conference = CallForOwner(client, conference_id);
  if (!conference.ok()) return base::Unexpected<ModelError>{conference.error()};
  if (!(*conference)->is_conference) {
    return Fail(ModelErrorKind::kInvalidParams, fmt::format("call {} is not a conference", conference_id));
  }
  auto call = CallForOwner(client, id);
  if (!call.ok()) return base::Unexpected<ModelError>{call.error()};
  Call& c = **call;
  if (c.conference != conference_id) {
    return Fail(ModelErrorKind::kInvalidParams,
                fmt::format("call {} is not a participant of conference {}", id, conference_id));
  }
  if (c.state() != S::kConferenced || c.clearing()) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a conferenced participant can be removed", id,
                            CallStateName(c.state()), c.clearing() ? " and being dropped" : ""));
  }
  FullCallState connected = c.full_state();
  connected.state = S::kConnected;
  if (auto ok = TransitionTo(c, connected); !ok.ok()) return ok;  // out of the media conference
  LeaveConference(c);
  return std::monostate{};
}

ModelStatus SessionModel::DropConference(Call& conference, std::optional<std::uint8_t> cause,
                                         const std::optional<q931::UserUser>& uui, Origin origin) {
  // Every participant's span must carry the UUI before anything is sent.
  for (CallId id : conference.participants) {
    if (const Call* c = FindCall(id)) {
      if (auto ok = CheckUui(*FindSpan(c->span), uui); !ok.ok()) return ok;
    }
  }
  FullCallState clearing = conference.full_state();
  clearing.phase = CallPhase::kClearing;
  if (auto ok = TransitionTo(conference, clearing); !ok.ok()) return ok;
  conference.cause = cause.value_or(q850::kNormalClearing);
  conference.origin = origin;
  if (uui) conference.uui_sent = uui;
  // Each participant is dropped as a call on its own (its DISCONNECT with
  // the cause and UUI); the conference goes idle when the last one is gone.
  const CallId conference_id = conference.id;
  for (CallId id : std::vector<CallId>(conference.participants)) {
    Call* c = FindCall(id);
    if (c == nullptr || c->state() == S::kIdle || c->clearing()) continue;
    (void)StartClearing(*c, *conference.cause, uui, origin);
  }
  if (Call* still = FindCall(conference_id); still && still->participants.empty() && still->state() != S::kIdle) {
    (void)TransitionTo(*still, {S::kIdle, CallPhase::kSteady, HoldRequest::kNone});
  }
  return std::monostate{};
}

void SessionModel::LeaveConference(Call& call) {
  if (call.conference == 0) return;
  const CallId conference_id = call.conference;
  call.conference = 0;
  Call* conference = FindCall(conference_id);
  if (conference == nullptr) return;
  std::erase(conference->participants, call.id);
  if (conference->participants.empty() && conference->state() != S::kIdle) {
    // A conference left with no participants is over.
    (void)TransitionTo(*conference, {S::kIdle, CallPhase::kSteady, HoldRequest::kNone});
    MaybeFree(conference_id);
  }
}

}  // namespace prid::daemon
