// `prictl metrics` against a fake daemon: the requests of one scrape, span
// paging, stats.get span by span when too large, and prid_up 0 when prid
// is not there.
#include "cli/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "cli/app.h"
#include "cli/outcome.h"
#include "tests/cli/fake_connection.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using testing::FakeDaemon;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

json SpanEntry(int span) {
  return {{"span", span}, {"name", "span" + std::to_string(span)}, {"state", "up"}, {"bchannels", json::array()}};
}

json StatsEntry(int span) {
  return {{"span", span}, {"q921", {{"t200_retransmissions", span * 10}}}};
}

class MetricsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_->handler = [this](const std::string& method, const json& params) -> FakeDaemon::Reply {
      if (method == "daemon.status") return json{{"calls", {{"active", 2}}}, {"spans", span_count_}};
      if (method == "span.list") {
        json page = json::array();
        const int after = params.value("after", 0);
        for (int span = after + 1; span <= span_count_ && page.size() < 8u; ++span) page.push_back(SpanEntry(span));
        return page;
      }
      if (method == "stats.get") {
        if (stats_error_) return base::MakeUnexpected(*stats_error_);
        if (params.contains("span")) {
          return json{{"daemon", {{"clients_total", 5}}}, {"spans", {StatsEntry(params["span"].get<int>())}}};
        }
        if (too_large_) {
          return base::MakeUnexpected(FakeDaemon::Error(10, "ResultTooLarge", "the reply would pass 65536 bytes"));
        }
        json spans = json::array();
        for (int span = 1; span <= span_count_; ++span) spans.push_back(StatsEntry(span));
        return json{{"daemon", {{"clients_total", 5}}}, {"spans", spans}};
      }
      if (method == "cdr.status" && cdr_) return *cdr_;
      return base::MakeUnexpected(FakeDaemon::Error(-32601, "MethodNotFound", method));
    };
  }

  int Run(std::vector<std::string> args = {"metrics"}) {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    Environment env;
    env.prid_socket = "/test.sock";
    env.connect = [this](const std::string&) -> base::Result<std::unique_ptr<Connection>> {
      if (refused_) return base::Fail("connect /test.sock: No such file or directory");
      return std::unique_ptr<Connection>(std::make_unique<testing::FakeConnection>(daemon_));
    };
    const int code = Main(args, in, out, err, env);
    out_ = out.str();
    err_ = err.str();
    return code;
  }

  std::shared_ptr<FakeDaemon> daemon_ = std::make_shared<FakeDaemon>();
  int span_count_ = 1;
  bool too_large_ = false;
  bool refused_ = false;
  std::optional<ipc::RpcError> stats_error_;
  std::optional<json> cdr_;  // cdr.status's reply; none: MethodNotFound, a prid from before CDRs
  std::string out_;
  std::string err_;
};

TEST_F(MetricsCommandTest, OneScrapeAsksStatusSpansAndStatsOnOneConnection) {
  EXPECT_EQ(Run(), kExitOk) << err_;
  EXPECT_THAT(daemon_->Methods(), ElementsAre("daemon.status", "span.list", "stats.get", "cdr.status"));
  EXPECT_THAT(out_, HasSubstr("\nprid_up 1\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_calls_active 2\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_span_up{span=\"1\"} 1\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_q921_t200_retransmissions_total{span=\"1\"} 10\n"));
  EXPECT_EQ(err_, "");
}

TEST_F(MetricsCommandTest, CdrStatusGivesTheSpoolAndEachStore) {
  cdr_ = json{{"enabled", true},
              {"records", 12},
              {"spool", {{"bytes", 900}, {"max_bytes", 1000}, {"pending", 3}, {"refused", 1}, {"warning", true}}},
              {"stores", {{{"kind", "sqlite"}, {"state", "ok"}, {"written", 12}, {"pending", 0}},
                          {{"kind", "postgresql"}, {"state", "retrying"}, {"written", 9}, {"pending", 3}}}}};
  EXPECT_EQ(Run(), kExitOk) << err_;
  EXPECT_THAT(out_, HasSubstr("\nprid_cdr_records_total 12\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_cdr_spool_bytes 900\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_cdr_spool_max_bytes 1000\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_cdr_spool_pending_records 3\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_cdr_spool_refused_total 1\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_cdr_store_up{store=\"sqlite\"} 1\nprid_cdr_store_up{store=\"postgresql\"} 0\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_cdr_store_pending_records{store=\"postgresql\"} 3\n"));
}

