// The one retry of an outgoing call refused for its B-channel.
#include "daemon/line/channel_retry.h"

#include "q931/q850.h"

namespace prid::daemon {

using Q931State = q931::CallState;

ChannelRetry::ChannelRetry(q931::SetupRequest setup) : state_(State::kAvailable), setup_(std::move(setup)) {}

void ChannelRetry::Dialled(std::string_view digits, bool complete) {
  setup_.parties.called.digits += digits;
  if (complete) setup_.complete = true;
}

std::optional<q931::SetupRequest> ChannelRetry::Decide(int cause, const q931::CallStateSet& history, bool span_up,
                                                       int old_channel, ChannelPool& pool) const {
  if (state_ != State::kAvailable) return std::nullopt;
  if (cause != q931::cause::kRequestedChannelUnavailable && cause != q931::cause::kNoCircuitAvailable) {
    return std::nullopt;
  }
  // Nothing but CALL PROCEEDING from the far end, and its refusal itself
  // (its DISCONNECT, then its RELEASE): Overlap sending, Call delivered or
  // Active mean it took the channel; Disconnect request and Release request
  // mean we were clearing it ourselves.
  static const q931::CallStateSet kBeforeProgress = {Q931State::kNull, Q931State::kCallInitiated,
                                                     Q931State::kOutgoingCallProceeding,
                                                     Q931State::kDisconnectIndication};
  if (!history.Within(kBeforeProgress)) return std::nullopt;
  if (!span_up) return std::nullopt;
  const int channel = pool.Pick(old_channel);
  if (channel == 0) return std::nullopt;
  q931::SetupRequest setup = setup_;
  setup.channel = channel;
  return setup;
}

std::string_view ChannelRetryStateName(ChannelRetry::State state) {
  switch (state) {
    case ChannelRetry::State::kNever: return "never";
    case ChannelRetry::State::kAvailable: return "available";
    case ChannelRetry::State::kSpent: return "spent";
  }
  return "never";
}

}  // namespace prid::daemon
