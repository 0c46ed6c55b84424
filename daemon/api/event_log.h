// The daemon's event ring buffer (API.md "Events"): every notification gets
// the next seq, and the newest `capacity` of them are kept for replay by
// events.subscribe {since}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace prid::daemon {

struct LoggedEvent {
  std::uint64_t seq = 0;
  int span = 0;                             // 0: not tied to a span
  std::uint64_t call = 0;                   // 0: not tied to a call; else private to the call's audience
  std::vector<std::uint64_t> recipients;    // client ids addressed directly (may be empty)
  std::shared_ptr<const std::string> line;  // the serialized notification, newline included
};

// A passive, single-threaded ring of the newest events. seq starts at 1 and
// grows by one per Append, across wrap-arounds. Memory is bounded by
// `capacity` entries (storage grows on demand up to that and no further).
class EventLog {
 public:
  // `capacity` is the number of events kept; 0 is taken as 1.
  explicit EventLog(std::size_t capacity);

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  std::uint64_t next_seq() const {
    return next_seq_;
  }  // the seq the next Append gets (starts at 1)
  // Stores the event under next_seq() (overwriting the oldest when full),
  // ignoring the seq it carries; returns its seq.
  std::uint64_t Append(LoggedEvent event);
  std::uint64_t oldest_seq() const;  // 0 when empty
  std::uint64_t last_seq() const;    // 0 when empty
  std::size_t size() const { return ring_.size(); }
  // Bytes of the stored events' lines (what the buffer holds for replay;
  // daemon.status events.bytes).
  std::size_t bytes() const { return bytes_; }
  // The stored event `seq`; nullptr when it is not (or no longer) stored.
  const LoggedEvent* Find(std::uint64_t seq) const;
  std::size_t capacity() const { return capacity_; }

  // Calls visit for every stored event with seq > since, in order. Returns
  // false (and visits nothing) when events after `since` were already
  // overwritten (since + 1 < oldest_seq()). A `since` at or past last_seq()
  // visits nothing and returns true. `visit` must not Append to this log.
  [[nodiscard]] bool ForEachSince(std::uint64_t since,
                                  const std::function<void(const LoggedEvent&)>& visit) const;

 private:
  // The ring position of the stored event `seq` (oldest_seq() ≤ seq ≤ last_seq()).
  std::size_t IndexOf(std::uint64_t seq) const;

  std::size_t capacity_;
  std::vector<LoggedEvent> ring_;
  std::size_t oldest_index_ = 0;  // where oldest_seq() sits once the ring is full
  std::uint64_t next_seq_ = 1;
  std::size_t bytes_ = 0;
};

}  // namespace prid::daemon
