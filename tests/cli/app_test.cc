// Tests for prictl as a whole (cli::Main) against a fake daemon: output,
// exit codes, events, and run scripts with $CALL and wait.
#include "cli/app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/cli/fake_connection.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using testing::FakeDaemon;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr int kTransportCode = static_cast<int>(ipc::ErrorCode::kTransportError);

json CallState(int seq, int call, const char* state, const char* previous) {
  return {{"seq", seq}, {"time", "t"},  {"type", "call.state"}, {"call", call},
          {"span", 1},  {"channel", 1}, {"state", state},       {"previous", previous}};
}

json CallNew(int seq, int call) {
  return {{"seq", seq},        {"time", "t"},          {"type", "call.new"},
          {"call", call},      {"span", 1},            {"channel", 2},
          {"direction", "in"}, {"state", "offering"},  {"privilege", "owner"},
          {"called", "200"},   {"calling", "100"}};
}

class PrictlTest : public ::testing::Test {
 protected:
  int Run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
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

  std::shared_ptr<FakeDaemon> daemon_ = std::make_shared<FakeDaemon>();
  std::optional<std::string> refuse_reason_;  // set: the connection is refused
  std::string connected_to_;
  std::string out_;
  std::string err_;
};

TEST_F(PrictlTest, StatusPrintsKeyValueLines) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return json{{"version", "0.1.0"}, {"api", 1}, {"pid", 7}, {"uptime_s", 5}, {"spans", 1},
                {"calls", {{"active", 0}, {"records", 0}}}, {"clients", 1}};
  };
  EXPECT_EQ(Run({"status"}), 0);
  EXPECT_THAT(daemon_->Methods(), ElementsAre("daemon.status"));
  EXPECT_THAT(out_, StartsWith("version  0.1.0\n"));
  EXPECT_EQ(err_, "");
  EXPECT_EQ(connected_to_, "/test.sock");
}

TEST_F(PrictlTest, SocketOptionOverridesTheEnvironment) {
  EXPECT_EQ(Run({"--socket", "/other.sock", "spans"}), 0);
  EXPECT_EQ(connected_to_, "/other.sock");
}

TEST_F(PrictlTest, JsonPrintsTheRawResultOnOneLine) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return json::array({{{"call", 1}, {"state", "idle"}}});
  };
  EXPECT_EQ(Run({"--json", "calls"}), 0);
  EXPECT_EQ(out_, "[{\"call\":1,\"state\":\"idle\"}]\n");
}

TEST_F(PrictlTest, JsonPrintsEmptyResultOfAnAction) {
  EXPECT_EQ(Run({"--json", "alert", "3"}), 0);
  EXPECT_EQ(out_, "{}\n");
}

TEST_F(PrictlTest, ActionPrintsNothingForPeople) {
  EXPECT_EQ(Run({"open", "1"}), 0);
  EXPECT_EQ(out_, "");
  ASSERT_EQ(daemon_->requests.size(), 1u);
  EXPECT_EQ(daemon_->requests[0].second, json({{"span", 1}, {"privilege", "owner"}}));
}

TEST_F(PrictlTest, DetachedCallPrintsTheCallIdAndWarnsThatItIsDropped) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return json{{"call", 42}};
  };
  EXPECT_EQ(Run({"call", "5551234", "--detach"}), 0);
  EXPECT_EQ(out_, "42\n");
  EXPECT_THAT(err_, HasSubstr("prictl: warning: call 42 is owned by this prictl's connection"));
  EXPECT_THAT(daemon_->Methods(), ElementsAre("call.make"));
}

TEST_F(PrictlTest, StandaloneCallPrintsItsEventsReleasesWhenTheFarEndClearsAndEndsWhenIdle) {
  daemon_->handler = [](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "call.make") return json{{"call", 42}};
    return json::object();
  };
  daemon_->QueueEvent(CallState(1, 42, "connected", "dialing"));
  daemon_->QueueEvent(CallState(2, 42, "disconnected", "connected"));
  daemon_->QueueEvent(CallState(3, 42, "idle", "disconnected"));
  EXPECT_EQ(Run({"call", "5551234"}), 0) << err_;
  EXPECT_THAT(out_, StartsWith("42\nevent 1 call.state call=42 span=1 connected ← dialing\n"));
  EXPECT_THAT(out_, HasSubstr("idle ← disconnected"));
  EXPECT_THAT(daemon_->Methods(), ElementsAre("call.make", "call.drop"));
  EXPECT_EQ(daemon_->requests[1].second, json({{"call", 42}}));
}

