// End to end: `prictl events --follow` goes on across a prid restart and a
// cut-off for reading too slowly, with the real prid and prictl processes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kDeadlineMs = 20000;

// The JSON objects of `text`'s complete lines that carry a seq and a type
// (events, not the subscribe reply).
std::vector<json> Events(const std::string& text) {
  std::vector<json> events;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (lines.eof()) break;  // not yet complete
    json e = json::parse(line, nullptr, false);
    if (e.is_object() && e.contains("seq") && e.contains("type")) events.push_back(std::move(e));
  }
  return events;
}

class PrictlFollowEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("PRID_BIN").empty()) << "PRID_BIN is not set (tests/e2e/meson.build sets it)";
    ASSERT_FALSE(Env("PRICTL_BIN").empty()) << "PRICTL_BIN is not set";
    socket_ = dir_.File("prid.sock");
    // prid says READY=1 once its socket listens (sd_notify): wait on that.
    notify_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string notify_path = dir_.File("notify.sock");
    std::strncpy(address.sun_path, notify_path.c_str(), sizeof address.sun_path - 1);
    ASSERT_EQ(::bind(notify_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    ::setenv("NOTIFY_SOCKET", notify_path.c_str(), 1);
  }

  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    if (daemon_) {
      EXPECT_EQ(daemon_->Terminate(), 0) << Log();
    }
    if (notify_fd_ >= 0) ::close(notify_fd_);
  }

  // Starts prid with `daemon_keys` in [daemon] and waits until it is ready
  // and span 1 is up.
  bool StartPrid(const std::string& daemon_keys = "") {
    std::ofstream(dir_.File("prid.conf")) << "[daemon]\nsocket = \"" << socket_ << "\"\n"
                                          << daemon_keys << "\n[[span]]\nspan = 1\ndriver = \"sim\"\n"
                                          << "peer = \"builtin\"\n";
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{Env("PRID_BIN"), "-c", dir_.File("prid.conf")}, dir_.File("prid.log"));
    const auto deadline = Clock::now() + std::chrono::milliseconds(kDeadlineMs);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{notify_fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      char buffer[4096];
      ssize_t n = ::recv(notify_fd_, buffer, sizeof buffer, 0);
      if (n > 0 && std::string(buffer, static_cast<std::size_t>(n)).find("READY=1") != std::string::npos) break;
    }
    ApiClient probe(socket_);
    return probe.connected() && probe.Call("events.subscribe", {{"since", 0}, {"span", 1}}).ok() &&
           probe.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "up"; });
  }

  void StopPrid() {
    ASSERT_EQ(daemon_->Terminate(), 0) << Log();
    daemon_.reset();
  }

  std::unique_ptr<PipedChild> Follow(std::vector<std::string> args) {
    args.insert(args.begin(), {Env("PRICTL_BIN"), "--socket", socket_, "--json", "events", "--follow"});
    return std::make_unique<PipedChild>(args, PipedChildOptions{.deadline_ms = kDeadlineMs});
  }

  // A call made, answered by the far end and dropped; its id.
  std::uint64_t CallAndDrop(ApiClient& owner) {
    const auto call = owner.Ok("call.make", {{"span", 1}, {"number", "100"}})["call"].get<std::uint64_t>();
    EXPECT_TRUE(owner.WaitState(call, "connected"));
    owner.Ok("call.drop", {{"call", call}});
    EXPECT_TRUE(owner.WaitState(call, "idle"));
    return call;
  }

  std::string Log() { return ReadWholeFile(dir_.File("prid.log")); }

  TempDir dir_;
  std::string socket_;
  int notify_fd_ = -1;
  std::unique_ptr<ChildProcess> daemon_;
};

