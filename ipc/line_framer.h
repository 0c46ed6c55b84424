// Splits a byte stream into '\n'-terminated lines with a bound on line length
// (API.md "Transport": one JSON-RPC object per line, at most 64 KiB).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace prid::ipc {

class LineFramer {
 public:
  // Called for each complete line, without its '\n'. The view is valid only
  // during the call. Returning false stops framing: the rest of the bytes
  // passed to that Feed() are dropped and the framer is stopped.
  using LineSink = std::function<bool(std::string_view line)>;

  enum class FeedResult {
    kOk,           // every byte was framed; a partial line may be buffered
    kStopped,      // the sink returned false (now or before)
    kLineTooLong,  // a line passed max_line_bytes; the framer is stopped
  };

  // A line may hold up to max_line_bytes bytes before its '\n'.
  explicit LineFramer(std::size_t max_line_bytes);

  // Frames `bytes`, calling `sink` for every line completed by them. Bytes
  // of an unfinished line are kept (never more than max_line_bytes) until
  // the next Feed(). A line is reported too long as soon as it passes the
  // bound, without waiting for its '\n'. Once stopped, Feed() does nothing
  // and returns the reason it stopped.
  FeedResult Feed(std::string_view bytes, const LineSink& sink);

  // Bytes of the unfinished line held since the last '\n'.
  std::size_t buffered_bytes() const { return partial_.size(); }
  std::size_t max_line_bytes() const { return max_line_bytes_; }
  bool stopped() const { return state_ != FeedResult::kOk; }

 private:
  std::size_t max_line_bytes_;
  std::string partial_;
  FeedResult state_ = FeedResult::kOk;
};

}  // namespace prid::ipc
