// Every row of API.md's drop table on a sim span against a real libpri far
// end of the opposite node type, both ways round (prid cpe ↔ libpri
// network, prid network ↔ libpri cpe). Asserts the Q.931 on the wire
// (message, cause, the User-user IE's exact bytes) and the events each
// client receives; every capture is written as pcap and must decode
// cleanly in Wireshark (q931-check).
#include <gtest/gtest.h>

#include <string>

#include "q931/message.h"
#include "tests/integration/fixture.h"
#include "tests/support/api_client.h"
#include "tests/support/daemon_thread.h"
#include "tests/support/wire.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

class DropTest : public ::testing::TestWithParam<daemon::NodeType> {
 protected:
  void SetUp() override { Start(SimSpan(1, GetParam())); }

  void Start(daemon::SpanConfig span) {
    span_ = span;
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("prid.sock"), {span})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    owner_ = std::make_unique<ApiClient>(dir_.File("prid.sock"));
    ASSERT_TRUE(owner_->connected()) << owner_->connect_error();
    ASSERT_TRUE(WaitSpanUp());
    owner_->Ok("line.open", {{"span", 1}});
  }

  void TearDown() override {
    if (!daemons_) return;
    owner_.reset();
    const std::string pcap = dir_.File("capture.pcap");
    ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, GetParam() == daemon::NodeType::kNetwork));
    CheckResult check = RunQ931Check(pcap);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    daemons_.reset();
  }

  bool WaitSpanUp() { return testing::WaitSpanUp(dir_.File("prid.sock"), 1); }

  std::vector<WireMessage> Wire() { return Q931Messages(daemons_->Frames(), 0, 1); }
  std::vector<WireMessage> Sent(std::uint8_t type) { return Find(Wire(), FrameDirection::kSent, type); }
  std::vector<WireMessage> Received(std::uint8_t type) { return Find(Wire(), FrameDirection::kReceived, type); }

  // Waits until prid sent (or received) `count` messages of `type`.
  bool WaitWire(FrameDirection direction, std::uint8_t type, std::size_t count = 1) {
    return testing::WaitWire(*daemons_, 0, 1, direction, type, count);
  }

  // An outgoing call taken to `state` by the far end's policy.
  std::uint64_t MakeCall(const std::string& policy, const std::string& state, json extra = json::object()) {
    json p = {{"span", 1}, {"on_setup", policy}};
    p.update(extra);
    owner_->Ok("sim.policy", p);
    auto made = owner_->Ok("call.make", {{"number", "5551234"}, {"calling", "4045551000"}});
    const std::uint64_t call = made["call"];
    // The maker learns of `dialing` from the reply; later states are events.
    if (state != "dialing") {
      EXPECT_TRUE(owner_->WaitState(call, state)) << "call never reached " << state;
    }
    return call;
  }

  // An incoming call from the far end, offered to the owner.
  std::uint64_t OfferedCall(json uui = nullptr) {
    json p = {{"span", 1}, {"number", "1000"}, {"calling", "2000"}};
    if (!uui.is_null()) p["uui"] = uui;
    owner_->Ok("sim.call", p);
    auto offered = owner_->WaitNew();
    EXPECT_TRUE(offered.has_value());
    return offered ? (*offered)["call"].get<std::uint64_t>() : 0;
  }

  TempDir dir_;
  daemon::SpanConfig span_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> owner_;
};

const std::string kBinary("\x00\x01\xff\x00hello\x00", 10);

TEST_P(DropTest, ConnectedDropSendsDisconnectWithCauseAndExactUui) {
  const std::uint64_t call = MakeCall("answer", "connected");
  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", "goodbye"}}}});
  auto idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 16);
  EXPECT_EQ((*idle)["cause_name"], "normal_clearing");
  EXPECT_EQ((*idle)["mode"], "normal");
  EXPECT_EQ((*idle)["origin"], "local");

  auto disconnect = Sent(msg::kDisconnect);
  ASSERT_EQ(disconnect.size(), 1u);
  EXPECT_EQ(disconnect[0].cause, 16);
  EXPECT_EQ(disconnect[0].uui, Uui(4, "goodbye"));
  // The far end releases; prid completes. Neither carries the UUI again.
  ASSERT_EQ(Received(msg::kRelease).size(), 1u);
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kReleaseComplete));
  EXPECT_FALSE(Sent(msg::kReleaseComplete)[0].uui.has_value());
}