TEST_F(PrictlTest, StandaloneCallThatEndsUnansweredExitsOne) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return json{{"call", 42}};
  };
  json idle = CallState(1, 42, "idle", "dialing");
  idle["cause"] = 17;
  idle["cause_name"] = "user_busy";
  daemon_->QueueEvent(idle);
  EXPECT_EQ(Run({"call", "5551234"}), 1);
  EXPECT_EQ(err_, "prictl: call 42 ended without being answered (cause 17 user_busy)\n");
}

TEST_F(PrictlTest, DaemonErrorPrintsNameAndMessageAndExitsOne) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return base::MakeUnexpected(
        FakeDaemon::Error(2, "InvalidCallState", "call 3 is idle: nothing to drop"));
  };
  EXPECT_EQ(Run({"drop", "3"}), 1);
  EXPECT_EQ(err_, "prictl: InvalidCallState: call 3 is idle: nothing to drop\n");
  EXPECT_EQ(out_, "");
}

TEST_F(PrictlTest, DaemonErrorDataIsShown) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    ipc::RpcError error = FakeDaemon::Error(4, "UserUserInfoTooBig", "UUI too long");
    error.data = {{"name", "UserUserInfoTooBig"}, {"max", 131}};
    return base::MakeUnexpected(error);
  };
  EXPECT_EQ(Run({"answer", "3", "--uui-text", "x"}), 1);
  EXPECT_EQ(err_, "prictl: UserUserInfoTooBig: UUI too long (max=131)\n");
}

TEST_F(PrictlTest, RefusedConnectionExitsTwoNamingTheSocket) {
  refuse_reason_ = "No such file or directory";
  EXPECT_EQ(Run({"status"}), 2);
  EXPECT_EQ(err_, "prictl: cannot connect to prid at /test.sock: No such file or directory\n");
}

TEST_F(PrictlTest, RefusedConnectionReasonNamingTheSocketIsNotRepeated) {
  refuse_reason_ = "cannot connect to /test.sock: Connection refused (is prid running?)";
  EXPECT_EQ(Run({"status"}), 2);
  EXPECT_EQ(err_, "prictl: cannot connect to /test.sock: Connection refused (is prid running?)\n");
}

TEST_F(PrictlTest, LostConnectionExitsTwoNamingTheSocket) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return base::MakeUnexpected(FakeDaemon::Error(kTransportCode, "", "connection closed"));
  };
  EXPECT_EQ(Run({"spans"}), 2);
  EXPECT_THAT(err_, HasSubstr("/test.sock"));
  EXPECT_THAT(err_, HasSubstr("connection closed"));
}

TEST_F(PrictlTest, UsageErrorExitsTwoWithoutConnecting) {
  EXPECT_EQ(Run({"drop", "3", "--cause", "nope"}), 2);
  EXPECT_THAT(err_, HasSubstr("unknown cause 'nope'"));
  EXPECT_EQ(connected_to_, "");
}

TEST_F(PrictlTest, SpanThatPridDoesNotHaveExitsOneOnStderr) {
  daemon_->handler = [](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "span.list") return json::array({{{"span", 1}, {"name", "a"}}});
    return json::object();
  };
  EXPECT_EQ(Run({"span", "9"}), 1);
  EXPECT_EQ(out_, "");
  EXPECT_THAT(err_, StartsWith("prictl: no span 9"));
  EXPECT_EQ(Run({"span", "1"}), 0) << err_;
}

TEST_F(PrictlTest, EventsForPeopleStartWithTheEventsTime) {
  daemon_->handler = [this](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "events.subscribe") {
      json event = CallState(11, 3, "dialing", "idle");
      event["time"] = "2026-12-03T13:14:15.678Z";
      daemon_->QueueEvent(event);
      return json{{"seq", 11}};
    }
    return json::object();
  };
  EXPECT_EQ(Run({"events"}), 0) << err_;
  EXPECT_EQ(out_, "13:14:15.678 event 11 call.state call=3 span=1 dialing ← idle\n");
}

