// The call record of the session model (docs/design.md "The session model"):
// states, handles, clearing information and UUI, with name tables.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time_format.h"
#include "daemon/session/timer.h"
#include "q931/party.h"
#include "q931/user_user.h"

namespace prid::daemon {

using CallId = std::uint64_t;
using ClientId = std::uint64_t;

class SessionModel;

// API.md "States": a call's state as every client on it sees it. Its
// transitions (each through SessionModel::TransitionTo, which checks them
// against kAllowed in session_model.cc):
//
//   collecting ──proceed──▶ offering, and alert / answer as from offering
//   offering ──alert──▶ accepted ──answer──▶ connected
//      │  └──────────answer───────────────────▲ │
//   dialing ─▶ proceeding ─▶ ringback ─▶ connected
//   connected ◀──HOLD/RETRIEVE──▶ onhold
//   connected / onhold ──conference.create/add──▶ conferenced ──remove──▶ connected
//      any non-idle ──far end DISCONNECT──▶ disconnected ──▶ idle
//      any non-idle ──wire cleared────────────────────────▶ idle
enum class CallState {
  kCollecting,  // overlap receiving: SETUP ACKNOWLEDGE sent, digits still coming
  kOffering,
  kAccepted,
  kDialing,
  kProceeding,
  kRingback,
  kConnected,
  kOnHold,
  kConferenced,
  kDisconnected,
  kIdle,
};
std::string_view CallStateName(CallState state);
std::optional<CallState> CallStateFromName(std::string_view name);

// A handle's view of its call (API.md "States"): the call's state, or
// `inactive` — a station of a bridged span that is not on the call while
// the call goes on at the others. Only a handle can be inactive.
enum class HandleState {
  kCollecting,
  kOffering,
  kAccepted,
  kDialing,
  kProceeding,
  kRingback,
  kConnected,
  kOnHold,
  kConferenced,
  kDisconnected,
  kInactive,
  kIdle,
};
std::string_view HandleStateName(HandleState state);
std::optional<HandleState> HandleStateFromName(std::string_view name);
// The view of a handle that is on the call: the call's state.
HandleState ViewOf(CallState state);

// Our own clearing, which clients do not see: a call we are clearing keeps
// its API state until the wire is done with it (then it goes idle).
//
//   steady ──drop / release_timeout / stop──▶ clearing ──wire cleared──▶ steady (idle)
enum class CallPhase {
  kSteady,    // no clearing of ours outstanding
  kClearing,  // DISCONNECT / RELEASE / RELEASE COMPLETE sent: waiting for the wire
};
std::string_view CallPhaseName(CallPhase phase);

// A HOLD or RETRIEVE we sent that the far end has not answered yet (the
// "Hold Request" and "Retrieve Request" auxiliary states of Q.932 call
// hold, which live beside the call's state, not instead of it).
//
//   none ──HOLD (connected)───▶ hold ─────HOLD ACKNOWLEDGE / REJECT─────▶ none
//   none ──RETRIEVE (onhold)──▶ retrieve ──RETRIEVE ACKNOWLEDGE / REJECT──▶ none
//   hold / retrieve ──disconnected / idle──▶ none
enum class HoldRequest { kNone, kHold, kRetrieve };
std::string_view HoldRequestName(HoldRequest request);

// A call's whole place in its state machine: what clients see and what the
// model waits for. Only SessionModel::TransitionTo moves it.
struct FullCallState {
  CallState state = CallState::kIdle;
  CallPhase phase = CallPhase::kSteady;
  HoldRequest hold = HoldRequest::kNone;
  bool operator==(const FullCallState&) const = default;
};
// "connected", or "connected (clearing, hold sent)" for logs.
std::string DescribeState(const FullCallState& state);

enum class Privilege { kOwner, kMonitor };
std::string_view PrivilegeName(Privilege privilege);

enum class Direction { kIn, kOut };
std::string_view DirectionName(Direction direction);

// Who started the clearing (API.md `origin`); kSupervisor: a supervisor's
// call.drop of a call it does not own; kRedirect: the owner's call.redirect;
// kTransfer: the owner's call.transfer, carried out by the network.
enum class Origin { kLocal, kRemote, kSupervisor, kRedirect, kTransfer };
std::string_view OriginName(Origin origin);

enum class Bearer { kSpeech, k3_1kHz, kDigital };
std::string_view BearerName(Bearer bearer);
std::optional<Bearer> BearerFromName(std::string_view name);

// TAPI-style disconnect mode of a Q.850 cause (API.md "Events").
std::string_view DisconnectModeName(std::uint8_t cause);

// API.md's cause names (normal, busy, noanswer, rejected, unavailable).
std::optional<std::uint8_t> CauseFromApiName(std::string_view name);

// One client's hold on a call. Whether a bridged station is off the call
// is written by the session model's transitions alone.
class Handle {
 public:
  Handle(ClientId client, Privilege privilege) : client(client), privilege(privilege) {}