TEST_P(DropTest, DropCarriesBinaryUuiWithAnyDiscriminator) {
  const std::uint64_t call = MakeCall("answer", "connected");
  owner_->Ok("call.drop", {{"call", call}, {"cause", 31}, {"uui", {{"hex", "0001ff0068656c6c6f00"}, {"pd", 0}}}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  auto disconnect = Sent(msg::kDisconnect);
  ASSERT_EQ(disconnect.size(), 1u);
  EXPECT_EQ(disconnect[0].cause, 31);
  EXPECT_EQ(disconnect[0].uui, Uui(0, kBinary));
  auto info = owner_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(info["uui_sent"]["hex"], "0001ff0068656c6c6f00");
  EXPECT_EQ(info["uui_sent"]["pd"], 0);
}

TEST_P(DropTest, DropWhileDialingSendsDisconnect) {
  const std::uint64_t call = MakeCall("ignore", "dialing");
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kSetup));
  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", "changed my mind"}}}});
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kDisconnect));
  auto disconnect = Sent(msg::kDisconnect);
  EXPECT_EQ(disconnect[0].cause, 16);
  EXPECT_EQ(disconnect[0].uui, Uui(4, "changed my mind"));
  EXPECT_TRUE(owner_->WaitState(call, "idle"));
}

TEST_P(DropTest, DropWhileProceedingSendsDisconnect) {
  // busy after a minute: CALL PROCEEDING now, nothing else meanwhile.
  const std::uint64_t call = MakeCall("busy", "proceeding", {{"delay_ms", 60000}});
  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", "p"}}}});
  EXPECT_TRUE(owner_->WaitState(call, "idle"));
  auto disconnect = Sent(msg::kDisconnect);
  ASSERT_EQ(disconnect.size(), 1u);
  EXPECT_EQ(disconnect[0].uui, Uui(4, "p"));
}

TEST_P(DropTest, DropWhileRingbackSendsDisconnect) {
  const std::uint64_t call = MakeCall("alert", "ringback");
  owner_->Ok("call.drop", {{"call", call}, {"cause", "noanswer"}, {"uui", {{"text", "no answer"}}}});
  auto idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 19);
  EXPECT_EQ((*idle)["mode"], "noanswer");
  auto disconnect = Sent(msg::kDisconnect);
  ASSERT_EQ(disconnect.size(), 1u);
  EXPECT_EQ(disconnect[0].cause, 19);
  EXPECT_EQ(disconnect[0].uui, Uui(4, "no answer"));
}

TEST_P(DropTest, DropOfferedCallSendsReleaseCompleteWithCause21AndUui) {
  const std::uint64_t call = OfferedCall();
  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", "not now"}}}});
  auto idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["previous"], "offering");
  EXPECT_EQ((*idle)["cause"], 21);
  EXPECT_EQ((*idle)["mode"], "reject");
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kReleaseComplete));
  auto complete = Sent(msg::kReleaseComplete);
  ASSERT_EQ(complete.size(), 1u);
  EXPECT_EQ(complete[0].cause, 21);
  EXPECT_EQ(complete[0].uui, Uui(4, "not now"));
  // Q.931 5.3.2 a): nothing but RELEASE COMPLETE goes back for that call.
  EXPECT_TRUE(Sent(msg::kDisconnect).empty());
  EXPECT_TRUE(Sent(msg::kRelease).empty());
  EXPECT_TRUE(Sent(msg::kAlerting).empty());
}

TEST_P(DropTest, DropOfferedCallHonoursTheGivenCause) {
  const std::uint64_t call = OfferedCall();
  owner_->Ok("call.drop", {{"call", call}, {"cause", "busy"}});
  auto idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 17);
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kReleaseComplete));
  EXPECT_EQ(Sent(msg::kReleaseComplete)[0].cause, 17);
  EXPECT_FALSE(Sent(msg::kReleaseComplete)[0].uui.has_value());
}

