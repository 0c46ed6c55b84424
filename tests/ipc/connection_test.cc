// Tests of one connection's socket end over real socket pairs: lines split
// across reads, end of input, overlong lines, vectored writes to a full
// socket, write errors, and draining unread input before close.
#include "ipc/connection.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ipc/client_queue.h"
#include "tests/ipc/socket_waits.h"

namespace prid::ipc {
namespace {

using test::SocketPair;
using test::WaitFor;

SharedLine L(const std::string& text) { return std::make_shared<const std::string>(text); }

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto [ours, theirs] = SocketPair();
    ASSERT_TRUE(ours.valid() && theirs.valid());
    peer_ = std::move(theirs);
    connection_ = std::make_unique<Connection>(std::move(ours), /*max_line_bytes=*/16);
  }

  void PeerWrites(const std::string& bytes) {
    ASSERT_EQ(send(peer_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

  // Waits until the connection's socket is readable, then reads once.
  Connection::ReadOutcome ReadOnce() {
    EXPECT_TRUE(WaitFor(connection_->fd(), POLLIN)) << "nothing to read";
    return connection_->Read(buffer_, [this](std::string_view line) {
      lines_.emplace_back(line);
      return true;
    });
  }

  // Reads what the peer got until it would block.
  std::string PeerReadsAll() {
    std::string received;
    char chunk[4096];
    for (;;) {
      ssize_t n = recv(peer_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
      if (n <= 0) return received;
      received.append(chunk, static_cast<std::size_t>(n));
    }
  }

  std::vector<char> buffer_ = std::vector<char>(kReadChunk);
  std::vector<std::string> lines_;
  base::UniqueFd peer_;
  std::unique_ptr<Connection> connection_;
};

TEST_F(ConnectionTest, LineSplitAcrossReadsIsDeliveredOnceWhole) {
  PeerWrites("{\"a\":");
  EXPECT_EQ(ReadOnce().result, Connection::ReadResult::kFramed);
  EXPECT_TRUE(lines_.empty());
  EXPECT_EQ(connection_->framer().buffered_bytes(), 5u);
  PeerWrites("1}\n{\"b\"");
  EXPECT_EQ(ReadOnce().result, Connection::ReadResult::kFramed);
  EXPECT_EQ(lines_, std::vector<std::string>{"{\"a\":1}"});
  PeerWrites(":2}\n");
  EXPECT_EQ(ReadOnce().result, Connection::ReadResult::kFramed);
  EXPECT_EQ(lines_, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST_F(ConnectionTest, SeveralLinesInOneReadAreDeliveredInOrder) {
  PeerWrites("one\ntwo\nthree\n");
  EXPECT_EQ(ReadOnce().result, Connection::ReadResult::kFramed);
  EXPECT_EQ(lines_, (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(ConnectionTest, NothingToReadWouldBlock) {
  EXPECT_EQ(connection_->Read(buffer_, [](std::string_view) { return true; }).result,
            Connection::ReadResult::kWouldBlock);
}

TEST_F(ConnectionTest, PeerShutdownIsEndOfInput) {
  ASSERT_EQ(shutdown(peer_.get(), SHUT_WR), 0);
  EXPECT_EQ(ReadOnce().result, Connection::ReadResult::kEndOfInput);
}

TEST_F(ConnectionTest, OverlongLineIsReportedBeforeItsNewline) {
  PeerWrites(std::string(17, 'x'));
  EXPECT_EQ(ReadOnce().result, Connection::ReadResult::kLineTooLong);
  EXPECT_TRUE(lines_.empty());
}

TEST_F(ConnectionTest, WriteSendsEveryQueuedLineInOrder) {
  ClientQueue queue(1 << 20);
  std::string expected;
  // More lines than one sendmsg takes.
  for (std::size_t i = 0; i < kMaxIov * 2 + 3; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    expected += line;
    ASSERT_EQ(queue.Push(L(line), i + 1), ClientQueue::PushResult::kQueued);
  }
  EXPECT_EQ(connection_->Write(queue).result, Connection::WriteResult::kFlushed);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.last_written_seq(), kMaxIov * 2 + 3);
  EXPECT_EQ(PeerReadsAll(), expected);
}

TEST_F(ConnectionTest, WriteToAFullSocketStopsAndResumesWhereItStopped) {
  int small = 4096;
  ASSERT_EQ(setsockopt(connection_->fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  ClientQueue queue(1 << 24);
  std::string expected;
  for (int i = 0; i < 400; ++i) {
    std::string line = std::to_string(i) + ":" + std::string(1000, 'p') + "\n";
    expected += line;
    ASSERT_EQ(queue.Push(L(line), static_cast<std::uint64_t>(i + 1)),
              ClientQueue::PushResult::kQueued);
  }
  std::string received;
  EXPECT_EQ(connection_->Write(queue).result, Connection::WriteResult::kFull);
  EXPECT_FALSE(queue.empty());
  // Drain the peer and write again whenever the socket takes more.
  for (;;) {
    received += PeerReadsAll();
    if (queue.empty()) break;
    ASSERT_TRUE(WaitFor(connection_->fd(), POLLOUT)) << "the socket never drained";
    Connection::WriteResult result = connection_->Write(queue).result;
    ASSERT_NE(result, Connection::WriteResult::kFailed);
  }
  EXPECT_EQ(received, expected);
  EXPECT_EQ(queue.last_written_seq(), 400u);
}

TEST_F(ConnectionTest, WriteToAClosedPeerFailsWithItsErrno) {
  peer_.Reset();
  ClientQueue queue(100);
  ASSERT_EQ(queue.Push(L("reply\n"), 0), ClientQueue::PushResult::kQueued);
  Connection::WriteOutcome written = connection_->Write(queue);
  EXPECT_EQ(written.result, Connection::WriteResult::kFailed);
  EXPECT_EQ(written.error, EPIPE);
}

// Why input is discarded before close: with a request left unread, the
// peer reads our reply and then ECONNRESET instead of end of file.
TEST_F(ConnectionTest, ClosingWithUnreadInputResetsThePeer) {
  PeerWrites("never read\n");
  ClientQueue queue(100);
  ASSERT_EQ(queue.Push(L("bye\n"), 0), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(connection_->Write(queue).result, Connection::WriteResult::kFlushed);
  connection_.reset();
  char chunk[64];
  ASSERT_TRUE(WaitFor(peer_.get(), POLLIN));
  EXPECT_EQ(recv(peer_.get(), chunk, sizeof chunk, 0), 4);
  EXPECT_EQ(recv(peer_.get(), chunk, sizeof chunk, 0), -1);
  EXPECT_EQ(errno, ECONNRESET);
}

TEST_F(ConnectionTest, InputDiscardedBeforeCloseGivesThePeerTheReplyThenEof) {
  PeerWrites("never read\n");
  ClientQueue queue(100);
  ASSERT_EQ(queue.Push(L("bye\n"), 0), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(connection_->Write(queue).result, Connection::WriteResult::kFlushed);
  connection_->DiscardPendingInput();
  connection_.reset();
  char chunk[64];
  ASSERT_TRUE(WaitFor(peer_.get(), POLLIN));
  EXPECT_EQ(recv(peer_.get(), chunk, sizeof chunk, 0), 4);
  EXPECT_EQ(recv(peer_.get(), chunk, sizeof chunk, 0), 0) << "end of file, not " << errno;
}

TEST(DiscardPendingInputTest, DropsAtMostTheLimit) {
  auto [ours, theirs] = SocketPair();
  ASSERT_TRUE(ours.valid() && theirs.valid());
  std::string bytes(100, 'z');
  ASSERT_EQ(send(theirs.get(), bytes.data(), bytes.size(), 0), 100);
  DiscardPendingInput(ours.get(), 60);
  char chunk[200];
  EXPECT_EQ(recv(ours.get(), chunk, sizeof chunk, MSG_DONTWAIT), 40);
}

}  // namespace
}  // namespace prid::ipc
