// Tests of the listening socket on a libev loop run by the test thread:
// the socket file (mode, removal, stale and live sockets), adopting an
// inherited socket, accepting in bounded batches, and out of file
// descriptors: telling clients on the reserve descriptor, or pausing.
#include "ipc/listener.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tests/ipc/socket_waits.h"

namespace prid::ipc {
namespace {

using test::TempDir;

// A blocking client socket connected to `path`; invalid on failure.
base::UniqueFd ConnectTo(const std::string& path) {
  base::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return base::UniqueFd();
  }
  return fd;
}

class ListenerTest : public ::testing::Test {
 protected:
  ListenerTest() : deadline_(loop_) {
    deadline_.set<ListenerTest, &ListenerTest::OnDeadline>(this);
  }

  std::unique_ptr<Listener> MakeListener(ListenerOptions options) {
    if (options.path.empty() && options.inherited_fd < 0) options.path = path_;
    return std::make_unique<Listener>(
        loop_, options, [this](base::UniqueFd fd) { accepted_.push_back(std::move(fd)); });
  }

  // Runs the loop until `done` or the deadline; false on the deadline.
  bool RunUntil(const std::function<bool()>& done, double timeout_s = test::kWaitMs / 1000.0) {
    timed_out_ = false;
    deadline_.start(timeout_s);
    while (!done() && !timed_out_) loop_.run(ev::ONCE);
    deadline_.stop();
    return done();
  }

  void OnDeadline(ev::timer&, int) { timed_out_ = true; }

  TempDir dir_;
  std::string path_ = dir_.path() + "/listen.sock";
  ev::dynamic_loop loop_;
  ev::timer deadline_;
  bool timed_out_ = false;
  std::vector<base::UniqueFd> accepted_;
};

TEST_F(ListenerTest, BindsThePathWithTheConfiguredMode) {
  ListenerOptions options;
  options.mode = 0600;
  auto listener = MakeListener(options);
  ASSERT_TRUE(listener->Start().ok());
  EXPECT_EQ(listener->path(), path_);
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(ListenerTest, AcceptedConnectionIsNonBlockingAndCloseOnExec) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  base::UniqueFd client = ConnectTo(path_);
  ASSERT_TRUE(client.valid());
  ASSERT_TRUE(RunUntil([&] { return accepted_.size() == 1; }));
  int fd = accepted_[0].get();
  EXPECT_NE(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(ListenerTest, AcceptsAtMostABoundedBatchPerWakeup) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  std::vector<base::UniqueFd> clients;
  for (int i = 0; i < kMaxAcceptsPerWakeup + 6; ++i) {
    clients.push_back(ConnectTo(path_));
    ASSERT_TRUE(clients.back().valid());
  }
  loop_.run(ev::ONCE);
  EXPECT_EQ(accepted_.size(), static_cast<std::size_t>(kMaxAcceptsPerWakeup));
  loop_.run(ev::ONCE);
  EXPECT_EQ(accepted_.size(), clients.size());
}

TEST_F(ListenerTest, StopLeavesNewConnectionsInTheBacklog) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  listener->Stop();
  base::UniqueFd client = ConnectTo(path_);
  ASSERT_TRUE(client.valid());
  loop_.run(ev::NOWAIT);
  EXPECT_TRUE(accepted_.empty());
}

// Lowers RLIMIT_NOFILE so that no descriptor is free below it — the
// next one the process opens fails with EMFILE — or to `at` when given;
// restores the old limit when destroyed.
class TightFileLimit {
 public:
  explicit TightFileLimit(int at = -1) {
    ok_ = getrlimit(RLIMIT_NOFILE, &saved_) == 0;
    int lowest_free = at >= 0 ? at : open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (at < 0 && lowest_free >= 0) close(lowest_free);
    rlimit tight = saved_;
    tight.rlim_cur = static_cast<rlim_t>(lowest_free);
    ok_ = ok_ && lowest_free >= 0 && setrlimit(RLIMIT_NOFILE, &tight) == 0;
  }
  ~TightFileLimit() { Restore(); }
  void Restore() {
    if (ok_) setrlimit(RLIMIT_NOFILE, &saved_);
    ok_ = false;
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// Everything `fd` (blocking) receives until end of file.
std::string ReadToEof(int fd) {
  std::string text;
  char buffer[4096];
  while (test::WaitFor(fd, POLLIN)) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

TEST_F(ListenerTest, OutOfFileDescriptorsEachPendingClientIsToldThenClosed) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  base::UniqueFd first = ConnectTo(path_);
  base::UniqueFd second = ConnectTo(path_);
  ASSERT_TRUE(first.valid() && second.valid());

  TightFileLimit limit;
  ASSERT_TRUE(limit.ok());
  loop_.run(ev::ONCE);
  limit.Restore();
  EXPECT_TRUE(accepted_.empty());

  // Both were accepted on the reserve descriptor, in turn, and refused: the
  // reserve came back after the first.
  for (base::UniqueFd* client : {&first, &second}) {
    std::string text = ReadToEof(client->get());
    ASSERT_FALSE(text.empty()) << "the client was not told";
    EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line, then end of file: " << text;
    EXPECT_NE(text.find(R"("code":6)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("name":"ResourceUnavailable")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("id":null)"), std::string::npos) << text;
    EXPECT_NE(text.find("prid is out of file descriptors: it holds its limit of"),
              std::string::npos)
        << text;
  }

  // With descriptors free again, connections are accepted as before.
  base::UniqueFd third = ConnectTo(path_);
  ASSERT_TRUE(third.valid());
  ASSERT_TRUE(RunUntil([&] { return accepted_.size() == 1; }));
}

TEST_F(ListenerTest, OutOfFileDescriptorsBeyondTheReservePausesAcceptingThenRetries) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  base::UniqueFd client = ConnectTo(path_);
  ASSERT_TRUE(client.valid());

  // Only 0, 1 and 2 are below the limit: even the reserve's number is not,
  // so spending it frees nothing and accepting must pause.
  TightFileLimit limit(3);
  ASSERT_TRUE(limit.ok());
  loop_.run(ev::ONCE);
  ev_tstamp failed_at = loop_.now();
  limit.Restore();
  EXPECT_TRUE(accepted_.empty());

  // The connection waited in the backlog and is accepted after the pause,
  // not before (the socket stayed readable all along).
  loop_.run(ev::NOWAIT);
  EXPECT_TRUE(accepted_.empty()) << "accepting again before the pause";
  ASSERT_TRUE(RunUntil([&] { return accepted_.size() == 1; }));
  EXPECT_GE(loop_.now() - failed_at, kAcceptRetryS * 0.9);
}

TEST_F(ListenerTest, RemovesItsSocketFileWhenDestroyed) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  listener.reset();
  EXPECT_NE(access(path_.c_str(), F_OK), 0);
}

TEST_F(ListenerTest, LeavesASocketFileThatReplacedItsOwn) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  ASSERT_EQ(unlink(path_.c_str()), 0);
  // Another server's socket, at the same path.
  auto other = std::make_unique<Listener>(loop_, ListenerOptions{path_}, [](base::UniqueFd) {});
  ASSERT_TRUE(other->Start().ok());
  listener.reset();
  EXPECT_EQ(access(path_.c_str(), F_OK), 0);
}

