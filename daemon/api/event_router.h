// Turns the session model's and the spans' events into API.md
// notifications: serialized once, numbered (seq), kept in the EventLog for
// replay, and queued to every client they concern — the holders of the
// affected handles, the line holders of a span, and the clients that
// subscribed (events.subscribe) with a matching filter. Everything goes out
// through the Outbox given at construction.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <map>
#include <optional>

#include "base/expected.h"
#include "daemon/api/event_log.h"
#include "daemon/api/outbox.h"
#include "daemon/session/event_sink.h"

namespace prid::daemon {

struct Subscription {
  std::optional<int> span;
  std::optional<CallId> call;
};

class EventRouter : public EventSink {
 public:
  // `outbox` (borrowed) must outlive the router; `buffer` is the number of
  // events kept for replay.
  EventRouter(Outbox& outbox, std::size_t buffer);

  // EventSink
  void CallStateChanged(const Call& call, HandleState previous, HandleState state,
                        const std::vector<ClientId>& recipients,
                        const std::optional<q931::UserUser>& uui) override;
  void CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                          const std::vector<ClientId>& recipients, std::string_view request) override;
  void CallOffered(const Call& call, const Handle& handle) override;

  // span.state, to `line_holders` (the clients with a line open on the
  // span) and the matching subscribers; `error` (libpri's configuration
  // error) only when not empty.
  void SpanStateChanged(int span, std::vector<ClientId> line_holders, std::string_view state,
                        std::string_view previous, const std::vector<std::string>& alarms,
                        std::string_view error = {});
  // span.channel: a B-channel restarted or taken in or out of service; to
  // the same clients as span.state.
  void ChannelStateChanged(int span, std::vector<ClientId> line_holders, int channel, std::string_view state,
                           std::string_view previous);

  // events.subscribe: replays the buffered events after `since` that match
  // (when given), then streams. Returns the last seq before the stream, or
  // the oldest seq still available when `since` is too old (EventsLost).
  base::Expected<std::uint64_t, std::uint64_t> Subscribe(ClientId client, std::optional<std::uint64_t> since,
                                                         Subscription filter);
  void ClientGone(ClientId client);

  const EventLog& log() const { return log_; }

 private:
  void Publish(LoggedEvent event, nlohmann::json params);
  // Logs the event (its seq already assigned) and queues it to its clients.
  void Deliver(LoggedEvent event);
  // The current time as RFC 3339, the seconds part cached.
  const std::string& Now();
  bool Matches(const Subscription& filter, const LoggedEvent& event) const;

  Outbox& outbox_;
  EventLog log_;
  std::map<ClientId, Subscription> subscribers_;
  std::chrono::system_clock::time_point cached_second_;
  std::string time_;
};

}  // namespace prid::daemon
