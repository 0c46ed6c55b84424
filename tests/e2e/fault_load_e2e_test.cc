// End to end: faults under load. A real prid on four sim spans, each
// listening for its own prid-fault-peer process (a libpri far end driven
// from its stdin); 100 calls connected by four owners, 20 subscribed
// monitors. Each test injects one fault, then checks that every holder was
// told the state call.list reports, that no B-channel stays busy, that
// `records` falls to 0 once every handle is deallocated, and that every
// span still places and drops a call with UUI.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kSpans = 4;
constexpr int kCallsPerSpan = 25;  // 100 calls; 5 B-channels of each span stay free
constexpr int kMonitorsPerSpan = 5;  // 20 subscribed clients
constexpr int kFlaps = 10;
// The spans' timers (seconds): short, so that every fault ends in
// seconds. A short flap is well within T309, a long one well past it.
constexpr double kT309 = 1.0;
constexpr int kShortFlapMs = 200;
constexpr std::chrono::milliseconds kT303{300};
constexpr std::chrono::milliseconds kT305{500};
constexpr std::chrono::milliseconds kT308{400};
constexpr int kLongFlapMs = 1600;
#if defined(__SANITIZE_ADDRESS__)
constexpr int kSettleMs = 30000;  // the same work, several times slower
#else
constexpr int kSettleMs = 10000;
#endif

Clock::time_point Deadline(int ms = kSettleMs) { return Clock::now() + std::chrono::milliseconds(ms); }
int MsLeft(Clock::time_point deadline) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
}

