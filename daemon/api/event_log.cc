// The event ring: a vector that fills up to capacity, then overwrites its
// oldest slot.
#include "daemon/api/event_log.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace prid::daemon {

EventLog::EventLog(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

namespace {
std::size_t LineBytes(const LoggedEvent& event) { return event.line ? event.line->size() : 0; }
}  // namespace

std::uint64_t EventLog::Append(LoggedEvent event) {
  event.seq = next_seq_++;
  bytes_ += LineBytes(event);
  if (ring_.size() < capacity_) {
    // Grow by hand so that the vector never reserves past capacity_.
    if (ring_.size() == ring_.capacity()) {
      ring_.reserve(std::min(capacity_, std::max<std::size_t>(16, ring_.size() * 2)));
    }
    ring_.push_back(std::move(event));
    return ring_.back().seq;
  }
  LoggedEvent& slot = ring_[oldest_index_];
  bytes_ -= LineBytes(slot);
  slot = std::move(event);
  oldest_index_ = (oldest_index_ + 1) % capacity_;
  return slot.seq;
}

std::uint64_t EventLog::oldest_seq() const { return ring_.empty() ? 0 : next_seq_ - ring_.size(); }

std::uint64_t EventLog::last_seq() const { return ring_.empty() ? 0 : next_seq_ - 1; }

std::size_t EventLog::IndexOf(std::uint64_t seq) const {
  assert(!ring_.empty() && seq >= oldest_seq() && seq <= last_seq());
  return (oldest_index_ + static_cast<std::size_t>(seq - oldest_seq())) % ring_.size();
}

const LoggedEvent* EventLog::Find(std::uint64_t seq) const {
  if (ring_.empty() || seq < oldest_seq() || seq > last_seq()) return nullptr;
  return &ring_[IndexOf(seq)];
}

bool EventLog::ForEachSince(std::uint64_t since,
                            const std::function<void(const LoggedEvent&)>& visit) const {
  if (ring_.empty()) return true;
  const std::uint64_t oldest = oldest_seq();
  if (since < oldest - 1) return false;
  for (std::uint64_t seq = std::max(since + 1, oldest); seq > since && seq <= last_seq(); ++seq) {
    visit(ring_[IndexOf(seq)]);
  }
  return true;
}

}  // namespace prid::daemon
