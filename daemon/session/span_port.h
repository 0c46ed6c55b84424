// What the session model asks of a span's signalling (libpri in the daemon,
// a fake in unit tests), and the span settings the drop rules depend on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.h"
#include "daemon/session/call.h"
#include "daemon/config/config.h"
#include "q931/party.h"
#include "q931/user_user.h"

namespace prid::daemon {

struct PlaceCallRequest {
  q931::SetupParties parties;  // as they go on the wire
  Bearer bearer = Bearer::kSpeech;
  int channel = 0;  // 0: the span picks one
  std::optional<q931::UserUser> uui;
  // Overlap sending: no Sending complete, more digits follow (SpanPort::Dial).
  // kFailed on a variant without overlap dialling.
  bool overlap = false;
};

// Why a span could not place a call.
enum class PortErrorKind {
  kSpanDown,   // the D-channel is not up
  kNoChannel,  // no free B-channel, or the one asked for is busy
  kFailed,     // anything else (a channel that is not the span's, libpri refused)
  // An incoming call's answer: the B-channel asked for is not the span's,
  // is busy, or cannot be taken (exclusive offer, channel already fixed).
  kInvalidChannel,
  kWrongState,  // the call's Q.931 state does not allow the message
};
// "SpanDown", "NoChannel", "Failed", "InvalidChannel", "WrongState" (logs).
std::string_view PortErrorName(PortErrorKind kind);
using PortError = base::CodedError<PortErrorKind>;
using PortStatus = base::Expected<std::monostate, PortError>;

// How a local clearing went: kPending until the wire reports the call gone
// (SessionModel::WireCleared), or kCleared when it is gone already (an
// offered call rejected with RELEASE COMPLETE).
enum class ClearOutcome { kPending, kCleared };

class SpanPort {
 public:
  virtual ~SpanPort() = default;
  virtual bool up() const = 0;
  // Sends SETUP; returns the B-channel chosen.
  virtual base::Expected<int, PortError> PlaceCall(CallId call, const PlaceCallRequest& request) = 0;
  // The answers to an incoming call. `channel` (0: the call's own) is the
  // B-channel to take instead of the one offered, before anything was sent
  // for the call and only when the SETUP did not ask for its channel
  // exclusively (Q.931 5.1.2, 5.2.3.1); else kInvalidChannel. Alert and
  // Answer return the call's B-channel.
  // `inband`: ALERTING carries progress indicator 8 (in-band information).
  virtual base::Expected<int, PortError> Alert(CallId call, bool inband, int channel) = 0;
  // `non_isdn`: CONNECT carries progress indicator 2 (destination non-ISDN).
  virtual base::Expected<int, PortError> Answer(CallId call, const std::optional<q931::UserUser>& uui,
                                                bool non_isdn, int channel) = 0;
  // CALL PROCEEDING, once (kWrongState after any other answer); `channel`
  // as for Alert.
  virtual PortStatus Proceed(CallId call, int channel) = 0;
  // PROGRESS with one Progress indicator per description, and a Cause when
  // `cause` is given.
  virtual PortStatus Progress(CallId call, const std::vector<std::uint8_t>& descriptions,
                              std::optional<std::uint8_t> cause) = 0;
  // Overlap sending of a call placed with `overlap`: INFORMATION with
  // `digits` in its Called party number, and Sending complete when
  // `complete` (Q.931 5.1.3). kWrongState once the far end has proceeded.
  virtual PortStatus Dial(CallId call, const std::string& digits, bool complete) = 0;
  // INFORMATION with a Keypad facility IE of `digits`, on an answered call;
  // kFailed on a variant without keypad facility (VariantHasOverlap).
  virtual PortStatus Keypad(CallId call, const std::string& digits) = 0;
  // INFORMATION with a Display IE of `text` on a call under way; kFailed
  // where the variant or side sends no Display IE, kWrongState before the
  // call proceeds or once it clears.
  virtual PortStatus Display(CallId call, const std::string& text) = 0;
  // Call rerouting / deflection of an incoming call not yet answered: a
  // FACILITY asking the far end to route it to `to` for Q.952 redirecting
  // reason `reason`, rerouted by `from` (the call's called number); the far
  // end then clears the call. kFailed where the variant has none (naming
  // it), kWrongState in another Q.931 state.
  virtual PortStatus Redirect(CallId call, const q931::Party& to, const q931::Party& from,
                              std::uint8_t reason) = 0;
  // Explicit call transfer: asks the network to join `call` and `to` (two
  // answered calls of this span) and clear both; its answer is their
  // clearing. kFailed where the variant or side has none (naming it),
  // kWrongState in another Q.931 state or when libpri refuses.
  virtual PortStatus Transfer(CallId call, CallId to) = 0;
  // Clears the call from our side with the message Q.931 calls for in its
  // state — RELEASE COMPLETE for an offered call nothing was sent for,
  // RELEASE after the far end's DISCONNECT, DISCONNECT otherwise — carrying
  // `cause` and `uui` exactly.
  virtual ClearOutcome Clear(CallId call, std::uint8_t cause,
                             const std::optional<q931::UserUser>& uui) = 0;
  // Q.931 HOLD / RETRIEVE; the answer comes back through the model's
  // Hold*/Retrieve* signalling methods.
  virtual base::Status Hold(CallId call) = 0;
  virtual base::Status Retrieve(CallId call) = 0;
  // Media: puts the call's B-channel into conference `number` (DAHDI_SETCONF
  // on dahdi spans), or takes it out again.
  virtual base::Status JoinConference(CallId call, int number) = 0;
  virtual void LeaveConference(CallId call) = 0;
};

struct SpanSettings {
  int span = 0;
  Appearance appearance = Appearance::kSingle;
  double release_timeout_s = 10.0;
  bool uui = true;
  std::size_t uui_max = 128;
  // The switch variant has Q.931 HOLD / RETRIEVE (Q.932 call hold).
  bool hold = false;
  // name = "…" of the span's config, for logs ("" in tests: not logged).
  std::string name;
};

}  // namespace prid::daemon