// A prid-fault-peer: commands on its stdin, acknowledgements read from its
// stdout with a deadline.
class FarEnd {
 public:
  FarEnd(const std::string& socket_path, const std::string& log_path) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC)) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (log >= 0) ::dup2(log, 2);
      std::string bin = Env("PRID_FAULT_PEER");
      ::execl(bin.c_str(), bin.c_str(), socket_path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~FarEnd() { Kill(); }

  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (stdin_ >= 0) ::close(stdin_);
    if (stdout_ >= 0) ::close(stdout_);
    stdin_ = stdout_ = -1;
  }

  // The next line it prints, "" after `timeout_ms` or its end.
  std::string ReadLine(int timeout_ms = kSettleMs) {
    auto deadline = Deadline(timeout_ms);
    for (;;) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      pollfd p{stdout_, POLLIN, 0};
      if (MsLeft(deadline) <= 0 || ::poll(&p, 1, MsLeft(deadline)) <= 0) return "";
      char chunk[256];
      ssize_t n = ::read(stdout_, chunk, sizeof(chunk));
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Sends a command; its acknowledgement.
  std::string Command(const std::string& command) {
    std::string line = command + "\n";
    if (::write(stdin_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return "";
    return ReadLine();
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffer_;
};

// A client and what it was told: the last call.new / call.state of each
// call, span states and B-channel states.
struct Holder {
  explicit Holder(const std::string& socket) : api(socket) {}

  // Reads every event waiting, without blocking.
  void Absorb() {
    const std::vector<json>& all = api.AllEvents();
    for (; absorbed < all.size(); ++absorbed) {
      const json& e = all[absorbed];
      const std::string type = e.value("type", "");
      if (type == "call.state" || (type == "call.new" && !told.count(e.value("call", 0ull)))) {
        told[e["call"]] = e["state"];
        last[e["call"]] = e;
      } else if (type == "span.state") {
        span_state[e["span"]] = e["state"];
      } else if (type == "span.channel") {
        channel_state[{e["span"], e["channel"]}] = e["state"];
      }
    }
    while (api.WaitEvent([](const json&) { return true; }, 0)) {
    }
  }
  // Waits, on events, until `done` holds.
  bool WaitUntil(const std::function<bool()>& done, Clock::time_point deadline) {
    for (;;) {
      Absorb();
      if (done()) return true;
      if (MsLeft(deadline) <= 0) return false;
      api.WaitEvent([](const json&) { return true; }, MsLeft(deadline));
    }
  }
  bool WaitStates(const std::vector<std::uint64_t>& calls, const std::string& state,
                  Clock::time_point deadline) {
    return WaitUntil(
        [&] {
          for (std::uint64_t c : calls) {
            auto it = told.find(c);
            if (it == told.end() || it->second != state) return false;
          }
          return true;
        },
        deadline);
  }
  // Every call record the client holds.
  std::map<std::uint64_t, json> List() {
    std::map<std::uint64_t, json> records;
    std::uint64_t after = 0;
    constexpr std::size_t kPage = 12;  // call.list's largest page (docs/api.md "Limits")
    for (;;) {
      json page = api.Ok("call.list", {{"after", after}, {"limit", kPage}});
      for (const json& r : page) records[r["call"]] = r;
      if (!page.is_array() || page.size() < kPage) return records;
      after = page.back()["call"];
    }
  }
  // Waits until call.list and what the client was told agree on every
  // call (re-checked on each event that arrives); the disagreements left.
  std::string WaitToldMatchesList(Clock::time_point deadline) {
    std::string mismatch;
    WaitUntil(
        [&] {
          mismatch.clear();
          auto records = List();
          for (const auto& [call, record] : records) {
            auto it = told.find(call);
            const std::string state = record["state"];
            if (it == told.end()) {
              mismatch += fmt::format(" call {} is {} but never told;", call, state);
            } else if (it->second != state) {
              mismatch += fmt::format(" call {} is {} but told {};", call, state, it->second);
            }
          }
          for (const auto& [call, state] : told) {
            if (!records.count(call)) mismatch += fmt::format(" call {} told {} but not listed;", call, state);
          }
          return mismatch.empty();
        },
        deadline);
    return mismatch;
  }

  ApiClient api;
  std::size_t absorbed = 0;
  std::map<std::uint64_t, std::string> told;
  std::map<std::uint64_t, json> last;
  std::map<int, std::string> span_state;
  std::map<std::pair<int, int>, std::string> channel_state;
};

class FaultLoadEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("PRID_BIN").empty()) << "PRID_BIN is not set (tests/e2e/meson.build sets it)";
    ASSERT_FALSE(Env("PRID_FAULT_PEER").empty()) << "PRID_FAULT_PEER is not set";
    socket_ = dir_.File("prid.sock");
    std::ofstream conf(dir_.File("prid.conf"));
    conf << "[daemon]\nsocket = \"" << socket_ << "\"\nmax_connections_per_uid = 64\n";
    for (int s = 1; s <= kSpans; ++s) {
      conf << "\n[[span]]\nspan = " << s << "\ndriver = \"sim\"\nlisten = \"" << PeerSocket(s) << "\"\n"
           << "t309 = " << kT309 << "\nt303 = " << kT303.count() / 1000.0 << "\nt305 = " << kT305.count() / 1000.0
           << "\nt308 = " << kT308.count() / 1000.0 << "\n";
    }
    conf.close();
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{Env("PRID_BIN"), "-c", dir_.File("prid.conf")},
                                             dir_.File("prid.log"));
    ASSERT_TRUE(WaitSocket()) << "prid did not come up; its log:\n" << ReadWholeFile(dir_.File("prid.log"));

    for (int s = 1; s <= kSpans; ++s) {
      for (int m = 0; m < kMonitorsPerSpan; ++m) {
        auto& monitor = monitors_[s].emplace_back(std::make_unique<Holder>(socket_));
        ASSERT_TRUE(monitor->api.connected());
        monitor->api.Ok("line.open", {{"span", s}, {"privilege", "monitor"}});
        monitor->api.Ok("events.subscribe", {{"span", s}});
      }
      owners_[s] = std::make_unique<Holder>(socket_);
      ASSERT_TRUE(owners_[s]->api.connected());
    }
    for (int s = 1; s <= kSpans; ++s) StartFarEnd(s);
    for (int s = 1; s <= kSpans; ++s) ASSERT_TRUE(WaitSpan(s, "up")) << "span " << s;

    // The load: 100 calls, connected.
    for (int s = 1; s <= kSpans; ++s) {
      for (int i = 0; i < kCallsPerSpan; ++i) MakeCall(s);
    }
    for (int s = 1; s <= kSpans; ++s) {
      ASSERT_TRUE(owners_[s]->WaitStates(calls_[s], "connected", Deadline())) << "span " << s;
      for (auto& monitor : monitors_[s]) ASSERT_TRUE(monitor->WaitStates(calls_[s], "connected", Deadline()));
    }
  }

  void TearDown() override {
    for (auto& [span, far_end] : far_ends_) far_end->Kill();
    if (HasFailure()) {
      for (int s = 1; s <= kSpans; ++s) {
        std::printf("far end %d:\n%s", s, ReadWholeFile(dir_.File("peer" + std::to_string(s) + ".log")).c_str());
      }
    }
    if (daemon_) {
      EXPECT_EQ(daemon_->Terminate(), 0) << ReadWholeFile(dir_.File("prid.log"));
    }
  }

  std::string PeerSocket(int span) { return dir_.File("span" + std::to_string(span) + ".sock"); }

  bool WaitSocket() {
    for (int attempt = 0; attempt < 200; ++attempt) {
      ApiClient probe(socket_);
      if (probe.connected()) return true;
      RunProcess({"/usr/bin/timeout", "0.05", "/usr/bin/tail", "-f", dir_.File("prid.log")});
    }
    return false;
  }

  void StartFarEnd(int span) {
    far_ends_[span] = std::make_unique<FarEnd>(PeerSocket(span), dir_.File("peer" + std::to_string(span) + ".log"));
    ASSERT_EQ(far_ends_[span]->ReadLine(), "ready") << ReadWholeFile(dir_.File("peer" + std::to_string(span) + ".log"));
  }

  // Waits for a monitor of `span` to be told the span's state.
  bool WaitSpan(int span, const std::string& state, int timeout_ms = kSettleMs) {
    Holder& monitor = *monitors_[span].front();
    return monitor.WaitUntil([&] { return monitor.span_state[span] == state; }, Deadline(timeout_ms));
  }

  std::uint64_t MakeCall(int span, json uui = nullptr) {
    json params = {{"span", span}, {"number", fmt::format("{}{:03}", span, next_number_++ % 1000)}};
    if (!uui.is_null()) params["uui"] = uui;
    json made = owners_[span]->api.Ok("call.make", params);
    std::uint64_t call = made.value("call", 0ull);
    EXPECT_NE(call, 0u);
    calls_[span].push_back(call);
    return call;
  }

  std::vector<Holder*> HoldersOf(int span) {
    std::vector<Holder*> holders{owners_[span].get()};
    for (auto& monitor : monitors_[span]) holders.push_back(monitor.get());
    return holders;
  }

  // Every holder of the span's calls told `state` for `calls`.
  void ExpectTold(int span, const std::vector<std::uint64_t>& calls, const std::string& state) {
    for (Holder* holder : HoldersOf(span)) {
      EXPECT_TRUE(holder->WaitStates(calls, state, Deadline())) << "span " << span << ": not every call " << state;
    }
  }

  std::vector<std::uint64_t> ToldIn(Holder& holder, const std::vector<std::uint64_t>& calls,
                                    const std::string& state) {
    holder.Absorb();
    std::vector<std::uint64_t> in_state;
    for (std::uint64_t c : calls) {
      if (holder.told[c] == state) in_state.push_back(c);
    }
    return in_state;
  }

  // The checks after every fault: the holders' view matches call.list; the
  // owners drop what is still up; no B-channel stays busy; with every
  // handle deallocated no record is left; and each span places and drops
  // a call with UUI.
  void CheckRecovered() {
    for (int s = 1; s <= kSpans; ++s) {
      for (Holder* holder : HoldersOf(s)) {
        EXPECT_EQ(holder->WaitToldMatchesList(Deadline()), "") << "span " << s;
      }
    }
    for (int s = 1; s <= kSpans; ++s) {
      Holder& owner = *owners_[s];
      owner.Absorb();
      for (const auto& [call, state] : owner.told) {
        if (state != "idle") owner.api.Ok("call.drop", {{"call", call}});
      }
      ExpectTold(s, calls_[s], "idle");
    }
    ExpectNoBusyChannel();
    DeallocateAll();
    ExpectNoRecord();
    for (int s = 1; s <= kSpans; ++s) {
      far_ends_[s]->Command("answer");
      const std::uint64_t call = MakeCall(s, {{"text", "after the fault"}});
      ExpectTold(s, {call}, "connected");
      owners_[s]->api.Ok("call.drop", {{"call", call}, {"uui", {{"text", "bye"}}}});
      ExpectTold(s, {call}, "idle");
      EXPECT_EQ(owners_[s]->last[call].value("origin", ""), "local") << "span " << s;
    }
    ExpectNoBusyChannel();
    DeallocateAll();
    ExpectNoRecord();
  }

  void ExpectNoBusyChannel() {
    for (int s = 1; s <= kSpans; ++s) {
      Holder& monitor = *monitors_[s].front();
      json spans = monitor.api.Ok("span.list", {{"after", s - 1}, {"limit", 1}});
      ASSERT_EQ(spans.size(), 1u);
      for (const json& b : spans[0]["bchannels"]) {
        const int channel = b["channel"];
        if (b["state"] == "restarting") {
          // A channel whose release went unanswered is restarted: wait for it.
          EXPECT_TRUE(monitor.WaitUntil([&] { return monitor.channel_state[{s, channel}] == "idle"; }, Deadline()))
              << "span " << s << " channel " << channel << " still restarting";
        } else {
          EXPECT_EQ(b["state"], "idle") << "span " << s << " channel " << channel << ": " << b.dump();
        }
      }
    }
  }

  void DeallocateAll() {
    for (int s = 1; s <= kSpans; ++s) {
      for (Holder* holder : HoldersOf(s)) {
        for (const auto& [call, record] : holder->List()) {
          EXPECT_EQ(record["state"], "idle") << record.dump();
          holder->api.Ok("call.deallocate", {{"call", call}});
        }
        holder->told.clear();
        holder->last.clear();
      }
      calls_[s].clear();
    }
  }

  void ExpectNoRecord() {
    json status = owners_[1]->api.Ok("daemon.status");
    EXPECT_EQ(status["calls"]["records"], 0) << status.dump();
    EXPECT_EQ(status["calls"]["active"], 0) << status.dump();
  }

  TempDir dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> daemon_;
  std::map<int, std::unique_ptr<FarEnd>> far_ends_;
  std::map<int, std::unique_ptr<Holder>> owners_;
  std::map<int, std::vector<std::unique_ptr<Holder>>> monitors_;
  std::map<int, std::vector<std::uint64_t>> calls_;
  int next_number_ = 0;
};

