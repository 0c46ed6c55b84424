// Shared helpers of the integration tests: waiting for a span to come up and
// for frames on the wire.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "tests/support/api_client.h"
#include "tests/support/daemon_thread.h"
#include "tests/support/wire.h"

namespace prid::testing {

// Waits for span.state up of `span` (replayed from the event buffer).
inline bool WaitSpanUp(const std::string& socket, int span) {
  ApiClient watcher(socket);
  if (!watcher.connected()) return false;
  watcher.Ok("events.subscribe", {{"since", 0}, {"span", span}});
  return watcher
      .WaitEvent([](const nlohmann::json& e) { return e["type"] == "span.state" && e["state"] == "up"; })
      .has_value();
}

// Waits until daemon `daemon`'s span `span` sent/received `count` messages of `type`.
inline bool WaitWire(const DaemonThread& daemons, int daemon, int span, q931::FrameDirection direction,
                     std::uint8_t type, std::size_t count = 1) {
  return daemons.WaitFrames(
      [&](const std::vector<CapturedFrame>& frames) {
        return Find(Q931Messages(frames, daemon, span), direction, type).size() >= count;
      },
      kWaitMs);
}

}  // namespace prid::testing
