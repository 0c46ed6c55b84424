// Drops with more than two parties, end to end through the socket with a
// real libpri far end: conferences (dropped whole, one participant, far end
// leaving), bridged appearances (party line: no wire message until the last
// station drops), and hold (HOLD / RETRIEVE, their rejects, drop from hold).
// Every capture is written as pcap and must decode cleanly (q931-check).
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "q931/message.h"
#include "tests/integration/fixture.h"
#include "tests/support/fake_dahdi_kernel.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

// Q.932 hold messages (Q.931 Table 4-2).
constexpr std::uint8_t kHoldAcknowledge = 0x28;
constexpr std::uint8_t kHoldReject = 0x30;
constexpr std::uint8_t kRetrieveAcknowledge = 0x33;
constexpr std::uint8_t kRetrieveReject = 0x37;

class PartyTest : public ::testing::Test {
 protected:
  void Start(daemon::SpanConfig span, dahdi_glue::ConferenceMixer* mixer = nullptr) {
    node_ = span.node;
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(Socket(), {span})}, nullptr, mixer);
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(Socket(), 1));
    owner_ = Station();
  }

  void TearDown() override {
    if (!daemons_) return;
    clients_.clear();
    owner_.reset();
    const std::string pcap = dir_.File("capture.pcap");
    ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, node_ == daemon::NodeType::kNetwork));
    CheckResult check = RunQ931Check(pcap);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    daemons_.reset();
  }

  std::string Socket() const { return dir_.File("prid.sock"); }

  // A client with an owner line on span 1 (a station on a bridged span).
  std::unique_ptr<ApiClient> Station(const std::string& privilege = "owner") {
    auto client = std::make_unique<ApiClient>(Socket());
    EXPECT_TRUE(client->connected()) << client->connect_error();
    client->Ok("line.open", {{"span", 1}, {"privilege", privilege}});
    return client;
  }

  std::vector<WireMessage> Sent(std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, type);
  }
  std::vector<WireMessage> Received(std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kReceived, type);
  }

  // An outgoing call of the owner's that the far end answers.
  std::uint64_t ConnectedCall(const std::string& number) {
    const std::uint64_t call = owner_->Ok("call.make", {{"number", number}})["call"];
    EXPECT_TRUE(owner_->WaitState(call, "connected"));
    return call;
  }

  // Waits for each of `calls` to reach `state`, in whatever order.
  bool WaitAll(ApiClient& client, std::set<std::uint64_t> calls, const std::string& state) {
    while (!calls.empty()) {
      auto e = client.WaitEvent([&](const json& e) {
        return e["type"] == "call.state" && e["state"] == state && calls.contains(e["call"].get<std::uint64_t>());
      });
      if (!e) return false;
      calls.erase((*e)["call"].get<std::uint64_t>());
    }
    return true;
  }

  std::string StateOf(ApiClient& client, std::uint64_t call) {
    return client.Ok("call.info", {{"call", call}})["state"];
  }

  // call.state events `client` has received for `call` so far.
  std::vector<json> StateEvents(ApiClient& client, std::uint64_t call) {
    std::vector<json> out;
    for (const json& e : client.AllEvents()) {
      if (e["type"] == "call.state" && e["call"] == call) out.push_back(e);
    }
    return out;
  }

  TempDir dir_;
  daemon::NodeType node_ = daemon::NodeType::kCpe;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> owner_;
  std::vector<std::unique_ptr<ApiClient>> clients_;
};

// ---------------------------------------------------------------------------
// Conferences

class ConferenceTest : public PartyTest, public ::testing::WithParamInterface<daemon::NodeType> {
 protected:
  void SetUp() override { Start(SimSpan(1, GetParam())); }
};

