// Tests of `prictl cdr` and `prictl cdr status`: the command line, --since,
// the status for people, where the records are read (the options, else
// cdr.status from a fake prid) and the records of a real SQLite file.
#include "cli/cdr_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "cdr/sqlite_store.h"
#include "cli/app.h"
#include "cli/format.h"
#include "tests/cli/fake_connection.h"
#include "tests/support/temp_dir.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using testing::FakeDaemon;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr cdr::EpochMs kMinute = 60 * 1000;

cdr::EpochMs At(const char* rfc3339) {
  auto t = cdr::ParseTime(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : 0;
}

cdr::EpochMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Command Parsed(const std::vector<std::string>& args, Grammar grammar = Grammar::kCommandLine) {
  std::ostringstream out;
  std::ostringstream err;
  ParseOutcome outcome = ParseCommandLine(args, grammar, "/default.sock", out, err);
  EXPECT_TRUE(outcome.invocation.has_value()) << err.str();
  return outcome.invocation ? outcome.invocation->command : Command{};
}

int UsageExit(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  ParseOutcome outcome = ParseCommandLine(args, Grammar::kCommandLine, "/default.sock", out, err);
  EXPECT_FALSE(outcome.invocation.has_value());
  return outcome.exit_code;
}

// --- the command line ---

TEST(CdrCommand, DefaultsToTheLastFiftyFromPrid) {
  Command command = Parsed({"cdr"});
  EXPECT_EQ(command.action, Action::kCdr);
  EXPECT_EQ(command.cdr.limit, 50u);
  EXPECT_FALSE(command.cdr.since || command.cdr.span || command.cdr.number || command.cdr.cause);
  EXPECT_FALSE(command.cdr.sqlite || command.cdr.postgresql);
}

TEST(CdrCommand, TakesEveryFilter) {
  Command command = Parsed({"cdr", "--since", "2h", "--span", "2", "--number", "200", "--cause", "17", "--limit",
                            "5", "--sqlite", "/var/lib/prid/cdr.sqlite", "--json"});
  EXPECT_EQ(command.cdr.since, "2h");
  EXPECT_EQ(command.cdr.span, 2);
  EXPECT_EQ(command.cdr.number, "200");
  EXPECT_EQ(command.cdr.cause, 17);
  EXPECT_EQ(command.cdr.limit, 5u);
  EXPECT_EQ(command.cdr.sqlite, "/var/lib/prid/cdr.sqlite");
  EXPECT_EQ(Parsed({"cdr", "--postgresql", "host=db dbname=prid"}).cdr.postgresql, "host=db dbname=prid");
}

TEST(CdrCommand, StatusSendsCdrStatus) {
  Command status = Parsed({"cdr", "status"});
  EXPECT_EQ(status.action, Action::kRequest);
  EXPECT_EQ(status.request.method, "cdr.status");
  EXPECT_EQ(status.request.params, json::object());
  EXPECT_EQ(status.view, View::kCdrStatus);
  EXPECT_EQ(Parsed({"cdr", "status"}, Grammar::kScript).request.method, "cdr.status") << "in run scripts too";
}

TEST(CdrCommand, BadOptionsAreUsageErrors) {
  EXPECT_EQ(UsageExit({"cdr", "--sqlite", "a", "--postgresql", "b"}), kExitUsage);
  EXPECT_EQ(UsageExit({"cdr", "--cause", "200"}), kExitUsage);
  EXPECT_EQ(UsageExit({"cdr", "--span", "0"}), kExitUsage);
  EXPECT_EQ(UsageExit({"cdr", "--limit", "0"}), kExitUsage);
  EXPECT_EQ(UsageExit({"cdr", "--span", "1", "status"}), kExitUsage) << "status takes no filters";
}

// --- --since ---

TEST(CdrSince, RelativeFormsCountBackFromNow) {
  const cdr::EpochMs now = At("2026-12-03T12:00:00.000Z");
  EXPECT_EQ(*ParseSince("10m", now), now - 10 * kMinute);
  EXPECT_EQ(*ParseSince("2h", now), now - 120 * kMinute);
  EXPECT_EQ(*ParseSince("1d", now), now - 24 * 60 * kMinute);
  EXPECT_EQ(*ParseSince("30s", now), now - 30 * 1000);
  EXPECT_EQ(*ParseSince("0m", now), now);
}

TEST(CdrSince, Rfc3339WithOrWithoutMilliseconds) {
  const cdr::EpochMs now = At("2026-12-03T12:00:00.000Z");
  EXPECT_EQ(*ParseSince("2026-12-01T08:30:00.250Z", now), At("2026-12-01T08:30:00.250Z"));
  EXPECT_EQ(*ParseSince("2026-12-01T08:30:00Z", now), At("2026-12-01T08:30:00.000Z"));
}

TEST(CdrSince, AnythingElseNamesTheFormsItTakes) {
  const cdr::EpochMs now = At("2026-12-03T12:00:00.000Z");
  for (const char* bad : {"", "m", "10", "10x", "-5m", "1.5h", "h10", "yesterday", "2026-12-01 08:30:00"}) {
    auto since = ParseSince(bad, now);
    ASSERT_FALSE(since.ok()) << bad;
    EXPECT_THAT(since.error(), HasSubstr("10m, 2h, 1d")) << bad;
  }
  auto ancient = ParseSince("999999999d", now);
  ASSERT_FALSE(ancient.ok());
  EXPECT_THAT(ancient.error(), HasSubstr("before 1970"));
}

TEST(CdrSince, QueryCarriesTheFilters) {
  CdrOptions options;
  options.since = "10m";
  options.span = 3;
  options.number = "555";
  options.cause = 34;
  options.limit = 7;
  const cdr::EpochMs now = At("2026-12-03T12:00:00.000Z");
  auto query = CdrQuery(options, now);
  ASSERT_TRUE(query.ok()) << query.error();
  EXPECT_EQ(query->since, now - 10 * kMinute);
  EXPECT_EQ(query->span, 3);
  EXPECT_EQ(query->number, "555");
  EXPECT_EQ(query->cause, 34);
  EXPECT_EQ(query->limit, 7u);
  options.since = "soon";
  EXPECT_FALSE(CdrQuery(options, now).ok());
}

// --- cdr status ---

std::string Status(const json& status) {
  std::ostringstream out;
  WriteCdrStatus(out, status);
  return out.str();
}

TEST(CdrStatusView, HealthyWriterAndStore) {
  const json status = json::parse(R"({"enabled":true,"records":12,
    "spool":{"dir":"/var/lib/prid/cdr-spool","bytes":2048,"max_bytes":67108864,"pending":0,"refused":0,"warning":false},
    "stores":[{"kind":"sqlite","target":"/var/lib/prid/cdr.sqlite","state":"ok","written":12,"pending":0,
               "last_error":null,"last_error_at":null}]})");
  EXPECT_EQ(Status(status),
            "enabled        yes\n"
            "records made   12\n"
            "spool          /var/lib/prid/cdr-spool\n"
            "spool size     2.0 KiB of 64.0 MiB (0 %)\n"
            "spool pending  0\n"
            "spool refused  0\n"
            "\n"
            "KIND    TARGET                    STATE  WRITTEN  PENDING  LAST ERROR\n"
            "sqlite  /var/lib/prid/cdr.sqlite  ok     12       0        -\n");
}

