// Call statistics from the session model's events.
#include "daemon/stats/counting_event_sink.h"

namespace prid::daemon {
namespace {

// HandleState's values that are call states: all but inactive.
std::optional<CallState> CallStateOf(HandleState state) {
  if (state == HandleState::kInactive) return std::nullopt;
  return CallStateFromName(HandleStateName(state));
}

}  // namespace

void CountingEventSink::CallBegan(const Call& call) {
  if (!call.is_conference) stats_.Calls(call.span).Began(call);
  next_.CallBegan(call);
}

void CountingEventSink::CallStateChanged(const Call& call, HandleState previous, HandleState state,
                                         const std::vector<ClientId>& recipients,
                                         const std::optional<q931::UserUser>& uui) {
  // A move of the call's own state is one event between two call states;
  // the others are a bridged station's view (to or from inactive).
  if (!call.is_conference && previous != state) {
    auto from = CallStateOf(previous);
    auto to = CallStateOf(state);
    if (from && to) stats_.Calls(call.span).Moved(call, *from, *to, stats_.Now());
  }
  next_.CallStateChanged(call, previous, state, recipients, uui);
}

void CountingEventSink::CallCleared(const Call& call, std::string_view span_name) {
  stats_.Calls(call.span).Cleared(call);
  next_.CallCleared(call, span_name);
}

}  // namespace prid::daemon
