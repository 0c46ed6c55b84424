// End to end: the real prid writes one call detail record per Q.931 call
// into a real SQLite file and a JSON-lines file, through its spool, for a
// scripted set of calls on sim spans whose built-in far end answers, is
// busy or drops: every field is checked. And the spool on a full disk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cdr/record.h"
#include "cdr/sqlite_store.h"
#include "tests/e2e/cdr_e2e.h"
#include "tests/e2e/e2e_daemon.h"
#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"

namespace prid::testing {
namespace {

using nlohmann::json;

constexpr const char* kSpans =
    "[[span]]\nspan = 1\nname = \"trunk-a\"\ndriver = \"sim\"\npeer = \"builtin\"\n"
    "[[span]]\nspan = 2\nname = \"party\"\ndriver = \"sim\"\npeer = \"builtin\"\nappearance = \"bridged\"\n";

class CdrEndToEnd : public CdrE2eTest {
 protected:
  std::string CdrTable(const std::string& extra = "") {
    return "[cdr]\nsqlite = \"" + dir_.File("cdr.sqlite") + "\"\njsonl = \"" + dir_.File("cdr.jsonl") +
           "\"\nspool = \"" + dir_.File("spool") + "\"\n" + extra;
  }

  std::vector<cdr::Record> SqliteRecords() {
    cdr::SqliteStore store(dir_.File("cdr.sqlite"), cdr::SqliteStore::Access::kReadOnly);
    EXPECT_TRUE(store.Open().ok());
    return AllRecords(store);
  }