TEST(CdrStatusView, SpoolAtEightyPercentWarns) {
  const json status = json::parse(R"({"enabled":true,"records":400,
    "spool":{"dir":"/s","bytes":850000,"max_bytes":1000000,"pending":390,"refused":0,"warning":true},
    "stores":[]})");
  const std::string text = Status(status);
  EXPECT_THAT(text, HasSubstr("spool size     830.1 KiB of 976.6 KiB (85 %)\n"));
  EXPECT_THAT(text, HasSubstr("\nWARNING: the spool is 85 % full"));
  EXPECT_THAT(text, Not(HasSubstr("could not take")));
  EXPECT_THAT(text, HasSubstr("\nno stores\n"));

  const json below = json::parse(R"({"enabled":true,"records":1,
    "spool":{"dir":"/s","bytes":790000,"max_bytes":1000000,"pending":1,"refused":0,"warning":false},"stores":[]})");
  EXPECT_THAT(Status(below), Not(HasSubstr("WARNING")));
  // Our own reckoning too, should prid's flag be missing.
  const json unflagged = json::parse(R"({"enabled":true,"records":1,
    "spool":{"dir":"/s","bytes":800000,"max_bytes":1000000,"pending":1,"refused":0},"stores":[]})");
  EXPECT_THAT(Status(unflagged), HasSubstr("WARNING: the spool is 80 % full"));
}

