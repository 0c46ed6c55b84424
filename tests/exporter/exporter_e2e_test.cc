// End to end: a real prid after a few calls, its metrics through the real
// `prictl metrics` checked by `promtool check metrics`, and the real
// prid-exporter scraped over HTTP by curl — prid_up 0 (not an error) once
// prid is gone.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <regex>

#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kAnsweredCalls = 3;

// prid-exporter as a child whose stdout is a pipe: its first line says
// where it serves, which is also the sign that it is up.
class ExporterProcess {
 public:
  ExporterProcess(const std::vector<std::string>& argv, const std::string& log_path) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      if (FILE* log = std::fopen(log_path.c_str(), "w")) ::dup2(::fileno(log), 2);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
  }
  ~ExporterProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
  }

  // Its next stdout line; nullopt when it closed or said nothing for 10 s.
  std::optional<std::string> ReadLine() {
    std::string line;
    char c = 0;
    pollfd readable{out_, POLLIN, 0};
    while (::poll(&readable, 1, 10000) > 0 && ::read(out_, &c, 1) == 1) {
      if (c == '\n') return line;
      line += c;
    }
    return std::nullopt;
  }

  int Terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

class ExporterEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"PRID_BIN", "PRICTL_BIN", "PRID_EXPORTER_BIN", "PROMTOOL", "CURL"}) {
      ASSERT_FALSE(Env(name).empty()) << name << " is not set (tests/exporter/meson.build sets it)";
    }
    socket_ = dir_.File("prid.sock");
    std::ofstream(dir_.File("prid.conf")) << "[daemon]\nsocket = \"" << socket_ << "\"\n\n"
                                          << "[cdr]\njsonl = \"" << dir_.File("cdr.jsonl") << "\"\nspool = \""
                                          << dir_.File("spool") << "\"\n\n"
                                          << "[[span]]\nspan = 1\nname = \"trunk-a\"\ndriver = \"sim\"\n"
                                          << "peer = \"builtin\"\n";
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{Env("PRID_BIN"), "-c", dir_.File("prid.conf")},
                                             dir_.File("prid.log"));
    ASSERT_TRUE(WaitUp()) << "prid did not come up; its log:\n" << ReadWholeFile(dir_.File("prid.log"));
    MakeCalls();
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_EQ(daemon_->Terminate(), 0) << ReadWholeFile(dir_.File("prid.log"));
    }
  }

  // The socket accepts and span 1 reports up (events, not sleeps).
  bool WaitUp() {
    for (int attempt = 0; attempt < 200; ++attempt) {
      ApiClient probe(socket_);
      if (probe.connected()) {
        return probe.Call("events.subscribe", {{"since", 0}, {"span", 1}}).ok() &&
               probe.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "up"; })
                   .has_value();
      }
      // Not listening yet: wait for the daemon to write its first log line.
      RunProcess({"/usr/bin/timeout", "0.05", "/usr/bin/tail", "-f", dir_.File("prid.log")});
    }
    return false;
  }

  // kAnsweredCalls calls answered and dropped (cause 16, local), one the far
  // end refuses busy (cause 17, remote).
  void MakeCalls() {
    ApiClient client(socket_);
    ASSERT_TRUE(client.connected()) << client.connect_error();
    client.Ok("line.open", {{"span", 1}});
    for (int i = 0; i < kAnsweredCalls; ++i) {
      const auto call = client.Ok("call.make", {{"number", "100" + std::to_string(i)}})["call"].get<std::uint64_t>();
      ASSERT_TRUE(client.WaitState(call, "connected"));
      client.Ok("call.drop", {{"call", call}});
      ASSERT_TRUE(client.WaitState(call, "idle"));
    }
    client.Ok("sim.policy", {{"span", 1}, {"on_setup", "busy"}});
    const auto busy = client.Ok("call.make", {{"number", "2000"}})["call"].get<std::uint64_t>();
    // The far end's DISCONNECT (17) leaves the call disconnected until its owner drops it.
    ASSERT_TRUE(client.WaitState(busy, "disconnected"));
    client.Ok("call.drop", {{"call", busy}});
    ASSERT_TRUE(client.WaitState(busy, "idle"));
  }

  // promtool's verdict on `exposition`: its exit code and everything it said.
  ProcessResult Promtool(const std::string& exposition) {
    const std::string file = dir_.File("metrics.prom");
    std::ofstream(file) << exposition;
    return RunProcess({"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", Env("PROMTOOL"), file});
  }

  ProcessResult Curl(std::uint16_t port, const std::string& path) {
    return RunProcess({Env("CURL"), "--silent", "--show-error", "--include", "--max-time", "20",
                       "http://127.0.0.1:" + std::to_string(port) + path});
  }

  TempDir dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> daemon_;
};

const char* const kAnsweredOut = "prid_calls_answered_total{span=\"1\",direction=\"out\"} 3\n";

