// ChannelRetry: whether the far end's refusal of an outgoing call's B-channel
// is retried once on another channel (Q.931 5.2.3.1), and on which. A passive
// decision object: the span sends the new SETUP.
//
// The rule: a call is retried once, and only when
//  - the span chose its channel (a client that named one gets the refusal),
//  - the far end cleared it with cause 44 (requested circuit/channel not
//    available) or 34 (no circuit/channel available), by RELEASE COMPLETE,
//    RELEASE or DISCONNECT: networks acknowledge the SETUP with CALL
//    PROCEEDING and only then refuse the channel by DISCONNECT,
//  - the far end sent nothing but CALL PROCEEDING before (no SETUP
//    ACKNOWLEDGE, ALERTING or CONNECT), and we had not begun clearing it,
//  - the span is up and another channel is free.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/line/channel_pool.h"
#include "q931/pri_call.h"

namespace prid::daemon {

class ChannelRetry {
 public:
  enum class State { kNever, kAvailable, kSpent };

  // Never retried: an incoming call, or an outgoing one on the channel the
  // client named.
  ChannelRetry() = default;
  // An outgoing call on a channel the span picked, placed with `setup`.
  explicit ChannelRetry(q931::SetupRequest setup);

  // The far end cleared the call on `old_channel` with `cause` after the
  // call went through the states in `history`. Returns the SETUP to send
  // on the new channel (taken from `pool`, avoiding `old_channel`), or
  // nullopt when the refusal stands. Picking moves the pool's round robin.
  std::optional<q931::SetupRequest> Decide(int cause, const q931::CallStateSet& history, bool span_up,
                                           int old_channel, ChannelPool& pool) const;
  // An overlap call sent more of its number (INFORMATION, `complete`: with
  // Sending complete): a retry's SETUP carries every digit sent so far.
  void Dialled(std::string_view digits, bool complete);
  // The retry's SETUP was sent: no second one.
  void Spend() { state_ = State::kSpent; }

  State state() const { return state_; }

 private:
  State state_ = State::kNever;
  q931::SetupRequest setup_;
};

std::string_view ChannelRetryStateName(ChannelRetry::State state);  // "never", "available", "spent"

}  // namespace prid::daemon