TEST(CdrStatusView, RetryingStoreShowsItsLastErrorWithItsTime) {
  const json status = json::parse(R"({"enabled":true,"records":30,
    "spool":{"dir":"/var/lib/prid/cdr-spool","bytes":9000,"max_bytes":67108864,"pending":18,"refused":2,"warning":false},
    "stores":[{"kind":"sqlite","target":"/var/lib/prid/cdr.sqlite","state":"ok","written":30,"pending":0,
               "last_error":null,"last_error_at":null},
              {"kind":"postgresql","target":"host=db dbname=prid","state":"retrying","written":12,"pending":18,
               "last_error":"PostgreSQL CDR store host=db dbname=prid: connecting: Connection refused",
               "last_error_at":"2026-12-03T12:00:05.250Z"}]})");
  const std::string text = Status(status);
  EXPECT_THAT(text, HasSubstr("spool refused  2\n"));
  EXPECT_THAT(text, HasSubstr("WARNING: the spool could not take 2 records (full disk or max_bytes)\n"));
  EXPECT_THAT(text, Not(HasSubstr("% full")));
  EXPECT_THAT(text,
              HasSubstr("KIND        TARGET                    STATE     WRITTEN  PENDING  LAST ERROR\n"
                        "sqlite      /var/lib/prid/cdr.sqlite  ok        30       0        -\n"
                        "postgresql  host=db dbname=prid       retrying  12       18       "
                        "2026-12-03T12:00:05.250Z: PostgreSQL CDR store host=db dbname=prid: connecting: "
                        "Connection refused\n"));
}

TEST(CdrStatusView, Disabled) {
  EXPECT_EQ(Status(json{{"enabled", false}}), "enabled  no\n");
  EXPECT_EQ(Status(json::object()), "enabled        -\n"
                                    "records made   -\n"
                                    "spool          -\n"
                                    "spool size     - of -\n"
                                    "spool pending  -\n"
                                    "spool refused  -\n")
      << "missing fields show as -";
}

// --- where the records are read ---

TEST(CdrSource, PrefersSqliteThenPostgresql) {
  auto both = CdrSourceFromStatus(json::parse(R"({"enabled":true,"stores":[
      {"kind":"jsonl","target":"/var/log/prid/cdr.jsonl"},
      {"kind":"postgresql","target":"host=db dbname=prid"},
      {"kind":"sqlite","target":"/var/lib/prid/cdr.sqlite"}]})"));
  ASSERT_TRUE(both.ok()) << both.error();
  EXPECT_EQ(both->kind, "sqlite");
  EXPECT_EQ(both->target, "/var/lib/prid/cdr.sqlite");
  EXPECT_TRUE(both->from_prid);
  auto postgresql = CdrSourceFromStatus(json::parse(R"({"enabled":true,"stores":[
      {"kind":"jsonl","target":"/var/log/prid/cdr.jsonl"},{"kind":"postgresql","target":"host=db dbname=prid"}]})"));
  ASSERT_TRUE(postgresql.ok()) << postgresql.error();
  EXPECT_EQ(postgresql->kind, "postgresql");
  EXPECT_EQ(postgresql->target, "host=db dbname=prid");
}

TEST(CdrSource, NoSqlStoreSaysWhatToSet) {
  const std::string expected =
      "prid writes no SQLite or PostgreSQL CDRs: set [cdr] sqlite or postgresql in prid.conf, or name a "
      "database with --sqlite/--postgresql";
  for (const char* status : {R"({"enabled":true,"stores":[{"kind":"jsonl","target":"/var/log/prid/cdr.jsonl"}]})",
                             R"({"enabled":true,"stores":[]})", R"({"enabled":false})"}) {
    auto source = CdrSourceFromStatus(json::parse(status));
    ASSERT_FALSE(source.ok()) << status;
    EXPECT_EQ(source.error(), expected) << status;
  }
}

