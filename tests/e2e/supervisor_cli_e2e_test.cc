// End to end: prictl as a supervisor (calls --all, info --all, hangup) and
// the standalone `prictl call`, with real prictl processes against a real
// prid whose sim span's far end is a second real prid (node network), so
// that what reaches the far end is seen through its own socket API.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kDeadlineMs = 20000;

class SupervisorCliEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("PRID_BIN").empty()) << "PRID_BIN is not set (tests/e2e/meson.build sets it)";
    ASSERT_FALSE(Env("PRICTL_BIN").empty()) << "PRICTL_BIN is not set";
    ASSERT_EQ(::geteuid(), 0u) << "these tests start prictl as root (a supervisor) and as nobody";
    ASSERT_NE(::getgrgid(kNogroupGid), nullptr) << "no group " << kNogroupGid;
    // nobody reaches the socket through the directory: group nogroup may
    // use it (socket_group), and only root is a supervisor.
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
    socket_ = dir_.File("prid.sock");
    far_socket_ = dir_.File("far.sock");
    const std::string link = dir_.File("span1.link");
    std::ofstream(dir_.File("prid.conf")) << "[daemon]\nsocket = \"" << socket_ << "\"\n"
                                          << "socket_group = \"" << ::getgrgid(kNogroupGid)->gr_name << "\"\n\n"
                                          << "[[span]]\nspan = 1\ndriver = \"sim\"\nlisten = \"" << link << "\"\n";
    std::ofstream(dir_.File("far.conf")) << "[daemon]\nsocket = \"" << far_socket_ << "\"\n\n"
                                         << "[[span]]\nspan = 1\ndriver = \"sim\"\nnode = \"network\"\n"
                                         << "connect = \"" << link << "\"\n";
    // prid first, so that the far end's first connect to its span's link
    // finds it listening.
    daemon_ = StartPrid("prid");
    ASSERT_TRUE(daemon_) << Logs();
    far_daemon_ = StartPrid("far");
    ASSERT_TRUE(far_daemon_) << Logs();
    ASSERT_TRUE(SpanUp(socket_)) << Logs();
    ASSERT_TRUE(SpanUp(far_socket_)) << Logs();
    owner_ = std::make_unique<ApiClient>(socket_);
    far_ = std::make_unique<ApiClient>(far_socket_);
    ASSERT_TRUE(owner_->connected() && far_->connected());
    far_->Ok("line.open", {{"span", 1}});
  }

  void TearDown() override {
    owner_.reset();
    far_.reset();
    if (far_daemon_) {
      EXPECT_EQ(far_daemon_->Terminate(), 0) << Logs();
    }
    if (daemon_) {
      EXPECT_EQ(daemon_->Terminate(), 0) << Logs();
    }
  }

  // Starts prid with NAME.conf, logging to NAME.log, and waits for its
  // READY=1 (sd_notify: its socket and its span's link listen); null when
  // it did not come.
  std::unique_ptr<ChildProcess> StartPrid(const std::string& name) {
    const std::string notify_path = dir_.File(name + ".notify");
    // Kept open while the daemon runs: it notifies more than READY=1.
    base::UniqueFd& notify = notify_sockets_.emplace_back(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, notify_path.c_str(), sizeof address.sun_path - 1);
    if (::bind(notify.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return nullptr;
    ::setenv("NOTIFY_SOCKET", notify_path.c_str(), 1);
    auto daemon = std::make_unique<ChildProcess>(
        std::vector<std::string>{Env("PRID_BIN"), "-c", dir_.File(name + ".conf")}, dir_.File(name + ".log"));
    ::unsetenv("NOTIFY_SOCKET");
    const auto deadline = Clock::now() + std::chrono::milliseconds(kDeadlineMs);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{notify.get(), POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return nullptr;
      char buffer[4096];
      ssize_t n = ::recv(notify.get(), buffer, sizeof buffer, 0);
      if (n > 0 && std::string(buffer, static_cast<std::size_t>(n)).find("READY=1") != std::string::npos) {
        return daemon;
      }
    }
  }

  // Span 1 of the daemon at `socket` reports up (replayed if it already did).
  static bool SpanUp(const std::string& socket) {
    ApiClient probe(socket);
    return probe.connected() && probe.Call("events.subscribe", {{"since", 0}, {"span", 1}}).ok() &&
           probe.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "up"; },
                           kDeadlineMs);
  }

  std::string Logs() {
    return "prid:\n" + ReadWholeFile(dir_.File("prid.log")) + "far end:\n" + ReadWholeFile(dir_.File("far.log"));
  }

  // prictl on prid's socket: a supervisor as root, not `as_nobody`.
  std::unique_ptr<PipedChild> Start(std::vector<std::string> args, bool as_nobody = false) {
    args.insert(args.begin(), {Env("PRICTL_BIN"), "--socket", socket_});
    return std::make_unique<PipedChild>(args, PipedChildOptions{.as_nobody = as_nobody, .deadline_ms = kDeadlineMs});
  }

  // The far end's side of the next call offered to it, answered; its id.
  std::uint64_t FarAnswers(const std::string& number) {
    auto offered = far_->WaitNew(kDeadlineMs);
    EXPECT_TRUE(offered) << Logs();
    if (!offered) return 0;
    EXPECT_EQ((*offered)["called"], number);
    const std::uint64_t call = (*offered)["call"];
    far_->Ok("call.answer", {{"call", call}});
    EXPECT_TRUE(far_->WaitState(call, "connected"));
    return call;
  }

  // A call the owner makes and the far end answers: {ours, the far end's}.
  std::pair<std::uint64_t, std::uint64_t> OwnerCall(const std::string& number) {
    const std::uint64_t call = owner_->Ok("call.make", {{"span", 1}, {"number", number}})["call"];
    const std::uint64_t far = FarAnswers(number);
    EXPECT_TRUE(owner_->WaitState(call, "connected", kDeadlineMs));
    return {call, far};
  }

  TempDir dir_;
  std::string socket_;
  std::string far_socket_;
  std::vector<base::UniqueFd> notify_sockets_;
  std::unique_ptr<ChildProcess> daemon_;
  std::unique_ptr<ChildProcess> far_daemon_;
  std::unique_ptr<ApiClient> owner_;  // a client of prid's that holds calls
  std::unique_ptr<ApiClient> far_;    // the far end's application
};