TEST_F(FaultLoadEndToEnd, FarEndKilledAndRestarted) {
  far_ends_[1]->Kill();
  ASSERT_TRUE(WaitSpan(1, "down"));
  StartFarEnd(1);
  ASSERT_TRUE(WaitSpan(1, "up"));
  // The new far end knows none of the calls: prid ends them (T309, or the
  // STATUS of a far end with no such call), telling every holder.
  ExpectTold(1, calls_[1], "idle");
  for (int s = 2; s <= kSpans; ++s) ExpectTold(s, calls_[s], "connected");
  CheckRecovered();
}

TEST_F(FaultLoadEndToEnd, DChannelFlapsShortAndLongerThanT309) {
  const int span = 2;
  for (int flap = 0; flap < kFlaps; ++flap) {
    const bool longer_than_t309 = flap % 2 == 1;
    const std::vector<std::uint64_t> up = ToldIn(*owners_[span], calls_[span], "connected");
    ASSERT_FALSE(up.empty());
    ASSERT_EQ(far_ends_[span]->Command(fmt::format("flap {}", longer_than_t309 ? kLongFlapMs : kShortFlapMs)),
              "ok flap");
    ASSERT_TRUE(WaitSpan(span, "down")) << "flap " << flap;
    ASSERT_EQ(far_ends_[span]->ReadLine(), "reconnected") << "flap " << flap;
    ASSERT_TRUE(WaitSpan(span, "up")) << "flap " << flap;
    if (longer_than_t309) {
      ExpectTold(span, up, "idle");
      for (std::uint64_t call : up) {
        EXPECT_EQ(owners_[span]->last[call].value("cause", 0), 27) << owners_[span]->last[call].dump();
        EXPECT_EQ(owners_[span]->last[call].value("origin", ""), "local");
      }
      // Calls for the next flaps.
      std::vector<std::uint64_t> made;
      for (int i = 0; i < kCallsPerSpan; ++i) made.push_back(MakeCall(span));
      ExpectTold(span, made, "connected");
    } else {
      // Kept across the short loss: still connected, and no holder was told otherwise.
      for (Holder* holder : HoldersOf(span)) {
        EXPECT_EQ(ToldIn(*holder, up, "connected").size(), up.size()) << "flap " << flap;
      }
    }
  }
  for (int s = 1; s <= kSpans; ++s) {
    if (s != span) ExpectTold(s, calls_[s], "connected");
  }
  CheckRecovered();
}

