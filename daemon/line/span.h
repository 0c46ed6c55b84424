// One configured span: its D-channel (PriDriver over a sim socket or a
// DAHDI card), the libpri signalling of its calls (the SpanPort the session
// model drives), its B-channels (ChannelPool: calls, RESTART, SERVICE), its
// state (D-channel up/down, span alarms, libpri configuration errors) and —
// with peer = "builtin" — the simulated far end.
//
// Span state (span.state events), derived, never stored apart:
//   alarm  while the card reports any alarm (DAHDI_SPANSTAT)
//   up     no alarm and libpri's D-channel is up (PRI_EVENT_DCHAN_UP)
//   down   otherwise
// Calls are placed only while up. libpri clears calls on a lost link
// itself (T309 for active calls, at once for the others).
#pragma once

#include <ev++.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "daemon/line/channel_pool.h"
#include "daemon/config/config.h"
#include "daemon/line/pri_driver.h"
#include "daemon/session/session_model.h"
#include "daemon/session/span_port.h"

namespace prid::dahdi_glue {
class ConferenceMixer;
class DahdiSystem;
}

namespace prid::daemon {

class SimPeer;

enum class SpanState { kDown, kUp, kAlarm };
std::string_view SpanStateName(SpanState state);  // "down", "up", "alarm"

struct SpanStateChange {
  int span = 0;
  SpanState state = SpanState::kDown;
  SpanState previous = SpanState::kDown;
  std::vector<std::string> alarms;
  std::string error;  // libpri's configuration error, if any
};

class SpanObserver {
 public:
  virtual ~SpanObserver() = default;
  virtual void SpanStateChanged(const SpanStateChange& change) = 0;
  // A B-channel was restarted or taken in or out of service.
  virtual void ChannelStateChanged(int span, int channel, ChannelState state, ChannelState previous) = 0;
  virtual void SpanFrame(int span, q931::FrameDirection direction,
                         std::span<const std::uint8_t> frame) = 0;
};

class Span : public SpanPort {
 public:
  Span(ev::loop_ref loop, SpanConfig config, SessionModel& model, SpanObserver& observer);
  ~Span() override;

  // The system calls of driver = "dahdi" (default: the real ones). Before Start.
  void SetDahdiSystem(dahdi_glue::DahdiSystem& system) { dahdi_system_ = &system; }
  base::Status Start();

  // SpanPort
  bool up() const override { return state() == SpanState::kUp; }
  base::Expected<int, PortError> PlaceCall(CallId call, const PlaceCallRequest& request) override;
  base::Status Alert(CallId call, bool inband) override;
  base::Status Answer(CallId call, const std::optional<q931::UserUser>& uui, bool non_isdn) override;
  ClearOutcome Clear(CallId call, std::uint8_t cause,
                     const std::optional<q931::UserUser>& uui) override;
  base::Status Hold(CallId call) override;
  base::Status Retrieve(CallId call) override;
  base::Status JoinConference(CallId call, int number) override;
  void LeaveConference(CallId call) override;

  // Where conference media goes (DAHDI_SETCONF on the B-channels); none on
  // a sim span unless a test gives one.
  void SetConferenceMixer(dahdi_glue::ConferenceMixer* mixer) { mixer_ = mixer; }
  // The DAHDI channel number of one of the span's B-channels.
  int DahdiChannel(int bchannel) const;

  const SpanConfig& config() const { return config_; }
  SpanState state() const;
  bool dchannel_up() const { return dchannel_up_; }
  std::vector<std::string> AlarmNames() const;
  const std::string& config_error() const { return config_error_; }
  std::vector<ChannelInfo> Channels() const { return pool_.Snapshot(); }
  SimPeer* sim_peer() { return peer_.get(); }
  // libpri's call reference of a call still on the wire.
  std::optional<int> CrefOf(CallId call) const;
  // The lowest free B-channel (for the built-in far end's calls; 0: none).
  int PickChannel() const;
  std::size_t wire_calls() const { return by_id_.size(); }

