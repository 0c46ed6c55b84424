// The session model (docs/design.md): calls, handles and lines, the drop rules
// of API.md, and the state machine. Fed by client requests (via the RPC
// handlers) and by span signalling; emits events through an EventSink.
// Knows nothing of JSON, sockets or libpri.
//
// A call record lives while any handle holds it, and while the wire has not
// finished clearing it; it is freed when both are over — never earlier
// (clients query after the drop), never later (no leak).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.h"
#include "daemon/session/call.h"
#include "daemon/session/event_sink.h"
#include "daemon/session/span_port.h"
#include "daemon/session/timer.h"

namespace prid::daemon {

// Why the model refused a request; each is an API.md error of the same name.
enum class ModelErrorKind {
  kInvalidCallHandle,
  kInvalidCallState,
  kNotOwner,
  kUserUserInfoTooBig,
  kOperationUnavailable,
  kResourceUnavailable,
  kSpanDown,
  kInvalidParams,
  kPermissionDenied,  // the supervisor privilege, asked for by a client without it
};
// The API's error name: "InvalidCallHandle", "InvalidCallState", …
std::string_view ModelErrorName(ModelErrorKind kind);
// The model's error for a span that could not place a call (SpanDown,
// ResourceUnavailable for no channel, OperationUnavailable otherwise).
ModelErrorKind ModelErrorFor(PortErrorKind kind);

struct ModelError : base::CodedError<ModelErrorKind> {
  std::optional<std::size_t> max;  // kUserUserInfoTooBig: the span's limit
};

template <typename T>
using ModelResult = base::Expected<T, ModelError>;
using ModelStatus = ModelResult<std::monostate>;

struct MakeCallRequest {
  std::optional<int> span;  // default: the lowest-numbered span
  q931::SetupParties parties;  // as they go on the wire (the span's dialplan applied)
  Bearer bearer = Bearer::kSpeech;
  int channel = 0;
  std::optional<q931::UserUser> uui;
  std::string tag;  // the client's own name for the call (API.md call.make)
  // Overlap sending: the SETUP without Sending complete, more digits by
  // Dial; the number may be empty.
  bool overlap = false;
};

struct IncomingCallInfo {
  int channel = 0;
  q931::SetupParties parties;  // as libpri read them
  Bearer bearer = Bearer::kSpeech;
  std::optional<q931::UserUser> uui;
  // Overlap receiving: the SETUP lacked Sending complete and the span
  // acknowledged it; the call starts collecting.
  bool collecting = false;
};

// A call as one client sees it through its handle. A supervisor's view of
// a call it holds no handle on has none: it sees the call's own state.
struct CallView {
  const Call* call = nullptr;
  const Handle* handle = nullptr;  // null: a supervisor without a handle
  HandleState state() const { return handle ? call->StateSeenBy(*handle) : ViewOf(call->state()); }
};

class SessionModel {
 public:
  SessionModel(EventSink& events, TimerFactory& timers);
  ~SessionModel();

  // Spans. The port must outlive its registration.
  void AddSpan(const SpanSettings& settings, SpanPort* port);
  void RemoveSpan(int span);