TEST(CdrSource, OptionsComeFirst) {
  CdrOptions options;
  EXPECT_FALSE(CdrSourceFromOptions(options).has_value());
  options.postgresql = "dbname=x";
  EXPECT_EQ(CdrSourceFromOptions(options)->kind, "postgresql");
  options.sqlite = "/x.sqlite";
  EXPECT_EQ(CdrSourceFromOptions(options)->kind, "sqlite");
  EXPECT_FALSE(CdrSourceFromOptions(options)->from_prid);
}

// --- the records, from a real SQLite file through prictl ---

cdr::Record MakeRecord(std::uint64_t call_id, const char* idle, int span, const char* span_name, int channel,
                       const char* direction, const char* called, const char* calling) {
  cdr::Record r;
  r.call_id = call_id;
  r.host = "pbx1";
  r.instance = "i-1";
  r.span = span;
  r.span_name = span_name;
  r.channel = channel;
  r.direction = direction;
  r.called = called;
  r.calling = calling;
  r.bearer = "speech";
  r.idle = At(idle);
  r.created = r.idle - 20000;
  r.setup = r.created;
  r.disconnected = r.idle - 100;
  r.mode = "normal";
  return r;
}

// Three calls: answered with UUI on span 1, busy on span 2, and an
// outgoing call without a cause or a B-channel on span 1.
std::vector<cdr::Record> ThreeCalls() {
  cdr::Record answered = MakeRecord(1, "2026-12-03T10:00:05.500Z", 1, "trunk-a", 1, "in", "200", "100");
  answered.connected = answered.idle - 12445;
  answered.billable_ms = 12345;
  answered.cause = 16;
  answered.cause_name = "normal_clearing";
  answered.origin = "remote";
  answered.uui_received = cdr::Uui{4, "6869"};
  cdr::Record busy = MakeRecord(2, "2026-12-03T10:05:00.000Z", 2, "trunk-b", 3, "out", "300", "200");
  busy.cause = 17;
  busy.cause_name = "user_busy";
  busy.mode = "busy";
  busy.origin = "remote";
  busy.post_dial_delay_ms = 800;
  cdr::Record local = MakeRecord(3, "2026-12-03T10:10:00.999Z", 1, "trunk-a", 0, "out", "400", "");
  local.connected = local.idle - 100;
  local.billable_ms = 100;
  local.origin = "local";
  local.uui_sent = cdr::Uui{4, "00"};
  return {answered, busy, local};
}

class CdrQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty()) << "no temporary directory";
    Write(ThreeCalls());
  }

  void Write(const std::vector<cdr::Record>& records) { Write(path_, records); }
  void Write(const std::string& path, const std::vector<cdr::Record>& records) {
    cdr::SqliteStore store(path, cdr::SqliteStore::Access::kWrite);
    ASSERT_TRUE(store.Open().ok());
    base::Status written = store.Write(records);
    ASSERT_TRUE(written.ok()) << written.message();
  }

  // prid's cdr.status names `stores`.
  void PridStores(json stores) {
    daemon_->handler = [stores](const std::string& method, const json&) -> FakeDaemon::Reply {
      if (method != "cdr.status") return json::object();
      return json{{"enabled", true}, {"records", 3}, {"stores", stores}};
    };
  }

  int Run(const std::vector<std::string>& args) {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    Environment env;
    env.prid_socket = "/test.sock";
    env.connect = [this](const std::string& path) -> base::Result<std::unique_ptr<Connection>> {
      connected_to_ = path;
      if (refuse_reason_) return base::Fail(*refuse_reason_);
      return std::unique_ptr<Connection>(std::make_unique<testing::FakeConnection>(daemon_));
    };
    int code = Main(args, in, out, err, env);
    out_ = out.str();
    err_ = err.str();
    return code;
  }

  // The call ids of --json output, one line each.
  std::vector<std::uint64_t> JsonCalls() const {
    std::vector<std::uint64_t> calls;
    std::istringstream lines(out_);
    for (std::string line; std::getline(lines, line);) {
      json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
      EXPECT_TRUE(record.is_object()) << line;
      if (record.is_object()) calls.push_back(record.value("call_id", std::uint64_t{0}));
    }
    return calls;
  }

  std::vector<std::uint64_t> Calls(std::vector<std::string> filters) { return Calls(path_, std::move(filters)); }
  std::vector<std::uint64_t> Calls(const std::string& path, std::vector<std::string> filters) {
    std::vector<std::string> args = {"cdr", "--sqlite", path, "--json"};
    args.insert(args.end(), filters.begin(), filters.end());
    EXPECT_EQ(Run(args), 0) << err_;
    return JsonCalls();
  }

  prid::testing::TempDir dir_;
  std::string path_ = dir_.File("cdr.sqlite");
  std::shared_ptr<FakeDaemon> daemon_ = std::make_shared<FakeDaemon>();
  std::optional<std::string> refuse_reason_;
  std::string connected_to_;
  std::string out_;
  std::string err_;
};

