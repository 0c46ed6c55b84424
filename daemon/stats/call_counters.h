// Call statistics of one span: calls offered and placed, answered by
// direction, clearings by cause and origin, ASR and NER over the calls
// that ended, post-dial delay and hold time. Fed by the session model's
// events (CountingEventSink); plain integers and one bounded sample.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "base/time_format.h"
#include "daemon/session/call.h"

namespace prid::daemon {

// The last kSamples values of a measurement, for its mean and p95.
class BoundedSample {
 public:
  static constexpr std::size_t kSamples = 1024;
  void Add(double value);
  std::size_t size() const { return size_; }
  std::optional<double> Mean() const;
  // Nearest rank: the smallest value with at least 95 % of the sample at
  // or below it.
  std::optional<double> P95() const;
  void Clear() { size_ = next_ = 0; }

 private:
  std::array<double, kSamples> values_{};
  std::size_t size_ = 0;
  std::size_t next_ = 0;
};

class CallCounters {
 public:
  // An incoming SETUP was taken (offered) or our SETUP was sent (placed).
  void Began(const Call& call);
  // The call moved from `from` to `to` at `now` (each move once).
  void Moved(const Call& call, CallState from, CallState to, base::WallTime now);
  // The wire cleared the call (its cause, origin and times final).
  void Cleared(const Call& call);
  void Reset() { *this = CallCounters(); }

  std::uint64_t offered() const { return offered_; }
  std::uint64_t placed() const { return placed_; }
  std::uint64_t answered_in() const { return answered_in_; }
  std::uint64_t answered_out() const { return answered_out_; }
  // Calls that ended (attempts), how many of them were answered, and how
  // many were answered or failed for the called user's reasons (E.411 NER:
  // causes 17 user busy, 18 no user responding, 19 no answer, 21 call
  // rejected).
  std::uint64_t ended() const { return ended_; }
  std::uint64_t ended_answered() const { return ended_answered_; }
  std::uint64_t ended_network_effective() const { return ended_effective_; }
  // answered / ended and (answered + user failures) / ended; nullopt while
  // no call has ended.
  std::optional<double> Asr() const;
  std::optional<double> Ner() const;
  // By (cause, origin); a call cleared without a cause counts as cause 0.
  const std::map<std::pair<std::uint8_t, Origin>, std::uint64_t>& clearings() const { return clearings_; }
  // Outgoing calls: from the SETUP (the call's creation) to the first
  // ALERTING or CONNECT, in seconds.
  const BoundedSample& post_dial_delay() const { return post_dial_delay_; }
  // Answered calls: from CONNECT to the end of the call, in seconds.
  std::optional<double> MeanHoldTime() const;
  std::uint64_t hold_time_samples() const { return hold_samples_; }

 private:
  std::uint64_t offered_ = 0;
  std::uint64_t placed_ = 0;
  std::uint64_t answered_in_ = 0;
  std::uint64_t answered_out_ = 0;
  std::uint64_t ended_ = 0;
  std::uint64_t ended_answered_ = 0;
  std::uint64_t ended_effective_ = 0;
  std::map<std::pair<std::uint8_t, Origin>, std::uint64_t> clearings_;
  BoundedSample post_dial_delay_;
  double hold_seconds_ = 0;
  std::uint64_t hold_samples_ = 0;
};

}  // namespace prid::daemon
