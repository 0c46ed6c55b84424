// RestartProcedure: the near end's RESTART of B-channels with T316/N316
// (Q.931 5.5.1) and the far end's RESTART, for one span. Passive: it acts
// through a RestartLink and one Timer, and is driven by the span (link
// changes, RESTART ACKNOWLEDGE, the far end's RESTART, span.restart).
//
// States (TransitionTo alone writes them):
//
//   idle ──RESTART──▶ awaiting_acknowledge ──RESTART ACK, or N316 tries spent──▶ idle
//                       │  ▲  ↺ T316 with tries left: RESTART again       (then the next queued)
//   D-channel lost, or  │  │
//   T316 while the span ▼  │ link up again: RESTART again
//   is not up         waiting_for_link ──RESTART ACK──▶ idle
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "daemon/session/timer.h"

namespace prid::daemon {

// What the procedure acts on; the span implements it over libpri and its
// channel pool. Calls may come from inside any RestartProcedure method.
class RestartLink {
 public:
  virtual ~RestartLink() = default;
  // Sends RESTART (restart indicator: indicated channel) for `channel`.
  virtual void SendRestart(int channel) = 0;
  // Clears the call on `channel`, if there is one, with
  // q931::cause::kTemporaryFailure; `remote`: the far end restarted it.
  virtual void ClearRestartedCall(int channel, bool remote) = 0;
  // `channel` is (or is no longer) being restarted: no call may be placed
  // on it meanwhile.
  virtual void SetRestarting(int channel, bool restarting) = 0;
};

enum class RestartState { kIdle, kAwaitingAcknowledge, kWaitingForLink };
std::string_view RestartStateName(RestartState state);  // "idle", "awaiting_acknowledge", …

struct RestartOptions {
  int span = 0;                // for messages and logs
  std::vector<int> channels;   // the span's B-channels, in the order a whole-interface restart takes them
  double t316_s = 120.0;       // Q.931 T316: waiting for RESTART ACKNOWLEDGE
  int n316 = 2;                // RESTART sent this many times in all per channel
  // Restart every channel once the link is first up, and again each time
  // an alarm of the span clears (the far end may have lost track of them).
  bool restart_when_up = false;
};

class RestartProcedure {
 public:
  // `link` and `timers` must outlive the procedure; its one timer (T316) is
  // created here.
  RestartProcedure(RestartOptions options, RestartLink& link, TimerFactory& timers);
  RestartProcedure(const RestartProcedure&) = delete;
  RestartProcedure& operator=(const RestartProcedure&) = delete;

  // The span's D-channel and alarm state, given again after every change of
  // either (and once at start). RESTART goes out only while the D-channel
  // is up and the span has no alarm. A lost D-channel stops T316: the
  // pending channel is sent again when it comes back. One whose T316
  // expired during an alarm is sent again when the D-channel comes back, or
  // when the alarm clears with restart_when_up set (else it waits).
  void LinkChanged(bool dchannel_up, bool in_alarm);

  // Restarts `channel`, or every channel (0), one at a time in the order of
  // the options. A channel already queued or pending is not queued twice.
  // Fails when the channel is not one of the span's or the link is not up.
  base::Status Restart(int channel);

  // RESTART ACKNOWLEDGE for `channel` (0: none named). Ends the pending
  // restart if it names its channel; otherwise logged and ignored.
  void OnAcknowledged(int channel);
  // The far end's RESTART of `channel` (0: the whole interface), which
  // libpri has already acknowledged: the calls on it are gone on the wire.
  void OnRestartRequested(int channel);

  RestartState state() const { return state_; }
  // The channel waiting for RESTART ACKNOWLEDGE (0: none).
  int restarting_channel() const { return channel_; }
  // How many times RESTART went out for it so far.
  int tries() const { return tries_; }
  std::size_t queued() const { return queue_.size(); }
  // Channels given up on after N316 tries without acknowledge.
  std::size_t failures() const { return failures_; }

 private:
  bool link_up() const { return dchannel_up_ && !in_alarm_; }
  bool Contains(int channel) const;
  void Queue(const std::vector<int>& channels);
  // Sends the pending channel again after a link loss, or the next queued.
  void SendNext();
  void Send();
  void OnT316();
  void Finish();
  void TransitionTo(RestartState next);

  const RestartOptions options_;
  RestartLink& link_;
  std::unique_ptr<Timer> t316_;

  RestartState state_ = RestartState::kIdle;
  int channel_ = 0;  // not idle: the channel being restarted
  int tries_ = 0;
  std::deque<int> queue_;
  std::size_t failures_ = 0;
  bool pending_all_;  // every channel to be restarted once the link is up
  bool dchannel_up_ = false;
  bool in_alarm_ = false;
};

}  // namespace prid::daemon