  // Sends RESTART for one B-channel, or for every B-channel (channel 0), one
  // at a time as libpri allows, each retried after T316 up to N316 times in
  // all. A call on a restarted channel is cleared (cause 41) with events.
  base::Status Restart(int channel);
  // Takes a B-channel in or out of service (SERVICE; ni2, 4ess, 5ess).
  // No call is placed on an out-of-service channel.
  base::Status SetService(int channel, bool in_service);
  std::size_t restart_failures() const { return restart_failures_; }
  // The channel now waiting for RESTART ACKNOWLEDGE (0: none) and those queued.
  int restarting_channel() const { return restart_channel_; }
  // sim driver, tests of link loss: cuts or restores the line.
  base::Status SetLinkCut(bool cut);
  // libpri's link; valid after a successful Start.
  q931::PriLink& link() { return driver_->link(); }

 private:
  struct WireCall {
    CallId id = 0;
    q931_call* call = nullptr;
    int cref = 0;
    int channel = 0;
    bool incoming = false;
    bool responded = false;           // ALERTING / CONNECT sent for an incoming call
    bool remote_disconnected = false; // the far end's DISCONNECT arrived
    bool local_clearing = false;      // we sent the first clearing message
    // Outgoing: retried once on another channel after cause 44/34 when the
    // span chose the channel and the far end sent nothing but CALL
    // PROCEEDING first.
    bool span_picked = false;
    bool progressed = false;
    bool retried = false;
    std::optional<q931::SetupRequest> setup;
  };

  base::Status StartDriver(const std::string& name);
  void ConfigureLink();
  void OnPriEvent(const pri_event& event);
  void OnRing(const pri_event_ring& ring);
  void OnHangup(const pri_event_hangup& hangup, int type);
  void OnHoldEvent(const pri_event& event);
  bool RetryOnAnotherChannel(WireCall& w, int cause);
  void OnRestartRequested(int libpri_channel);
  void OnRestartAcknowledged(int libpri_channel);
  void OnService(int libpri_channel, int change_status);
  void OnAlarms(int alarms);
  void SetDchannelUp(bool up);
  // Emits span.state when the derived state (or the error) changed.
  void PublishState(SpanState before);
  void MarkProgress(q931_call* call);
  WireCall* ByCall(q931_call* call);
  WireCall* ById(CallId id);
  void Forget(CallId id);
  // Clears the call on `channel` because the channel was restarted.
  void ClearForRestart(int channel, bool remote);

  void QueueRestart(const std::vector<int>& channels);
  void SendNextRestart();
  void SendRestart();
  void OnT316(ev::timer&, int);
  void FinishRestart(int channel);
  void SetChannelFlags(int channel, const std::function<void()>& change);

  ev::loop_ref loop_;
  SpanConfig config_;
  SessionModel& model_;
  SpanObserver& observer_;
  dahdi_glue::DahdiSystem* dahdi_system_;
  std::unique_ptr<PriDriver> driver_;
  std::unique_ptr<SimPeer> peer_;
  bool dchannel_up_ = false;
  int alarms_ = 0;
  std::string config_error_;
  std::map<CallId, WireCall> by_id_;
  std::map<q931_call*, CallId> by_call_;
  dahdi_glue::ConferenceMixer* mixer_ = nullptr;
  ChannelPool pool_;

  bool restart_pending_ = false;   // restart every channel once the link is up
  std::deque<int> restart_queue_;
  int restart_channel_ = 0;        // waiting for its RESTART ACKNOWLEDGE
  int restart_tries_ = 0;
  std::size_t restart_failures_ = 0;
  ev::timer t316_;
};

// libpri's constants for our config enums.
int LibpriNodeType(NodeType node);
int LibpriSwitchType(SwitchVariant variant);
int LibpriTransferCapability(Bearer bearer);
int LibpriLayer1(SwitchVariant variant);
// Q.932 call hold (Q.931 HOLD / RETRIEVE) exists on the ETSI and QSIG
// variants; the North American PRI variants have no such messages.
bool VariantHasHold(SwitchVariant variant);
// PRI_EVENT_HOLD … PRI_EVENT_RETRIEVE_REJ: the near and far ends both route
// these to their own hold handling.
bool IsHoldEvent(int event);
Bearer BearerFromLibpri(int transfer_capability);

}  // namespace prid::daemon