TEST_P(DropTest, DropAcceptedCallSendsDisconnect21WithUui) {
  const std::uint64_t call = OfferedCall();
  owner_->Ok("call.alert", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "accepted"));
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kAlerting));
  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", "rejected after ringing"}}}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  auto disconnect = Sent(msg::kDisconnect);
  ASSERT_EQ(disconnect.size(), 1u);
  EXPECT_EQ(disconnect[0].cause, 21);
  EXPECT_EQ(disconnect[0].uui, Uui(4, "rejected after ringing"));
  EXPECT_TRUE(Sent(msg::kReleaseComplete).size() <= 1u);
}

TEST_P(DropTest, RemoteDisconnectReachesTheOwnerThenDropSendsReleaseWithUui) {
  const std::uint64_t call = MakeCall("answer", "connected");
  owner_->Ok("sim.drop", {{"call", call}, {"cause", 17}, {"uui", {{"hex", "00070000ff"}, {"pd", 7}}}});
  auto disconnected = owner_->WaitState(call, "disconnected");
  ASSERT_TRUE(disconnected);
  EXPECT_EQ((*disconnected)["cause"], 17);
  EXPECT_EQ((*disconnected)["cause_name"], "user_busy");
  EXPECT_EQ((*disconnected)["mode"], "busy");
  EXPECT_EQ((*disconnected)["origin"], "remote");
  EXPECT_EQ((*disconnected)["uui"]["pd"], 7);
  EXPECT_EQ((*disconnected)["uui"]["hex"], "00070000ff");
  auto info = owner_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(info["uui_received"]["hex"], "00070000ff");

  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", "ok, bye"}}}});
  auto idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["origin"], "remote");
  auto release = Sent(msg::kRelease);
  ASSERT_EQ(release.size(), 1u);
  EXPECT_EQ(release[0].uui, Uui(4, "ok, bye"));
  EXPECT_TRUE(Sent(msg::kDisconnect).empty());
}

TEST_P(DropTest, RemoteRejectOfOurCallEndsIdleWithItsCauseAndUui) {
  const std::uint64_t call = MakeCall("reject", "idle", {{"uui", {{"text", "go away"}}}});
  auto info = owner_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(info["cause"], 21);
  EXPECT_EQ(info["mode"], "reject");
  EXPECT_EQ(info["origin"], "remote");
  EXPECT_EQ(info["uui_received"]["text"], "go away");
  auto complete = Received(msg::kReleaseComplete);
  ASSERT_EQ(complete.size(), 1u);
  EXPECT_EQ(complete[0].cause, 21);
}

// Issue 14: nothing came from the far end, so the clearing is ours (Q.931
// 5.1.1: T303 expired twice; libpri clears the call with its own cause).
// T303 is libpri's 4 s, not configurable: the wait is two expiries long.
TEST_P(DropTest, SetupTheFarEndIgnoresEndsIdleWithLocalOriginAfterT303Twice) {
  const std::uint64_t call = MakeCall("ignore", "dialing");
  auto idle = owner_->WaitState(call, "idle", 15000);
  ASSERT_TRUE(idle) << "T303 never expired twice";
  EXPECT_EQ((*idle)["previous"], "dialing");
  EXPECT_EQ((*idle)["origin"], "local");
  EXPECT_EQ((*idle)["cause"], 18) << "libpri's cause: no user responding";
  EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["origin"], "local");
  EXPECT_EQ(Sent(msg::kSetup).size(), 2u) << "SETUP again at the first expiry";
  EXPECT_TRUE(Received(msg::kRelease).empty());
  EXPECT_TRUE(Received(msg::kReleaseComplete).empty());
  EXPECT_TRUE(Received(msg::kDisconnect).empty());
}

TEST_P(DropTest, RemoteBusyGoesDisconnectedThenReleasesAfterTimeout) {
  TearDown();
  daemon::SpanConfig span = SimSpan(1, GetParam());
  span.release_timeout_s = 0.2;
  Start(span);
  const std::uint64_t call = MakeCall("busy", "disconnected");
  auto idle = owner_->WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 17);
  EXPECT_EQ((*idle)["origin"], "remote") << "the far end's DISCONNECT began it, our release ended it";
  auto release = Sent(msg::kRelease);
  ASSERT_EQ(release.size(), 1u);
  EXPECT_FALSE(release[0].uui.has_value()) << "a release on timeout carries no UUI";
}

