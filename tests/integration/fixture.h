// Shared helpers of the integration tests: waiting for a span to come up and
// for frames on the wire.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "daemon/config/config.h"
#include "tests/support/api_client.h"
#include "tests/support/daemon_thread.h"
#include "tests/support/wire.h"

namespace prid::testing {

// A span.state event of `span` saying `state` ("up", "down", "alarm" …).
inline bool IsSpanState(const nlohmann::json& e, int span, const std::string& state) {
  return e["type"] == "span.state" && e["span"] == span && e["state"] == state;
}

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

// Every switch variant prid drives.
inline constexpr daemon::SwitchVariant kEverySwitchVariant[] = {
    daemon::SwitchVariant::kNi2,        daemon::SwitchVariant::kDms100,     daemon::SwitchVariant::k5ess,
    daemon::SwitchVariant::k4ess,       daemon::SwitchVariant::kEuroIsdnE1, daemon::SwitchVariant::kEuroIsdnT1,
    daemon::SwitchVariant::kNi1,        daemon::SwitchVariant::kQsig};

// The switch variants for which `has` (daemon::VariantHasOverlap, …) is
// `want`, as test parameters.
inline auto VariantsWhere(bool (*has)(daemon::SwitchVariant), bool want = true) {
  std::vector<daemon::SwitchVariant> variants;
  for (daemon::SwitchVariant v : kEverySwitchVariant) {
    if (has(v) == want) variants.push_back(v);
  }
  return ::testing::ValuesIn(variants);
}

// Each of `variants`, with prid as cpe and as network.
template <typename Variants>
auto WithEveryNode(Variants variants) {
  return ::testing::Combine(variants, ::testing::Values(daemon::NodeType::kCpe, daemon::NodeType::kNetwork));
}

// Every switch variant, each with prid as cpe and as network: the
// parameters of the tests that run on all of them, and their names
// ("ni2_cpe", "qsig_network", …).
using VariantAndNode = std::tuple<daemon::SwitchVariant, daemon::NodeType>;
inline auto EveryVariantAndNode() { return WithEveryNode(::testing::ValuesIn(kEverySwitchVariant)); }
inline std::string VariantAndNodeName(const ::testing::TestParamInfo<VariantAndNode>& info) {
  return std::string(daemon::SwitchVariantName(std::get<0>(info.param))) + "_" +
         std::string(daemon::NodeTypeName(std::get<1>(info.param)));
}

}  // namespace prid::testing