  // --- client requests -------------------------------------------------
  // A monitor line also gets a monitor handle on each call already up on
  // the span (its call.new follows), as it would have had it been open.
  ModelStatus OpenLine(ClientId client, int span, Privilege privilege);
  ModelStatus CloseLine(ClientId client, int span);
  ModelResult<CallId> Make(ClientId client, const MakeCallRequest& request);
  // `inband`: ALERTING says in-band information (ringback) is available
  // (progress indicator 8). `non_isdn`: CONNECT says the destination is
  // non-ISDN (progress indicator 2), as for an analog or VoIP leg behind us.
  // `channel` (0: the one offered): the B-channel to take instead, which
  // the span may refuse (InvalidParams; SpanPort::Alert).
  ModelStatus Alert(ClientId client, CallId call, bool inband = true, int channel = 0);
  ModelStatus Answer(ClientId client, CallId call, const std::optional<q931::UserUser>& uui,
                     bool non_isdn = false, int channel = 0);
  // CALL PROCEEDING for an offering call; it stays offering (alert and
  // answer follow as before).
  ModelStatus Proceed(ClientId client, CallId call, int channel = 0);
  // PROGRESS with these progress descriptions (and a Cause) on an offering
  // or accepted call; its state does not change.
  ModelStatus Progress(ClientId client, CallId call, const std::vector<std::uint8_t>& descriptions,
                       std::optional<std::uint8_t> cause);
  // call.display: INFORMATION with a Display IE of `text` on a call that is
  // under way and not clearing (the span may refuse the call's Q.931 state:
  // InvalidCallState; a variant without it: OperationUnavailable).
  ModelStatus Display(ClientId client, CallId call, const std::string& text);
  // call.dial: on an overlap call that is dialing, INFORMATION with
  // `digits` (Sending complete when `complete`), added to its called
  // number; on a connected call, keypad facility (`complete` unused).
  // `digits`: 1…32 of 0-9 * # (else InvalidParams); any other state:
  // InvalidCallState; a variant without it: OperationUnavailable.
  ModelStatus Dial(ClientId client, CallId call, const std::string& digits, bool complete);
  // call.redirect: call rerouting / deflection of an incoming call that is
  // collecting, offering or accepted (else InvalidCallState) to `to`, for
  // Q.952 redirecting reason `reason`; a variant without it:
  // OperationUnavailable. The call then ends as a drop does (its state until
  // the wire is done, then idle), cause 16, origin redirect; the far end
  // clears it, or prid after release_timeout.
  ModelStatus Redirect(ClientId client, CallId call, const q931::Party& to, std::uint8_t reason);
  // call.transfer: explicit call transfer of two connected or held calls
  // the client owns on one span (else InvalidCallState / InvalidParams); a
  // variant or side without it: OperationUnavailable. The network joins
  // them and clears both: each then ends as a drop does, cause as the far
  // end sent, origin transfer. Neither cleared within release_timeout: the
  // transfer failed, both stay, a refused "transfer" call.state each.
  ModelStatus Transfer(ClientId client, CallId call, CallId to);
  ModelStatus Drop(ClientId client, CallId call, std::optional<std::uint8_t> cause,
                   const std::optional<q931::UserUser>& uui);
  ModelResult<CallView> Info(ClientId client, CallId call) const;
  // `state`: only the calls this client's handle sees in that state.
  std::vector<CallView> List(ClientId client, std::optional<HandleState> state) const;

  // The supervisor privilege, used explicitly (API.md "Supervisors"); each
  // refuses a client that is not a supervisor (kPermissionDenied).
  // Drops any call: the supervisor gets a monitor handle on it first
  // (call.new) unless it holds one, then the whole call is cleared as an
  // owner's drop would clear it (every station of a bridged span, every
  // participant of a conference), with origin supervisor.
  ModelStatus SupervisorDrop(ClientId client, CallId call, std::optional<std::uint8_t> cause,
                             const std::optional<q931::UserUser>& uui);
  // Any call; the view has the supervisor's handle when it holds one.
  ModelResult<CallView> SupervisorInfo(ClientId client, CallId call) const;
  // Every call record, ascending by id, each with the supervisor's handle
  // when it holds one; `state`: only calls in that state (as that handle
  // sees it, else the call's own).
  ModelResult<std::vector<CallView>> ListAll(ClientId client, std::optional<HandleState> state) const;
  ModelStatus Deallocate(ClientId client, CallId call);
  // Q.931 HOLD / RETRIEVE; the state changes when the far end acknowledges.
  ModelStatus Hold(ClientId client, CallId call);
  ModelStatus Unhold(ClientId client, CallId call);
  // Bridged span: takes this station (back) onto the call.
  ModelStatus Join(ClientId client, CallId call);
  // Conferences (session_model_conference.cc).
  ModelResult<CallId> ConferenceCreate(ClientId client, const std::vector<CallId>& calls);
  ModelStatus ConferenceAdd(ClientId client, CallId conference, CallId call);
  ModelStatus ConferenceRemove(ClientId client, CallId conference, CallId call);
  // Supervisors (API.md "Supervisors"): the daemon names a client one when
  // it connects (root, the daemon's user, supervisor_group); it stays one
  // until ClientGone. Being one changes nothing until it asks (above).
  void AddSupervisor(ClientId client) { supervisors_.insert(client); }
  // The client's uid, stamped on the calls its drops clear (CDRs); kept
  // until ClientGone.
  void AddClientUid(ClientId client, std::uint32_t uid) { uids_[client] = uid; }
  bool IsSupervisor(ClientId client) const { return supervisors_.count(client) != 0; }
  // kPermissionDenied naming `what` (the request) unless `client` is one.
  ModelStatus CheckSupervisor(ClientId client, std::string_view what) const;
  // The client's connection closed: calls it alone owns are dropped
  // (normal clearing, Q.850 16), then all its handles and lines are released.
  void ClientGone(ClientId client);
  // The daemon is stopping: every call on the wire that is not already
  // clearing is cleared with `cause` as a drop would (DISCONNECT, RELEASE
  // COMPLETE for an offered call, RELEASE after the far end's DISCONNECT).
  // Returns how many clearings it started.
  std::size_t DropAll(std::uint8_t cause);

