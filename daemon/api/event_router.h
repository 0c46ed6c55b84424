// Turns the session model's and the spans' events into API.md
// notifications: serialized once, numbered (seq), kept in the EventLog for
// replay, and queued to every client they concern — the holders of the
// affected handles, the line holders of a span, and the clients that
// subscribed (events.subscribe) with a matching filter — a call's events
// only to the subscribers its EventAudience admits. Everything goes out
// through the Outbox given at construction.
//
// A subscriber reads the log through its own cursor: what it has not been
// sent yet stays in the log (shared by all), and is queued a part at a
// time as its socket drains (Pump), so a replay of the whole buffer is
// never queued at once and a stuck subscriber costs no memory per event.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <map>
#include <optional>

#include "base/expected.h"
#include "daemon/api/event_audience.h"
#include "daemon/api/event_log.h"
#include "daemon/api/outbox.h"
#include "daemon/session/event_sink.h"

namespace prid::daemon {

struct Subscription {
  std::optional<int> span;
  std::optional<CallId> call;
  // events.subscribe {all: true}: every call's events, beyond the audience
  // (a supervisor's; the handler checks the privilege).
  bool all_calls = false;
};

// Why events.subscribe {since} was refused (API.md EventsLost): events
// after `since` cannot be replayed.
struct SubscribeRefusal {
  enum class Reason {
    kOverwritten,    // since is older than the buffer
    kOtherInstance,  // since belongs to another daemon start (`instance` differs)
    kAhead,          // since is newer than the newest seq of this start
  };
  Reason reason = Reason::kOverwritten;
  std::uint64_t oldest = 0;  // the oldest seq still buffered (0: none)
  std::uint64_t last = 0;    // the newest seq (0: none yet)
};
// "overwritten", "restarted", "ahead" (EventsLost's data.reason).
std::string_view SubscribeRefusalName(SubscribeRefusal::Reason reason);

// 128 random bits (getrandom) as 32 lowercase hex digits: a daemon start's
// instance id, so that a client can tell its seqs from another start's.
std::string NewInstanceId();

class EventRouter : public EventSink {
 public:
  // `outbox` and `audience` (borrowed) must outlive the router; `buffer`
  // is the number of events kept for replay; `instance` names this event
  // log's seqs (daemon.status, events.subscribe), new at every start.
  // `client_bound` is how many bytes of live events a subscriber may fall
  // behind before it is cut off (client_queue_bytes).
  EventRouter(Outbox& outbox, const EventAudience& audience, std::size_t buffer,
              std::string instance = NewInstanceId(), std::size_t client_bound = kDefaultClientBound);

  static constexpr std::size_t kDefaultClientBound = 8u << 20;
  // A subscriber's queue is filled up to this many bytes from its cursor
  // (a quarter of client_bound when that is smaller: the queue's own bound
  // must never cut a replay off), and refilled when it has been written out.
  static constexpr std::size_t kPumpBytes = 64u << 10;

  // EventSink
  void CallStateChanged(const Call& call, HandleState previous, HandleState state,
                        const std::vector<ClientId>& recipients,
                        const std::optional<q931::UserUser>& uui) override;
  void CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                          const std::vector<ClientId>& recipients, std::string_view request) override;
  void CallOffered(const Call& call, const Handle& handle) override;
  void CallInfoReceived(const Call& call, const FarEndInfo& info, const std::vector<ClientId>& recipients) override;
  // call.digits to `recipients`: the digits this INFORMATION added, the
  // called number so far and whether it carried Sending complete.
  void CallDigits(const Call& call, std::string_view digits, bool complete,
                  const std::vector<ClientId>& recipients) override;
  // Logs the call's end (call_end_log.h); no event of its own.
  void CallCleared(const Call& call, std::string_view span_name) override;

  // span.state, to `line_holders` (the clients with a line open on the
  // span) and the matching subscribers; `error` (libpri's configuration
  // error) and `reason` (state error: why the span could not start) only
  // when not empty.
  void SpanStateChanged(int span, std::vector<ClientId> line_holders, std::string_view state,
                        std::string_view previous, const std::vector<std::string>& alarms,
                        std::string_view error = {}, std::string_view reason = {});
  // span.channel: a B-channel restarted or taken in or out of service; to
  // the same clients as span.state.
  void ChannelStateChanged(int span, std::vector<ClientId> line_holders, int channel, std::string_view state,
                           std::string_view previous);

  // events.subscribe: replays the buffered events after `since` (when
  // given) that the client wants (Wants), then streams the live ones; the
  // replay is queued a part at a time as the client reads (Pump). Returns
  // the last seq before the stream: replayed events are (since, seq], live
  // ones start at seq + 1. `instance` (when given) must be instance();
  // otherwise, or when `since` is past the newest seq or older than the
  // buffer, nothing is replayed, the client is not subscribed, and the
  // refusal says why. A replay the buffer overwrites before the client has
  // read it, or a subscriber more than client_bound bytes behind the live
  // stream, is cut off: events.lost, then the connection closes.
  base::Expected<std::uint64_t, SubscribeRefusal> Subscribe(ClientId client, std::optional<std::uint64_t> since,
                                                            Subscription filter,
                                                            std::optional<std::string_view> instance = std::nullopt);
  void ClientGone(ClientId client);
  // The client's queue was written out: queues the next part of what its
  // cursor has not reached (Outbox::pending_bytes up to kPumpBytes).
  void Pump(ClientId client);

  const EventLog& log() const { return log_; }
  const std::string& instance() const { return instance_; }
  // Subscribers cut off (events.lost, then closed) since the router was built.
  std::uint64_t cut_off_count() const { return cut_off_count_; }

 private:
  void Publish(LoggedEvent event, nlohmann::json params);
  // Logs the event (its seq already assigned) and queues it to its clients.
  void Deliver(LoggedEvent event);
  // The current time as RFC 3339, the seconds part cached.
  const std::string& Now();
  struct Subscriber {
    Subscription filter;
    std::uint64_t next = 0;   // the next seq its cursor looks at
    std::size_t backlog = 0;  // bytes of live events it wants past `next`
    bool replaying = false;       // has not caught up since it subscribed
  };
  bool Matches(const Subscription& filter, const LoggedEvent& event) const;
  // Span events: everyone; a call's events: its audience (API.md "Events").
  bool MaySee(ClientId client, const LoggedEvent& event) const;
  // What a subscriber gets: the events addressed to it, and those that
  // match its filter and that it may see.
  bool Wants(ClientId client, const Subscriber& subscriber, const LoggedEvent& event) const;
  // Queues from the cursor while the client's queue is under kPumpBytes;
  // false when the client was cut off (and is no longer subscribed).
  bool Advance(ClientId client, Subscriber& subscriber);
  // events.lost {reason, last_seq}, then the connection closes.
  void CutOff(ClientId client, const Subscriber& subscriber, std::string_view reason);

  Outbox& outbox_;
  const EventAudience& audience_;
  EventLog log_;
  std::string instance_;
  std::size_t client_bound_;
  std::size_t part_bytes_;  // what Advance fills a subscriber's queue up to
  std::map<ClientId, Subscriber> subscribers_;
  std::uint64_t cut_off_count_ = 0;
  std::chrono::system_clock::time_point cached_second_;
  std::string time_;
};

}  // namespace prid::daemon
