// One configured span: its D-channel (PriDriver over a sim socket or a
// DAHDI card), the libpri signalling of its calls (the SpanPort the session
// model drives), its B-channels (ChannelPool: which call holds each;
// RestartProcedure: RESTART; ChannelService: SERVICE; ConferenceMedia:
// DAHDI conferences), its state (D-channel up/down, span alarms, libpri
// configuration errors) and — with peer = "builtin" — the simulated far end.
//
// Span state (span.state events), derived, never stored apart:
//   alarm  while the card reports any alarm (DAHDI_SPANSTAT)
//   up     no alarm and libpri's D-channel is up (PRI_EVENT_DCHAN_UP)
//   down   otherwise
//   error  the span could not start (no DAHDI device, a listen path that
//          cannot be bound): start_error() says why and what to check; it
//          stays so, with the other spans running, until a reload retries it
// Calls are placed only while up. The D-channel goes down at once when the
// far end closes the sim socket or the card reports an alarm (PriDriver
// tells libpri), else when Q.921 gives up; it comes up again, with Q.921
// started afresh, when a far end connects or the alarm clears. libpri
// clears calls on a lost link itself, with cause 27: T309 for active
// calls, at once for the others.
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
#include "base/time_format.h"
#include "daemon/line/channel_pool.h"
#include "daemon/line/channel_retry.h"
#include "daemon/line/channel_service.h"
#include "daemon/line/conference_media.h"
#include "daemon/line/ev_timer.h"
#include "daemon/line/restart_procedure.h"
#include "daemon/config/config.h"
#include "daemon/line/pri_driver.h"
#include "daemon/session/session_model.h"
#include "daemon/session/span_port.h"
#include "q931/pri_call.h"

namespace prid::dahdi_glue {
class ConferenceMixer;
class DahdiSystem;
}

namespace prid::daemon {

class SimPeer;

enum class SpanState { kDown, kUp, kAlarm, kError };

// One change of the card's alarms (`alarms` empty: they cleared), as
// span.list's alarm_history shows it.
struct AlarmChange {
  base::WallTime time;
  std::vector<std::string> alarms;
};
// The alarm changes a span keeps, newest last.
inline constexpr std::size_t kAlarmHistory = 8;
std::string_view SpanStateName(SpanState state);  // "down", "up", "alarm", "error"

struct SpanStateChange {
  int span = 0;
  SpanState state = SpanState::kDown;
  SpanState previous = SpanState::kDown;
  std::vector<std::string> alarms;
  std::string error;   // libpri's configuration error, if any
  std::string reason;  // state error: why the span could not start
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

class Span : public SpanPort, private RestartLink, private ServiceLink {
 public:
  Span(ev::loop_ref loop, SpanConfig config, SessionModel& model, SpanObserver& observer);
  ~Span() override;

  // The system calls of driver = "dahdi" (default: the real ones). Before Start.
  void SetDahdiSystem(dahdi_glue::DahdiSystem& system) { dahdi_system_ = &system; }
  // Opens the line and starts libpri. On failure the span goes to state
  // error (span.state with the reason), keeps no half-open line and answers
  // as a span that is not up; the error returned is the reason.
  base::Status Start();

  // SpanPort
  bool up() const override { return state() == SpanState::kUp; }
  base::Expected<int, PortError> PlaceCall(CallId call, const PlaceCallRequest& request) override;
  base::Expected<int, PortError> Alert(CallId call, bool inband, int channel) override;
  base::Expected<int, PortError> Answer(CallId call, const std::optional<q931::UserUser>& uui, bool non_isdn,
                                        int channel) override;
  PortStatus Proceed(CallId call, int channel) override;
  PortStatus Progress(CallId call, const std::vector<std::uint8_t>& descriptions,
                      std::optional<std::uint8_t> cause) override;
  PortStatus Dial(CallId call, const std::string& digits, bool complete) override;
  PortStatus Keypad(CallId call, const std::string& digits) override;
  PortStatus Display(CallId call, const std::string& text) override;
  PortStatus Redirect(CallId call, const q931::Party& to, const q931::Party& from, std::uint8_t reason) override;
  PortStatus Transfer(CallId call, CallId to) override;
  ClearOutcome Clear(CallId call, std::uint8_t cause,
                     const std::optional<q931::UserUser>& uui) override;
  base::Status Hold(CallId call) override;
  base::Status Retrieve(CallId call) override;
  base::Status JoinConference(CallId call, int number) override;
  void LeaveConference(CallId call) override;

  // Where conference media goes (DAHDI_SETCONF on the B-channels); none on
  // a sim span unless a test gives one.
  void SetConferenceMixer(dahdi_glue::ConferenceMixer* mixer) { media_ = ConferenceMedia(config_, mixer); }
  // The DAHDI channel number of one of the span's B-channels.
  int DahdiChannel(int bchannel) const { return media_.DahdiChannel(bchannel); }

