// One client's bounded output queue and the cut-off of a slow reader.
#include "ipc/client_queue.h"

#include <algorithm>
#include <utility>

#include "ipc/event_types.h"

namespace prid::ipc {

SharedLine MakeEventsLostLine(std::uint64_t last_seq, std::string_view reason) {
  return MakeNotificationLine(
      std::string(kEventMethod),
      nlohmann::json{{"type", event_type::kEventsLost}, {"reason", reason}, {"last_seq", last_seq}});
}

ClientQueue::ClientQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

bool ClientQueue::Fits(std::size_t size) const {
  std::size_t pending = pending_bytes();
  // A line bigger than the whole bound still goes to an empty queue.
  return pending == 0 || pending + size <= max_bytes_;
}

void ClientQueue::UpdatePeak() { peak_bytes_ = std::max(peak_bytes_, pending_bytes()); }

ClientQueue::PushResult ClientQueue::Push(SharedLine line, std::uint64_t seq) {
  if (cut_off_) return PushResult::kDropped;
  std::size_t size = line->size();
  if (!Fits(size)) {
    CutOff();
    return PushResult::kCutOff;
  }
  lines_.push_back(Queued{std::move(line), seq});
  queued_bytes_ += size;
  UpdatePeak();
  return PushResult::kQueued;
}

ClientQueue::PushResult ClientQueue::Hold(SharedLine line, std::uint64_t seq) {
  if (cut_off_) return PushResult::kDropped;
  std::size_t size = line->size();
  if (!Fits(size)) {
    CutOff();
    return PushResult::kCutOff;
  }
  held_.push_back(Queued{std::move(line), seq});
  held_bytes_ += size;
  UpdatePeak();
  return PushResult::kQueued;
}

ClientQueue::PushResult ClientQueue::ReleaseHeld() {
  std::vector<Queued> held = std::move(held_);
  held_.clear();
  held_bytes_ = 0;
  PushResult result = cut_off_ ? PushResult::kDropped : PushResult::kQueued;
  for (Queued& queued : held) {
    if (Push(std::move(queued.line), queued.seq) == PushResult::kCutOff)
      result = PushResult::kCutOff;
  }
  return result;
}

// API.md "Events": a client that reads too slowly is disconnected after
// an EventsLost-style notice naming the last seq it got.
void ClientQueue::CutOff() {
  std::uint64_t last_seq = last_written_seq_;
  std::size_t dropped = pending_bytes();
  // A line already started is finished, so that the stream stays framed.
  if (front_written_ > 0) {
    Queued front = std::move(lines_.front());
    lines_.clear();
    if (front.seq != 0) last_seq = front.seq;
    queued_bytes_ = front.line->size() - front_written_;
    lines_.push_back(std::move(front));
  } else {
    lines_.clear();
    queued_bytes_ = 0;
  }
  dropped -= queued_bytes_;
  held_.clear();
  held_bytes_ = 0;
  SharedLine notice = MakeEventsLostLine(last_seq);
  queued_bytes_ += notice->size();
  lines_.push_back(Queued{std::move(notice), 0});
  UpdatePeak();
  cut_off_ = true;
  dropped_bytes_ = dropped;
  lost_after_seq_ = last_seq;
}

std::size_t ClientQueue::Unwritten(std::span<std::string_view> out) const {
  std::size_t count = 0;
  for (const Queued& queued : lines_) {
    if (count == out.size()) break;
    std::string_view text = *queued.line;
    if (count == 0) text.remove_prefix(front_written_);
    out[count++] = text;
  }
  return count;
}

void ClientQueue::Consume(std::size_t n) {
  while (n > 0 && !lines_.empty()) {
    Queued& front = lines_.front();
    std::size_t rest = front.line->size() - front_written_;
    if (n < rest) {
      front_written_ += n;
      queued_bytes_ -= n;
      return;
    }
    n -= rest;
    queued_bytes_ -= rest;
    if (front.seq != 0) last_written_seq_ = front.seq;
    front_written_ = 0;
    lines_.pop_front();
  }
}

}  // namespace prid::ipc
