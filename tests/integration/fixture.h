// Shared helpers of the integration tests: waiting for a span to come up and
// for frames on the wire.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "daemon/config/config.h"
#include "q931/ie.h"
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

// Span `n` of NFAS group 1, interface n - 1, for prid against prid: with
// no D-channel (`dchannel` none) all 24 channels are B-channels; fast
// Q.921, so that a cut line is noticed at once, and a short T309.
inline daemon::SpanConfig NfasTestSpan(int n, daemon::NodeType node, daemon::SwitchVariant variant,
                                       daemon::NfasDchannel dchannel) {
  daemon::SpanConfig s = SimSpan(n, node, variant);
  s.peer.clear();
  s.nfas_group = 1;
  s.nfas_interface = n - 1;
  s.nfas_dchannel = dchannel;
  s.t200_s = 0.2;
  s.t203_s = 0.3;
  s.t309_s = 0.5;
  if (dchannel == daemon::NfasDchannel::kNone) {
    s.bchannels_text = "1-24";
    s.bchannels.clear();
    for (int c = 1; c <= 24; ++c) s.bchannels.push_back(c);
  }
  return s;
}

// The interface and B-channel a message's Channel identification names
// (interface -1: no Interface identifier).
inline std::pair<int, int> InterfaceAndChannel(const WireMessage& m) {
  const q931::InformationElement* ie = q931::FindIe(m.message, q931::ie::kChannelIdentification);
  if (ie == nullptr) return {-1, 0};
  auto id = q931::DecodeChannelId(ie->contents);
  if (!id.ok() || id->channels.empty()) return {-1, 0};
  const int interface = id->interface_id_present && !id->interface_id.empty() ? id->interface_id[0] & 0x7f : -1;
  return {interface, id->channels[0]};
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