TEST_F(PrictlFollowEndToEnd, FollowGoesOnAcrossARestartOfPrid) {
  ASSERT_TRUE(StartPrid()) << Log();
  auto follow = Follow({"--since", "0", "--monitor", "1"});
  {
    ApiClient owner(socket_);
    const auto call = CallAndDrop(owner);
    ASSERT_TRUE(follow->ReadUntil([&] {
      for (const json& e : Events(follow->out())) {
        if (e["type"] == "call.state" && e["call"] == call && e["state"] == "idle") return true;
      }
      return false;
    })) << follow->out() << follow->err();
  }

  StopPrid();
  ASSERT_TRUE(follow->ReadUntil([&] { return follow->err().find("connection to prid lost") != std::string::npos; }))
      << follow->err();
  // What the old start said on its way out is printed too.
  const std::size_t old_events = Events(follow->out()).size();
  const std::int64_t old_last = Events(follow->out()).back()["seq"];
  EXPECT_NE(follow->err().find("reconnecting with since " + std::to_string(old_last)), std::string::npos)
      << follow->err();

  ASSERT_TRUE(StartPrid()) << Log();
  ASSERT_TRUE(follow->ReadUntil([&] { return follow->err().find("prid restarted (instance ") != std::string::npos; }))
      << follow->err();
  EXPECT_NE(follow->err().find("the events of the old start after seq " + std::to_string(old_last) + " are lost"),
            std::string::npos)
      << follow->err();
  // A call on the new start reaches prictl through its reopened monitor line.
  ApiClient owner(socket_);
  const auto call = CallAndDrop(owner);
  ASSERT_TRUE(follow->ReadUntil([&] {
    auto events = Events(follow->out());
    for (std::size_t i = old_events; i < events.size(); ++i) {
      if (events[i]["type"] == "call.state" && events[i]["call"] == call && events[i]["state"] == "idle") return true;
    }
    return false;
  })) << follow->out() << follow->err();

  // The new start is printed from its first event, each once, in order.
  auto events = Events(follow->out());
  ASSERT_GT(events.size(), old_events);
  EXPECT_EQ(events[old_events]["seq"], 1) << follow->out();
  EXPECT_EQ(events[old_events]["type"], "span.state") << follow->out();
  for (std::size_t i = old_events + 1; i < events.size(); ++i) {
    EXPECT_GT(events[i]["seq"].get<std::int64_t>(), events[i - 1]["seq"].get<std::int64_t>()) << follow->out();
  }
  EXPECT_TRUE(follow->Running()) << follow->err();
  EXPECT_EQ(follow->Terminate(), 0) << "SIGTERM ends following with exit 0";
}

TEST_F(PrictlFollowEndToEnd, CutOffForReadingTooSlowlyResumesWithNoGapAndNoDuplicate) {
  // A small bound: prictl is cut off soon, and each resumed replay is fed
  // in parts that the bound leaves room for.
  ASSERT_TRUE(StartPrid("client_queue_bytes = 4096\n")) << Log();
  // Nobody reads prictl's stdout yet: once the pipe is full it stops
  // reading its socket and prid cuts it off.
  auto follow = Follow({"--since", "0"});
  // Subscribed (its replay has begun) before the flood starts.
  ASSERT_TRUE(follow->ReadUntil([&] { return !Events(follow->out()).empty(); })) << follow->err();
  ApiClient driver(socket_);
  ASSERT_TRUE(driver.connected());
  auto cut_off = [this] {
    const std::string log = Log();
    return log.find("cut off") != std::string::npos || log.find("reads too slowly") != std::string::npos;
  };
  // Each RESTART makes a span.channel event per B-channel, twice.
  int restarts = 0;
  for (; restarts < 5000 && !cut_off(); ++restarts) driver.Ok("span.restart", {{"span", 1}});
  ASSERT_TRUE(cut_off()) << "prid never cut prictl off after " << restarts << " restarts\n" << Log();

  // Read now: prictl gets the notice, reconnects and resubscribes.
  ASSERT_TRUE(follow->ReadUntil([&] { return follow->err().find("reconnecting") != std::string::npos; }))
      << follow->err() << Log();
  EXPECT_NE(follow->err().find("prictl: cut off by prid (client too slow) after seq "), std::string::npos)
      << follow->err();
  // Events after the reconnect come too.
  driver.Ok("span.restart", {{"span", 1}});
  const std::int64_t last = driver.Ok("daemon.status")["events"]["last_seq"];
  ASSERT_TRUE(follow->ReadUntil([&] {
    auto events = Events(follow->out());
    // The RESTART's own events go on after the status (channels back to idle).
    return !events.empty() && events.back()["seq"] >= last;
  })) << follow->err() << Log();

  auto events = Events(follow->out());
  std::set<std::int64_t> seen;
  for (const json& e : events) EXPECT_TRUE(seen.insert(e["seq"].get<std::int64_t>()).second) << e.dump();
  // Every event is a span one, seen by any subscriber: seqs 1 … the last
  // printed, each once.
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_GE(*seen.rbegin(), last);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(*seen.rbegin())) << "a gap: " << follow->err();
  EXPECT_TRUE(follow->Running());
  EXPECT_EQ(follow->Terminate(), 0);
}

}  // namespace
}  // namespace prid::testing