TEST_F(FaultLoadEndToEnd, SetupUnansweredT303) {
  const int span = 3;
  ASSERT_EQ(far_ends_[span]->Command("ignore-setup"), "ok ignore-setup");
  std::vector<std::uint64_t> unanswered;
  const auto sent = Clock::now();
  for (int i = 0; i < 5; ++i) unanswered.push_back(MakeCall(span));
  ExpectTold(span, unanswered, "idle");
  // Cleared by the timer, not by a message: T303 ran out twice.
  EXPECT_GE(Clock::now() - sent, 2 * kT303);
  for (std::uint64_t call : unanswered) {
    EXPECT_EQ(owners_[span]->last[call].value("origin", ""), "local") << owners_[span]->last[call].dump();
  }
  CheckRecovered();
}

TEST_F(FaultLoadEndToEnd, DisconnectUnansweredT305) {
  const int span = 3;
  ASSERT_EQ(far_ends_[span]->Command("ignore-disconnect"), "ok ignore-disconnect");
  std::vector<std::uint64_t> dropped(calls_[span].begin(), calls_[span].begin() + 10);
  const auto sent = Clock::now();
  for (std::uint64_t call : dropped) owners_[span]->api.Ok("call.drop", {{"call", call}});
  ExpectTold(span, dropped, "idle");
  EXPECT_GE(Clock::now() - sent, kT305);  // RELEASE only once T305 ran out
  for (std::uint64_t call : dropped) {
    EXPECT_EQ(owners_[span]->last[call].value("origin", ""), "local") << owners_[span]->last[call].dump();
  }
  CheckRecovered();
}

