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

// Every record of a paged list (call.list, span.list; docs/api.md
// "Paging"): page after page, `after` the last `id_field` received, until a
// page holds fewer than `limit`.
inline nlohmann::json ListAll(ApiClient& client, const std::string& method, const std::string& id_field,
                              nlohmann::json params = nlohmann::json::object(), std::size_t limit = 8) {
  nlohmann::json all = nlohmann::json::array();
  params["limit"] = limit;
  for (;;) {
    nlohmann::json page = client.Ok(method, params);
    for (const nlohmann::json& record : page) all.push_back(record);
    if (!page.is_array() || page.size() < limit) return all;
    params["after"] = page.back()[id_field];
  }
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