TEST_P(DropTest, DropOfIdleCallIsInvalidStateAndSendsNothing) {
  const std::uint64_t call = MakeCall("answer", "connected");
  owner_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kReleaseComplete));
  const std::size_t before = Wire().size();
  EXPECT_EQ(owner_->ErrorName("call.drop", {{"call", call}}), "InvalidCallState");
  // A request round trip later, still nothing new on the wire.
  owner_->Ok("daemon.status");
  EXPECT_EQ(Wire().size(), before);
}

TEST_P(DropTest, MonitorDropIsNotOwner) {
  ApiClient monitor(dir_.File("prid.sock"));
  monitor.Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  const std::uint64_t call = MakeCall("answer", "connected");
  ASSERT_TRUE(monitor.WaitNew());
  EXPECT_EQ(monitor.ErrorName("call.drop", {{"call", call}}), "NotOwner");
  // The monitor sees the owner's drop.
  owner_->Ok("call.drop", {{"call", call}});
  EXPECT_TRUE(monitor.WaitState(call, "idle"));
}

TEST_P(DropTest, UuiOverTheLimitIsRefusedWithTheLimitAndNothingSent) {
  const std::uint64_t call = MakeCall("answer", "connected");
  const std::size_t before = Wire().size();
  auto r = owner_->Call("call.drop", {{"call", call}, {"uui", {{"text", std::string(129, 'x')}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "UserUserInfoTooBig");
  EXPECT_EQ(r.error().data["max"], 128);
  owner_->Ok("daemon.status");
  EXPECT_EQ(Wire().size(), before);
  // Exactly the limit is carried.
  owner_->Ok("call.drop", {{"call", call}, {"uui", {{"text", std::string(128, 'y')}}}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  EXPECT_EQ(Sent(msg::kDisconnect)[0].uui, Uui(4, std::string(128, 'y')));
}

TEST_P(DropTest, UuiTravelsInSetupAndConnect) {
  owner_->Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}, {"uui", {{"text", "far end answers"}}}});
  auto made = owner_->Ok("call.make", {{"number", "42"}, {"uui", {{"hex", "00ab00cd"}, {"pd", 0x38}}}});
  auto connected = owner_->WaitState(made["call"], "connected");
  ASSERT_TRUE(connected);
  EXPECT_EQ((*connected)["uui"]["text"], "far end answers");
  ASSERT_EQ(Sent(msg::kSetup).size(), 1u);
  EXPECT_EQ(Sent(msg::kSetup)[0].uui, Uui(0x38, std::string("\x00\xab\x00\xcd", 4)));

  const std::uint64_t in = OfferedCall({{"text", "incoming uui"}});
  auto info = owner_->Ok("call.info", {{"call", in}});
  EXPECT_EQ(info["uui_received"]["text"], "incoming uui");
  owner_->Ok("call.answer", {{"call", in}, {"uui", {{"text", "answered with uui"}}}});
  ASSERT_TRUE(WaitWire(FrameDirection::kSent, msg::kConnect));
  EXPECT_EQ(Sent(msg::kConnect)[0].uui, Uui(4, "answered with uui"));
}

TEST_P(DropTest, ClosingTheConnectionDropsCallsItAloneOwned) {
  const std::uint64_t call = MakeCall("answer", "connected");
  ApiClient watcher(dir_.File("prid.sock"));
  // A call's events reach only its holders and the span's monitors.
  watcher.Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  watcher.Ok("events.subscribe", {{"call", call}});
  owner_.reset();
  auto idle = watcher.WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 16);
  EXPECT_EQ(Sent(msg::kDisconnect)[0].cause, 16);
  // The owner's handle went with it; the monitor line gave the watcher a
  // handle on the call already up, and the record is freed once it lets go.
  EXPECT_EQ(watcher.Ok("daemon.status")["calls"]["records"], 1);
  watcher.Ok("call.deallocate", {{"call", call}});
  EXPECT_EQ(watcher.Ok("daemon.status")["calls"]["records"], 0);
  owner_ = std::make_unique<ApiClient>(dir_.File("prid.sock"));
}

INSTANTIATE_TEST_SUITE_P(BothWaysRound, DropTest,
                         ::testing::Values(daemon::NodeType::kCpe, daemon::NodeType::kNetwork),
                         [](const auto& info) { return std::string(daemon::NodeTypeName(info.param)); });

}  // namespace
}  // namespace prid::testing