TEST_F(PrictlTest, InvalidUtf8ArgumentIsAUsageError) {
  EXPECT_EQ(Run({"call", "100", "--uui-text", "caf\xe9"}), 2);
  EXPECT_THAT(err_, HasSubstr("not valid UTF-8"));
  EXPECT_TRUE(daemon_->requests.empty());
}

TEST_F(PrictlTest, EventsPrintsTheReplayAndStops) {
  daemon_->handler = [this](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "events.subscribe") {
      daemon_->QueueEvent(CallState(11, 3, "dialing", "idle"));
      daemon_->QueueEvent(CallState(12, 3, "ringback", "dialing"));
      return json{{"seq", 12}};
    }
    return json::object();
  };
  EXPECT_EQ(Run({"events", "--since", "10"}), 0);
  EXPECT_EQ(daemon_->requests[0].second, json({{"since", 10}}));
  EXPECT_EQ(out_,
            "event 11 call.state call=3 span=1 dialing ← idle\n"
            "event 12 call.state call=3 span=1 ringback ← dialing\n");
}

TEST_F(PrictlTest, EventsJsonPrintsResultAndEventLines) {
  daemon_->handler = [this](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "events.subscribe") {
      daemon_->QueueEvent({{"seq", 5}, {"type", "span.state"}, {"span", 1}, {"state", "up"}});
      return json{{"seq", 5}};
    }
    return json::object();
  };
  EXPECT_EQ(Run({"--json", "events", "--since", "4"}), 0);
  EXPECT_EQ(out_,
            "{\"seq\":5}\n"
            "{\"seq\":5,\"span\":1,\"state\":\"up\",\"type\":\"span.state\"}\n");
}

TEST_F(PrictlTest, EventsMonitorOpensAMonitorLineBeforeSubscribing) {
  EXPECT_EQ(Run({"events", "--monitor", "1", "--since", "3", "--instance", "ab"}), 0);
  ASSERT_GE(daemon_->requests.size(), 2u);
  EXPECT_EQ(daemon_->requests[0].first, "line.open");
  EXPECT_EQ(daemon_->requests[0].second, json({{"span", 1}, {"privilege", "monitor"}}));
  EXPECT_EQ(daemon_->requests[1].first, "events.subscribe");
  EXPECT_EQ(daemon_->requests[1].second, json({{"since", 3}, {"instance", "ab"}}));
}

TEST_F(PrictlTest, EventsFollowPrintsUntilTheConnectionCloses) {
  daemon_->QueueEvent(CallState(1, 3, "dialing", "idle"));
  EXPECT_EQ(Run({"events", "--follow"}), 2);
  EXPECT_EQ(out_, "event 1 call.state call=3 span=1 dialing ← idle\n");
  EXPECT_THAT(err_, HasSubstr("connection to prid at /test.sock closed"));
}

// A daemon whose outgoing calls ring and connect, and whose drops go idle.
void AnswerCalls(FakeDaemon& fake) {
  // A raw pointer: the handler lives in the daemon it points to.
  FakeDaemon* daemon = &fake;
  fake.handler = [daemon](const std::string& method, const json& params) -> FakeDaemon::Reply {
    if (method == "call.make") {
      daemon->QueueEvent(CallState(1, 7, "dialing", "idle"));
      daemon->QueueEvent(CallState(2, 7, "connected", "dialing"));
      return json{{"call", 7}};
    }
    if (method == "call.drop") {
      int call = params.value("call", 0);
      daemon->QueueEvent(CallState(3, call, "idle", "connected"));
    }
    return json::object();
  };
}