TEST_F(CdrQueryTest, TableOfPridsSqliteStore) {
  PridStores(json::array({{{"kind", "jsonl"}, {"target", dir_.File("cdr.jsonl")}},
                          {{"kind", "postgresql"}, {"target", "host=/nonexistent dbname=prid"}},
                          {{"kind", "sqlite"}, {"target", path_}}}));
  ASSERT_EQ(Run({"cdr"}), 0) << err_;
  EXPECT_THAT(daemon_->Methods(), ElementsAre("cdr.status"));
  EXPECT_EQ(connected_to_, "/test.sock");
  EXPECT_EQ(err_, "");
  EXPECT_EQ(out_,
            "ENDED (UTC)          CALL  SPAN         CH  DIR  CALLED  CALLING  BILLED  CAUSE               ORIGIN  UUI\n"
            "2026-12-03 10:00:05  1     1 (trunk-a)  1   in   200     100      12.3    16 normal_clearing  remote  yes\n"
            "2026-12-03 10:05:00  2     2 (trunk-b)  3   out  300     200      -       17 user_busy        remote  no\n"
            "2026-12-03 10:10:00  3     1 (trunk-a)  -   out  400     -        0.1     -                   local   yes\n");
}

TEST_F(CdrQueryTest, JsonIsOneRecordPerLine) {
  PridStores(json::array({{{"kind", "sqlite"}, {"target", path_}}}));
  ASSERT_EQ(Run({"cdr", "--json"}), 0) << err_;
  std::string expected;
  for (const cdr::Record& r : ThreeCalls()) expected += JsonLine(cdr::ToJson(r)) + "\n";
  EXPECT_EQ(out_, expected);
}

TEST_F(CdrQueryTest, FiltersReachTheStore) {
  EXPECT_THAT(Calls({}), ElementsAre(1, 2, 3));
  EXPECT_THAT(Calls({"--span", "1"}), ElementsAre(1, 3));
  EXPECT_THAT(Calls({"--number", "200"}), ElementsAre(1, 2)) << "called or calling";
  EXPECT_THAT(Calls({"--cause", "17"}), ElementsAre(2));
  EXPECT_THAT(Calls({"--limit", "2"}), ElementsAre(2, 3)) << "the last two, oldest first";
  EXPECT_THAT(Calls({"--since", "2026-12-03T10:05:00Z"}), ElementsAre(2, 3));
  EXPECT_THAT(Calls({"--span", "1", "--number", "400"}), ElementsAre(3));
  EXPECT_THAT(Calls({"--number", "999"}), ElementsAre());
  EXPECT_TRUE(connected_to_.empty()) << "--sqlite needs no prid";
}

TEST_F(CdrQueryTest, RelativeSinceCountsFromNow) {
  const cdr::EpochMs now = NowMs();
  cdr::Record old_call = ThreeCalls()[0];
  old_call.call_id = 10;
  old_call.idle = now - 120 * kMinute;
  cdr::Record recent = ThreeCalls()[1];
  recent.call_id = 11;
  recent.idle = now - 10 * kMinute;
  const std::string path = dir_.File("recent.sqlite");
  Write(path, {old_call, recent});
  EXPECT_THAT(Calls(path, {"--since", "1h"}), ElementsAre(11));
  EXPECT_THAT(Calls(path, {"--since", "3h"}), ElementsAre(10, 11));
}