  const SpanConfig& config() const { return config_; }
  SpanState state() const;
  bool dchannel_up() const { return dchannel_up_; }
  // The span's own D-channel's data link is up (an NFAS member, which has
  // none: its group's). In an NFAS group with a backup D-channel the group
  // is up while either is.
  bool link_up() const { return driver_ != nullptr ? driver_->link().data_link_up() : dchannel_up_; }
  std::vector<std::string> AlarmNames() const;
  const std::string& config_error() const { return config_error_; }
  // Why Start failed and what to check; empty unless in state error.
  const std::string& start_error() const { return start_error_; }
  std::vector<ChannelInfo> Channels() const { return pool_.Snapshot(); }
  SimPeer* sim_peer() { return peer_.get(); }
  // libpri's call reference of a call still on the wire.
  std::optional<int> CrefOf(CallId call) const;
  // The call on the wire that libpri knows by `cref` (the trace router's
  // frames to call ids); nullopt while the span has not tied it to a call.
  // An NFAS primary's D-channel frames may be any group span's calls'.
  std::optional<CallId> CallOfCref(int cref) const;
  // The lowest free B-channel (for the built-in far end's calls; 0: none).
  int PickChannel() const;
  std::size_t wire_calls() const { return by_id_.size(); }
  // The DAHDI D-channel's counters (stats.get); null on a sim span and
  // before Start.
  const dahdi_glue::DahdiDChannelCounters* dahdi_counters() const;

  // Sends RESTART for one B-channel, or for every B-channel (channel 0), one
  // at a time as libpri allows, each retried after T316 up to N316 times in
  // all. A call on a restarted channel is cleared (cause 41) with events.
  base::Status Restart(int channel);
  // Takes a B-channel in or out of service (SERVICE; ni2, 4ess, 5ess).
  // No call is placed on an out-of-service channel.
  base::Status SetService(int channel, bool in_service);
  std::size_t restart_failures() const { return restart_.failures(); }
  // The last kAlarmHistory alarm changes, oldest first (DAHDI spans only).
  const std::deque<AlarmChange>& alarm_history() const { return alarm_history_; }
  // The channel now waiting for RESTART ACKNOWLEDGE (0: none).
  int restarting_channel() const { return restart_.restarting_channel(); }
  // sim driver, tests of link loss: cuts or restores the line.
  base::Status SetLinkCut(bool cut);
  // libpri's link; valid after a successful Start (an NFAS member's is its
  // group's primary span's).
  q931::PriLink& link() { return driver()->link(); }

  // NFAS (docs/design.md "NFAS"): a span without a D-channel of its own
  // (nfas_dchannel = "none") signals on the link of its group's primary
  // span, which carries every group span's calls (their B-channels named
  // by interface) and hands each libpri event to the span it is for. The
  // daemon joins a member to its started primary before the member's
  // Start; either may go first, the other then forgets it.
  //
  // A backup span (nfas_dchannel = "backup") has a D-channel of its own,
  // whose libpri is the primary's backup (q931::PriLink::BecomeBackupOf):
  // the group is up while either D-channel is; when one fails with the
  // other up, its active calls move to the other (a STATUS ENQUIRY handed
  // to libpri there); with neither up, the group's own T309 clears them
  // (libpri leaves T309 to the application in NFAS).
  void JoinNfasGroup(Span& primary);
  bool nfas_member() const { return config_.nfas_member(); }
  bool nfas_backup() const { return config_.nfas_dchannel == NfasDchannel::kBackup; }

 private:
  // A call of ours on the wire. Its Q.931 side is a PriCall, owned by the
  // link's PriCallTable; the entry goes when libpri frees the call (or the
  // call moves to its retry's new PriCall).
  struct WireCall {
    CallId id = 0;
    q931::PriCall* call = nullptr;
    int channel = 0;     // the B-channel it holds in pool_ (its PriCall's)
    ChannelRetry retry;  // Q.931 5.2.3.1: one retry on another channel
    bool exclusive = false;  // incoming: the SETUP asked for its channel exclusively
    bool overlap = false;    // outgoing: placed in overlap sending (SETUP ACKNOWLEDGE is no progress)
  };
  // Before an incoming call's first answer: moves it to B-channel `channel`
  // (0 or its own: stays) when the offer allows it (SpanPort::Alert).
  base::Expected<int, PortError> TakeChannel(WireCall& w, int channel);