TEST_P(ConferenceTest, DroppingTheConferenceDisconnectsEveryParticipantWithTheUui) {
  auto monitor = Station("monitor");
  const std::uint64_t a = ConnectedCall("1001"), b = ConnectedCall("1002"), c = ConnectedCall("1003");
  const std::uint64_t conf = owner_->Ok("conference.create", {{"calls", {a, b, c}}})["conference"];
  ASSERT_TRUE(WaitAll(*owner_, {a, b, c}, "conferenced"));
  json info = owner_->Ok("call.info", {{"call", conf}});
  EXPECT_EQ(info["participants"], json({a, b, c}));
  EXPECT_EQ(owner_->Ok("call.info", {{"call", b}})["conference"], conf);

  const std::string bytes("conf\x00over", 9);
  owner_->Ok("call.drop", {{"call", conf}, {"cause", 16}, {"uui", {{"hex", "636f6e66006f766572"}, {"pd", 0}}}});
  ASSERT_TRUE(WaitAll(*owner_, {a, b, c, conf}, "idle"));
  ASSERT_TRUE(WaitAll(*monitor, {a, b, c}, "idle"));

  auto disconnects = Sent(msg::kDisconnect);
  ASSERT_EQ(disconnects.size(), 3u);
  for (const WireMessage& d : disconnects) {
    EXPECT_EQ(d.cause, 16);
    EXPECT_EQ(d.uui, Uui(0, bytes));
  }
  // Exactly one idle event per affected call to each holder, participants
  // before the conference.
  std::vector<std::uint64_t> idle_order;
  for (const json& e : owner_->AllEvents()) {
    if (e["type"] == "call.state" && e["state"] == "idle") idle_order.push_back(e["call"]);
  }
  ASSERT_EQ(idle_order.size(), 4u);
  EXPECT_EQ(idle_order.back(), conf);
  for (std::uint64_t id : {a, b, c}) {
    EXPECT_EQ(std::count(idle_order.begin(), idle_order.end(), id), 1);
    int monitor_idle = 0;
    for (const json& e : StateEvents(*monitor, id)) monitor_idle += e["state"] == "idle" ? 1 : 0;
    EXPECT_EQ(monitor_idle, 1);
  }
  EXPECT_TRUE(StateEvents(*monitor, conf).empty()) << "the monitor holds no handle on the conference";
}

TEST_P(ConferenceTest, DroppingOneParticipantLeavesTheOthersConferenced) {
  const std::uint64_t a = ConnectedCall("1001"), b = ConnectedCall("1002"), c = ConnectedCall("1003");
  const std::uint64_t conf = owner_->Ok("conference.create", {{"calls", {a, b, c}}})["conference"];
  ASSERT_TRUE(owner_->WaitState(c, "conferenced"));
  owner_->Ok("call.drop", {{"call", b}, {"uui", {{"text", "only b"}}}});
  ASSERT_TRUE(owner_->WaitState(b, "idle"));
  ASSERT_EQ(Sent(msg::kDisconnect).size(), 1u);
  EXPECT_EQ(Sent(msg::kDisconnect)[0].uui, Uui(4, "only b"));
  EXPECT_EQ(StateOf(*owner_, a), "conferenced");
  EXPECT_EQ(StateOf(*owner_, c), "conferenced");
  EXPECT_EQ(owner_->Ok("call.info", {{"call", conf}})["participants"], json({a, c}));
  EXPECT_EQ(StateOf(*owner_, conf), "connected");
}