TEST_F(CdrQueryTest, NoMatchSaysSo) {
  ASSERT_EQ(Run({"cdr", "--sqlite", path_, "--cause", "99"}), 0) << err_;
  EXPECT_EQ(out_, "no CDRs match\n");
}

TEST_F(CdrQueryTest, PridWithoutSqlStoreIsAnError) {
  PridStores(json::array({{{"kind", "jsonl"}, {"target", dir_.File("cdr.jsonl")}}}));
  EXPECT_EQ(Run({"cdr"}), kExitError);
  EXPECT_EQ(out_, "");
  EXPECT_EQ(err_,
            "prictl: cdr: prid writes no SQLite or PostgreSQL CDRs: set [cdr] sqlite or postgresql in prid.conf, "
            "or name a database with --sqlite/--postgresql\n");
}

TEST_F(CdrQueryTest, PridWithCdrsOffIsTheSameError) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply { return json{{"enabled", false}}; };
  EXPECT_EQ(Run({"cdr"}), kExitError);
  EXPECT_THAT(err_, HasSubstr("prid writes no SQLite or PostgreSQL CDRs"));
}

TEST_F(CdrQueryTest, PridWithoutCdrStatusNamesTheOptions) {
  daemon_->handler = [](const std::string& method, const json&) -> FakeDaemon::Reply {
    return base::MakeUnexpected(FakeDaemon::Error(static_cast<int>(ipc::ErrorCode::kMethodNotFound),
                                                  "MethodNotFound", "no method " + method));
  };
  EXPECT_EQ(Run({"cdr"}), kExitError);
  EXPECT_THAT(err_, HasSubstr("MethodNotFound"));
  EXPECT_THAT(err_, HasSubstr("--sqlite PATH or --postgresql CONNINFO"));
}

TEST_F(CdrQueryTest, NoPridIsATransportError) {
  refuse_reason_ = "connection refused";
  EXPECT_EQ(Run({"cdr"}), kExitTransport);
  EXPECT_THAT(err_, HasSubstr("cannot connect to prid at /test.sock: connection refused"));
  EXPECT_THAT(err_, HasSubstr("--sqlite PATH"));
}

TEST_F(CdrQueryTest, MissingFileIsNotCreated) {
  const std::string missing = dir_.File("nothing.sqlite");
  EXPECT_EQ(Run({"cdr", "--sqlite", missing}), kExitError);
  EXPECT_THAT(err_, HasSubstr(missing));
  EXPECT_FALSE(std::filesystem::exists(missing)) << "read-only: never creates the file";
}

TEST_F(CdrQueryTest, UnreachablePostgresqlFromPridHintsAtThePassword) {
  PridStores(json::array({{{"kind", "postgresql"}, {"target", "host=" + dir_.File("no-server") + " dbname=prid"}}}));
  EXPECT_EQ(Run({"cdr"}), kExitError);
  EXPECT_THAT(err_, HasSubstr("prictl: cdr: "));
  EXPECT_THAT(err_, HasSubstr("without its password"));
  EXPECT_EQ(Run({"cdr", "--postgresql", "host=" + dir_.File("no-server") + " dbname=prid"}), kExitError);
  EXPECT_THAT(err_, Not(HasSubstr("without its password"))) << "a conninfo given is used as it is";
}

TEST_F(CdrQueryTest, BadSinceIsAUsageError) {
  EXPECT_EQ(Run({"cdr", "--sqlite", path_, "--since", "lately"}), kExitUsage);
  EXPECT_THAT(err_, HasSubstr("--since 'lately'"));
  EXPECT_EQ(out_, "");
}

TEST_F(CdrQueryTest, StatusShowsOrPassesThrough) {
  const json status = {{"enabled", false}};
  daemon_->handler = [status](const std::string&, const json&) -> FakeDaemon::Reply { return status; };
  ASSERT_EQ(Run({"cdr", "status"}), 0) << err_;
  EXPECT_THAT(daemon_->Methods(), ElementsAre("cdr.status"));
  EXPECT_EQ(out_, "enabled  no\n");
  ASSERT_EQ(Run({"cdr", "status", "--json"}), 0) << err_;
  EXPECT_EQ(out_, JsonLine(status) + "\n");
}

}  // namespace
}  // namespace prid::cli