TEST_F(ExporterEndToEnd, PrictlMetricsPassesPromtoolWithoutAWarning) {
  ProcessResult metrics = RunProcess({Env("PRICTL_BIN"), "--socket", socket_, "metrics"});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  EXPECT_EQ(metrics.err, "");
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_up 1\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_calls_active 0\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_span_up{span=\"1\"} 1\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_span_info{span=\"1\",name=\"trunk-a\",driver=\"sim\","));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_calls_attempted_total{span=\"1\",direction=\"out\"} 4\n"));
  EXPECT_THAT(metrics.out, HasSubstr(std::string("\n") + kAnsweredOut));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_call_clearings_total{span=\"1\",cause=\"16\",cause_name=\"normal_clearing\","
                                     "origin=\"local\"} 3\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_call_clearings_total{span=\"1\",cause=\"17\",cause_name=\"user_busy\","
                                     "origin=\"remote\"} 1\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_q931_messages_total{span=\"1\",direction=\"out\",message=\"SETUP\"} 4\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_post_dial_delay_seconds_count{span=\"1\"} "));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_call_hold_seconds_count{span=\"1\"} 3\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_cdr_records_total 4\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_cdr_store_up{store=\"jsonl\"} 1\n"));
  EXPECT_THAT(metrics.out, HasSubstr("\nprid_cdr_spool_refused_total 0\n"));

  ProcessResult checked = Promtool(metrics.out);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(checked.out + checked.err, "") << "promtool warned";

  // The check can fail: a counter without _total and a family without HELP.
  ProcessResult blind = Promtool("# TYPE prid_calls counter\nprid_calls 1\n");
  EXPECT_NE(blind.exit_code, 0) << "promtool accepted a bad exposition; the check is blind";
  EXPECT_NE(blind.out + blind.err, "");
}

TEST_F(ExporterEndToEnd, ExporterServesEachScrapeAfreshAndUpZeroWhenPridIsGone) {
  ExporterProcess exporter({Env("PRID_EXPORTER_BIN"), "--listen", "127.0.0.1:0", "--socket", socket_},
                           dir_.File("exporter.log"));
  const auto line = exporter.ReadLine();
  ASSERT_TRUE(line) << ReadWholeFile(dir_.File("exporter.log"));
  std::smatch serving;
  ASSERT_TRUE(std::regex_search(*line, serving, std::regex(R"(^prid-exporter: serving http://127\.0\.0\.1:(\d+)/metrics for prid at )")))
      << *line;
  const auto port = static_cast<std::uint16_t>(std::stoi(serving[1]));

  ProcessResult scrape = Curl(port, "/metrics");
  ASSERT_EQ(scrape.exit_code, 0) << scrape.err;
  EXPECT_THAT(scrape.out, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(scrape.out, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  const std::string body = scrape.out.substr(scrape.out.find("\r\n\r\n") + 4);
  for (const char* family : {"prid_up", "prid_calls_active", "prid_span_up", "prid_dchannel_frames_total",
                             "prid_q921_frames_total", "prid_q931_messages_total", "prid_calls_answered_total",
                             "prid_call_clearings_total", "prid_rpc_requests_total", "prid_post_dial_delay_seconds"}) {
    EXPECT_THAT(body, HasSubstr(std::string("\n# TYPE ") + family + " ")) << family;
  }
  EXPECT_THAT(body, HasSubstr(std::string("\n") + kAnsweredOut));
  ProcessResult checked = Promtool(body);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(checked.out + checked.err, "");

  // Afresh: one more answered call shows in the next scrape.
  {
    ApiClient client(socket_);
    client.Ok("line.open", {{"span", 1}});
    client.Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}});
    const auto call = client.Ok("call.make", {{"number", "3000"}})["call"].get<std::uint64_t>();
    ASSERT_TRUE(client.WaitState(call, "connected"));
  }
  EXPECT_THAT(Curl(port, "/metrics").out, HasSubstr("\nprid_calls_answered_total{span=\"1\",direction=\"out\"} 4\n"));

  ProcessResult other = Curl(port, "/");
  EXPECT_THAT(other.out, ::testing::StartsWith("HTTP/1.1 404 Not Found\r\n"));

  ASSERT_EQ(daemon_->Terminate(), 0);
  daemon_.reset();
  ProcessResult down = Curl(port, "/metrics");
  EXPECT_THAT(down.out, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(down.out, ::testing::EndsWith("\r\n\r\n# HELP prid_up 1 when prid answered this scrape, 0 when it "
                                            "could not be reached\n# TYPE prid_up gauge\nprid_up 0\n"));
  EXPECT_EQ(exporter.Terminate(), 0);
  EXPECT_THAT(ReadWholeFile(dir_.File("exporter.log")), HasSubstr("prid-exporter: cannot connect to " + socket_));
}

}  // namespace
}  // namespace prid::testing
