// End to end: per-call traces from the first frame. The real prid with the
// built-in far end (a libpri instance of the other side); a trace of a call
// asked for once the call is connected starts with the call's SETUP (the
// frames prid kept) and goes on live, every frame carrying the call id;
// the real prictl shows it in one line per message and as a ladder, and a
// trace of a call that does not exist fails and leaves no file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/e2e/e2e_daemon.h"
#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"

namespace prid::testing {
namespace {

using nlohmann::json;

class TraceEndToEnd : public E2eDaemonTest {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("PRICTL_BIN").empty()) << "PRICTL_BIN is not set";
    ASSERT_TRUE(StartPrid("", "[[span]]\nspan = 1\ndriver = \"sim\"\npeer = \"builtin\"\nrelease_timeout = 5.0\n"))
        << "prid did not come up; its log:\n"
        << Log();
  }

  // The `trace` notifications of `client` (params) up to and with the
  // first RELEASE COMPLETE; empty when none came in time.
  static std::vector<json> TraceToReleaseComplete(ApiClient& client) {
    std::vector<json> frames;
    for (;;) {
      auto note = client.raw().WaitNotification(kWaitMs);
      if (!note) return {};
      if (note->value("method", "") != "trace") continue;
      frames.push_back((*note)["params"]);
      if (frames.back().contains("q931") && frames.back()["q931"]["message"] == "RELEASE COMPLETE") return frames;
    }
  }