TEST_F(SupervisorCliEndToEnd, CallsAllListsEveryCallWithItsOwnerAndHangupDropsOne) {
  const auto [first, far_first] = OwnerCall("1001");
  const auto [second, far_second] = OwnerCall("1002");

  auto json_list = Start({"--json", "calls", "--all"});
  ASSERT_EQ(json_list->Wait(), 0) << json_list->err();
  const json calls = json::parse(json_list->out());
  ASSERT_EQ(calls.size(), 2u) << json_list->out();
  const json& handles = calls[0]["handles"];
  ASSERT_EQ(handles.size(), 1u) << calls.dump();
  EXPECT_EQ(handles[0]["privilege"], "owner");
  const std::string owner_id = std::to_string(handles[0]["client"].get<std::uint64_t>());
  EXPECT_EQ(calls[1]["handles"][0]["client"], handles[0]["client"]) << "one owner holds both";

  auto table = Start({"calls", "--all"});
  ASSERT_EQ(table->Wait(), 0) << table->err();
  EXPECT_NE(table->out().find("ID  SPAN/CHAN  DIR  STATE      CALLED  CALLING  DURATION  HANDLES"), std::string::npos)
      << table->out();
  for (const auto& [call, number] : {std::pair{first, "1001"}, std::pair{second, "1002"}}) {
    const std::string row = std::to_string(call) + " ";
    const auto at = table->out().find("\n" + row);
    ASSERT_NE(at, std::string::npos) << table->out();
    const std::string line = table->out().substr(at + 1, table->out().find('\n', at + 1) - at - 1);
    EXPECT_NE(line.find(" out  connected  " + std::string(number) + " "), std::string::npos) << line;
    EXPECT_NE(line.find(" 00:00:"), std::string::npos) << "the duration so far: " << line;
    EXPECT_NE(line.find(owner_id + " owner"), std::string::npos) << line;
  }

  auto info = Start({"info", std::to_string(second), "--all"});
  ASSERT_EQ(info->Wait(), 0) << info->err();
  const std::string& shown = info->out();
  const auto handles_at = shown.find("\nhandles ");
  ASSERT_NE(handles_at, std::string::npos) << shown;
  const std::string handles_line = shown.substr(handles_at + 1, shown.find('\n', handles_at + 1) - handles_at - 1);
  EXPECT_NE(handles_line.find(" " + owner_id + " owner"), std::string::npos) << shown;

  auto hangup = Start({"hangup", std::to_string(first), "--cause", "21", "--uui-text", "bye"});
  ASSERT_EQ(hangup->Wait(), 0) << hangup->err();
  // The far end gets the DISCONNECT with the supervisor's cause and UUI.
  auto cleared = far_->WaitState(far_first, "disconnected", kDeadlineMs);
  ASSERT_TRUE(cleared) << Logs();
  EXPECT_EQ((*cleared)["cause"], 21);
  EXPECT_EQ((*cleared)["origin"], "remote");
  EXPECT_EQ((*cleared)["uui"]["text"], "bye");
  far_->Ok("call.drop", {{"call", far_first}});
  // The owner learns who dropped its call.
  auto idle = owner_->WaitState(first, "idle", kDeadlineMs);
  ASSERT_TRUE(idle) << Logs();
  EXPECT_EQ((*idle)["origin"], "supervisor");
  EXPECT_EQ((*idle)["cause"], 21);
  // The other call is untouched.
  EXPECT_EQ(owner_->Ok("call.info", {{"call", second}})["state"], "connected");
  EXPECT_EQ(far_->Ok("call.info", {{"call", far_second}})["state"], "connected");
}

