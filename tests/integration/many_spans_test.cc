// 32 sim spans of 30 B-channels in one daemon: calls on all of them at
// once, spans failing and recovering on their own, every call ending idle
// and nothing left behind.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <set>

#include "daemon/daemon.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;

constexpr int kSpans = 32;
constexpr int kCallsPerSpan = 3;
const std::set<int> kFailing = {3, 17, 32};

// Waits for one event per key in `keys` (any order): `key_of` gives an
// event's key, or nullopt when it does not count.
bool WaitEach(ApiClient& client, std::set<std::int64_t> keys,
              const std::function<std::optional<std::int64_t>(const json&)>& key_of) {
  return client
      .WaitEvent(
          [&](const json& e) {
            if (auto key = key_of(e)) keys.erase(*key);
            return keys.empty();
          },
          20000)
      .has_value();
}

std::function<std::optional<std::int64_t>(const json&)> SpanState(const std::string& state) {
  return [state](const json& e) -> std::optional<std::int64_t> {
    if (e["type"] == "span.state" && e["state"] == state) return e["span"].get<std::int64_t>();
    return std::nullopt;
  };
}

std::function<std::optional<std::int64_t>(const json&)> CallState(const std::string& state,
                                                                 std::optional<int> cause = std::nullopt) {
  return [state, cause](const json& e) -> std::optional<std::int64_t> {
    if (e["type"] != "call.state" || e["state"] != state) return std::nullopt;
    if (cause && e.value("cause", 0) != *cause) return std::nullopt;
    return e["call"].get<std::int64_t>();
  };
}

TEST(ManySpansTest, ThirtyTwoSpansFailAndRecoverOnTheirOwn) {
  TempDir dir;
  std::vector<daemon::SpanConfig> spans;
  for (int s = 1; s <= kSpans; ++s) {
    daemon::SpanConfig c = SimSpan(s);
    c.t203_s = 0.3;
    c.t200_s = 0.2;
    c.t309_s = 0.5;
    spans.push_back(c);
  }
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), spans)});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  ApiClient client(dir.File("prid.sock"));
  client.Ok("events.subscribe", {{"since", 0}});
  std::set<std::int64_t> all_spans;
  for (int s = 1; s <= kSpans; ++s) all_spans.insert(s);
  ASSERT_TRUE(WaitEach(client, all_spans, SpanState("up")));
  json list = ListAll(client, "span.list", "span");
  ASSERT_EQ(list.size(), static_cast<std::size_t>(kSpans));
  for (const json& s : list) EXPECT_EQ(s["bchannels"].size(), 30u);

  // Calls on every span at once.
  std::map<std::uint64_t, int> span_of;
  for (int s = 1; s <= kSpans; ++s) {
    for (int i = 0; i < kCallsPerSpan; ++i) {
      auto made = client.Ok("call.make", {{"span", s}, {"number", std::to_string(1000 + i)}});
      span_of[made["call"]] = s;
    }
  }
  std::set<std::int64_t> all_calls, failing_calls, other_calls;
  for (const auto& [call, s] : span_of) {
    all_calls.insert(static_cast<std::int64_t>(call));
    (kFailing.count(s) ? failing_calls : other_calls).insert(static_cast<std::int64_t>(call));
  }
  ASSERT_TRUE(WaitEach(client, all_calls, CallState("connected")));

  // Some spans lose their line long enough (T309) to lose their calls.
  auto cut = [&](int s, bool on) {
    daemons.RunOnDaemon(0, [&](daemon::Daemon& d) { ASSERT_TRUE(d.spans().at(s)->SetLinkCut(on).ok()); });
  };
  const std::set<std::int64_t> failing(kFailing.begin(), kFailing.end());
  for (int s : kFailing) cut(s, true);
  // Down, and their calls cleared by T309 with cause 27 (destination out of
  // order), in whatever order the spans notice.
  std::set<std::int64_t> down = failing;
  std::set<std::int64_t> cleared = failing_calls;
  ASSERT_TRUE(client.WaitEvent(
      [&](const json& e) {
        if (auto s = SpanState("down")(e)) down.erase(*s);
        if (auto c = CallState("idle", 27)(e)) cleared.erase(*c);
        return down.empty() && cleared.empty();
      },
      20000));
  // The other spans and their calls never noticed.
  for (const json& s : ListAll(client, "span.list", "span")) {
    EXPECT_EQ(s["state"], kFailing.count(s["span"].get<int>()) ? "down" : "up") << s["span"];
  }
  for (const auto& [call, s] : span_of) {
    if (kFailing.count(s)) continue;
    EXPECT_EQ(client.Ok("call.info", {{"call", call}})["state"], "connected") << call;
  }
  for (int s : kFailing) cut(s, false);
  ASSERT_TRUE(WaitEach(client, failing, SpanState("up")));

  // Every remaining call dropped; every record released; nothing on the wire.
  for (const auto& [call, s] : span_of) {
    if (!kFailing.count(s)) client.Ok("call.drop", {{"call", call}});
  }
  ASSERT_TRUE(WaitEach(client, other_calls, CallState("idle")));
  for (const auto& [call, s] : span_of) client.Ok("call.deallocate", {{"call", call}});
  json status = client.Ok("daemon.status");
  EXPECT_EQ(status["calls"]["records"], 0);
  EXPECT_EQ(status["calls"]["active"], 0);
  std::size_t on_wire = 0;
  daemons.RunOnDaemon(0, [&](daemon::Daemon& d) {
    for (const auto& [n, span] : d.spans()) on_wire += span->wire_calls();
  });
  EXPECT_EQ(on_wire, 0u);
  for (const json& s : ListAll(client, "span.list", "span")) {
    for (const json& ch : s["bchannels"]) EXPECT_EQ(ch["state"], "idle") << s["span"] << " " << ch;
  }
}

}  // namespace
}  // namespace prid::testing