TEST_F(MetricsCommandTest, CdrsOffGiveNoCdrFamilies) {
  cdr_ = json{{"enabled", false}};
  EXPECT_EQ(Run(), kExitOk) << err_;
  EXPECT_THAT(out_, Not(HasSubstr("prid_cdr")));
}

TEST_F(MetricsCommandTest, SpanListIsPagedUntilAShortPage) {
  span_count_ = 9;
  EXPECT_EQ(Run(), kExitOk) << err_;
  ASSERT_THAT(daemon_->Methods(), ElementsAre("daemon.status", "span.list", "span.list", "stats.get", "cdr.status"));
  EXPECT_EQ(daemon_->requests[1].second, (json{{"after", 0}, {"limit", 8}}));
  EXPECT_EQ(daemon_->requests[2].second, (json{{"after", 8}, {"limit", 8}}));
  EXPECT_THAT(out_, HasSubstr("\nprid_span_up{span=\"9\"} 1\n"));
}

TEST_F(MetricsCommandTest, StatsTooLargeForOneLineIsAskedSpanBySpan) {
  span_count_ = 2;
  too_large_ = true;
  EXPECT_EQ(Run(), kExitOk) << err_;
  EXPECT_THAT(daemon_->Methods(), ElementsAre("daemon.status", "span.list", "stats.get", "stats.get", "stats.get", "cdr.status"));
  EXPECT_EQ(daemon_->requests[3].second, (json{{"span", 1}}));
  EXPECT_EQ(daemon_->requests[4].second, (json{{"span", 2}}));
  EXPECT_THAT(out_, HasSubstr("\nprid_q921_t200_retransmissions_total{span=\"1\"} 10\n"
                              "prid_q921_t200_retransmissions_total{span=\"2\"} 20\n"));
  EXPECT_THAT(out_, HasSubstr("\nprid_clients_connected_total 5\n"));
}

TEST_F(MetricsCommandTest, PridWithoutStatsGetGivesStatusMetricsAndSucceeds) {
  stats_error_ = FakeDaemon::Error(-32601, "MethodNotFound", "no method stats.get");
  EXPECT_EQ(Run(), kExitOk) << err_;
  EXPECT_THAT(out_, HasSubstr("\nprid_calls_active 2\n"));
  EXPECT_THAT(out_, Not(HasSubstr("prid_q921")));
  EXPECT_EQ(err_, "");
}

TEST_F(MetricsCommandTest, FailedStatsGetIsReportedAndExitsOneWithTheRest) {
  stats_error_ = FakeDaemon::Error(-32603, "InternalError", "boom");
  EXPECT_EQ(Run(), kExitError);
  EXPECT_THAT(out_, HasSubstr("\nprid_up 1\n"));
  EXPECT_EQ(err_, "prictl: stats.get: InternalError: boom\n");
}

TEST_F(MetricsCommandTest, JsonGivesTheRepliesOfTheScrapeNotTheTextFormat) {
  EXPECT_EQ(Run({"--json", "metrics"}), kExitOk) << err_;
  const json printed = json::parse(out_);
  EXPECT_EQ(printed["up"], true);
  EXPECT_EQ(printed["status"]["calls"]["active"], 2);
  EXPECT_EQ(printed["spans"][0]["state"], "up");
  EXPECT_EQ(printed["stats"]["spans"][0]["q921"]["t200_retransmissions"], 10);
  EXPECT_TRUE(printed["problems"].empty());
  EXPECT_THAT(out_, Not(HasSubstr("# HELP")));
}

TEST_F(MetricsCommandTest, JsonOfAnUnreachablePridIsDownWithTheProblem) {
  refused_ = true;
  EXPECT_EQ(Run({"--json", "metrics"}), kExitTransport);
  const json printed = json::parse(out_);
  EXPECT_EQ(printed["up"], false);
  EXPECT_THAT(printed["problems"][0].get<std::string>(), HasSubstr("No such file"));
}

TEST_F(MetricsCommandTest, UnreachablePridPrintsUpZeroAndExitsTwo) {
  refused_ = true;
  EXPECT_EQ(Run(), kExitTransport);
  EXPECT_EQ(out_,
            "# HELP prid_up 1 when prid answered this scrape, 0 when it could not be reached\n"
            "# TYPE prid_up gauge\n"
            "prid_up 0\n");
  EXPECT_EQ(err_, "prictl: connect /test.sock: No such file or directory\n");
}

}  // namespace
}  // namespace prid::cli
