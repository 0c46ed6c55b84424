// The session model's EventSink in the daemon: counts each call's start,
// moves and end into Statistics, then hands every event on to the next
// sink (the event router) unchanged.
#pragma once

#include "daemon/session/event_sink.h"
#include "daemon/stats/statistics.h"

namespace prid::daemon {

class CountingEventSink final : public EventSink {
 public:
  // Both borrowed; they must outlive the sink.
  CountingEventSink(EventSink& next, Statistics& stats) : next_(next), stats_(stats) {}

  void CallBegan(const Call& call) override;
  void CallStateChanged(const Call& call, HandleState previous, HandleState state,
                        const std::vector<ClientId>& recipients,
                        const std::optional<q931::UserUser>& uui) override;
  void CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                          const std::vector<ClientId>& recipients, std::string_view request) override {
    next_.CallRequestRefused(call, state, cause, recipients, request);
  }
  void CallOffered(const Call& call, const Handle& handle) override { next_.CallOffered(call, handle); }
  void CallInfoReceived(const Call& call, const FarEndInfo& info, const std::vector<ClientId>& recipients) override {
    next_.CallInfoReceived(call, info, recipients);
  }
  void CallDigits(const Call& call, std::string_view digits, bool complete,
                  const std::vector<ClientId>& recipients) override {
    next_.CallDigits(call, digits, complete, recipients);
  }
  void CallCleared(const Call& call, std::string_view span_name) override;

 private:
  EventSink& next_;
  Statistics& stats_;
};

}  // namespace prid::daemon