TEST_F(FaultLoadEndToEnd, ReleaseUnansweredT308) {
  const int span = 3;
  ASSERT_EQ(far_ends_[span]->Command("ignore-release"), "ok ignore-release");
  ASSERT_EQ(far_ends_[span]->Command("disconnect-all"), fmt::format("ok disconnect-all {}", kCallsPerSpan));
  ExpectTold(span, calls_[span], "disconnected");
  // The owner's RELEASE gets no RELEASE COMPLETE: T308 twice, and prid
  // frees the call by itself.
  const auto sent = Clock::now();
  for (std::uint64_t call : calls_[span]) owners_[span]->api.Ok("call.drop", {{"call", call}});
  ExpectTold(span, calls_[span], "idle");
  EXPECT_GE(Clock::now() - sent, 2 * kT308);
  CheckRecovered();
}

TEST_F(FaultLoadEndToEnd, FarEndRestartsTheWholeInterface) {
  const int span = 4;
  ASSERT_EQ(far_ends_[span]->Command("restart"), "ok restart");
  ExpectTold(span, calls_[span], "idle");
  for (std::uint64_t call : calls_[span]) {
    EXPECT_EQ(owners_[span]->last[call].value("origin", ""), "remote") << owners_[span]->last[call].dump();
  }
  for (int s = 1; s < span; ++s) ExpectTold(s, calls_[s], "connected");
  CheckRecovered();
}