TEST_P(ConferenceTest, FarEndLeavingTheConferenceTouchesNoOtherParticipant) {
  const std::uint64_t a = ConnectedCall("1001"), b = ConnectedCall("1002"), c = ConnectedCall("1003");
  const std::uint64_t conf = owner_->Ok("conference.create", {{"calls", {a, b, c}}})["conference"];
  ASSERT_TRUE(owner_->WaitState(c, "conferenced"));
  const std::size_t b_events = StateEvents(*owner_, b).size(), c_events = StateEvents(*owner_, c).size();
  owner_->Ok("sim.drop", {{"call", a}, {"cause", 16}, {"uui", {{"text", "far leaves"}}}});
  auto disconnected = owner_->WaitState(a, "disconnected");
  ASSERT_TRUE(disconnected);
  EXPECT_EQ((*disconnected)["previous"], "conferenced");
  EXPECT_EQ((*disconnected)["origin"], "remote");
  EXPECT_EQ((*disconnected)["uui"]["text"], "far leaves");
  owner_->Ok("call.drop", {{"call", a}});
  ASSERT_TRUE(owner_->WaitState(a, "idle"));
  EXPECT_EQ(StateOf(*owner_, b), "conferenced");
  EXPECT_EQ(StateOf(*owner_, c), "conferenced");
  EXPECT_EQ(StateEvents(*owner_, b).size(), b_events) << "no event for the others";
  EXPECT_EQ(StateEvents(*owner_, c).size(), c_events);
  EXPECT_EQ(owner_->Ok("call.info", {{"call", conf}})["participants"], json({b, c}));
  EXPECT_TRUE(Sent(msg::kDisconnect).empty());
}

TEST_P(ConferenceTest, AddAndRemoveMoveCallsInAndOut) {
  const std::uint64_t a = ConnectedCall("1001"), b = ConnectedCall("1002");
  const std::uint64_t conf = owner_->Ok("conference.create", {{"calls", {a}}})["conference"];
  owner_->Ok("conference.add", {{"conference", conf}, {"call", b}});
  ASSERT_TRUE(owner_->WaitState(b, "conferenced"));
  owner_->Ok("conference.remove", {{"conference", conf}, {"call", a}});
  ASSERT_TRUE(owner_->WaitState(a, "connected"));
  owner_->Ok("conference.remove", {{"conference", conf}, {"call", b}});
  ASSERT_TRUE(owner_->WaitState(conf, "idle")) << "a conference left with no participants goes idle";
  EXPECT_EQ(StateOf(*owner_, b), "connected");
  EXPECT_TRUE(Sent(msg::kDisconnect).empty());
  owner_->Ok("call.deallocate", {{"call", conf}});
  EXPECT_EQ(owner_->ErrorName("call.info", {{"call", conf}}), "InvalidCallHandle");
}

