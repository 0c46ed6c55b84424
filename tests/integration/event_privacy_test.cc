// Who sees which events, through real sockets against a daemon whose far end
// is libpri: a plain subscriber sees no other client's calls, live or
// replayed; a monitor that reconnects gets the events of its span it
// missed; and a daemon restart is visible in the instance id.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;

constexpr const char* kCalled = "5551234";
constexpr const char* kCalling = "7770001";
constexpr const char* kIncomingCaller = "8880002";

class EventPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void Start() {
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(socket(), {SimSpan(1)})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(socket(), 1));
  }
  std::string socket() const { return dir_.File("prid.sock"); }

  // The owner places a call that is answered, then clears it; and takes an
  // incoming call from the far end. Returns the ids.
  std::set<std::uint64_t> OwnerCalls(ApiClient& owner) {
    owner.Ok("line.open", {{"span", 1}});
    auto made = owner.Ok("call.make", {{"number", kCalled}, {"calling", kCalling}});
    const std::uint64_t out = made["call"];
    EXPECT_TRUE(owner.WaitState(out, "connected"));
    owner.Ok("call.drop", {{"call", out}});
    EXPECT_TRUE(owner.WaitState(out, "idle"));
    owner.Ok("sim.call", {{"span", 1}, {"number", "100"}, {"calling", kIncomingCaller}});
    auto offered = owner.WaitNew();
    EXPECT_TRUE(offered);
    return {out, offered ? (*offered)["call"].get<std::uint64_t>() : 0};
  }

  // Every event the client has received once the daemon answered a later
  // request (the replay and what came before it are queued by then).
  static std::vector<json> EventsNow(ApiClient& client) {
    client.Ok("daemon.status");
    return client.AllEvents();
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
};

TEST_F(EventPrivacyTest, APlainSubscriberSeesNoOtherClientsCallsLiveOrReplayed) {
  ApiClient live(socket());
  live.Ok("events.subscribe");
  ApiClient owner(socket());
  OwnerCalls(owner);
  std::set<std::string> owner_types;
  for (const json& e : EventsNow(owner)) owner_types.insert(e["type"]);
  ASSERT_TRUE(owner_types.count("call.state") && owner_types.count("call.new")) << "the owner sees its calls";

  for (const json& e : EventsNow(live)) {
    EXPECT_EQ(e["type"].get<std::string>().rfind("span.", 0), 0u) << "live: " << e.dump();
    EXPECT_EQ(e.dump().find(kCalled), std::string::npos) << e.dump();
    EXPECT_EQ(e.dump().find(kIncomingCaller), std::string::npos) << e.dump();
  }

  ApiClient late(socket());
  auto reply = late.Ok("events.subscribe", {{"since", 0}});
  EXPECT_GT(reply["seq"].get<std::uint64_t>(), 0u);
  bool span_up = false;
  for (const json& e : EventsNow(late)) {
    EXPECT_EQ(e["type"].get<std::string>().rfind("span.", 0), 0u) << "replayed: " << e.dump();
    EXPECT_EQ(e.dump().find(kCalling), std::string::npos) << e.dump();
    if (e["type"] == "span.state" && e["state"] == "up") span_up = true;
  }
  EXPECT_TRUE(span_up) << "span events are replayed to everyone";
}

TEST_F(EventPrivacyTest, AMonitorThatReconnectsGetsTheEventsOfItsSpanItMissed) {
  auto monitor = std::make_unique<ApiClient>(socket());
  monitor->Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  const json subscribed = monitor->Ok("events.subscribe");
  const std::uint64_t since = subscribed["seq"];
  const std::string instance = subscribed["instance"];
  monitor.reset();  // its connection drops; calls go on without it

  ApiClient owner(socket());
  const std::set<std::uint64_t> calls = OwnerCalls(owner);
  std::set<std::uint64_t> owner_seqs;
  for (const json& e : EventsNow(owner)) {
    if (e["type"].get<std::string>().rfind("call.", 0) == 0) owner_seqs.insert(e["seq"].get<std::uint64_t>());
  }
  ASSERT_FALSE(owner_seqs.empty());

  ApiClient back(socket());
  back.Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  const json resumed = back.Ok("events.subscribe", {{"since", since}, {"instance", instance}});
  const std::uint64_t last = resumed["seq"];
  std::set<std::uint64_t> replayed;
  std::set<std::uint64_t> replayed_calls;
  for (const json& e : EventsNow(back)) {
    const std::uint64_t seq = e["seq"];
    if (seq > last) continue;  // live, after the stream started
    EXPECT_GT(seq, since);
    replayed.insert(seq);
    if (e.contains("call")) replayed_calls.insert(e["call"].get<std::uint64_t>());
  }
  for (std::uint64_t seq : owner_seqs) EXPECT_TRUE(replayed.count(seq)) << "missed seq " << seq;
  EXPECT_EQ(replayed_calls, calls);
}

TEST_F(EventPrivacyTest, ARestartIsVisibleInTheInstance) {
  ApiClient client(socket());
  const std::string first = client.Ok("daemon.status")["instance"];
  EXPECT_EQ(first.size(), 32u);
  const json subscribed = client.Ok("events.subscribe", {{"since", 0}, {"instance", first}});
  EXPECT_EQ(subscribed["instance"], first);
  const std::uint64_t seq = subscribed["seq"];

  auto ahead = client.Call("events.subscribe", {{"since", seq + 100}});
  ASSERT_FALSE(ahead.ok());
  EXPECT_EQ(ahead.error().name, "EventsLost");
  EXPECT_EQ(ahead.error().data["reason"], "ahead");
  EXPECT_NE(ahead.error().message.find(std::to_string(seq + 100)), std::string::npos) << ahead.error().message;

  client.Close();
  daemons_.reset();
  Start();
  ApiClient again(socket());
  const std::string second = again.Ok("daemon.status")["instance"];
  EXPECT_NE(second, first);
  auto lost = again.Call("events.subscribe", {{"since", seq}, {"instance", first}});
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().name, "EventsLost");
  EXPECT_EQ(lost.error().data["instance"], second);
  EXPECT_EQ(lost.error().data["reason"], "restarted");
  EXPECT_NE(lost.error().message.find("restarted"), std::string::npos) << lost.error().message;
  EXPECT_TRUE(again.Call("events.subscribe", {{"since", 0}, {"instance", second}}).ok());
}

}  // namespace
}  // namespace prid::testing
