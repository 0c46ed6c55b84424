// Call statistics of one span.
#include "daemon/stats/call_counters.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "q931/q850.h"

namespace prid::daemon {
namespace {

using S = CallState;

double Seconds(base::WallTime from, base::WallTime to) {
  return std::chrono::duration<double>(to - from).count();
}

// ITU-T E.411 NER: attempts the network completed although the called user
// did not answer. Cause 31 (normal, unspecified) is left out: networks
// send it for their own failures as well.
bool UserFailure(std::uint8_t cause) {
  namespace q = q931::cause;
  return cause == q::kUserBusy || cause == q::kNoUserResponding || cause == q::kNoAnswer ||
         cause == q::kCallRejected;
}

bool BeforeAnswer(CallState state) {
  return state == S::kCollecting || state == S::kOffering || state == S::kAccepted || state == S::kDialing || state == S::kProceeding ||
         state == S::kRingback;
}

}  // namespace

void BoundedSample::Add(double value) {
  values_[next_] = value;
  next_ = (next_ + 1) % kSamples;
  size_ = std::min(size_ + 1, kSamples);
}

std::optional<double> BoundedSample::Mean() const {
  if (size_ == 0) return std::nullopt;
  double sum = 0;
  for (std::size_t i = 0; i < size_; ++i) sum += values_[i];
  return sum / static_cast<double>(size_);
}

std::optional<double> BoundedSample::P95() const {
  if (size_ == 0) return std::nullopt;
  std::vector<double> sorted(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(size_));
  std::sort(sorted.begin(), sorted.end());
  const std::size_t rank = (95 * size_ + 99) / 100;  // ceil(0.95 n), 1-based
  return sorted[rank - 1];
}

void CallCounters::Began(const Call& call) { ++(call.direction == Direction::kIn ? offered_ : placed_); }

void CallCounters::Moved(const Call& call, CallState from, CallState to, base::WallTime now) {
  if (call.direction == Direction::kOut && (from == S::kDialing || from == S::kProceeding) &&
      (to == S::kRingback || to == S::kConnected)) {
    post_dial_delay_.Add(Seconds(call.created, now));
  }
  if (to == S::kConnected && BeforeAnswer(from)) {
    ++(call.direction == Direction::kIn ? answered_in_ : answered_out_);
  }
}

void CallCounters::Cleared(const Call& call) {
  const std::uint8_t cause = call.cause.value_or(0);
  ++clearings_[{cause, call.origin.value_or(Origin::kLocal)}];
  ++ended_;
  const bool answered = call.connected_at.has_value();
  if (answered) {
    ++ended_answered_;
    if (call.idle_at) {
      hold_seconds_ += Seconds(*call.connected_at, *call.idle_at);
      ++hold_samples_;
    }
  }
  if (answered || UserFailure(cause)) ++ended_effective_;
}

std::optional<double> CallCounters::Asr() const {
  if (ended_ == 0) return std::nullopt;
  return static_cast<double>(ended_answered_) / static_cast<double>(ended_);
}

std::optional<double> CallCounters::Ner() const {
  if (ended_ == 0) return std::nullopt;
  return static_cast<double>(ended_effective_) / static_cast<double>(ended_);
}

std::optional<double> CallCounters::MeanHoldTime() const {
  if (hold_samples_ == 0) return std::nullopt;
  return hold_seconds_ / static_cast<double>(hold_samples_);
}

}  // namespace prid::daemon