  // --- span signalling -------------------------------------------------
  // A SETUP arrived. `bind` learns the new call's id before anything is
  // done with it (the span maps its libpri call to it). A call no owner is
  // there to take is rejected at once (call rejected, Q.850 21), after the
  // monitors saw it.
  CallId IncomingCall(int span, const IncomingCallInfo& info, const std::function<void(CallId)>& bind);
  // Overlap receiving: the far end's INFORMATION brought `digits` for a
  // collecting call (added to its called number; call.digits).
  void DigitsReceived(CallId call, const std::string& digits, bool complete);
  // Progress of a call we placed; `uui` when the message carried one.
  void Proceeding(CallId call);
  void Alerting(CallId call, std::optional<q931::UserUser> uui);
  void Answered(CallId call, std::optional<q931::UserUser> uui);
  // A message of the far end's on a call carried progress indicators,
  // display text, a connected number or keypad digits: the record keeps the
  // display and the connected number, the handles' holders get call.indication.
  // Called before the state change of the same message (Alerting, …).
  void InfoReceived(CallId call, const FarEndInfo& info);
  // The far end sent DISCONNECT.
  void RemoteDisconnect(CallId call, std::uint8_t cause, std::optional<q931::UserUser> uui);
  // libpri is done with the call (RELEASE / RELEASE COMPLETE, or its own
  // clearing on a timer or link loss). `remote`: the far end's message
  // started this clearing (its RELEASE or RELEASE COMPLETE came first, or
  // its RESTART); a timer or link loss is local (API.md `origin`).
  void WireCleared(CallId call, std::uint8_t cause, std::optional<q931::UserUser> uui, bool remote);
  // Answers to our HOLD / RETRIEVE, and the far end's own (which the span
  // has acknowledged).
  void HoldAcknowledged(CallId call);
  void HoldRejected(CallId call, std::uint8_t cause);
  void RetrieveAcknowledged(CallId call);
  void RetrieveRejected(CallId call, std::uint8_t cause);
  void RemoteHold(CallId call);
  void RemoteRetrieve(CallId call);

  // The span moved a call it placed to another B-channel before the far end
  // answered (a retry after cause 44 or 34).
  void ChannelChanged(CallId call, int channel);
  // --- queries ---------------------------------------------------------
  const Call* Find(CallId call) const;
  // Clients with a line (owner or monitor) open on the span.
  std::vector<ClientId> LineHolders(int span) const;
  // Whether `client` has a monitor line open on `span` (API.md "Events":
  // a monitor line sees every call event of its span).
  bool HasMonitorLine(ClientId client, int span) const;
  std::size_t record_count() const { return calls_.size(); }
  std::size_t active_count() const;
  std::size_t handle_count() const;
  // Calls the wire has not finished clearing.
  std::size_t wire_count() const;

