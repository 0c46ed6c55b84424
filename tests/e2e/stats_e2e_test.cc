// End to end: stats.get and stats.reset of the real prid, driven by the real
// prictl. prid's sim span has the built-in far end (a network-side libpri
// of its own) answer, refuse busy or reject the calls of a script, and the
// counters must show exactly those calls: Q.931 messages each way,
// clearings by cause and origin, ASR, NER, and zero after stats.reset,
// which a client that is not a supervisor may not do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_daemon.h"
#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;

class StatsEndToEnd : public E2eDaemonTest {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("PRICTL_BIN").empty()) << "PRICTL_BIN is not set";
    // nobody reaches the socket through nogroup (socket_group), and is not
    // a supervisor (no supervisor_group).
    std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
    ASSERT_TRUE(StartPrid("socket_group = \"nogroup\"\n",
                          "[[span]]\nspan = 1\nname = \"trunk-a\"\ndriver = \"sim\"\npeer = \"builtin\"\n"))
        << "prid did not come up; its log:\n"
        << Log();
  }

  ProcessResult PrictlAsNobody(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               Env("PRICTL_BIN"), "--socket", socket_});
    return RunProcess(args);
  }
  json Stats(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--json", "stats"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Prictl(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return json::parse(r.out, nullptr, false);
  }
};

// Three answered, two busy (17), one rejected (21): what each call puts on
// the wire, as prid sends and receives it.
constexpr const char* kScript = R"(open 1
sim policy 1 answer
call 1001
wait connected
drop $CALL
wait idle
call 1002
wait connected
drop $CALL
wait idle
call 1003
wait connected
drop $CALL
wait idle
sim policy 1 busy
call 1004
wait disconnected
drop $CALL
wait idle
call 1005
wait disconnected
drop $CALL
wait idle
sim policy 1 reject
call 1006
wait idle
)";

