// Splits a byte stream into bounded '\n'-terminated lines.
#include "ipc/line_framer.h"

#include <cstring>

namespace prid::ipc {

LineFramer::LineFramer(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

LineFramer::FeedResult LineFramer::Feed(std::string_view bytes, const LineSink& sink) {
  while (state_ == FeedResult::kOk && !bytes.empty()) {
    const void* found = std::memchr(bytes.data(), '\n', bytes.size());
    if (found == nullptr) {
      if (partial_.size() + bytes.size() > max_line_bytes_) {
        state_ = FeedResult::kLineTooLong;
        partial_.clear();
        break;
      }
      partial_.append(bytes);
      break;
    }
    std::size_t length = static_cast<const char*>(found) - bytes.data();
    if (partial_.size() + length > max_line_bytes_) {
      state_ = FeedResult::kLineTooLong;
      partial_.clear();
      break;
    }
    bool go_on;
    if (partial_.empty()) {
      // The common case: the whole line is in this read, no copy.
      go_on = sink(bytes.substr(0, length));
    } else {
      partial_.append(bytes.substr(0, length));
      std::string line = std::move(partial_);
      partial_.clear();
      go_on = sink(line);
    }
    bytes.remove_prefix(length + 1);
    if (!go_on) {
      state_ = FeedResult::kStopped;
      partial_.clear();
    }
  }
  return state_;
}

}  // namespace prid::ipc