TEST_P(ConferenceTest, ErrorsOfTheConferenceMethods) {
  auto monitor = Station("monitor");
  const std::uint64_t a = ConnectedCall("1001");
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", json::array()}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", "1"}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", {a, a}}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", {a, 99999}}}), "InvalidCallHandle");
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", {a}}, {"x", 1}}), "InvalidParams");
  EXPECT_EQ(monitor->ErrorName("conference.create", {{"calls", {a}}}), "NotOwner");
  const std::uint64_t conf = owner_->Ok("conference.create", {{"calls", {a}}})["conference"];
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", {a}}}), "InvalidCallState");
  EXPECT_EQ(owner_->ErrorName("conference.add", {{"conference", conf}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("conference.add", {{"conference", a}, {"call", conf}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("conference.remove", {{"conference", 99999}, {"call", a}}), "InvalidCallHandle");
  owner_->Ok("sim.policy", {{"span", 1}, {"on_setup", "ignore"}});
  const std::uint64_t waiting = owner_->Ok("call.make", {{"number", "2001"}})["call"];
  EXPECT_EQ(owner_->ErrorName("conference.add", {{"conference", conf}, {"call", waiting}}), "InvalidCallState");
  owner_->Ok("call.drop", {{"call", conf}});
  ASSERT_TRUE(owner_->WaitState(conf, "idle"));
  EXPECT_EQ(owner_->ErrorName("call.drop", {{"call", conf}}), "InvalidCallState");
  EXPECT_EQ(owner_->ErrorName("conference.add", {{"conference", conf}, {"call", waiting}}), "InvalidCallState");
}

// The B-channels' media, on a fake DAHDI kernel: a sim span makes the calls
// a dahdi span makes (DAHDI_SETCONF per participant, one conference number
// per conference, undone on removal and on drop).
class ConferenceMediaTest : public PartyTest {
 protected:
  void SetUp() override {
    kernel_.AddSpan(1, 1, 31, 0);
    Start(SimSpan(1), &mixer_);
  }
  void TearDown() override {
    PartyTest::TearDown();
    EXPECT_EQ(kernel_.open_descriptors(), 0) << "a channel was left in a conference";
  }
  // (channel, confno, conference mode) of every DAHDI_SETCONF so far.
  std::vector<std::tuple<int, int, int>> SetConfs() {
    std::vector<std::tuple<int, int, int>> out;
    for (const auto& call : kernel_.IoctlsOf(DAHDI_SETCONF)) {
      out.emplace_back(call.channel, call.conf.confno, call.conf.confmode);
    }
    return out;
  }
  int ChannelOf(std::uint64_t call) { return owner_->Ok("call.info", {{"call", call}})["channel"]; }

  FakeDahdiKernel kernel_;
  dahdi_glue::ConferenceMixer mixer_{kernel_};
};

TEST_F(ConferenceMediaTest, ParticipantsJoinOneDahdiConferenceAndLeaveOnRemoveAndDrop) {
  const std::uint64_t a = ConnectedCall("1001"), b = ConnectedCall("1002"), c = ConnectedCall("1003");
  const std::uint64_t conf = owner_->Ok("conference.create", {{"calls", {a, b, c}}})["conference"];
  const int conf_mode = DAHDI_CONF_CONF | DAHDI_CONF_TALKER | DAHDI_CONF_LISTENER;
  auto joins = SetConfs();
  ASSERT_EQ(joins.size(), 3u);
  const int confno = std::get<1>(joins[0]);
  EXPECT_GT(confno, 0);
  EXPECT_EQ(joins[0], std::make_tuple(ChannelOf(a), confno, conf_mode));
  EXPECT_EQ(joins[1], std::make_tuple(ChannelOf(b), confno, conf_mode));
  EXPECT_EQ(joins[2], std::make_tuple(ChannelOf(c), confno, conf_mode));

  owner_->Ok("conference.remove", {{"conference", conf}, {"call", b}});
  auto after_remove = SetConfs();
  ASSERT_EQ(after_remove.size(), 4u);
  EXPECT_EQ(std::get<0>(after_remove[3]), ChannelOf(b));
  EXPECT_EQ(std::get<2>(after_remove[3]) & DAHDI_CONF_MODE_MASK, DAHDI_CONF_NORMAL);

  // A second conference gets its own number.
  const std::uint64_t other = owner_->Ok("conference.create", {{"calls", {b}}})["conference"];
  auto second = SetConfs();
  ASSERT_EQ(second.size(), 5u);
  EXPECT_NE(std::get<1>(second[4]), confno);

  owner_->Ok("call.drop", {{"call", conf}});
  owner_->Ok("call.drop", {{"call", other}});
  ASSERT_TRUE(WaitAll(*owner_, {a, b, c}, "idle"));
  auto all = SetConfs();
  ASSERT_EQ(all.size(), 8u);
  std::set<int> left;
  for (std::size_t i = 5; i < all.size(); ++i) {
    EXPECT_EQ(std::get<2>(all[i]) & DAHDI_CONF_MODE_MASK, DAHDI_CONF_NORMAL);
    left.insert(std::get<0>(all[i]));
  }
  EXPECT_EQ(left, (std::set<int>{ChannelOf(a), ChannelOf(b), ChannelOf(c)}));
  EXPECT_EQ(kernel_.open_descriptors(), 0);
}

TEST_F(ConferenceMediaTest, AChannelTheKernelRefusesFailsTheConferenceWithNothingJoined) {
  const std::uint64_t a = ConnectedCall("1001"), b = ConnectedCall("1002");
  kernel_.FailNextIoctl(DAHDI_SETCONF, EBUSY);
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", {a, b}}}), "ResourceUnavailable");
  EXPECT_EQ(StateOf(*owner_, a), "connected");
  EXPECT_EQ(StateOf(*owner_, b), "connected");
  EXPECT_EQ(kernel_.open_descriptors(), 0);
  EXPECT_EQ(owner_->Ok("call.list", {{"state", "connected"}}).size(), 2u) << "no conference record was left";
}

INSTANTIATE_TEST_SUITE_P(BothNodeTypes, ConferenceTest,
                         ::testing::Values(daemon::NodeType::kCpe, daemon::NodeType::kNetwork),
                         [](const auto& info) { return std::string(daemon::NodeTypeName(info.param)); });

// ---------------------------------------------------------------------------
// Bridged appearances

class BridgedTest : public PartyTest {
 protected:
  void SetUp() override {
    daemon::SpanConfig span = SimSpan(1);
    span.appearance = daemon::Appearance::kBridged;
    Start(span);
  }

  // The far end calls in; every station is offered the call; `answerer`
  // answers and the others join.
  std::uint64_t EveryoneOn(std::vector<ApiClient*> stations) {
    owner_->Ok("sim.call", {{"span", 1}, {"number", "4000"}});
    std::uint64_t call = 0;
    for (ApiClient* s : stations) {
      auto offered = s->WaitNew();
      EXPECT_TRUE(offered);
      call = (*offered)["call"];
    }
    stations[0]->Ok("call.answer", {{"call", call}});
    EXPECT_TRUE(stations[0]->WaitState(call, "connected"));
    for (std::size_t i = 1; i < stations.size(); ++i) {
      EXPECT_TRUE(stations[i]->WaitState(call, "inactive"));
      stations[i]->Ok("call.join", {{"call", call}});
      EXPECT_TRUE(stations[i]->WaitState(call, "connected"));
    }
    return call;
  }
};

TEST_F(BridgedTest, TwoStationsFirstDropSendsNothingLastDropClears) {
  auto bob = Station();
  const std::uint64_t call = EveryoneOn({owner_.get(), bob.get()});
  const std::size_t owner_events = StateEvents(*owner_, call).size();

  bob->Ok("call.drop", {{"call", call}, {"uui", {{"text", "bob leaves"}}}});
  auto inactive = bob->WaitState(call, "inactive");
  ASSERT_TRUE(inactive);
  EXPECT_EQ((*inactive)["previous"], "connected");
  EXPECT_TRUE(Sent(msg::kDisconnect).empty()) << "a station leaving sends nothing";
  EXPECT_EQ(StateOf(*owner_, call), "connected");
  EXPECT_EQ(StateEvents(*owner_, call).size(), owner_events) << "only the affected handle gets an event";
  EXPECT_EQ(bob->ErrorName("call.drop", {{"call", call}}), "InvalidCallState");

  owner_->Ok("call.drop", {{"call", call}, {"cause", 16}, {"uui", {{"text", "last one"}}}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  ASSERT_TRUE(bob->WaitState(call, "idle"));
  ASSERT_EQ(Sent(msg::kDisconnect).size(), 1u);
  EXPECT_EQ(Sent(msg::kDisconnect)[0].cause, 16);
  EXPECT_EQ(Sent(msg::kDisconnect)[0].uui, Uui(4, "last one"));
}

// Issue 14: a station that dropped is told of the call's end like the one
// that cleared it, and the record goes when both deallocate.
TEST_F(BridgedTest, StationThatDroppedSeesTheEndAndBothDeallocationsFreeTheRecord) {
  auto bob = Station();
  const std::uint64_t call = EveryoneOn({owner_.get(), bob.get()});
  owner_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "inactive"));
  bob->Ok("call.drop", {{"call", call}});
  auto bob_idle = bob->WaitState(call, "idle");
  ASSERT_TRUE(bob_idle);
  EXPECT_EQ((*bob_idle)["previous"], "connected");
  auto owner_idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(owner_idle) << "the inactive station gets the call's end too";
  EXPECT_EQ((*owner_idle)["previous"], "inactive");
  EXPECT_EQ((*owner_idle)["origin"], "local");
  EXPECT_EQ(StateOf(*owner_, call), "idle");
  EXPECT_EQ(StateOf(*bob, call), "idle");
  owner_->Ok("call.deallocate", {{"call", call}});
  EXPECT_EQ(owner_->Ok("daemon.status")["calls"]["records"], 1) << "bob still holds it";
  bob->Ok("call.deallocate", {{"call", call}});
  EXPECT_EQ(owner_->Ok("daemon.status")["calls"]["records"], 0);
}

// The same for a call a station placed: the other station's appearance
// is inactive from the start, joins, leaves again and sees the end.
TEST_F(BridgedTest, OutgoingCallEndReachesTheStationThatLeftIt) {
  auto bob = Station();
  const std::uint64_t call = owner_->Ok("call.make", {{"number", "5000"}})["call"];
  auto appearance = bob->WaitNew();
  ASSERT_TRUE(appearance);
  EXPECT_EQ((*appearance)["state"], "inactive");
  ASSERT_TRUE(owner_->WaitState(call, "connected"));
  bob->Ok("call.join", {{"call", call}});
  ASSERT_TRUE(bob->WaitState(call, "connected"));
  bob->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(bob->WaitState(call, "inactive"));
  owner_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  auto bob_idle = bob->WaitState(call, "idle");
  ASSERT_TRUE(bob_idle);
  EXPECT_EQ((*bob_idle)["previous"], "inactive");
  bob->Ok("call.deallocate", {{"call", call}});
  owner_->Ok("call.deallocate", {{"call", call}});
  EXPECT_EQ(owner_->Ok("daemon.status")["calls"]["records"], 0);
}

TEST_F(BridgedTest, ThreeStationsInactiveAndRejoin) {
  auto bob = Station();
  auto carol = Station();
  const std::uint64_t call = EveryoneOn({owner_.get(), bob.get(), carol.get()});
  bob->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(bob->WaitState(call, "inactive"));
  carol->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(carol->WaitState(call, "inactive"));
  EXPECT_TRUE(Sent(msg::kDisconnect).empty());
  bob->Ok("call.join", {{"call", call}});
  ASSERT_TRUE(bob->WaitState(call, "connected"));
  owner_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "inactive"));
  EXPECT_TRUE(Sent(msg::kDisconnect).empty()) << "bob is still on the call";
  bob->Ok("call.drop", {{"call", call}, {"uui", {{"text", "bob last"}}}});
  for (ApiClient* s : {owner_.get(), bob.get(), carol.get()}) ASSERT_TRUE(WaitAll(*s, {call}, "idle"));
  ASSERT_EQ(Sent(msg::kDisconnect).size(), 1u);
  EXPECT_EQ(Sent(msg::kDisconnect)[0].uui, Uui(4, "bob last"));
  EXPECT_EQ(owner_->ErrorName("call.join", {{"call", call}}), "InvalidCallState");
}

TEST_F(BridgedTest, PartyLineErrors) {
  auto bob = Station();
  auto monitor = Station("monitor");
  const std::uint64_t call = EveryoneOn({owner_.get(), bob.get()});
  EXPECT_EQ(monitor->ErrorName("call.join", {{"call", call}}), "NotOwner");
  EXPECT_EQ(owner_->ErrorName("conference.create", {{"calls", {call}}}), "OperationUnavailable");
  EXPECT_EQ(bob->ErrorName("call.join", {{"call", call}}), "InvalidCallState") << "already on the call";
}

TEST_F(BridgedTest, FarEndDropReachesEveryStation) {
  auto bob = Station();
  auto carol = Station();
  const std::uint64_t call = EveryoneOn({owner_.get(), bob.get()});
  ASSERT_TRUE(carol->WaitState(call, "inactive"));
  owner_->Ok("sim.drop", {{"call", call}, {"cause", 16}});
  for (ApiClient* s : {owner_.get(), bob.get(), carol.get()}) {
    auto e = s->WaitState(call, "disconnected");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["origin"], "remote");
  }
  carol->Ok("call.drop", {{"call", call}, {"uui", {{"text", "release"}}}});
  for (ApiClient* s : {owner_.get(), bob.get(), carol.get()}) ASSERT_TRUE(WaitAll(*s, {call}, "idle"));
  ASSERT_EQ(Sent(msg::kRelease).size(), 1u);
  EXPECT_EQ(Sent(msg::kRelease)[0].uui, Uui(4, "release"));
}