TEST_F(PrictlTest, RunExecutesEachLineOnOneConnectionWithoutSubscribing) {
  AnswerCalls(*daemon_);
  std::string script =
      "# a call that is answered, then dropped\n"
      "call 5551234 --uui-text 'hello there'\n"
      "\n"
      "wait connected\n"
      "drop $CALL --cause busy   # busy is passed as a name\n"
      "wait idle\n";
  EXPECT_EQ(Run({"run", "-"}, script), 0) << err_;
  EXPECT_THAT(daemon_->Methods(),
              ElementsAre("call.make", "call.drop"));
  EXPECT_EQ(daemon_->requests[0].second,
            json({{"number", "5551234"}, {"uui", {{"text", "hello there"}}}}));
  EXPECT_EQ(daemon_->requests[1].second, json({{"call", 7}, {"cause", "busy"}}));
  EXPECT_EQ(out_,
            "event 1 call.state call=7 span=1 dialing ← idle\n"
            "event 2 call.state call=7 span=1 connected ← dialing\n"
            "7\n"
            "event 3 call.state call=7 span=1 idle ← connected\n");
  EXPECT_EQ(err_, "");
}

TEST_F(PrictlTest, RunReadsAFile) {
  std::string path = ::testing::TempDir() + "prictl_run_test.txt";
  {
    std::ofstream file(path);
    file << "spans\nstatus\n";
  }
  EXPECT_EQ(Run({"run", path}), 0) << err_;
  EXPECT_THAT(daemon_->Methods(), ElementsAre("span.list", "daemon.status"));
  std::remove(path.c_str());
}

TEST_F(PrictlTest, RunMissingFileExitsTwoWithoutConnecting) {
  EXPECT_EQ(Run({"run", "/nonexistent/prictl-script"}), 2);
  EXPECT_THAT(err_, HasSubstr("cannot open /nonexistent/prictl-script"));
  EXPECT_EQ(connected_to_, "");
}

TEST_F(PrictlTest, RunWaitNewSetsCallFromTheOfferedCall) {
  daemon_->handler = [this](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "sim.call") daemon_->QueueEvent(CallNew(4, 9));
    return json::object();
  };
  std::string script =
      "open 1\n"
      "sim call 1 200 --calling 100\n"
      "wait new\n"
      "answer $CALL --uui-hex 0102\n";
  EXPECT_EQ(Run({"run"}, script), 0) << err_;
  ASSERT_EQ(daemon_->requests.size(), 3u);
  EXPECT_EQ(daemon_->requests[2].first, "call.answer");
  EXPECT_EQ(daemon_->requests[2].second, json({{"call", 9}, {"uui", {{"hex", "0102"}}}}));
  EXPECT_THAT(out_, HasSubstr("event 4 call.new call=9 span=1 channel=2 in offering"));
}

TEST_F(PrictlTest, RunWaitStateMatchesTheStateOfANewCall) {
  daemon_->handler = [this](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "sim.call") daemon_->QueueEvent(CallNew(4, 9));
    return json::object();
  };
  EXPECT_EQ(Run({"run"}, "sim call 1 200\nwait offering --timeout 0.05\nalert $CALL\n"), 0)
      << err_;
  EXPECT_EQ(daemon_->requests.back().second, json({{"call", 9}}));
}

TEST_F(PrictlTest, DaemonErrorWithoutNameIsNamedFromItsCode) {
  daemon_->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return base::MakeUnexpected(FakeDaemon::Error(-32602, "", "span must be a number"));
  };
  EXPECT_EQ(Run({"close", "1"}), 1);
  EXPECT_EQ(err_, "prictl: InvalidParams: span must be a number\n");
}

TEST_F(PrictlTest, RunWaitSeesEventsThatArrivedBeforeIt) {
  AnswerCalls(*daemon_);
  // Both events are printed (and kept) before `status` runs; the wait after
  // it still finds `connected`.
  std::string script = "call 100\nstatus\nwait connected 7 --timeout 0.05\n";
  EXPECT_EQ(Run({"run"}, script), 0) << err_;
}

TEST_F(PrictlTest, RunWaitTimesOutWithExitOne) {
  std::string script = "wait connected 3 --timeout 0.05\nstatus\n";
  EXPECT_EQ(Run({"run"}, script), 1);
  EXPECT_EQ(err_,
            "prictl: wait: timed out after 0.05 s: call 3 did not reach connected\n"
            "prictl: stopped at stdin line 1: wait connected 3 --timeout 0.05\n");
  EXPECT_THAT(daemon_->Methods(), IsEmpty());
}