// A client that sent a batch of call.make lines and half a line, to be
// killed once the first reply is back (the first call exists; the rest of
// the batch is still being worked on or unread).
pid_t StartClientToKill(const std::string& socket, int ready_fd) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) ::_exit(1);
  std::string lines;
  int id = 1;
  for (int s = 1; s <= kSpans; ++s) {
    for (int i = 0; i < 4; ++i) {
      lines += json{{"jsonrpc", "2.0"}, {"id", id++}, {"method", "call.make"},
                    {"params", {{"span", s}, {"number", "999"}}}}.dump() + "\n";
    }
  }
  lines += R"({"jsonrpc":"2.0","id":99,"method":"call.ma)";
  if (::write(fd, lines.data(), lines.size()) != static_cast<ssize_t>(lines.size())) ::_exit(1);
  for (char c = 0; c != '\n';) {
    if (::read(fd, &c, 1) != 1) ::_exit(1);
  }
  if (::write(ready_fd, "x", 1) != 1) ::_exit(1);
  ::pause();
  ::_exit(0);
}

TEST_F(FaultLoadEndToEnd, ClientKilledMidRequest) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t client = StartClientToKill(socket_, ready[1]);
  ASSERT_GT(client, 0);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::kill(client, SIGKILL);
  ::waitpid(client, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);

  // prid has seen the close once it counts only our own clients again
  // (checked each time an event of the killed client's calls arrives).
  const int ours = kSpans * (kMonitorsPerSpan + 1);
  auto deadline = Deadline();
  Holder& probe = *owners_[1];
  while (probe.api.Ok("daemon.status").value("clients", 0) > ours) {
    ASSERT_GT(MsLeft(deadline), 0) << "prid still counts the killed client";
    monitors_[1].front()->api.WaitEvent([](const json&) { return true; }, 50);
  }
  // Whatever calls it made are cleared: every monitor is told idle for
  // each call that is not an owner's; the owners' calls are untouched.
  std::set<std::uint64_t> killed_clients_calls;
  for (int s = 1; s <= kSpans; ++s) {
    const std::set<std::uint64_t> owned(calls_[s].begin(), calls_[s].end());
    for (auto& monitor : monitors_[s]) {
      EXPECT_TRUE(monitor->WaitUntil(
          [&] {
            for (const auto& [call, state] : monitor->told) {
              if (!owned.count(call) && state != "idle") return false;
            }
            return true;
          },
          Deadline()))
          << "span " << s << ": a call of the killed client is still up";
      for (const auto& [call, state] : monitor->told) {
        if (!owned.count(call)) killed_clients_calls.insert(call);
      }
    }
    ExpectTold(s, calls_[s], "connected");
  }
  EXPECT_GE(killed_clients_calls.size(), 1u) << "the killed client's first call.make was answered";
  CheckRecovered();
}

}  // namespace
}  // namespace prid::testing