// ---------------------------------------------------------------------------
// Hold

class HoldTest : public PartyTest, public ::testing::WithParamInterface<daemon::NodeType> {
 protected:
  void SetUp() override { Start(SimSpan(1, GetParam())); }
};

TEST_P(HoldTest, HoldAndRetrieveOnTheWire) {
  const std::uint64_t call = ConnectedCall("1001");
  owner_->Ok("call.hold", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "onhold"));
  EXPECT_EQ(Sent(msg::kHold).size(), 1u);
  EXPECT_EQ(Received(kHoldAcknowledge).size(), 1u);
  owner_->Ok("call.unhold", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "connected"));
  EXPECT_EQ(Sent(msg::kRetrieve).size(), 1u);
  EXPECT_EQ(Received(kRetrieveAcknowledge).size(), 1u);
}

TEST_P(HoldTest, DropFromHoldClearsTheCall) {
  const std::uint64_t call = ConnectedCall("1001");
  owner_->Ok("call.hold", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "onhold"));
  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", "held bye"}}}});
  auto idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 16);
  ASSERT_EQ(Sent(msg::kDisconnect).size(), 1u);
  EXPECT_EQ(Sent(msg::kDisconnect)[0].uui, Uui(4, "held bye"));
}

TEST_P(HoldTest, RefusedHoldAndRetrieveLeaveTheStateWithTheCause) {
  const std::uint64_t call = ConnectedCall("1001");
  owner_->Ok("sim.policy", {{"span", 1}, {"on_hold", "reject"}});
  owner_->Ok("call.hold", {{"call", call}});
  auto refused = owner_->WaitEvent([&](const json& e) { return e["call"] == call && e.contains("refused"); });
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["refused"], "hold");
  EXPECT_EQ((*refused)["state"], "connected");
  EXPECT_EQ((*refused)["cause"], 29);
  EXPECT_EQ(Received(kHoldReject).size(), 1u);
  EXPECT_EQ(StateOf(*owner_, call), "connected");

  owner_->Ok("sim.policy", {{"span", 1}, {"on_hold", "accept"}});
  owner_->Ok("call.hold", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "onhold"));
  owner_->Ok("sim.policy", {{"span", 1}, {"on_hold", "reject"}});
  owner_->Ok("call.unhold", {{"call", call}});
  auto retrieve_refused = owner_->WaitEvent(
      [&](const json& e) { return e["call"] == call && e.value("refused", "") == "retrieve"; });
  ASSERT_TRUE(retrieve_refused);
  EXPECT_EQ(Received(kRetrieveReject).size(), 1u);
  EXPECT_EQ(StateOf(*owner_, call), "onhold");
}

