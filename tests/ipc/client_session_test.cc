// Tests of one client's session on a libev loop run by the test thread,
// with a fake host and a socket pair: events sent during a request follow
// its reply, a slow reader is cut off and closed after its notice, end of
// input flushes then closes, the grace time closes a client that never
// reads.
#include "ipc/client_session.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ipc/line_dispatch.h"
#include "ipc/peer_credentials.h"
#include "tests/ipc/socket_waits.h"

namespace prid::ipc {
namespace {

using nlohmann::json;
using test::SocketPair;
using test::WaitFor;

constexpr ClientId kId = 5;

// The server's stand-in: runs bodies directly, records flush requests and
// destroys the session on Close() as the server does.
class FakeHost : public ClientSessionHost {
 public:
  void Guard(ClientId, const std::function<void()>& body) override { body(); }
  void ScheduleFlush(ClientId client) override { flushes.push_back(client); }
  void Close(ClientSession& closing) override {
    closed.push_back(closing.id());
    closing.DiscardPendingInput();
    session.reset();
  }
  void Drained(ClientSession& drained) override { this->drained.push_back(drained.id()); }

  std::unique_ptr<ClientSession> session;
  std::vector<ClientId> flushes;
  std::vector<ClientId> drained;
  std::vector<ClientId> closed;
};

// "notify" Send()s `count` events to the caller while its request runs.
class NotifyingDispatcher : public Dispatcher {
 public:
  explicit NotifyingDispatcher(FakeHost& host) : host_(host) {}
  void ClientOpened(ClientId, const PeerCredentials&) override {}
  void ClientClosed(ClientId) override {}
  base::Expected<json, RpcError> Call(ClientId, std::string_view method,
                                      const Params& params) override {
    if (method == "notify") {
      int count = ToJson(params).value("count", 1);
      for (int i = 1; i <= count; ++i) {
        host_.session->Send(MakeNotificationLine("event", json{{"seq", i}}),
                            static_cast<std::uint64_t>(i));
      }
    }
    return json::object();
  }

 private:
  FakeHost& host_;
};

class ClientSessionTest : public ::testing::Test {
 protected:
  ClientSessionTest() : deadline_(loop_) {
    deadline_.set<ClientSessionTest, &ClientSessionTest::OnDeadline>(this);
  }
  // The session's watchers stop before the loop goes.
  ~ClientSessionTest() override { host_.session.reset(); }

  void Open(std::size_t max_queue_bytes = 1 << 20, int close_grace_ms = 2000) {
    context_ = std::make_unique<ClientSessionContext>(ClientSessionContext{
        loop_, host_, dispatch_, read_buffer_, 1024, max_queue_bytes, close_grace_ms});
    auto [ours, theirs] = SocketPair();
    ASSERT_TRUE(ours.valid() && theirs.valid());
    peer_ = std::move(theirs);
    host_.session = std::make_unique<ClientSession>(*context_, kId, std::move(ours));
  }

  // One loop iteration (waiting for an event, at most until the deadline),
  // then the flush the server would run before the loop waits again.
  void Pump() {
    deadline_.start(test::kWaitMs / 1000.0);
    loop_.run(ev::ONCE);
    deadline_.stop();
    Flush();
  }
  void Flush() {
    if (host_.flushes.empty()) return;
    host_.flushes.clear();
    if (host_.session) host_.session->Flush();
  }
  void OnDeadline(ev::timer&, int) { timed_out_ = true; }