TEST_F(SupervisorCliEndToEnd, NonSupervisorIsRefusedAndTheCallStaysUp) {
  const auto [call, far_call] = OwnerCall("1003");
  // nobody may use the socket (socket_group): what it is refused is the
  // supervisor privilege.
  auto status = Start({"status"}, /*as_nobody=*/true);
  ASSERT_EQ(status->Wait(), 0) << status->err();
  for (std::vector<std::string> args : {std::vector<std::string>{"calls", "--all"},
                                        std::vector<std::string>{"info", std::to_string(call), "--all"},
                                        std::vector<std::string>{"hangup", std::to_string(call), "--cause", "21"}}) {
    auto refused = Start(args, /*as_nobody=*/true);
    EXPECT_EQ(refused->Wait(), 1) << args[0] << ": " << refused->out() << refused->err();
    EXPECT_NE(refused->err().find("prictl: PermissionDenied: "), std::string::npos) << refused->err();
    EXPECT_NE(refused->err().find("privilege=supervisor"), std::string::npos) << refused->err();
    EXPECT_EQ(refused->out(), "");
  }
  EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["state"], "connected");
  EXPECT_EQ(far_->Ok("call.info", {{"call", far_call}})["state"], "connected");
  for (const json& event : owner_->AllEvents()) {
    if (event["type"] == "call.state" && event["call"] == call) {
      EXPECT_NE(event["state"], "idle") << event.dump();
      EXPECT_NE(event["state"], "disconnected") << event.dump();
    }
  }
}