  ClientId client = 0;
  Privilege privilege = Privilege::kOwner;

  // A bridged station not on the call: its view is `inactive`.
  bool inactive() const { return inactive_; }

 private:
  friend class SessionModel;
  bool inactive_ = false;
};

// What one message of the far end's carried beside a state change (API.md
// call.indication): its progress descriptions in order, its display text, the
// connected number, keypad digits.
struct FarEndInfo {
  std::string_view message;  // the Q.931 message: "PROGRESS", "CONNECT", …
  std::vector<std::uint8_t> progress;
  std::optional<std::uint8_t> cause;  // a PROGRESS's Cause IE
  std::optional<std::string> display;
  std::optional<q931::Party> connected;
  std::string keypad;
  bool empty() const { return progress.empty() && !display && !connected && keypad.empty(); }
};

class Call {
 public:
  CallId id = 0;
  int span = 0;
  int channel = 0;  // 0: none assigned yet
  Direction direction = Direction::kOut;
  Bearer bearer = Bearer::kSpeech;
  std::string called;   // parties.called's digits
  std::string calling;  // parties.calling's digits ("": none)
  // The numbers with their attributes: as sent (out) or received (in).
  q931::SetupParties parties;
  std::string tag;  // call.make's client tag, echoed in the record and events ("": none)
  // call.make {overlap: true}: the SETUP went without Sending complete and
  // call.dial sends further digits while the call is dialing.
  bool overlap = false;

  std::optional<std::uint8_t> cause;
  std::optional<Origin> origin;
  std::optional<q931::UserUser> uui_sent;
  std::optional<q931::UserUser> uui_received;
  // What the far end told of itself: its latest display text (an incoming
  // call's from its SETUP; "": none) and the connected number of its
  // CONNECT or a later update (Q.951 COLP).
  std::string display;
  std::optional<q931::Party> connected_party;
  // The uid of the client whose drop started the clearing (CDRs).
  std::optional<std::uint32_t> dropped_by_uid;
  // The B-channel before a retry moved the call (Q.931 5.2.3.1); 0: none.
  int first_channel = 0;

  base::WallTime created;
  std::optional<base::WallTime> connected_at;
  std::optional<base::WallTime> disconnected_at;  // the far end's DISCONNECT
  // The first clearing message either way: ours sent, or the far end's.
  std::optional<base::WallTime> clearing_at;
  std::optional<base::WallTime> idle_at;

  std::vector<Handle> handles;

  // Conferences: a conference call (no Q.931 call of its own) lists its
  // participants; a participant names its conference.
  bool is_conference = false;
  std::vector<CallId> participants;
  CallId conference = 0;
  int conference_number = 0;  // the conference call's media conference (DAHDI confno)

  std::unique_ptr<Timer> release_timer;
  // call.transfer asked for and not yet carried out or failed: the other
  // call (0: none). `transfer_joined`: the network has cleared that other
  // call already, so it is carrying the transfer out on this one too.
  CallId transferring_with = 0;
  bool transfer_joined = false;
  std::unique_ptr<Timer> transfer_timer;

  // The state machine (written by SessionModel::TransitionTo alone).
  CallState state() const { return full_.state; }
  const FullCallState& full_state() const { return full_; }
  // Our clearing was sent; the wire has not finished it.
  bool clearing() const { return full_.phase == CallPhase::kClearing; }
  HoldRequest hold_request() const { return full_.hold; }
  // libpri still holds the call: one of ours (not a conference) that is not
  // idle yet — it goes idle exactly when the wire has cleared it.
  bool on_wire() const { return !is_conference && full_.state != CallState::kIdle; }
  // This participant's B-channel is in its conference's media: it is
  // conferenced and not being cleared (a clearing takes it out first).
  bool in_conference_media() const {
    return full_.state == CallState::kConferenced && full_.phase == CallPhase::kSteady;
  }
  // What `handle` (one of this call's) sees.
  HandleState StateSeenBy(const Handle& handle) const {
    return handle.inactive() ? HandleState::kInactive : ViewOf(full_.state);
  }

  Handle* FindHandle(ClientId client);
  const Handle* FindHandle(ClientId client) const;
  std::size_t OwnerCount() const;

 private:
  friend class SessionModel;
  FullCallState full_;
};

}  // namespace prid::daemon