  // The output of a child prictl so far.
  std::string Contents(const std::string& log) {
    std::ifstream in(log);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  // Waits (on the file, no sleeps) until `log` holds `text`.
  bool WaitFor(const std::string& log, const std::string& text) {
    for (int i = 0; i < 200 && Contents(log).find(text) == std::string::npos; ++i) {
      RunProcess({"/usr/bin/timeout", "0.05", "/usr/bin/tail", "-f", log});
    }
    return Contents(log).find(text) != std::string::npos;
  }
};

TEST_F(TraceEndToEnd, AConnectedCallsTraceStartsWithItsSetupAndCarriesItsId) {
  ApiClient owner(socket_);
  const auto call = owner.Ok("call.make", {{"span", 1}, {"number", "5551234"}, {"uui", {{"text", "hello"}}}})["call"]
                        .get<std::uint64_t>();
  ASSERT_TRUE(owner.WaitState(call, "connected"));
  ApiClient tracer(socket_);
  const json replay = tracer.Ok("trace.subscribe", {{"call", call}});
  EXPECT_GE(replay["replayed"].get<int>(), 3) << "SETUP, CALL PROCEEDING, CONNECT at least: " << replay.dump();
  EXPECT_EQ(replay["dropped"], 0);
  owner.Ok("call.drop", {{"call", call}, {"cause", 16}});
  const auto frames = TraceToReleaseComplete(tracer);
  ASSERT_FALSE(frames.empty()) << "no RELEASE COMPLETE traced";
  const json& setup = frames.front();
  ASSERT_TRUE(setup.contains("q931")) << setup.dump();
  EXPECT_EQ(setup["q931"]["message"], "SETUP");
  EXPECT_EQ(setup["dir"], "tx");
  bool called = false;
  for (const auto& ie : setup["q931"]["ies"]) {
    if (ie["ie"] == "Called party number") called = ie["digits"] == "5551234";
  }
  EXPECT_TRUE(called) << setup.dump();
  bool connect = false;
  bool disconnect = false;
  for (const auto& f : frames) {
    EXPECT_EQ(f["call"], call) << f.dump();
    EXPECT_EQ(f["span"], 1) << f.dump();
    connect = connect || f["q931"]["message"] == "CONNECT";
    disconnect = disconnect || f["q931"]["message"] == "DISCONNECT";
  }
  EXPECT_TRUE(connect) << "kept: the CONNECT came before the subscription";
  EXPECT_TRUE(disconnect) << "live: the DISCONNECT came after it";
}

TEST_F(TraceEndToEnd, AnIncomingCallsSetupCarriesItsIdLiveAndInTheReplay) {
  ApiClient span_tracer(socket_);
  span_tracer.Ok("trace.subscribe", {{"span", 1}});
  ApiClient owner(socket_);
  owner.Ok("line.open", {{"span", 1}});
  owner.Ok("sim.call", {{"span", 1}, {"number", "2000"}, {"calling", "3000"}});
  auto offered = owner.WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t call = (*offered)["call"];
  owner.Ok("call.answer", {{"call", call}});
  ASSERT_TRUE(owner.WaitState(call, "connected"));
  ApiClient tracer(socket_);
  tracer.Ok("trace.subscribe", {{"call", call}});
  owner.Ok("call.drop", {{"call", call}});
  const auto frames = TraceToReleaseComplete(tracer);
  ASSERT_FALSE(frames.empty()) << "no RELEASE COMPLETE traced";
  EXPECT_EQ(frames.front()["q931"]["message"], "SETUP");
  EXPECT_EQ(frames.front()["dir"], "rx");
  for (const auto& f : frames) EXPECT_EQ(f["call"], call) << f.dump();
  // The span's tracer had the SETUP live, before prid made the call: with
  // the call id all the same.
  const auto live = TraceToReleaseComplete(span_tracer);
  std::optional<json> setup;
  for (const auto& f : live) {
    if (!setup && f.contains("q931") && f["q931"]["message"] == "SETUP") setup = f;
  }
  ASSERT_TRUE(setup) << "no SETUP traced live";
  EXPECT_EQ((*setup)["call"], call) << setup->dump();
}

TEST_F(TraceEndToEnd, PrictlShowsAConnectedCallFromItsSetupOneLineEach) {
  ApiClient owner(socket_);
  const auto call = owner.Ok("call.make", {{"span", 1}, {"number", "200"}, {"calling", "100"}})["call"]
                        .get<std::uint64_t>();
  ASSERT_TRUE(owner.WaitState(call, "connected"));
  const std::string log = dir_.File("trace.log");
  ChildProcess trace({Env("PRICTL_BIN"), "--socket", socket_, "trace", "--call", std::to_string(call), "--oneline",
                      "--q931"},
                     log);
  ASSERT_TRUE(WaitFor(log, "CONNECT")) << Contents(log);
  owner.Ok("call.drop", {{"call", call}, {"cause", 16}});
  ASSERT_EQ(trace.Wait(), 0) << Contents(log);
  std::istringstream lines(Contents(log));
  std::vector<std::string> shown;
  for (std::string line; std::getline(lines, line);) shown.push_back(line);
  ASSERT_GE(shown.size(), 6u) << Contents(log);
  const std::string id = "call " + std::to_string(call) + " ";
  EXPECT_NE(shown.front().find(id + "SETUP"), std::string::npos) << Contents(log);
  EXPECT_NE(shown.front().find("called=200 calling=100"), std::string::npos) << Contents(log);
  EXPECT_NE(shown.back().find(id + "RELEASE COMPLETE"), std::string::npos) << Contents(log);
  for (const auto& line : shown) {
    EXPECT_EQ(line.find("Q.921"), std::string::npos) << "--q931: " << line;
    EXPECT_NE(line.find(id), std::string::npos) << line;
  }
}

TEST_F(TraceEndToEnd, PrictlDrawsAConnectedCallAsALadder) {
  ApiClient owner(socket_);
  const auto call = owner.Ok("call.make", {{"span", 1}, {"number", "200"}})["call"].get<std::uint64_t>();
  ASSERT_TRUE(owner.WaitState(call, "connected"));
  owner.Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner.WaitState(call, "idle"));
  // The call is over but its record stays (the owner holds it): the whole
  // trace is kept, and prictl stops after the RELEASE COMPLETE in it.
  auto r = RunProcess({Env("PRICTL_BIN"), "--socket", socket_, "trace", "--call", std::to_string(call), "--ladder"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::istringstream lines(r.out);
  std::vector<std::string> shown;
  for (std::string line; std::getline(lines, line);) shown.push_back(line);
  ASSERT_GE(shown.size(), 7u) << r.out;
  EXPECT_NE(shown[0].find("user side"), std::string::npos) << r.out;
  const std::string id = "call " + std::to_string(call) + " ";
  // prid is the user side here (the built-in far end is the network).
  EXPECT_NE(shown[1].find(id + "SETUP chan="), std::string::npos) << r.out;
  EXPECT_NE(shown[1].find("called=200 ->"), std::string::npos) << r.out;
  EXPECT_LT(shown[1].find("SETUP"), shown[1].find('|')) << "left column: " << r.out;
  bool network_column = false;
  for (const auto& line : shown) {
    const auto bar = line.find('|');
    if (line.find("<- " + id + "CONNECT") != std::string::npos) network_column = bar < line.find("CONNECT");
  }
  EXPECT_TRUE(network_column) << r.out;
  EXPECT_NE(shown.back().find(id + "RELEASE COMPLETE"), std::string::npos) << r.out;
}

TEST_F(TraceEndToEnd, ATraceOfACallThatDoesNotExistFailsAndLeavesNoFile) {
  const std::string pcap = dir_.File("none.pcap");
  auto r = RunProcess({Env("PRICTL_BIN"), "--socket", socket_, "trace", "--call", "999", "--pcap", pcap});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("no call 999"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(pcap));
}

TEST_F(TraceEndToEnd, TheKeptFramesGoWithTheCallsRecord) {
  ApiClient owner(socket_);
  const auto call = owner.Ok("call.make", {{"span", 1}, {"number", "200"}})["call"].get<std::uint64_t>();
  ASSERT_TRUE(owner.WaitState(call, "connected"));
  owner.Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner.WaitState(call, "idle"));
  ApiClient tracer(socket_);
  EXPECT_GE(tracer.Ok("trace.subscribe", {{"call", call}})["replayed"].get<int>(), 5);
  owner.Ok("call.deallocate", {{"call", call}});
  EXPECT_EQ(tracer.ErrorName("trace.subscribe", {{"call", call}}), "InvalidCallHandle");
}

}  // namespace
}  // namespace prid::testing
