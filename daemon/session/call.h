// The call record of the session model (DESIGN.md "The session model"):
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
#include "q931/user_user.h"

namespace prid::daemon {

using CallId = std::uint64_t;
using ClientId = std::uint64_t;

// API.md "States". Transitions of a call (each through
// SessionModel::TransitionTo, which checks them against kAllowed in
// session_model.cc):
//
//   offering ──alert──▶ accepted ──answer──▶ connected
//      │  └──────────answer───────────────────▲ │
//   dialing ─▶ proceeding ─▶ ringback ─▶ connected
//   connected ◀──HOLD/RETRIEVE──▶ onhold
//   connected / onhold ──conference.create/add──▶ conferenced ──remove──▶ connected
//      any non-idle ──far end DISCONNECT──▶ disconnected ──▶ idle
//      any non-idle ──wire cleared────────────────────────▶ idle
//
// On a bridged span each station's handle has its own state: a station not
// on the call is `inactive` while the call goes on at the others.
enum class CallState {
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
std::string_view CallStateName(CallState state);
std::optional<CallState> CallStateFromName(std::string_view name);

enum class Privilege { kOwner, kMonitor };
std::string_view PrivilegeName(Privilege privilege);

enum class Direction { kIn, kOut };
std::string_view DirectionName(Direction direction);

enum class Origin { kLocal, kRemote };
std::string_view OriginName(Origin origin);

enum class Bearer { kSpeech, k3_1kHz, kDigital };
std::string_view BearerName(Bearer bearer);
std::optional<Bearer> BearerFromName(std::string_view name);

// TAPI-style disconnect mode of a Q.850 cause (API.md "Events").
std::string_view DisconnectModeName(std::uint8_t cause);

// API.md's cause names (normal, busy, noanswer, rejected, unavailable).
std::optional<std::uint8_t> CauseFromApiName(std::string_view name);

struct Handle {
  ClientId client = 0;
  Privilege privilege = Privilege::kOwner;
  CallState state = CallState::kIdle;  // this handle's view (bridged appearances differ)
};


struct Call {
  CallId id = 0;
  int span = 0;
  int channel = 0;  // 0: none assigned yet
  Direction direction = Direction::kOut;
  Bearer bearer = Bearer::kSpeech;
  std::string called;
  std::string calling;
  CallState state = CallState::kIdle;

  std::optional<std::uint8_t> cause;
  std::optional<Origin> origin;
  std::optional<q931::UserUser> uui_sent;
  std::optional<q931::UserUser> uui_received;

  base::WallTime created;
  std::optional<base::WallTime> connected_at;
  std::optional<base::WallTime> disconnected_at;
  std::optional<base::WallTime> idle_at;

  std::vector<Handle> handles;

  // Conferences: a conference call (no Q.931 call of its own) lists its
  // participants; a participant names its conference.
  bool is_conference = false;
  std::vector<CallId> participants;
  CallId conference = 0;
  int conference_number = 0;  // the conference call's media conference (DAHDI confno)
  bool in_conference_media = false;  // this participant's B-channel is in the conference

  // A HOLD or RETRIEVE sent and not answered yet.
  enum class Pending { kNone, kHold, kRetrieve };
  Pending pending = Pending::kNone;
  // libpri still holds the call (its clearing is not finished on the wire).
  bool on_wire = false;
  // A local clearing has been sent; waiting for the wire to finish it.
  bool clearing = false;
  std::unique_ptr<Timer> release_timer;

  Handle* FindHandle(ClientId client);
  const Handle* FindHandle(ClientId client) const;
  std::size_t OwnerCount() const;
};

}  // namespace prid::daemon