TEST_P(HoldTest, FarEndHoldsAndRetrieves) {
  const std::uint64_t call = ConnectedCall("1001");
  owner_->Ok("sim.hold", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "onhold"));
  EXPECT_EQ(Sent(kHoldAcknowledge).size(), 1u);
  owner_->Ok("sim.unhold", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "connected"));
  EXPECT_EQ(Sent(kRetrieveAcknowledge).size(), 1u);
}

TEST_P(HoldTest, HeldCallJoinsAConferenceAfterRetrieve) {
  const std::uint64_t a = ConnectedCall("1001"), held = ConnectedCall("1002");
  owner_->Ok("call.hold", {{"call", held}});
  ASSERT_TRUE(owner_->WaitState(held, "onhold"));
  const std::uint64_t conf = owner_->Ok("conference.create", {{"calls", {a, held}}})["conference"];
  ASSERT_TRUE(owner_->WaitState(held, "conferenced"));
  EXPECT_EQ(Sent(msg::kRetrieve).size(), 1u);
  EXPECT_EQ(owner_->Ok("call.info", {{"call", conf}})["participants"], json({a, held}));
}

TEST_P(HoldTest, ErrorsOfHoldAndUnhold) {
  const std::uint64_t call = ConnectedCall("1001");
  EXPECT_EQ(owner_->ErrorName("call.hold", {{"call", 99999}}), "InvalidCallHandle");
  EXPECT_EQ(owner_->ErrorName("call.hold", json::object()), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("call.unhold", {{"call", call}}), "InvalidCallState");
  auto monitor = Station("monitor");
  const std::uint64_t watched = ConnectedCall("1002");
  EXPECT_EQ(monitor->ErrorName("call.hold", {{"call", watched}}), "NotOwner");
  EXPECT_EQ(monitor->ErrorName("call.unhold", {{"call", watched}}), "NotOwner");
  EXPECT_EQ(owner_->ErrorName("call.unhold", {{"call", 99999}}), "InvalidCallHandle");
  owner_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  EXPECT_EQ(owner_->ErrorName("call.hold", {{"call", call}}), "InvalidCallState");
}