TEST_F(StatsEndToEnd, CountsAScriptOfCallsExactlyAndResetZeroesThem) {
  auto reset = Prictl({"stats", "--reset"});  // the link's start-up is not part of the script
  ASSERT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  auto run = Prictl({"run", "-"}, kScript);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  const json stats = Stats({"1"});
  ASSERT_TRUE(stats.is_object()) << stats;
  ASSERT_EQ(stats["spans"].size(), 1u) << stats;
  const json& span = stats["spans"][0];
  EXPECT_EQ(span["span"], 1);
  EXPECT_EQ(span["name"], "trunk-a");

  const json& calls = span["calls"];
  EXPECT_EQ(calls["placed"], 6) << calls;
  EXPECT_EQ(calls["offered"], 0);
  EXPECT_EQ(calls["answered_out"], 3);
  EXPECT_EQ(calls["answered_in"], 0);
  EXPECT_EQ(calls["ended"], 6);
  EXPECT_EQ(calls["clearings"], json::parse(R"([
      {"cause":16,"cause_name":"normal_clearing","origin":"local","count":3},
      {"cause":17,"cause_name":"user_busy","origin":"remote","count":2},
      {"cause":21,"cause_name":"call_rejected","origin":"remote","count":1}])"));
  EXPECT_DOUBLE_EQ(calls["asr"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(calls["ner"].get<double>(), 1.0) << "busy and rejected are the user's reasons";
  EXPECT_EQ(calls["post_dial_delay_s"]["samples"], 3) << "the busy and rejected calls never alerted nor connected";
  EXPECT_GE(calls["post_dial_delay_s"]["p95"].get<double>(), calls["post_dial_delay_s"]["mean"].get<double>() / 3);
  EXPECT_EQ(calls["hold_time_s"]["samples"], 3);

  // Answered: SETUP → CALL PROCEEDING, CONNECT → CONNECT ACKNOWLEDGE,
  // DISCONNECT → RELEASE → RELEASE COMPLETE. Busy: SETUP → CALL
  // PROCEEDING, DISCONNECT (17) → RELEASE → RELEASE COMPLETE. Rejected:
  // SETUP → RELEASE COMPLETE (21).
  json out = span["q931"]["out"];
  json in = span["q931"]["in"];
  EXPECT_EQ(out["SETUP"], 6) << out;
  EXPECT_EQ(out["CONNECT_ACKNOWLEDGE"], 3) << out;
  EXPECT_EQ(out["DISCONNECT"], 3) << out;
  EXPECT_EQ(out["RELEASE"], 2) << out;
  EXPECT_EQ(out["RELEASE_COMPLETE"], 3) << out;
  EXPECT_EQ(in["CALL_PROCEEDING"], 5) << in;
  EXPECT_EQ(in["CONNECT"], 3) << in;
  EXPECT_EQ(in["DISCONNECT"], 2) << in;
  EXPECT_EQ(in["RELEASE"], 3) << in;
  EXPECT_EQ(in["RELEASE_COMPLETE"], 3) << in;
  std::uint64_t out_messages = 0;
  for (const auto& [name, count] : out.items()) out_messages += count.get<std::uint64_t>();
  std::uint64_t in_messages = 0;
  for (const auto& [name, count] : in.items()) in_messages += count.get<std::uint64_t>();
  EXPECT_EQ(out_messages, 6u + 3 + 3 + 2 + 3) << "nothing else was sent: " << out;
  EXPECT_EQ(in_messages, 5u + 3 + 2 + 3 + 3) << "nothing else came: " << in;
  const json& q921 = span["q921"];
  EXPECT_EQ(q921["out"]["I"], out_messages) << "one I frame per message: no retransmission";
  EXPECT_EQ(q921["in"]["I"], in_messages);
  EXPECT_EQ(q921["t200_retransmissions"], 0);
  EXPECT_EQ(q921["link_resets"], 0) << "the link stayed up";
  EXPECT_TRUE(q921["since_last_reset_s"].is_number()) << "it came up at the start";
  EXPECT_GT(span["dchannel"]["frames_out"].get<std::uint64_t>(), out_messages - 1);
  EXPECT_EQ(span["dchannel"]["bad_fcs"], 0) << "a sim span has no card";
  EXPECT_EQ(span["alarms_seen"], 0);

  const json& daemon = stats["daemon"];
  EXPECT_EQ(daemon["rpc"]["call.make"], json::parse(R"({"requests":6,"errors":0})"));
  EXPECT_EQ(daemon["rpc"]["call.drop"], json::parse(R"({"requests":5,"errors":0})"));
  EXPECT_EQ(daemon["rpc"]["sim.policy"], json::parse(R"({"requests":3,"errors":0})"));
  EXPECT_EQ(daemon["rpc"]["stats.reset"]["requests"], 1) << "counted once answered: after the reset it made";
  EXPECT_EQ(daemon["clients_total"], 2) << "the script's and this one's";
  EXPECT_EQ(daemon["clients_now"], 1);
  EXPECT_GT(daemon["events_sent"].get<std::uint64_t>(), 0u);

  reset = Prictl({"stats", "--reset"});
  ASSERT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  const json zeroed = Stats();
  ASSERT_EQ(zeroed["spans"].size(), 1u);
  const json& after = zeroed["spans"][0];
  EXPECT_EQ(after["calls"]["placed"], 0);
  EXPECT_EQ(after["calls"]["clearings"], json::array());
  EXPECT_TRUE(after["calls"]["asr"].is_null());
  EXPECT_EQ(after["q931"]["out"]["SETUP"], 0);
  EXPECT_EQ(after["q931"]["in"]["CONNECT"], 0);
  EXPECT_EQ(after["q921"]["out"]["I"], 0);
  EXPECT_EQ(zeroed["daemon"]["rpc"]["call.make"]["requests"], 0);
  EXPECT_LT(zeroed["since_s"].get<double>(), stats["since_s"].get<double>());

  // The table for people names what was counted.
  auto table = Prictl({"stats"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("span 1 (trunk-a)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("T200 retransmissions"), std::string::npos) << table.out;
}

TEST_F(StatsEndToEnd, PrictlSpanShowsTheLinksHealthUnderItsEntry) {
  auto run = Prictl({"run", "-"}, "open 1\ncall 1001\nwait connected\ndrop $CALL\nwait idle\n");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto r = Prictl({"span", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line : {"timers            t200 1.0 s  t203 10.0 s", "Q.921 state           multiple_frame_established",
                           "link resets           ", "D-channel frames      in ", "T200 retransmissions  0",
                           "calls                 offered 0  placed 1  answered in 0 / out 1  ended 1", "SETUP",
                           "CHAN  STATE"}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
}

TEST_F(StatsEndToEnd, OnlyASupervisorMayReset) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run prictl as uid 65534";
  auto run = Prictl({"run", "-"}, "open 1\ncall 1001\nwait connected\ndrop $CALL\nwait idle\n");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  auto refused = PrictlAsNobody({"stats", "--reset"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("PermissionDenied"), std::string::npos) << refused.err;
  auto read = PrictlAsNobody({"--json", "stats"});
  ASSERT_EQ(read.exit_code, 0) << read.out << read.err;
  const json stats = json::parse(read.out, nullptr, false);
  ASSERT_TRUE(stats.is_object()) << read.out;
  EXPECT_EQ(stats["spans"][0]["calls"]["placed"], 1) << "anyone may read; the refused reset changed nothing";
  EXPECT_EQ(stats["daemon"]["rpc"]["stats.reset"], json::parse(R"({"requests":1,"errors":1})"));
}

TEST_F(StatsEndToEnd, ASpanNotConfiguredIsRefused) {
  auto r = Prictl({"stats", "7"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("InvalidParams: no span 7"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prid::testing
