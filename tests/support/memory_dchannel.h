// An in-memory D-channel for two PriLinks in one test: each end reads what
// the other wrote, frame by frame, pumped by hand (no sockets, no timers).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "q931/pri_link.h"

namespace prid::test {

class MemoryDChannel : public q931::FrameIo {
 public:
  using Frame = std::vector<std::uint8_t>;

  // Joins two ends: what one writes, the other reads.
  static void Connect(MemoryDChannel& a, MemoryDChannel& b) {
    a.peer = &b;
    b.peer = &a;
  }

  int ReadFrame(std::span<std::uint8_t> buffer) override {
    if (inbound.empty()) return 0;
    Frame frame = std::move(inbound.front());
    inbound.pop_front();
    std::copy(frame.begin(), frame.end(), buffer.begin());
    return static_cast<int>(frame.size());
  }
  bool WriteFrame(std::span<const std::uint8_t> frame) override {
    sent.emplace_back(frame.begin(), frame.end());
    peer->inbound.emplace_back(frame.begin(), frame.end());
    return true;
  }

  MemoryDChannel* peer = nullptr;
  std::deque<Frame> inbound;
  std::vector<Frame> sent;  // as written, after the UUI rewriter
};

}  // namespace prid::test