  void PeerWrites(const std::string& bytes) {
    ASSERT_EQ(send(peer_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // The lines the peer can read now.
  std::vector<std::string> PeerLines() {
    std::string received;
    char chunk[4096];
    ssize_t n;
    while ((n = recv(peer_.get(), chunk, sizeof chunk, MSG_DONTWAIT)) > 0) {
      received.append(chunk, static_cast<std::size_t>(n));
    }
    std::vector<std::string> lines;
    for (std::size_t start = 0, end; (end = received.find('\n', start)) != std::string::npos;
         start = end + 1) {
      lines.push_back(received.substr(start, end - start));
    }
    return lines;
  }

  FakeHost host_;
  NotifyingDispatcher dispatcher_{host_};
  LineDispatch dispatch_{dispatcher_};
  std::vector<char> read_buffer_ = std::vector<char>(kReadChunk);
  ev::dynamic_loop loop_;
  ev::timer deadline_;
  bool timed_out_ = false;
  std::unique_ptr<ClientSessionContext> context_;
  base::UniqueFd peer_;
};

TEST_F(ClientSessionTest, EventsSentDuringItsRequestFollowTheReply) {
  Open();
  PeerWrites(R"({"jsonrpc":"2.0","id":1,"method":"notify","params":{"count":2}})"
             "\n");
  Pump();
  std::vector<std::string> lines = PeerLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(json::parse(lines[0])["id"], 1);
  EXPECT_EQ(json::parse(lines[1])["params"]["seq"], 1);
  EXPECT_EQ(json::parse(lines[2])["params"]["seq"], 2);
  EXPECT_EQ(host_.session->stats().last_written_seq, 2u);
}

TEST_F(ClientSessionTest, SlowReaderIsCutOffAndClosedOnceTheNoticeIsWritten) {
  Open(/*max_queue_bytes=*/100);
  for (int i = 1; i <= 10; ++i) {
    host_.session->Send(MakeNotificationLine("event", json{{"seq", i}}),
                        static_cast<std::uint64_t>(i));
  }
  ClientStats stats = host_.session->stats();
  EXPECT_TRUE(stats.cut_off);
  EXPECT_TRUE(stats.closing);
  Flush();
  EXPECT_EQ(host_.closed, std::vector<ClientId>{kId});
  std::vector<std::string> lines = PeerLines();
  ASSERT_EQ(lines.size(), 1u);
  json notice = json::parse(lines[0]);
  EXPECT_EQ(notice["params"]["type"], "events.lost");
  EXPECT_EQ(notice["params"]["last_seq"], 0);
}

TEST_F(ClientSessionTest, EndOfInputFlushesWhatIsQueuedThenCloses) {
  Open();
  PeerWrites(R"({"jsonrpc":"2.0","id":9,"method":"echo"})"
             "\n");
  ASSERT_EQ(shutdown(peer_.get(), SHUT_WR), 0);
  while (host_.closed.empty() && !timed_out_) Pump();
  EXPECT_EQ(host_.closed, std::vector<ClientId>{kId});
  std::vector<std::string> lines = PeerLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(json::parse(lines[0])["id"], 9);
}

TEST_F(ClientSessionTest, SendAfterDisconnectIsDropped) {
  Open();
  host_.session->BeginClosing();
  host_.session->Send(MakeNotificationLine("event", json::object()), 1);
  EXPECT_EQ(host_.session->stats().queued_bytes, 0u);
  Flush();
  EXPECT_EQ(host_.closed, std::vector<ClientId>{kId});
  EXPECT_TRUE(PeerLines().empty());
}

TEST_F(ClientSessionTest, ClientThatNeverReadsIsClosedAfterTheGraceTime) {
  Open(/*max_queue_bytes=*/1 << 24, /*close_grace_ms=*/50);
  int small = 4096;
  ASSERT_EQ(setsockopt(peer_.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  // More than the socket takes, so that the flush never finishes.
  for (int i = 1; i <= 4000; ++i) {
    host_.session->Send(
        MakeNotificationLine("event", json{{"seq", i}, {"pad", std::string(1000, 'p')}}),
        static_cast<std::uint64_t>(i));
  }
  host_.session->BeginClosing();
  Flush();
  ASSERT_TRUE(host_.session) << "closed before the grace time";
  EXPECT_GT(host_.session->stats().queued_bytes, 0u);
  while (host_.closed.empty() && !timed_out_) Pump();
  EXPECT_EQ(host_.closed, std::vector<ClientId>{kId});
}

}  // namespace
}  // namespace prid::ipc