  std::vector<cdr::Record> JsonlRecords() {
    std::vector<cdr::Record> out;
    std::ifstream in(dir_.File("cdr.jsonl"));
    std::string line;
    while (std::getline(in, line)) {
      auto r = cdr::FromJson(json::parse(line));
      EXPECT_TRUE(r) << line;
      if (r) out.push_back(*r);
    }
    return out;
  }
};

TEST_F(CdrEndToEnd, EveryCallOfAScriptHasItsRecordWithEveryField) {
  ASSERT_TRUE(StartPrid("", CdrTable() + kSpans)) << Log();
  ApiClient c(socket_);
  ASSERT_TRUE(c.connected());
  Station(c, 1);
  const json status = c.Ok("daemon.status");
  const std::string instance = status["instance"];

  // 1. Answered, dropped by us with UUI.
  c.Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}});
  const std::uint64_t answered =
      c.Ok("call.make", {{"span", 1}, {"number", "1001"}, {"calling", "2000"}, {"tag", "order-17"}})["call"];
  ASSERT_TRUE(c.WaitState(answered, "connected"));
  c.Ok("call.drop", {{"call", answered}, {"uui", {{"text", "bye"}}}});
  ASSERT_TRUE(c.WaitState(answered, "idle"));

  // 2. Busy: the far end's DISCONNECT with 17.
  c.Ok("sim.policy", {{"span", 1}, {"on_setup", "busy"}});
  const std::uint64_t busy = c.Ok("call.make", {{"span", 1}, {"number", "1002"}})["call"];
  ASSERT_TRUE(c.WaitState(busy, "disconnected"));
  c.Ok("call.drop", {{"call", busy}});
  ASSERT_TRUE(c.WaitState(busy, "idle"));

  // 3. Offered to us and rejected by dropping it.
  c.Ok("sim.call", {{"span", 1}, {"number", "3001"}, {"calling", "4001"}});
  auto offered_new = c.WaitNew();
  ASSERT_TRUE(offered_new);
  const std::uint64_t offered = (*offered_new)["call"];
  c.Ok("call.drop", {{"call", offered}});
  ASSERT_TRUE(c.WaitState(offered, "idle"));

  // 4. Answered, then dropped by the far end with its UUI.
  c.Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}});
  const std::uint64_t remote = c.Ok("call.make", {{"span", 1}, {"number", "1004"}})["call"];
  ASSERT_TRUE(c.WaitState(remote, "connected"));
  c.Ok("sim.drop", {{"call", remote}, {"cause", 16}, {"uui", {{"hex", "0102"}, {"pd", 0}}}});
  ASSERT_TRUE(c.WaitState(remote, "disconnected"));
  c.Ok("call.drop", {{"call", remote}});
  ASSERT_TRUE(c.WaitState(remote, "idle"));

  // 5. A conference of two, dropped whole.
  const std::uint64_t leg1 = c.Ok("call.make", {{"span", 1}, {"number", "1005"}})["call"];
  const std::uint64_t leg2 = c.Ok("call.make", {{"span", 1}, {"number", "1006"}})["call"];
  ASSERT_TRUE(c.WaitState(leg1, "connected"));
  ASSERT_TRUE(c.WaitState(leg2, "connected"));
  const std::uint64_t conference = c.Ok("conference.create", {{"calls", {leg1, leg2}}})["conference"];
  c.Ok("call.drop", {{"call", conference}});
  ASSERT_TRUE(c.WaitState(leg1, "idle"));
  ASSERT_TRUE(c.WaitState(leg2, "idle"));

  // 6. A bridged span: station A alerts and answers, B joins, A leaves
  // (inactive: no record yet), B, the last one on the call, clears it.
  ApiClient b(socket_);
  ASSERT_TRUE(b.connected());
  Station(b, 2);
  ApiClient a(socket_);
  ASSERT_TRUE(a.connected());
  Station(a, 2);
  c.Ok("sim.call", {{"span", 2}, {"number", "5001"}});
  auto a_new = a.WaitNew();
  ASSERT_TRUE(a_new);
  const std::uint64_t party = (*a_new)["call"];
  ASSERT_TRUE(b.WaitNew());
  a.Ok("call.alert", {{"call", party}});
  a.Ok("call.answer", {{"call", party}});
  ASSERT_TRUE(b.WaitState(party, "connected"));
  b.Ok("call.join", {{"call", party}});
  a.Ok("call.drop", {{"call", party}});
  ASSERT_TRUE(a.WaitState(party, "inactive"));
  EXPECT_EQ(CdrStatus(c)["records"], 6) << "an inactive station's drop ends no Q.931 call";
  b.Ok("call.drop", {{"call", party}});
  ASSERT_TRUE(b.WaitState(party, "idle"));

  ASSERT_TRUE(WaitWritten(c, 7)) << CdrStatus(c).dump() << Log();
  const auto sqlite = SqliteRecords();
  const auto jsonl = JsonlRecords();
  ASSERT_EQ(sqlite.size(), 7u);
  ASSERT_EQ(jsonl.size(), 7u);
  auto records = ById(sqlite);
  EXPECT_EQ(records, ById(jsonl)) << "both stores hold the same records";
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  for (const auto& [id, r] : records) {
    EXPECT_EQ(r.instance, instance);
    EXPECT_EQ(r.host, host);
    EXPECT_EQ(r.bearer, "speech");
    EXPECT_GT(r.channel, 0) << id;
    EXPECT_LE(r.created, r.idle);
    ASSERT_TRUE(r.disconnected) << id;
    EXPECT_LE(*r.disconnected, r.idle);
    EXPECT_FALSE(r.retried);
    // Every call here was made or offered with plain numbers: unknown/unknown.
    EXPECT_EQ(r.called_ton, std::optional<std::string>("unknown")) << id;
    EXPECT_EQ(r.called_npi, std::optional<std::string>("unknown")) << id;
  }

  const cdr::Record& a1 = records.at(answered);
  EXPECT_EQ(a1.span_name, "trunk-a");
  EXPECT_EQ(a1.span, 1);
  EXPECT_EQ(a1.direction, "out");
  EXPECT_EQ(a1.called, "1001");
  EXPECT_EQ(a1.calling, "2000");
  EXPECT_EQ(a1.calling_ton, std::optional<std::string>("unknown"));
  EXPECT_EQ(a1.calling_npi, std::optional<std::string>("unknown"));
  ASSERT_TRUE(a1.setup && a1.connected);
  EXPECT_LE(a1.created, *a1.setup);
  EXPECT_LE(*a1.setup, *a1.connected);
  ASSERT_TRUE(a1.post_dial_delay_ms);
  EXPECT_EQ(*a1.post_dial_delay_ms, (a1.alerted ? *a1.alerted : *a1.connected) - *a1.setup);
  EXPECT_EQ(a1.billable_ms, *a1.disconnected - *a1.connected);
  EXPECT_EQ(a1.cause, 16);
  EXPECT_EQ(a1.cause_name, "normal_clearing");
  EXPECT_EQ(a1.mode, "normal");
  EXPECT_EQ(a1.origin, "local");
  EXPECT_EQ(a1.dropped_by_uid, ::getuid());
  ASSERT_TRUE(a1.uui_sent);
  EXPECT_EQ(a1.uui_sent->protocol, 4);
  EXPECT_EQ(a1.uui_sent->hex, "627965");
  EXPECT_FALSE(a1.uui_received);
  EXPECT_FALSE(a1.conference);
  EXPECT_EQ(a1.tag, "order-17");
  EXPECT_FALSE(records.at(busy).tag);

  const cdr::Record& b2 = records.at(busy);
  EXPECT_EQ(b2.cause, 17);
  EXPECT_EQ(b2.cause_name, "user_busy");
  EXPECT_EQ(b2.mode, "busy");
  EXPECT_EQ(b2.origin, "remote");
  EXPECT_FALSE(b2.connected);
  EXPECT_EQ(b2.billable_ms, 0);
  EXPECT_FALSE(b2.dropped_by_uid) << "the far end cleared it";

  const cdr::Record& o3 = records.at(offered);
  EXPECT_EQ(o3.direction, "in");
  EXPECT_EQ(o3.called, "3001");
  EXPECT_EQ(o3.calling, "4001");
  EXPECT_EQ(o3.cause, 21);
  EXPECT_EQ(o3.mode, "reject");
  EXPECT_EQ(o3.origin, "local");
  EXPECT_EQ(o3.dropped_by_uid, ::getuid());
  EXPECT_FALSE(o3.connected);
  EXPECT_FALSE(o3.post_dial_delay_ms) << "only for calls we place";

  const cdr::Record& r4 = records.at(remote);
  EXPECT_EQ(r4.origin, "remote");
  EXPECT_EQ(r4.cause, 16);
  ASSERT_TRUE(r4.uui_received);
  EXPECT_EQ(r4.uui_received->protocol, 0);
  EXPECT_EQ(r4.uui_received->hex, "0102");
  EXPECT_FALSE(r4.dropped_by_uid);
  EXPECT_GT(r4.billable_ms, -1);

  for (std::uint64_t leg : {leg1, leg2}) {
    const cdr::Record& l = records.at(leg);
    ASSERT_TRUE(l.conference) << leg;
    EXPECT_EQ(*l.conference, conference);
    EXPECT_EQ(l.origin, "local");
    EXPECT_EQ(l.dropped_by_uid, ::getuid());
  }
  EXPECT_FALSE(records.count(conference)) << "a conference has no Q.931 call of its own";

  // prictl reads the same database, asked of prid where it is.
  auto table = Prictl({"cdr", "--limit", "3"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("5001"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("1001"), std::string::npos) << "only the last 3:\n" << table.out;
  auto one = Prictl({"cdr", "--number", "2000", "--json"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  auto line = cdr::FromJson(json::parse(one.out, nullptr, false));
  ASSERT_TRUE(line) << one.out;
  EXPECT_EQ(*line, a1);
  auto status_text = Prictl({"cdr", "status"});
  EXPECT_EQ(status_text.exit_code, 0) << status_text.err;
  EXPECT_NE(status_text.out.find(dir_.File("cdr.sqlite")), std::string::npos) << status_text.out;

  const cdr::Record& p6 = records.at(party);
  EXPECT_EQ(p6.span, 2);
  EXPECT_EQ(p6.span_name, "party");
  EXPECT_EQ(p6.direction, "in");
  EXPECT_EQ(p6.called, "5001");
  ASSERT_TRUE(p6.alerted && p6.connected) << "alerted and answered at station A";
  EXPECT_LE(*p6.alerted, *p6.connected);
  EXPECT_EQ(p6.origin, "local");
}

TEST_F(CdrEndToEnd, StatusShowsTheStoresAndTheSpool) {
  ASSERT_TRUE(StartPrid("", CdrTable() + kSpans)) << Log();
  ApiClient c(socket_);
  ASSERT_TRUE(c.connected());
  const json s = CdrStatus(c);
  EXPECT_EQ(s["enabled"], true);
  EXPECT_EQ(s["spool"]["dir"], dir_.File("spool"));
  EXPECT_EQ(s["spool"]["max_bytes"], 64u << 20);
  ASSERT_EQ(s["stores"].size(), 2u);
  EXPECT_EQ(s["stores"][0]["kind"], "sqlite");
  EXPECT_EQ(s["stores"][0]["target"], dir_.File("cdr.sqlite"));
  EXPECT_EQ(s["stores"][1]["kind"], "jsonl");
  EXPECT_EQ(s["stores"][1]["state"], "ok");
}

TEST_F(CdrEndToEnd, WithoutCdrTableNothingIsWritten) {
  ASSERT_TRUE(StartPrid("", kSpans)) << Log();
  ApiClient c(socket_);
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(CdrStatus(c), json({{"enabled", false}}));
}

// A store that cannot be opened keeps the records in the spool; the spool on
// a full disk (the file size limit: write() fails as on ENOSPC) refuses a
// record with a clear error that carries the whole record, counts it, and
// calls go on.
TEST_F(CdrEndToEnd, AFullDiskRefusesRecordsAndCallsGoOn) {
  std::ofstream(dir_.File("prid.conf"))
      << "[daemon]\nsocket = \"" << socket_ << "\"\nlog_level = \"warning\"\n"
      << "[cdr]\nsqlite = \"" << dir_.File("missing/cdr.sqlite") << "\"\nspool = \"" << dir_.File("spool")
      << "\"\n"
      << kSpans;
  daemon_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/prlimit", "--fsize=65536", Env("PRID_BIN"), "-c", dir_.File("prid.conf")},
      dir_.File("prid.log"));
  ASSERT_TRUE(WaitUp()) << Log();
  ApiClient c(socket_);
  ASSERT_TRUE(c.connected());
  Station(c, 1);
  c.Ok("sim.policy", {{"span", 1}, {"on_setup", "reject"}});
  std::uint64_t last_call = 0;
  int made = 0;
  for (; made < 400 && CdrStatus(c)["spool"]["refused"] == 0; ++made) {
    last_call = c.Ok("call.make", {{"span", 1}, {"number", "1001"}})["call"];
    ASSERT_TRUE(c.WaitState(last_call, "idle")) << made;
  }
  ASSERT_LT(made, 400) << CdrStatus(c).dump();
  // The writer may not have tried the store yet when the spool filled up.
  ASSERT_TRUE(WaitCdr(c, [](const json& s) { return s["stores"][0]["state"] == "retrying"; }))
      << CdrStatus(c).dump();
  const json s = CdrStatus(c);
  EXPECT_EQ(s["spool"]["refused"], 1);
  EXPECT_NE(s["stores"][0]["last_error"].get<std::string>().find(dir_.File("missing/cdr.sqlite")), std::string::npos)
      << s.dump();
  const std::string log = Log();
  EXPECT_NE(log.find("cannot write the record of call " + std::to_string(last_call)), std::string::npos) << log;
  EXPECT_NE(log.find("\"call_id\":" + std::to_string(last_call)), std::string::npos)
      << "the refused record is in the log whole";
  // Calls go on.
  c.Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}});
  const std::uint64_t next = c.Ok("call.make", {{"span", 1}, {"number", "1002"}})["call"];
  ASSERT_TRUE(c.WaitState(next, "connected"));
  c.Ok("call.drop", {{"call", next}});
  ASSERT_TRUE(c.WaitState(next, "idle"));
}

TEST_F(CdrEndToEnd, ASecondPridOnTheSameSpoolIsRefusedAtStart) {
  ASSERT_TRUE(StartPrid("", CdrTable() + kSpans)) << Log();
  std::ofstream(dir_.File("second.conf")) << "[daemon]\nsocket = \"" << dir_.File("second.sock") << "\"\n"
                                          << CdrTable() << kSpans;
  auto second = RunProcess({Env("PRID_BIN"), "-c", dir_.File("second.conf")});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("in use by another prid"), std::string::npos) << second.err;
}

}  // namespace
}  // namespace prid::testing