TEST_F(PrictlTest, RunWaitFailsAsSoonAsTheCallGoesIdle) {
  daemon_->handler = [this](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "call.make") {
      json idle = CallState(2, 7, "idle", "dialing");
      idle["cause"] = 17;
      idle["cause_name"] = "user_busy";
      daemon_->QueueEvent(idle);
      return json{{"call", 7}};
    }
    return json::object();
  };
  EXPECT_EQ(Run({"run"}, "call 100\nwait connected\n"), 1);
  EXPECT_THAT(err_, StartsWith("prictl: wait: call 7 went idle (cause 17 user_busy) before "
                               "reaching connected\n"));
}

TEST_F(PrictlTest, RunWaitForAnotherCallIgnoresThisOne) {
  daemon_->QueueEvent(CallState(1, 8, "connected", "dialing"));
  EXPECT_EQ(Run({"run"}, "wait connected 7 --timeout 0.05\n"), 1);
  EXPECT_THAT(out_, HasSubstr("call=8"));
}

TEST_F(PrictlTest, RunWaitOnClosedConnectionExitsTwo) {
  daemon_->close_when_drained = true;
  EXPECT_EQ(Run({"run"}, "wait idle 3\n"), 2);
  EXPECT_THAT(err_, HasSubstr("connection to prid at /test.sock closed while waiting for call 3"));
}

TEST_F(PrictlTest, RunStopsAtTheFirstFailingCommand) {
  daemon_->handler = [](const std::string& method, const json&) -> FakeDaemon::Reply {
    if (method == "call.alert") {
      return base::MakeUnexpected(FakeDaemon::Error(1, "InvalidCallHandle", "no call 5"));
    }
    return json::object();
  };
  EXPECT_EQ(Run({"run"}, "status\n  alert 5  \nstatus\n"), 1);
  EXPECT_THAT(daemon_->Methods(), ElementsAre("daemon.status", "call.alert"));
  EXPECT_EQ(err_,
            "prictl: InvalidCallHandle: no call 5\n"
            "prictl: stopped at stdin line 2: alert 5\n");
}

TEST_F(PrictlTest, RunUsageErrorInALineExitsTwo) {
  EXPECT_EQ(Run({"run"}, "status\nanswer\n"), 2);
  EXPECT_THAT(err_, HasSubstr("prictl: stopped at stdin line 2: answer\n"));
  EXPECT_THAT(daemon_->Methods(), ElementsAre("daemon.status"));
}

TEST_F(PrictlTest, RunCallVariableBeforeAnyCallExitsTwo) {
  EXPECT_EQ(Run({"run"}, "drop $CALL\n"), 2);
  EXPECT_THAT(err_, HasSubstr("$CALL is not set"));
  EXPECT_THAT(daemon_->Methods(), IsEmpty());
}

TEST_F(PrictlTest, RunUnterminatedQuoteExitsTwo) {
  EXPECT_EQ(Run({"run"}, "call 100 --uui-text 'oops\n"), 2);
  EXPECT_THAT(err_, HasSubstr("unterminated '"));
}

TEST_F(PrictlTest, RunJsonPrintsResultsAndEventsAsJsonLines) {
  AnswerCalls(*daemon_);
  EXPECT_EQ(Run({"--json", "run"}, "call 100\n"), 0) << err_;
  std::istringstream lines(out_);
  std::string line;
  std::vector<json> parsed;
  while (std::getline(lines, line)) parsed.push_back(json::parse(line));
  ASSERT_EQ(parsed.size(), 3u) << out_;
  EXPECT_EQ(parsed[0]["type"], "call.state");
  EXPECT_EQ(parsed[1]["state"], "connected");
  EXPECT_EQ(parsed[2], json({{"call", 7}}));
}

TEST_F(PrictlTest, RunHelpLineContinues) {
  EXPECT_EQ(Run({"run"}, "drop --help\nstatus\n"), 0);
  EXPECT_THAT(out_, HasSubstr("--cause"));
  EXPECT_THAT(daemon_->Methods(), ElementsAre("daemon.status"));
}

}  // namespace
}  // namespace prid::cli
