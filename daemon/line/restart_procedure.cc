// RestartProcedure: RESTART with T316/N316 (Q.931 5.5.1), one channel at a time.
#include "daemon/line/restart_procedure.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "base/log.h"

namespace prid::daemon {
namespace {

using S = RestartState;

// The states each state may move to (the diagram in the header).
bool Allowed(RestartState from, RestartState to) {
  switch (from) {
    case S::kIdle: return to == S::kAwaitingAcknowledge;
    case S::kAwaitingAcknowledge: return to == S::kIdle || to == S::kWaitingForLink;
    case S::kWaitingForLink: return to == S::kIdle || to == S::kAwaitingAcknowledge;
  }
  return false;
}

}  // namespace

std::string_view RestartStateName(RestartState state) {
  switch (state) {
    case S::kIdle: return "idle";
    case S::kAwaitingAcknowledge: return "awaiting_acknowledge";
    case S::kWaitingForLink: return "waiting_for_link";
  }
  return "idle";
}

RestartProcedure::RestartProcedure(RestartOptions options, RestartLink& link, TimerFactory& timers)
    : options_(std::move(options)),
      link_(link),
      t316_(timers.Create()),
      pending_all_(options_.restart_when_up) {}

void RestartProcedure::TransitionTo(RestartState next) {
  if (next == state_) return;
  if (!Allowed(state_, next)) {
    // A broken invariant of this class, never wire or client input.
    PRID_LOG_ERROR("span {}: RESTART procedure: no transition from {} to {}", options_.span,
                   RestartStateName(state_), RestartStateName(next));
    return;
  }
  PRID_LOG_DEBUG("span {}: RESTART procedure {} -> {} (channel {})", options_.span, RestartStateName(state_),
                 RestartStateName(next), channel_);
  state_ = next;
}

bool RestartProcedure::Contains(int channel) const {
  return std::find(options_.channels.begin(), options_.channels.end(), channel) != options_.channels.end();
}

void RestartProcedure::LinkChanged(bool dchannel_up, bool in_alarm) {
  const bool dchannel_came_up = !dchannel_up_ && dchannel_up;
  const bool dchannel_went_down = dchannel_up_ && !dchannel_up;
  const bool alarm_cleared = in_alarm_ && !in_alarm;
  dchannel_up_ = dchannel_up;
  in_alarm_ = in_alarm;
  if (dchannel_went_down) {
    // Sent again from the start once the link is back (Q.921 lost it).
    t316_->Stop();
    if (state_ == S::kAwaitingAcknowledge) TransitionTo(S::kWaitingForLink);
    return;
  }
  // After an alarm clears the far end may have lost track of the channels.
  if (alarm_cleared && options_.restart_when_up) pending_all_ = true;
  if (!link_up()) return;
  bool send = dchannel_came_up;
  if (pending_all_) {
    pending_all_ = false;
    Queue(options_.channels);
    send = true;
  }
  // An alarm that clears while the D-channel stayed up sends nothing more
  // (unless every channel is restarted after it): as the span always did.
  if (send) SendNext();
}

base::Status RestartProcedure::Restart(int channel) {
  if (channel != 0 && !Contains(channel)) {
    return base::Status::Error(
        fmt::format("channel {} is not a B-channel of span {}", channel, options_.span));
  }
  if (!link_up()) {
    return base::Status::Error(fmt::format("span {} is {}", options_.span, in_alarm_ ? "alarm" : "down"));
  }
  Queue(channel == 0 ? options_.channels : std::vector<int>{channel});
  SendNext();
  return base::Status::Ok();
}

void RestartProcedure::Queue(const std::vector<int>& channels) {
  for (int channel : channels) {
    if ((state_ != S::kIdle && channel == channel_) ||
        std::find(queue_.begin(), queue_.end(), channel) != queue_.end()) {
      continue;
    }
    queue_.push_back(channel);
    link_.SetRestarting(channel, true);
  }
}

void RestartProcedure::SendNext() {
  if (!link_up()) return;
  switch (state_) {
    case S::kAwaitingAcknowledge:
      return;  // one channel at a time
    case S::kWaitingForLink:
      Send();  // back after a link failure: the pending one again
      return;
    case S::kIdle:
      if (queue_.empty()) return;
      channel_ = queue_.front();
      queue_.pop_front();
      tries_ = 0;
      Send();
      return;
  }
}

void RestartProcedure::Send() {
  // Q.931 5.5.1: the channel is idle for us from now on; any call on it ends.
  link_.ClearRestartedCall(channel_, /*remote=*/false);
  ++tries_;
  PRID_LOG_INFO("span {}: RESTART channel {} (try {} of {})", options_.span, channel_, tries_, options_.n316);
  TransitionTo(S::kAwaitingAcknowledge);
  link_.SendRestart(channel_);
  t316_->Start(options_.t316_s, [this] { OnT316(); });
}

void RestartProcedure::OnT316() {
  if (state_ != S::kAwaitingAcknowledge) return;
  if (!link_up()) {
    // An alarm with the D-channel still up: sent again when it is back.
    TransitionTo(S::kWaitingForLink);
    return;
  }
  if (tries_ < options_.n316) {
    Send();
    return;
  }
  // Q.931 5.5.1: after N316 tries, report and give up on this channel.
  ++failures_;
  PRID_LOG_ERROR("span {}: no RESTART ACKNOWLEDGE for channel {} after {} tries", options_.span, channel_, tries_);
  Finish();
}

void RestartProcedure::Finish() {
  t316_->Stop();
  const int channel = channel_;
  channel_ = 0;
  TransitionTo(S::kIdle);
  link_.SetRestarting(channel, false);
  SendNext();
}

void RestartProcedure::OnAcknowledged(int channel) {
  if (state_ == S::kIdle || channel == 0 || channel != channel_) {
    PRID_LOG_NOTICE("span {}: unexpected RESTART ACKNOWLEDGE for channel {}", options_.span, channel);
    return;
  }
  Finish();
}

void RestartProcedure::OnRestartRequested(int channel) {
  // libpri acknowledged the far end's RESTART but leaves the calls: they
  // are gone on the wire, so clear each with its events (Q.931 5.5.2).
  PRID_LOG_NOTICE("span {}: far end restarted {}", options_.span,
                  channel == 0 ? std::string("the interface") : fmt::format("channel {}", channel));
  if (channel != 0) {
    link_.ClearRestartedCall(channel, /*remote=*/true);
    return;
  }
  for (int ch : options_.channels) link_.ClearRestartedCall(ch, /*remote=*/true);
}

}  // namespace prid::daemon
