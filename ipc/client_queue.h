// One client's bounded output queue (API.md "Events"): the lines waiting to
// be written, the lines held back while the client's own request runs, and
// the cut-off of a reader too slow for the bound, with its events.lost
// notice. No sockets here: Connection writes what Unwritten() offers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <vector>

#include "ipc/shared_line.h"

namespace prid::ipc {

// The notice a cut-off client gets last: an "event" of type events.lost
// naming the seq of the last event it was fully sent, and why.
inline constexpr std::string_view kLostTooSlow = "client too slow";
SharedLine MakeEventsLostLine(std::uint64_t last_seq, std::string_view reason = kLostTooSlow);

class ClientQueue {
 public:
  enum class PushResult {
    kQueued,   // the line is queued (or held)
    kCutOff,   // it did not fit: the queue was cut off just now
    kDropped,  // the queue was cut off before: the line is dropped
  };

  // At most `max_bytes` may wait, queued and held together; one line bigger
  // than that still goes to an empty queue (it is never cut off alone).
  explicit ClientQueue(std::size_t max_bytes);

  // Queues a line to write. `seq` is the event seq it carries (0: none).
  // A line that would pass the bound cuts the queue off instead: what is
  // queued or held is dropped, except the rest of a line already partly
  // written (the stream stays framed), and the events.lost notice is queued
  // after it, naming the seq of the last line fully written (or of that
  // partly written line). After that every line is dropped; the caller
  // closes the client once the notice is written.
  PushResult Push(SharedLine line, std::uint64_t seq);
  // Keeps a line back while the client's own request is being dispatched
  // (API.md: events caused by a request arrive after its reply). Held lines
  // count against the same bound and are cut off like queued ones.
  PushResult Hold(SharedLine line, std::uint64_t seq);
  // Pushes the held lines in order (after the reply has been pushed).
  // kCutOff when one of them cut the queue off.
  PushResult ReleaseHeld();

  // Fills `out` with the unwritten bytes in order, one view per line: the
  // rest of the first line, then whole lines; returns how many it filled
  // (at most out.size()). The views stay valid until the queue changes.
  std::size_t Unwritten(std::span<std::string_view> out) const;
  // Marks the first `n` unwritten bytes as written; a line fully written
  // leaves the queue and its seq becomes last_written_seq().
  void Consume(std::size_t n);

  // Nothing to write (held lines are not written until released).
  bool empty() const { return lines_.empty(); }
  // Unwritten bytes of the queued lines.
  std::size_t queued_bytes() const { return queued_bytes_; }
  // Queued and held bytes: what the bound applies to.
  std::size_t pending_bytes() const { return queued_bytes_ + held_bytes_; }
  // The most ever pending at once.
  std::size_t peak_bytes() const { return peak_bytes_; }
  // Seq of the last line fully written (0: none yet).
  std::uint64_t last_written_seq() const { return last_written_seq_; }
  bool cut_off() const { return cut_off_; }
  // Once cut off: the bytes the cut-off dropped, and the seq its notice names.
  std::size_t dropped_bytes() const { return dropped_bytes_; }
  std::uint64_t lost_after_seq() const { return lost_after_seq_; }

 private:
  struct Queued {
    SharedLine line;
    std::uint64_t seq = 0;
  };

  bool Fits(std::size_t size) const;
  void CutOff();
  void UpdatePeak();

  const std::size_t max_bytes_;
  std::deque<Queued> lines_;
  std::size_t front_written_ = 0;  // bytes of lines_.front() already written
  std::size_t queued_bytes_ = 0;   // bytes in lines_ not yet written
  std::vector<Queued> held_;
  std::size_t held_bytes_ = 0;
  std::size_t peak_bytes_ = 0;
  std::uint64_t last_written_seq_ = 0;
  bool cut_off_ = false;
  std::size_t dropped_bytes_ = 0;
  std::uint64_t lost_after_seq_ = 0;
};

}  // namespace prid::ipc
