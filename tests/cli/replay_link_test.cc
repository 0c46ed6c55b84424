// Unit tests of cli/replay_link: the replayer's SOCK_SEQPACKET end of a sim
// span's D-channel, against a listening socket standing in for prid.
#include "cli/replay_link.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/unique_fd.h"
#include "tests/support/temp_dir.h"

namespace prid::cli {
namespace {

using ::testing::HasSubstr;

// prid's side: a SOCK_SEQPACKET listener on `path`, as a sim span with
// `listen = "PATH"` has.
class ReplayLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.File("span1.sock");
    listener_.Reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(listener_.valid());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path_.c_str());
    ASSERT_EQ(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener_.get(), 1), 0);
  }

  ReplayLink ConnectAndAccept() {
    auto link = ReplayLink::Connect(path_);
    EXPECT_TRUE(link.ok()) << link.error();
    prid_.Reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    EXPECT_TRUE(prid_.valid());
    return std::move(link).value();
  }

  testing::TempDir dir_;
  std::string path_;
  base::UniqueFd listener_;
  base::UniqueFd prid_;
};

TEST_F(ReplayLinkTest, SentFrameArrivesAsOnePacket) {
  auto link = ConnectAndAccept();
  const std::vector<std::uint8_t> frame = {0x02, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x05};
  ASSERT_TRUE(link.Send(frame).ok());
  std::uint8_t buffer[64];
  const ssize_t n = ::recv(prid_.get(), buffer, sizeof buffer, 0);
  ASSERT_EQ(n, static_cast<ssize_t>(frame.size()));
  EXPECT_EQ(std::vector<std::uint8_t>(buffer, buffer + n), frame);
}

TEST_F(ReplayLinkTest, ReceiveGivesEachPacketAsOneFrame) {
  auto link = ConnectAndAccept();
  const std::uint8_t first[] = {0x00, 0x01, 0x01, 0x01};
  const std::uint8_t second[] = {0x02, 0x01, 0x7f};
  ASSERT_EQ(::send(prid_.get(), first, sizeof first, 0), 4);
  ASSERT_EQ(::send(prid_.get(), second, sizeof second, 0), 3);
  auto a = link.Receive(1000);
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(**a, std::vector<std::uint8_t>(first, first + 4));
  auto b = link.Receive(1000);
  ASSERT_TRUE(b.ok()) << b.error();
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ(**b, std::vector<std::uint8_t>(second, second + 3));
}

TEST_F(ReplayLinkTest, NothingWithinTheTimeoutIsNoFrameAndNoError) {
  auto link = ConnectAndAccept();
  auto none = link.Receive(0);
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_FALSE(none->has_value());
  auto still_none = link.Receive(20);
  ASSERT_TRUE(still_none.ok());
  EXPECT_FALSE(still_none->has_value());
}

TEST_F(ReplayLinkTest, PridClosingTheLinkIsAnError) {
  auto link = ConnectAndAccept();
  prid_.Reset();
  auto closed = link.Receive(1000);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error(), "prid closed the D-channel link");
}

TEST_F(ReplayLinkTest, SendingAfterPridClosedIsAnError) {
  auto link = ConnectAndAccept();
  prid_.Reset();
  listener_.Reset();
  auto sent = link.Send(std::vector<std::uint8_t>{0x02, 0x01, 0x01, 0x01});
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.message(), HasSubstr("sending a frame to prid: "));
}

TEST_F(ReplayLinkTest, ConnectingWhereNobodyListensNamesThePath) {
  const std::string nowhere = dir_.File("nobody.sock");
  auto link = ReplayLink::Connect(nowhere);
  ASSERT_FALSE(link.ok());
  EXPECT_EQ(link.error(), "connect " + nowhere + ": No such file or directory");
}

TEST_F(ReplayLinkTest, EmptyOrTooLongPathIsRefusedBeforeConnecting) {
  auto empty = ReplayLink::Connect("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error(), "link path '' is empty or too long");
  const std::string long_path = "/" + std::string(sizeof(sockaddr_un{}.sun_path), 'x');
  auto too_long = ReplayLink::Connect(long_path);
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.error(), HasSubstr("is empty or too long"));
}

}  // namespace
}  // namespace prid::cli