TEST_F(ListenerTest, StaleSocketFileIsReplacedAndALiveOneRefused) {
  // A socket file nobody accepts on, like that of a server that died.
  base::UniqueFd stale(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(bind(stale.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  stale.Reset();

  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  auto second = MakeListener({});
  base::Status refused = second->Start();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("another server is already listening on " + path_),
            std::string::npos)
      << refused.message();
}

TEST_F(ListenerTest, InheritedListeningSocketIsAdoptedWithItsPath) {
  base::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd.get(), 4), 0);
  ListenerOptions options;
  options.inherited_fd = fd.Release();  // the Listener owns it from Start()
  auto listener = MakeListener(options);
  ASSERT_TRUE(listener->Start().ok());
  EXPECT_EQ(listener->path(), path_);
  EXPECT_NE(fcntl(options.inherited_fd, F_GETFL) & O_NONBLOCK, 0);
  base::UniqueFd client = ConnectTo(path_);
  ASSERT_TRUE(client.valid());
  ASSERT_TRUE(RunUntil([&] { return accepted_.size() == 1; }));
  listener.reset();
  EXPECT_EQ(access(path_.c_str(), F_OK), 0) << "an adopted socket's file is not ours to remove";
}

TEST_F(ListenerTest, StartingTwiceFails) {
  auto listener = MakeListener({});
  ASSERT_TRUE(listener->Start().ok());
  base::Status again = listener->Start();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find("already started on " + path_), std::string::npos);
}

}  // namespace
}  // namespace prid::ipc