 private:
  struct SpanEntry {
    SpanSettings settings;
    SpanPort* port = nullptr;
    std::set<ClientId> owners;
    std::set<ClientId> monitors;
  };

  Call* FindCall(CallId call);
  SpanEntry* FindSpan(int span);
  ModelResult<Call*> CallForClient(ClientId client, CallId call);
  ModelResult<Call*> CallForOwner(ClientId client, CallId call);
  ModelStatus CheckUui(const SpanEntry& span, const std::optional<q931::UserUser>& uui) const;
  bool Bridged(const Call& call) const;
  // Another owner's handle is still live (not inactive or idle) on the call:
  // on a bridged span, another station is on it.
  bool OtherLiveOwner(const Call& call, ClientId client) const;
  // A new record in its first state (the only state not reached by a
  // transition), not yet in calls_.
  std::unique_ptr<Call> NewRecord(CallId id, int span, CallState initial);
  // The single writer of a call's state machine: checks the move against
  // the tables in session_model.cc and refuses an illegal one (logged at
  // error with both states and the call; kInvalidCallState, nothing
  // changed). Otherwise it moves, takes the call's B-channel out of its
  // conference when it stops being conferenced, and, when the API state
  // changes, emits one call.state event to the holders of the handles. On
  // a bridged span inactive stations stay inactive except when the call
  // ends (disconnected, idle).
  ModelStatus TransitionTo(Call& call, const FullCallState& to,
                           const std::optional<q931::UserUser>& uui = std::nullopt);
  // One handle's own view (a bridged station going inactive or joining);
  // checked like TransitionTo; the event goes to it alone.
  ModelStatus TransitionHandle(Call& call, Handle& handle, HandleState to);
  // A client dropped its part in a call it owns (API.md "Drop").
  ModelStatus DropCall(Call& call, ClientId client, std::optional<std::uint8_t> cause,
                       const std::optional<q931::UserUser>& uui);
  ModelStatus DropConference(Call& conference, std::optional<std::uint8_t> cause,
                             const std::optional<q931::UserUser>& uui, Origin origin = Origin::kLocal);
  // Conference membership (session_model_conference.cc).
  ModelStatus CheckConferenceable(ClientId client, CallId call);
  ModelStatus EnterConference(Call& conference, Call& call);
  // A participant is gone from the conference (removed or idle); an empty
  // conference goes idle.
  void LeaveConference(Call& call);
  int AllocateConferenceNumber() const;
  // Sends our clearing (the span picks the message) and marks the call
  // clearing; an illegal start (the call is idle) sends nothing. `origin`
  // is recorded when the call has no cause yet.
  ModelStatus StartClearing(Call& call, std::uint8_t cause, const std::optional<q931::UserUser>& uui,
                            Origin origin = Origin::kLocal);
  void AddMonitorHandles(Call& call, const SpanEntry& span);
  void ReleaseNow(Call& call);
  // call.transfer's outcomes: the network cleared `call` (its DISCONNECT
  // with `cause`) — the transfer is carried out, the call ends with origin
  // transfer; or release_timeout passed (TransferTimedOut): a call whose
  // partner the network cleared is cleared by us, else the transfer failed.
  void TransferCarriedOut(Call& call, std::uint8_t cause, const std::optional<q931::UserUser>& uui);
  void TransferTimedOut(CallId call);
  // Frees the record when no handle holds it and the wire is done with it.
  void MaybeFree(CallId call);

  EventSink& events_;
  TimerFactory& timers_;
  std::map<int, SpanEntry> spans_;
  std::map<CallId, std::unique_ptr<Call>> calls_;
  std::set<ClientId> supervisors_;
  std::map<ClientId, std::uint32_t> uids_;
  // Set while a client's drop runs: the uid StartClearing stamps.
  std::optional<std::uint32_t> dropping_uid_;
  // Sets dropping_uid_ to `client`'s for the scope.
  class DropperScope;
  CallId next_call_id_ = 1;
};

}  // namespace prid::daemon