TEST_P(HoldTest, JoinOnASingleSpanIsUnavailable) {
  const std::uint64_t call = ConnectedCall("1001");
  EXPECT_EQ(owner_->ErrorName("call.join", {{"call", call}}), "OperationUnavailable");
  EXPECT_EQ(owner_->ErrorName("call.join", {{"call", 99999}}), "InvalidCallHandle");
  EXPECT_EQ(owner_->ErrorName("call.join", json::object()), "InvalidParams");
}

INSTANTIATE_TEST_SUITE_P(BothNodeTypes, HoldTest,
                         ::testing::Values(daemon::NodeType::kCpe, daemon::NodeType::kNetwork),
                         [](const auto& info) { return std::string(daemon::NodeTypeName(info.param)); });

// Hold exists on the ETSI and QSIG variants only.
class HoldVariantTest : public PartyTest, public ::testing::WithParamInterface<daemon::SwitchVariant> {
 protected:
  void SetUp() override { Start(SimSpan(1, daemon::NodeType::kCpe, GetParam())); }
};

TEST_P(HoldVariantTest, HoldWhereTheVariantHasIt) {
  const std::uint64_t call = ConnectedCall("1001");
  const daemon::SwitchVariant v = GetParam();
  const bool has_hold = v == daemon::SwitchVariant::kEuroIsdnE1 || v == daemon::SwitchVariant::kEuroIsdnT1 ||
                        v == daemon::SwitchVariant::kQsig;
  if (has_hold) {
    owner_->Ok("call.hold", {{"call", call}});
    ASSERT_TRUE(owner_->WaitState(call, "onhold"));
  } else {
    EXPECT_EQ(owner_->ErrorName("call.hold", {{"call", call}}), "OperationUnavailable");
    EXPECT_EQ(owner_->ErrorName("call.unhold", {{"call", call}}), "OperationUnavailable");
    EXPECT_TRUE(Sent(msg::kHold).empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllVariants, HoldVariantTest,
    ::testing::ValuesIn(kEverySwitchVariant),
    [](const auto& info) {
      std::string name(daemon::SwitchVariantName(info.param));
      std::replace(name.begin(), name.end(), '-', '_');
      return name.front() >= '0' && name.front() <= '9' ? "v" + name : name;
    });

}  // namespace
}  // namespace prid::testing