TEST_F(SupervisorCliEndToEnd, StandaloneCallStaysUpAndPrintsItsEventsUntilTheFarEndClears) {
  auto call = Start({"call", "2001", "--uui-text", "hello"});
  const std::uint64_t far_call = FarAnswers("2001");
  ASSERT_TRUE(call->OutHas("connected ← ")) << call->out() << call->err();
  EXPECT_TRUE(call->Running()) << "a standalone call stays with its call";
  const std::string id = call->out().substr(0, call->out().find('\n'));
  EXPECT_EQ(far_->Ok("call.info", {{"call", far_call}})["uui_received"]["text"], "hello");

  far_->Ok("call.drop", {{"call", far_call}, {"cause", 16}, {"uui", {{"text", "far bye"}}}});
  // prictl releases at once (no release_timeout): the far end's call ends.
  ASSERT_TRUE(far_->WaitState(far_call, "idle", kDeadlineMs)) << call->out() << call->err();
  EXPECT_EQ(call->Wait(), 0) << "answered, then cleared: exit 0\n" << call->out() << call->err();
  EXPECT_NE(call->out().find("call=" + id + " span=1 disconnected ← connected cause=16 (normal_clearing) mode=normal "
                             "origin=remote uui=\"far bye\""),
            std::string::npos)
      << call->out();
  EXPECT_NE(call->out().find("call=" + id + " span=1 idle ← disconnected"), std::string::npos) << call->out();
  EXPECT_EQ(call->err(), "");
}

TEST_F(SupervisorCliEndToEnd, InterruptDropsTheStandaloneCallWithCause16AndWaitsForItsEnd) {
  auto call = Start({"call", "2002"});
  const std::uint64_t far_call = FarAnswers("2002");
  ASSERT_TRUE(call->OutHas("connected ← ")) << call->out() << call->err();
  call->Signal(SIGINT);
  auto cleared = far_->WaitState(far_call, "disconnected", kDeadlineMs);
  ASSERT_TRUE(cleared) << call->out() << call->err() << Logs();
  EXPECT_EQ((*cleared)["cause"], 16);
  EXPECT_EQ((*cleared)["origin"], "remote");
  EXPECT_TRUE(call->ErrHas("prictl: SIGINT: dropping call ")) << call->err();
  // prictl waits for the call's end, which the far end's release makes.
  EXPECT_TRUE(call->Running()) << call->out() << call->err();
  far_->Ok("call.drop", {{"call", far_call}});
  EXPECT_EQ(call->Wait(), 0) << call->out() << call->err();
  EXPECT_NE(call->out().find("idle ← connected cause=16 (normal_clearing) mode=normal origin=local"), std::string::npos)
      << call->out();
}

TEST_F(SupervisorCliEndToEnd, StandaloneCallThatIsNeverAnsweredExitsOne) {
  auto call = Start({"call", "2003"});
  auto offered = far_->WaitNew(kDeadlineMs);
  ASSERT_TRUE(offered) << Logs();
  far_->Ok("call.drop", {{"call", (*offered)["call"]}, {"cause", "busy"}});
  EXPECT_EQ(call->Wait(), 1) << call->out() << call->err();
  EXPECT_NE(call->err().find("ended without being answered (cause 17 user_busy)"), std::string::npos) << call->err();
}

TEST_F(SupervisorCliEndToEnd, DetachPrintsTheIdAndWarnsThatTheCallIsDropped) {
  // A supervisor's view of every call's events, to see the call go.
  ApiClient watcher(socket_);
  watcher.Ok("events.subscribe", {{"all", true}});
  auto call = Start({"call", "2004", "--detach"});
  EXPECT_EQ(call->Wait(), 0) << call->err();
  const std::string id = call->out().substr(0, call->out().find('\n'));
  EXPECT_EQ(call->out(), id + "\n");
  EXPECT_NE(call->err().find("prictl: warning: call " + id + " is owned by this prictl's connection"),
            std::string::npos)
      << call->err();
  EXPECT_NE(call->err().find("cleared (cause 16) as prictl exits"), std::string::npos) << call->err();
  // And so it is: prid clears it with cause 16 as prictl's connection closes.
  auto idle = watcher.WaitState(std::stoull(id), "idle", kDeadlineMs);
  ASSERT_TRUE(idle) << Logs();
  EXPECT_EQ((*idle)["cause"], 16);
  EXPECT_EQ((*idle)["origin"], "local");
}

}  // namespace
}  // namespace prid::testing
