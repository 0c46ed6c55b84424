// End to end with a real PostgreSQL server that the test starts on a Unix
// socket of its own: prid writes its CDRs there; the server stopped in the
// middle of 500 calls, and prid killed (SIGKILL) while the server is down,
// lose no record and write none twice.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "cdr/postgres_store.h"
#include "tests/e2e/cdr_e2e.h"
#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/postgres_server.h"

namespace prid::testing {
namespace {

using nlohmann::json;

constexpr const char* kSpan = "[[span]]\nspan = 1\nname = \"trunk-a\"\ndriver = \"sim\"\npeer = \"builtin\"\n";

class CdrPostgresEndToEnd : public CdrE2eTest {
 protected:
  void SetUp() override { ASSERT_TRUE(pg_.Start().ok()) << "PostgreSQL did not start"; }

  std::string Config() const {
    return "[cdr]\npostgresql = \"" + pg_.conninfo() + "\"\njsonl = \"" + dir_.File("cdr.jsonl") +
           "\"\nspool = \"" + dir_.File("spool") + "\"\n" + kSpan;
  }

  std::vector<cdr::Record> Rows() {
    cdr::PostgresStore store(pg_.conninfo());
    auto st = store.Open();
    EXPECT_TRUE(st.ok()) << st.message();
    return AllRecords(store);
  }

  std::size_t JsonlLines() {
    std::ifstream in(dir_.File("cdr.jsonl"));
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }

  // `n` calls the far end rejects (each goes idle at once), ten at a time;
  // their ids in `made`.
  void MakeCalls(ApiClient& c, int n, std::set<std::uint64_t>& made) {
    for (int done = 0; done < n; done += 10) {
      std::vector<std::uint64_t> batch;
      for (int i = 0; i < 10 && done + i < n; ++i) {
        batch.push_back(c.Ok("call.make", {{"span", 1}, {"number", std::to_string(1000 + done + i)}})["call"]);
      }
      for (std::uint64_t id : batch) {
        ASSERT_TRUE(c.WaitState(id, "idle")) << "call " << id;
        made.insert(id);
      }
    }
  }

  PostgresServer pg_;
};

TEST_F(CdrPostgresEndToEnd, TheServerStoppedMidLoadGetsEveryRecordOnceWhenBack) {
  ASSERT_TRUE(StartPrid("", Config())) << Log();
  ApiClient c(socket_);
  ASSERT_TRUE(c.connected());
  Station(c, 1);
  c.Ok("sim.policy", {{"span", 1}, {"on_setup", "reject"}});
  std::set<std::uint64_t> made;
  MakeCalls(c, 200, made);
  ASSERT_TRUE(pg_.Stop().ok());
  MakeCalls(c, 300, made);
  ASSERT_EQ(made.size(), 500u);

  ASSERT_TRUE(WaitCdr(c, [](const json& st) { return st["stores"][0]["state"] == "retrying"; }))
      << CdrStatus(c).dump();
  json s = CdrStatus(c);
  EXPECT_EQ(s["records"], 500);
  ASSERT_EQ(s["stores"][0]["kind"], "postgresql");
  EXPECT_GT(s["stores"][0]["pending"].get<int>(), 0) << s.dump();
  EXPECT_FALSE(s["stores"][0]["last_error"].is_null());
  EXPECT_GT(s["spool"]["pending"].get<int>(), 0) << "kept for the store that is down";

  ASSERT_TRUE(pg_.Start().ok());
  ASSERT_TRUE(WaitWritten(c, 500)) << CdrStatus(c).dump() << Log();
  s = CdrStatus(c);
  EXPECT_EQ(s["stores"][0]["state"], "ok");
  EXPECT_EQ(s["stores"][0]["written"], 500) << "each record committed once";
  EXPECT_EQ(s["spool"]["pending"], 0);

  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 500u);
  std::set<std::uint64_t> ids;
  for (const auto& r : rows) ids.insert(r.call_id);
  EXPECT_EQ(ids, made);
  EXPECT_EQ(JsonlLines(), 500u) << "the JSON lines went on while PostgreSQL was down, each once";

  // prictl reads them back from the server, asked of prid where it is.
  auto listed = Prictl({"cdr", "--json", "--limit", "1000"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::set<std::uint64_t> listed_ids;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    auto r = cdr::FromJson(json::parse(line, nullptr, false));
    ASSERT_TRUE(r) << line;
    listed_ids.insert(r->call_id);
  }
  EXPECT_EQ(listed_ids, made);
  auto busy = Prictl({"cdr", "--postgresql", pg_.conninfo(), "--number", "1042"});
  ASSERT_EQ(busy.exit_code, 0) << busy.err;
  EXPECT_NE(busy.out.find("1042"), std::string::npos) << busy.out;
  EXPECT_EQ(busy.out.find("1043"), std::string::npos) << busy.out;
  EXPECT_NE(Log().find("is back"), std::string::npos);
}

TEST_F(CdrPostgresEndToEnd, PridKilledWhileTheServerIsDownResendsEveryRecordOnceAfterARestart) {
  ASSERT_TRUE(StartPrid("", Config())) << Log();
  std::set<std::uint64_t> made;
  std::string first_instance;
  {
    ApiClient c(socket_);
    ASSERT_TRUE(c.connected());
    Station(c, 1);
    first_instance = c.Ok("daemon.status")["instance"];
    c.Ok("sim.policy", {{"span", 1}, {"on_setup", "reject"}});
    MakeCalls(c, 20, made);
    ASSERT_TRUE(WaitWritten(c, 20)) << CdrStatus(c).dump();
    ASSERT_TRUE(pg_.Stop().ok());
    MakeCalls(c, 30, made);
    EXPECT_EQ(CdrStatus(c)["stores"][0]["pending"], 30);
  }
  ::kill(daemon_->pid(), SIGKILL);
  daemon_->Wait();

  ASSERT_TRUE(pg_.Start().ok());
  daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{Env("PRID_BIN"), "-c", dir_.File("prid.conf")},
                                           dir_.File("prid.log"));
  ASSERT_TRUE(WaitUp()) << Log();
  ApiClient c(socket_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(WaitWritten(c, 0)) << CdrStatus(c).dump() << Log();
  EXPECT_NE(c.Ok("daemon.status")["instance"], first_instance);

  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 50u);
  std::set<std::uint64_t> ids;
  for (const auto& r : rows) {
    ids.insert(r.call_id);
    EXPECT_EQ(r.instance, first_instance) << "a resent record keeps the run it was made in";
  }
  EXPECT_EQ(ids, made);
  EXPECT_EQ(JsonlLines(), 50u);
}

}  // namespace
}  // namespace prid::testing
