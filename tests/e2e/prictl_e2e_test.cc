// End to end: the real prid binary, started from a config file, driven by
// the real prictl binary as a user would, both as separate processes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

#include "tests/e2e/e2e_daemon.h"
#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/daemon_thread.h"
#include "tests/support/process.h"

namespace prid::testing {
namespace {

using nlohmann::json;

class PrictlEndToEnd : public E2eDaemonTest {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("PRICTL_BIN").empty()) << "PRICTL_BIN is not set";
    ASSERT_TRUE(StartPrid("", "[[span]]\nspan = 1\ndriver = \"sim\"\npeer = \"builtin\"\nrelease_timeout = 5.0\n"))
        << "prid did not come up; its log:\n"
        << Log();
  }
};

TEST_F(PrictlEndToEnd, ScriptMakesACallAndDropsItWithUui) {
  auto r = Prictl({"run", "-"}, R"(open 1
call 5551234 --calling 4045551000 --uui-text "hello"
wait connected
drop $CALL --cause normal --uui-text "goodbye, ticket #4711"
wait idle
info $CALL
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("connected ← proceeding"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("idle ← connected cause=16 (normal_clearing) mode=normal origin=local"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("goodbye, ticket #4711"), std::string::npos) << r.out;
}

TEST_F(PrictlEndToEnd, ScriptRejectsAnOfferedCallAndSeesTheFarEndsDrop) {
  auto r = Prictl({"run", "-"}, R"(open 1
sim call 1 2000 --calling 3000
wait new
drop $CALL --uui-hex 00ff --pd 0
wait idle
sim call 1 2001
wait new
answer $CALL
wait connected
sim drop $CALL --cause busy --uui-hex 0001020300 --pd 7
wait disconnected
drop $CALL --uui-text ok
wait idle
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("idle ← offering cause=21 (call_rejected) mode=reject origin=local"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("disconnected ← connected cause=17 (user_busy) mode=busy origin=remote"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("0001020300"), std::string::npos) << r.out;
}

TEST_F(PrictlEndToEnd, ScriptConferencesThreeCallsHoldsOneAndDropsTheConference) {
  auto r = Prictl({"run", "-"}, R"(open 1
call 1001
wait connected
call 1002
wait connected
call 1003
wait connected
hold $CALL3
wait onhold $CALL3
unhold $CALL3
wait connected $CALL3
conf create $CALL1 $CALL2 $CALL3
wait conferenced $CALL3
calls
conf remove $CALL4 $CALL2
wait connected $CALL2
drop $CALL4 --uui-text "conference over"
wait idle $CALL4
drop $CALL2
wait idle $CALL2
calls
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("onhold ← connected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("conferenced ← connected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in 4"), std::string::npos) << "calls shows membership:\n" << r.out;
  EXPECT_NE(r.out.find("of 1,2,3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("idle ← conferenced cause=16"), std::string::npos) << r.out;
}

TEST_F(PrictlEndToEnd, BridgedStationLeavesAPartyLineThatGoesOn) {
  // Span 1 bridged; station B is this test, station A a prictl process.
  ASSERT_EQ(daemon_->Terminate(), 0);
  ASSERT_TRUE(StartPrid("", "[[span]]\nspan = 1\ndriver = \"sim\"\npeer = \"builtin\"\nappearance = \"bridged\"\n"))
      << Log();
  ApiClient b(socket_);
  b.Ok("line.open", {{"span", 1}});

  // A calls the line in through the far end, lets B answer, joins, leaves.
  std::ofstream(dir_.File("a.prictl")) << "open 1\nsim call 1 4000\nwait new\nwait inactive\njoin $CALL\n"
                                          "wait connected\ndrop $CALL --uui-text \"a leaves\"\nwait inactive\n";
  ChildProcess a({Env("PRICTL_BIN"), "--socket", socket_, "run", dir_.File("a.prictl")}, dir_.File("a.log"));
  auto offered = b.WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t call = (*offered)["call"];
  b.Ok("call.answer", {{"call", call}});
  ASSERT_TRUE(b.WaitState(call, "connected"));
  ASSERT_EQ(a.Wait(), 0);
  std::ifstream in(dir_.File("a.log"));
  const std::string a_out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(a_out.find("inactive ← connected"), std::string::npos) << a_out;

  // A is gone; the call goes on for B, who ends it.
  EXPECT_EQ(b.Ok("call.info", {{"call", call}})["state"], "connected");
  b.Ok("call.drop", {{"call", call}, {"uui", {{"text", "b ends"}}}});
  auto idle = b.WaitState(call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["origin"], "local");
  EXPECT_EQ(b.Ok("call.info", {{"call", call}})["uui_sent"]["text"], "b ends");
}

TEST_F(PrictlEndToEnd, SimCallSendsTheNumbersAttributesRedirectingAndDisplay) {
  ApiClient owner(socket_);
  owner.Ok("line.open", {{"span", 1}});
  auto r = Prictl({"sim", "call", "1", "2002", "--ton", "national", "--npi", "e164", "--calling", "3002",
                   "--calling-ton", "subscriber", "--present", "allowed", "--redirecting", "700",
                   "--redirecting-reason", "no_reply", "--display", "Front desk", "--preferred"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto offered = owner.WaitNew();
  ASSERT_TRUE(offered) << "no call.new for the far end's SETUP";
  // What the far end's libpri put in the SETUP, as prid's libpri read it.
  EXPECT_EQ((*offered)["called_party"], json({{"digits", "2002"}, {"ton", "national"}, {"npi", "e164"}}))
      << offered->dump();
  EXPECT_EQ((*offered)["calling_party"]["ton"], "subscriber") << offered->dump();
  EXPECT_EQ((*offered)["calling_party"]["presentation"], "allowed") << offered->dump();
  EXPECT_EQ((*offered)["redirecting"]["digits"], "700") << offered->dump();
  EXPECT_EQ((*offered)["redirecting"]["reason"], "no_reply") << offered->dump();
  EXPECT_EQ((*offered)["display"], "Front desk") << offered->dump();
  const std::uint64_t call = (*offered)["call"];
  // Preferred, not exclusive: the answer may take another B-channel.
  owner.Ok("call.answer", {{"call", call}, {"channel", 7}});
  auto connected = owner.WaitState(call, "connected");
  ASSERT_TRUE(connected);
  EXPECT_EQ((*connected)["channel"], 7);
  owner.Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner.WaitState(call, "idle"));

  auto bad = Prictl({"sim", "call", "1", "2003", "--ton", "planetary"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("InvalidParams"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("number.ton must be one of"), std::string::npos) << bad.err;
}

TEST_F(PrictlEndToEnd, JsonOutputIsMachineReadable) {
  auto status = Prictl({"--json", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  json s = json::parse(status.out);
  EXPECT_EQ(s["api"], 1);
  EXPECT_EQ(s["spans"], 1);
  auto spans = Prictl({"--json", "spans"});
  ASSERT_EQ(spans.exit_code, 0) << spans.err;
  json list = json::parse(spans.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["state"], "up");
  EXPECT_EQ(list[0]["uui_max"], 128);
  EXPECT_EQ(list[0]["bchannels"].size(), 30u);
}

TEST_F(PrictlEndToEnd, ErrorsPrintTheApiErrorNameAndExitNonZero) {
  auto r = Prictl({"drop", "999"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("prictl: InvalidCallHandle: "), std::string::npos) << r.err;
  auto big = Prictl({"call", "1", "--uui-text", std::string(129, 'x')});
  EXPECT_EQ(big.exit_code, 1);
  EXPECT_NE(big.err.find("UserUserInfoTooBig"), std::string::npos) << big.err;
  auto bad = Prictl({"call", "1", "--uui-hex", "xyz"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(bad.err.empty());
}

TEST_F(PrictlEndToEnd, EveryCallsEndIsLoggedAtTheDefaultLevelWithNumbersCauseAndUui) {
  auto r = Prictl({"run", "-"}, R"(open 1
call 5551234 --calling 4045551000
wait connected
drop $CALL --cause normal --uui-text "bye"
wait idle
sim call 1 2000 --calling 3000
wait new
drop $CALL
wait idle
sim call 1 2001 --calling 3001
wait new
answer $CALL
wait connected
sim drop $CALL --cause busy --uui-text "far"
wait disconnected
drop $CALL
wait idle
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // A request after the last idle: prid has finished the work that logged it.
  ASSERT_EQ(Prictl({"status"}).exit_code, 0);
  const std::string log = Log();
  EXPECT_NE(log.find("call 1: ended span_name=span1 channel=1 direction=out called=5551234 calling=4045551000 answered=yes duration="),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("cause=16 cause_name=normal_clearing origin=local uui_sent=yes uui_received=no"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("direction=in called=2000 calling=3000 answered=no since_setup="), std::string::npos) << log;
  EXPECT_NE(log.find("cause=21 cause_name=call_rejected origin=local uui_sent=no uui_received=no"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("direction=in called=2001 calling=3001 answered=yes duration="), std::string::npos) << log;
  EXPECT_NE(log.find("cause=17 cause_name=user_busy origin=remote uui_sent=no uui_received=yes"), std::string::npos)
      << log;
  // State changes are info, below the default level.
  EXPECT_EQ(log.find("connected -> disconnected"), std::string::npos) << log;
}

TEST_F(PrictlEndToEnd, ProceedProgressAndAnswerReachTheDaemon) {
  auto r = Prictl({"run", "-"}, R"(open 1
sim call 1 2000
wait new
proceed $CALL
progress $CALL 1 8
answer $CALL
wait connected
drop $CALL
wait idle
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The built-in far end offers its channel exclusively: no other one.
  auto refused = Prictl({"run", "-"}, "open 1\nsim call 1 2001\nwait new\nanswer $CALL --channel 5\n");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("channel 5"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("InvalidParams"), std::string::npos) << refused.err;
}

TEST_F(PrictlEndToEnd, OverlapCallTakesDialDigitsAndAConnectedOneKeypadDigits) {
  // The far end says nothing to the SETUP: the call stays dialing.
  auto r = Prictl({"run", "-"}, R"(open 1
sim policy 1 ignore
call 30 --overlap
dial $CALL 12
dial $CALL 3# --complete
info $CALL
drop $CALL
wait idle
sim policy 1 answer
call 100
wait connected
dial $CALL *1
drop $CALL
wait idle
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("30123#"), std::string::npos) << r.out;
  auto refused = Prictl({"run", "-"}, "open 1\nsim policy 1 alert\ncall 100\nwait ringback\ndial $CALL 1\n");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("InvalidCallState"), std::string::npos) << refused.err;
}

TEST_F(PrictlEndToEnd, RedirectHandsAnAlertingCallBackToTheNetwork) {
  auto r = Prictl({"run", "-"}, R"(open 1
sim call 1 2000 --calling 3000
wait new
alert $CALL
redirect $CALL 5551234 --reason no_reply
wait idle
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(Prictl({"status"}).exit_code, 0);
  EXPECT_NE(Log().find("cause=16 cause_name=normal_clearing origin=redirect"), std::string::npos) << Log();
  // An outgoing call is not prid's to reroute.
  auto refused = Prictl({"run", "-"}, "open 1\ncall 100\nwait connected\nredirect $CALL 5551234\n");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("InvalidCallState"), std::string::npos) << refused.err;
}

TEST_F(PrictlEndToEnd, TransferJoinsTwoCallsOnTheNetwork) {
  auto r = Prictl({"run", "-"}, R"(open 1
sim call 1 2000 --calling 3000
wait new
answer $CALL
wait connected
call 100
wait connected
transfer $CALL1 $CALL2
wait idle $CALL1
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(Prictl({"status"}).exit_code, 0);
  // The network clears the second call first: both have ended by now.
  const std::string log = Log();
  const std::string ended = "cause=16 cause_name=normal_clearing origin=transfer";
  const auto first = log.find(ended);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_NE(log.find(ended, first + 1), std::string::npos) << "both calls end transferred: " << log;
  // One call alone is not a transfer.
  auto refused = Prictl({"run", "-"}, "open 1\ncall 100\nwait connected\ntransfer $CALL $CALL\n");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("InvalidParams"), std::string::npos) << refused.err;
}

TEST_F(PrictlEndToEnd, AClosedPrictlLeavesNoCallBehind) {
  // The call's owner is the prictl process; when it exits its call goes.
  auto r = Prictl({"run", "-"}, "open 1\nsim policy 1 alert\ncall 100\nwait ringback\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ApiClient watcher(socket_);
  // A monitor of span 1: a call's events reach only its holders and monitors.
  watcher.Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  ASSERT_TRUE(watcher.Ok("events.subscribe", {{"since", 0}}).is_object());
  // The call goes idle (replayed if it already did), and its record with it.
  auto idle = watcher.WaitEvent([](const json& e) { return e["type"] == "call.state" && e["state"] == "idle"; });
  ASSERT_TRUE(idle) << "the abandoned call was never cleared";
  EXPECT_EQ((*idle)["cause"], 16);
  // A monitor line opened while the call was still clearing holds a monitor
  // handle on it, and so the record, until it deallocates (refused, with no
  // handle, when the call was gone before the line opened).
  (void)watcher.Call("call.deallocate", {{"call", (*idle)["call"]}});
  EXPECT_EQ(watcher.Ok("daemon.status")["calls"]["records"], 0);
}

TEST_F(PrictlEndToEnd, EventsReplayFromSequenceNumbers) {
  ASSERT_EQ(Prictl({"run", "-"}, "open 1\ncall 7\nwait connected\ndrop $CALL\nwait idle\n").exit_code, 0);
  auto r = Prictl({"--json", "events", "--since", "0", "--monitor", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int idle = 0;
  std::uint64_t last = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') continue;
    json e = json::parse(line);
    if (!e.contains("type")) {
      EXPECT_EQ(e["seq"], 4) << "the reply names the last seq before the stream";
      EXPECT_EQ(e["instance"].get<std::string>().size(), 32u) << "and the daemon start it belongs to";
      continue;
    }
    EXPECT_GT(e["seq"].get<std::uint64_t>(), last) << "seq must grow";
    last = e["seq"];
    if (e["type"] == "call.state" && e["state"] == "idle") ++idle;
  }
  EXPECT_EQ(idle, 1) << r.out;
}

TEST_F(PrictlEndToEnd, UnreachableSocketIsNamed) {
  auto r = RunProcess({Env("PRICTL_BIN"), "--socket", dir_.File("nowhere.sock"), "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nowhere.sock"), std::string::npos) << r.err;
}

// trace.subscribe: one `trace` notification per frame, decoded, in order.
TEST_F(PrictlEndToEnd, TraceNotificationsCarryEveryDecodedMessageOfACall) {
  ApiClient tracer(socket_);
  ASSERT_TRUE(tracer.connected());
  tracer.Ok("trace.subscribe", {{"span", 1}});
  ApiClient owner(socket_);
  const auto call = owner.Ok("call.make", {{"span", 1}, {"number", "5551234"}, {"uui", {{"text", "hello"}}}})["call"]
                        .get<std::uint64_t>();
  ASSERT_TRUE(owner.WaitState(call, "connected"));
  owner.Ok("call.drop", {{"call", call}, {"cause", 17}, {"uui", {{"text", "bye"}}}});
  ASSERT_TRUE(owner.WaitState(call, "idle"));
  std::vector<json> messages;
  for (;;) {
    auto note = tracer.raw().WaitNotification(kWaitMs);
    ASSERT_TRUE(note) << "no RELEASE COMPLETE traced";
    if (note->value("method", "") != "trace") continue;
    const json& p = (*note)["params"];
    EXPECT_EQ(p["span"], 1);
    EXPECT_TRUE(p.contains("lapd")) << p.dump();
    if (!p.contains("q931")) continue;
    messages.push_back(p);
    if (p["q931"]["message"] == "RELEASE COMPLETE") break;
  }
  ASSERT_GE(messages.size(), 6u);
  const json& setup = messages.front();
  EXPECT_EQ(setup["q931"]["message"], "SETUP");
  EXPECT_EQ(setup["dir"], "tx");
  EXPECT_EQ(setup["q931"]["from_originator"], true);
  bool called = false;
  bool hello = false;
  for (const auto& ie : setup["q931"]["ies"]) {
    if (ie["ie"] == "Called party number") called = ie["digits"] == "5551234";
    if (ie["ie"] == "User-user") hello = ie["text"] == "hello";
  }
  EXPECT_TRUE(called) << setup.dump();
  EXPECT_TRUE(hello) << setup.dump();
  bool disconnect = false;
  for (const auto& m : messages) {
    if (m["q931"]["message"] != "DISCONNECT") continue;
    disconnect = true;
    EXPECT_EQ(m["dir"], "tx");
    for (const auto& ie : m["q931"]["ies"]) {
      if (ie["ie"] == "Cause") {
        EXPECT_EQ(ie["cause"], 17);
      }
      if (ie["ie"] == "User-user") {
        EXPECT_EQ(ie["text"], "bye");
      }
    }
  }
  EXPECT_TRUE(disconnect);
  tracer.Ok("trace.unsubscribe");
  EXPECT_EQ(tracer.ErrorName("trace.subscribe", {{"span", 9}}), "InvalidParams");
  EXPECT_EQ(tracer.ErrorName("trace.subscribe", {{"call", 999}}), "InvalidCallHandle");
}

// prictl trace --call ID --pcap FILE: a per-call capture that Wireshark
// opens without a malformed frame, holding only that call's messages, from
// its SETUP (kept by prid) although the trace began when it was ringing.
TEST_F(PrictlEndToEnd, PerCallPcapHoldsOnlyThatCallAndPassesTheChecker) {
  ASSERT_FALSE(Env("Q931_CHECK").empty()) << "Q931_CHECK is not set (tests/e2e/meson.build sets it)";
  ApiClient owner(socket_);
  owner.Ok("sim.policy", {{"span", 1}, {"on_setup", "alert"}});
  const auto call = owner.Ok("call.make", {{"span", 1}, {"number", "200"}})["call"].get<std::uint64_t>();
  ASSERT_TRUE(owner.WaitState(call, "ringback"));
  const std::string pcap = dir_.File("call.pcap");
  const std::string log = dir_.File("trace.log");
  ChildProcess trace({Env("PRICTL_BIN"), "--socket", socket_, "trace", "--call", std::to_string(call), "--pcap", pcap},
                     log);
  // Wait until prictl says it is subscribed (no sleeps: tail waits on the file).
  auto contents = [&log] {
    std::ifstream in(log);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  for (int i = 0; i < 200 && contents().find("prictl: tracing call") == std::string::npos; ++i) {
    RunProcess({"/usr/bin/timeout", "0.05", "/usr/bin/tail", "-f", log});
  }
  ASSERT_NE(contents().find("prictl: tracing call"), std::string::npos) << contents();
  // Another call on the same span while tracing: none of it may show.
  owner.Ok("sim.call", {{"span", 1}, {"number", "300"}});
  owner.Ok("call.drop", {{"call", call}, {"cause", 16}, {"uui", {{"text", "bye"}}}});
  ASSERT_TRUE(owner.WaitState(call, "idle"));
  EXPECT_EQ(trace.Wait(), 0) << contents();
  auto check = RunProcess({Env("Q931_CHECK"), pcap, "--in-order", "--expect", "SETUP dir=out", "--expect",
                           "ALERTING dir=in", "--expect", "DISCONNECT cause=16 uui=bye dir=out", "--expect",
                           "RELEASE dir=in", "--expect", "RELEASE_COMPLETE dir=out", "--forbid", "SETUP dir=in"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST(PridCommandLine, VersionAndConfigCheck) {
  auto version = RunProcess({Env("PRID_BIN"), "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("prid ", 0), 0u) << version.out;
  auto ctl = RunProcess({Env("PRICTL_BIN"), "--version"});
  EXPECT_EQ(ctl.exit_code, 0);
  EXPECT_EQ(ctl.out.rfind("prictl ", 0), 0u) << ctl.out;

  auto example = RunProcess({Env("PRID_BIN"), "--check-config", "-c", Env("PRID_EXAMPLE_CONFIG")});
  EXPECT_EQ(example.exit_code, 0) << example.out << example.err;

  TempDir dir;
  std::ofstream(dir.File("bad.conf")) << "[[span]]\nspan = 1\ndriver = \"sim\"\npeer = \"builtin\"\nswitch = \"ni3\"\n";
  auto bad = RunProcess({Env("PRID_BIN"), "--check-config", "-c", dir.File("bad.conf")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.conf:5"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("switch"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace prid::testing