  base::Status StartLink();
  // NFAS member: takes its group's primary link and D-channel state.
  base::Status StartNfasMember();
  base::Status StartDriver(const std::string& name);
  // `error` with what the administrator should check for this driver.
  std::string StartFailureReason(std::string_view error) const;
  void ConfigureLink();
  // From the span's own link: handled here, or (NFAS) by the group's spans
  // it is for (NfasRoute); a backup's events go through its primary.
  void OnPriEvent(const pri_event& event);
  // NFAS primary: an event of `dchannel`'s link (this span's or the backup's).
  void RouteGroupEvent(const pri_event& event, Span& dchannel);
  // NFAS primary: `dchannel`'s data link came up or went down.
  void NfasLinkChanged(Span& dchannel, bool up);
  // The group's active calls (their crefs), which survive a data link failure.
  std::vector<int> NfasActiveCrefs() const;
  void OnNfasT309(ev::timer&, int);
  void HandleEvent(const pri_event& event);
  // The spans of the group an event is for: a call's (the span holding it,
  // or by the interface its channel names), every span for the link's own
  // events and a RESTART of every interface; none, an offer for an
  // interface the group does not have (refused here).
  std::vector<Span*> NfasRoute(const pri_event& event, Span& dchannel);
  // The span of interface `interface` (nullopt: `dchannel`'s own, the span
  // whose D-channel carried the message).
  Span* NfasSpanOf(std::optional<int> interface, Span& dchannel);
  // The span's own driver, or its NFAS primary's (null: none).
  PriDriver* driver() const { return signalling_ != nullptr ? signalling_->driver_.get() : driver_.get(); }
  // libpri's value for our B-channel `channel`: with the span's interface
  // in an NFAS group.
  int Wire(int channel) const;
  void OnRing(const pri_event_ring& ring);
  void OnHangup(const pri_event_hangup& hangup, int type);
  // libpri 1.6 sends a Display IE on this span (VariantSendsDisplay).
  bool SendsDisplay() const;
  // PRI_EVENT_INFO_RECEIVED: the far end's overlap digits (Q.931 5.2.4).
  void OnInformation(const pri_event_ring& info);
  // Tells the model what the far end's `message` on call `c` carried
  // (progress indicators, display, connected number, keypad), when anything.
  void TellInfo(q931::PriCall& c, std::string_view message, const struct pri_subcommands* subcmds,
                std::optional<std::uint8_t> cause = std::nullopt, std::string keypad = {});
  void OnHoldEvent(const pri_event& event);
  // The far end refused call `id` on `old_channel` (history: the states
  // its PriCall went through): sends the SETUP again on another channel if
  // ChannelRetry says so, and tells the model.
  bool RetryOnAnotherChannel(CallId id, int old_channel, const q931::CallStateSet& history, int cause);
  void OnAlarms(int alarms);
  void RecordAlarms();  // the alarms now, into alarm_history_
  void SetDchannelUp(bool up);
  // Emits span.state when the derived state (or the error) changed.
  void PublishState(SpanState before);
  // The WireCall whose PriCall is `call` (null: none, or a call left to
  // libpri after its retry).
  WireCall* ByCall(const q931::PriCall* call);
  WireCall* ById(CallId id);
  // The call is off the wire: frees its channel and forgets it.
  void Forget(CallId id);
  q931::PriCallTable& calls() { return driver()->link().calls(); }
  // Clears the call on `channel` because the channel was restarted.
  void ClearForRestart(int channel, bool remote);

  // Applies `change` to the pool and reports the channel's new state.
  void SetChannelFlags(int channel, const std::function<void()>& change);

  // RestartLink
  void SendRestart(int channel) override;
  void ClearRestartedCall(int channel, bool remote) override;
  void SetRestarting(int channel, bool restarting) override;
  // ServiceLink
  void SendService(int channel, ServiceStatus status) override;
  void SetInService(int channel, bool in_service) override;

  ev::loop_ref loop_;
  SpanConfig config_;
  SessionModel& model_;
  SpanObserver& observer_;
  dahdi_glue::DahdiSystem* dahdi_system_;
  std::unique_ptr<PriDriver> driver_;
  Span* signalling_ = nullptr;     // NFAS member or backup: its group's primary span
  std::vector<Span*> nfas_spans_;  // NFAS primary: the group's spans, itself first
  Span* nfas_backup_ = nullptr;    // NFAS primary: the span of its backup D-channel
  ev::timer nfas_t309_;            // NFAS primary with a backup: no D-channel up
  std::unique_ptr<SimPeer> peer_;
  bool dchannel_up_ = false;
  int alarms_ = 0;
  std::deque<AlarmChange> alarm_history_;
  std::string config_error_;
  std::string start_error_;
  std::map<CallId, WireCall> by_id_;
  ChannelPool pool_;

  EvTimerFactory timers_;     // T316
  RestartProcedure restart_;  // after pool_ and timers_: built from them
  ChannelService service_;
  ConferenceMedia media_;
};

}  // namespace prid::daemon
