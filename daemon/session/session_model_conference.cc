// The session model's conferences (API.md "Drop", conference rows): a
// conference call owned by its creator, participants `conferenced`, their
// B-channels joined in one media conference, and the drop of all of them.
#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "daemon/session/session_model.h"

namespace prid::daemon {
namespace {

using S = CallState;

// DAHDI numbers its conferences 1 … DAHDI_MAX_CONF - 1 (1023).
constexpr int kMaxConferenceNumber = 1023;
constexpr std::uint8_t kCauseNormalClearing = 16;

base::Unexpected<ModelError> Fail(ModelErrorKind kind, std::string message) {
  return {ModelError{kind, std::move(message), {}}};
}

}  // namespace

int SessionModel::AllocateConferenceNumber() const {
  std::set<int> used;
  for (const auto& [id, call] : calls_) {
    if (call->is_conference && call->state != S::kIdle) used.insert(call->conference_number);
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
  if ((c.state != S::kConnected && c.state != S::kOnHold) || c.clearing ||
      c.pending != Call::Pending::kNone) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a connected or held call can join a conference", id,
                            CallStateName(c.state),
                            c.pending != Call::Pending::kNone ? " with a HOLD or RETRIEVE pending" : ""));
  }
  return std::monostate{};
}

ModelStatus SessionModel::EnterConference(Call& conference, Call& call) {
  SpanEntry* span = FindSpan(call.span);
  if (call.state == S::kOnHold) {
    // Retrieve it first: it becomes conferenced with RETRIEVE ACKNOWLEDGE.
    if (auto sent = span->port->Retrieve(call.id); !sent.ok()) {
      return Fail(ModelErrorKind::kOperationUnavailable,
                  fmt::format("call {} could not be retrieved from hold: {}", call.id, sent.message()));
    }
    call.pending = Call::Pending::kRetrieve;
    call.conference = conference.id;
    conference.participants.push_back(call.id);
    return std::monostate{};
  }
  if (auto joined = span->port->JoinConference(call.id, conference.conference_number); !joined.ok()) {
    return Fail(ModelErrorKind::kResourceUnavailable,
                fmt::format("call {}'s B-channel could not join conference {}: {}", call.id, conference.id,
                            joined.message()));
  }
  call.in_conference_media = true;
  call.conference = conference.id;
  conference.participants.push_back(call.id);
  TransitionTo(call, S::kConferenced);
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
  auto record = std::make_unique<Call>();
  record->id = id;
  record->span = FindCall(calls.front())->span;
  record->direction = Direction::kOut;
  record->state = S::kConnected;
  record->is_conference = true;
  record->conference_number = number;
  record->created = std::chrono::system_clock::now();
  record->connected_at = record->created;
  record->handles.push_back({client, Privilege::kOwner, S::kConnected});
  Call& conference = *record;
  calls_.emplace(id, std::move(record));

  for (CallId member : calls) {
    if (auto ok = EnterConference(conference, *FindCall(member)); !ok.ok()) {
      // Undo: the calls already in go back to connected; the conference
      // record goes as if it never was.
      for (CallId joined : std::vector<CallId>(conference.participants)) {
        Call& c = *FindCall(joined);
        LeaveMedia(c);
        c.conference = 0;
        if (c.state == S::kConferenced) TransitionTo(c, S::kConnected);
      }
      calls_.erase(id);
      return base::Unexpected<ModelError>{ok.error()};
    }
  }
  return id;
}

namespace {
bool UsableConference(const Call& conference) {
  return conference.is_conference && conference.state != S::kIdle && !conference.clearing;
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
                            (*conference)->clearing ? "being dropped" : "idle"));
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
  if (c.state != S::kConferenced || c.clearing) {
    return Fail(ModelErrorKind::kInvalidCallState,
                fmt::format("call {} is {}{}; only a conferenced participant can be removed", id,
                            CallStateName(c.state), c.clearing ? " and being dropped" : ""));
  }
  LeaveMedia(c);
  TransitionTo(c, S::kConnected);
  LeaveConference(c);
  return std::monostate{};
}

ModelStatus SessionModel::DropConference(Call& conference, std::optional<std::uint8_t> cause,
                                         const std::optional<q931::UserUser>& uui) {
  // Every participant's span must carry the UUI before anything is sent.
  for (CallId id : conference.participants) {
    if (const Call* c = FindCall(id)) {
      if (auto ok = CheckUui(*FindSpan(c->span), uui); !ok.ok()) return ok;
    }
  }
  conference.clearing = true;
  conference.cause = cause.value_or(kCauseNormalClearing);
  conference.origin = Origin::kLocal;
  if (uui) conference.uui_sent = uui;
  // Each participant is dropped as a call on its own (its DISCONNECT with
  // the cause and UUI); the conference goes idle when the last one is gone.
  const CallId conference_id = conference.id;
  for (CallId id : std::vector<CallId>(conference.participants)) {
    Call* c = FindCall(id);
    if (c == nullptr || c->state == S::kIdle || c->clearing) continue;
    StartClearing(*c, *conference.cause, uui, true);
  }
  if (Call* still = FindCall(conference_id); still && still->participants.empty() && still->state != S::kIdle) {
    still->clearing = false;
    TransitionTo(*still, S::kIdle);
  }
  return std::monostate{};
}

void SessionModel::LeaveMedia(Call& call) {
  if (!call.in_conference_media) return;
  call.in_conference_media = false;
  if (SpanEntry* span = FindSpan(call.span); span && span->port) span->port->LeaveConference(call.id);
}

void SessionModel::LeaveConference(Call& call) {
  if (call.conference == 0) return;
  const CallId conference_id = call.conference;
  call.conference = 0;
  Call* conference = FindCall(conference_id);
  if (conference == nullptr) return;
  std::erase(conference->participants, call.id);
  if (conference->participants.empty() && conference->state != S::kIdle) {
    // A conference left with no participants is over.
    conference->clearing = false;
    TransitionTo(*conference, S::kIdle);
    MaybeFree(conference_id);
  }
}

}  // namespace prid::daemon
