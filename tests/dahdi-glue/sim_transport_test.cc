// Unit tests of dahdi-glue/sim_transport: the sim D-channel over
// SOCK_SEQPACKET sockets, as a connected pair, listening and connecting;
// one frame per packet, a cut line, a lost far end.
#include "dahdi-glue/sim_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/un.h>

#include <array>
#include <vector>

#include "tests/support/temp_dir.h"

namespace prid::dahdi_glue {
namespace {

using ::testing::HasSubstr;

const std::vector<std::uint8_t> kSetupFrame = {0x02, 0x01, 0x00, 0x00, 0x08,
                                               0x02, 0x00, 0x01, 0x05};

// The next frame `t` reads, or {} when there is none.
std::vector<std::uint8_t> Read(SimTransport& t) {
  std::array<std::uint8_t, 512> buffer{};
  const int n = t.ReadFrame(buffer);
  return {buffer.begin(), buffer.begin() + n};
}

TEST(SimTransport, PairCarriesOneFramePerPacketBothWays) {
  auto pair = SimTransport::CreatePair("span1");
  ASSERT_TRUE(pair.ok()) << pair.error();
  auto& [a, b] = *pair;
  EXPECT_TRUE(a->connected());
  EXPECT_TRUE(b->connected());
  EXPECT_EQ(a->listen_fd(), -1);
  ASSERT_TRUE(a->WriteFrame(kSetupFrame));
  ASSERT_TRUE(a->WriteFrame(std::vector<std::uint8_t>{0x02, 0x01, 0x01, 0x01}));
  EXPECT_EQ(Read(*b), kSetupFrame);
  EXPECT_EQ(Read(*b), (std::vector<std::uint8_t>{0x02, 0x01, 0x01, 0x01}));
  ASSERT_TRUE(b->WriteFrame(std::vector<std::uint8_t>{0x00, 0x01, 0x01, 0x03}));
  EXPECT_EQ(Read(*a), (std::vector<std::uint8_t>{0x00, 0x01, 0x01, 0x03}));
}

TEST(SimTransport, NothingToReadGivesZeroAndKeepsTheLink) {
  auto pair = SimTransport::CreatePair("span1");
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  EXPECT_TRUE(Read(*a).empty());
  EXPECT_TRUE(a->connected());
  EXPECT_FALSE(a->peer_lost());
}

TEST(SimTransport, FrameLongerThanTheBufferIsDroppedNotTruncated) {
  auto pair = SimTransport::CreatePair("span1");
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  ASSERT_TRUE(a->WriteFrame(kSetupFrame));
  ASSERT_TRUE(a->WriteFrame(std::vector<std::uint8_t>{0x02, 0x01, 0x01, 0x01}));
  std::array<std::uint8_t, 4> small{};
  EXPECT_EQ(b->ReadFrame(small), 0);  // the 9-octet SETUP does not fit
  EXPECT_EQ(b->ReadFrame(small), 4);  // the next frame still comes
  EXPECT_TRUE(b->connected());
}

TEST(SimTransport, CutLineLosesFramesBothWaysButKeepsTheSocket) {
  auto pair = SimTransport::CreatePair("span1");
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  a->SetCut(true);
  EXPECT_TRUE(a->cut());
  EXPECT_TRUE(a->WriteFrame(kSetupFrame));  // "sent" into the cut line
  EXPECT_TRUE(Read(*b).empty());
  ASSERT_TRUE(b->WriteFrame(kSetupFrame));
  EXPECT_TRUE(Read(*a).empty());  // arrived, and lost
  EXPECT_TRUE(a->connected());
  a->SetCut(false);
  ASSERT_TRUE(b->WriteFrame(kSetupFrame));
  EXPECT_EQ(Read(*a), kSetupFrame);
}

TEST(SimTransport, FarEndClosingIsAPeerLoss) {
  auto pair = SimTransport::CreatePair("span1");
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  b.reset();
  EXPECT_TRUE(Read(*a).empty());
  EXPECT_TRUE(a->peer_lost());
  EXPECT_FALSE(a->connected());
  EXPECT_EQ(a->fd(), -1);
  EXPECT_FALSE(a->WriteFrame(kSetupFrame));
  a->ClearPeerLost();
  EXPECT_FALSE(a->peer_lost());
}

TEST(SimTransport, ListenerAcceptsAFarEndThatConnects) {
  testing::TempDir dir;
  const std::string path = dir.File("span1.sock");
  auto listener = SimTransport::Listen("span1", path);
  ASSERT_TRUE(listener.ok()) << listener.error();
  EXPECT_GE((*listener)->listen_fd(), 0);
  EXPECT_FALSE((*listener)->connected());

  auto far_end = SimTransport::ForConnect("far", path);
  EXPECT_FALSE(far_end->connected());
  ASSERT_TRUE(far_end->Reconnect().ok());
  ASSERT_TRUE((*listener)->AcceptPeer().ok());
  EXPECT_TRUE((*listener)->connected());

  ASSERT_TRUE(far_end->WriteFrame(kSetupFrame));
  EXPECT_EQ(Read(**listener), kSetupFrame);
  ASSERT_TRUE((*listener)->WriteFrame(std::vector<std::uint8_t>{0x00, 0x01, 0x01, 0x03}));
  EXPECT_EQ(Read(*far_end), (std::vector<std::uint8_t>{0x00, 0x01, 0x01, 0x03}));
}

TEST(SimTransport, ListenReplacesAStaleSocketFile) {
  testing::TempDir dir;
  const std::string path = dir.File("span1.sock");
  {
    auto first = SimTransport::Listen("span1", path);
    ASSERT_TRUE(first.ok()) << first.error();
  }  // closed, but its socket file stays behind
  auto second = SimTransport::Listen("span1", path);
  ASSERT_TRUE(second.ok()) << second.error();
}

TEST(SimTransport, AcceptWithNoFarEndWaitingIsAnError) {
  testing::TempDir dir;
  auto listener = SimTransport::Listen("span1", dir.File("span1.sock"));
  ASSERT_TRUE(listener.ok());
  auto accepted = (*listener)->AcceptPeer();
  ASSERT_FALSE(accepted.ok());
  EXPECT_THAT(accepted.message(), HasSubstr("span1: accept on "));
}

TEST(SimTransport, ConnectingWhereNobodyListensFailsAndCanBeRetried) {
  testing::TempDir dir;
  const std::string path = dir.File("later.sock");
  auto t = SimTransport::ForConnect("span2", path);
  auto failed = t->Reconnect();
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("span2: cannot connect to " + path));
  EXPECT_FALSE(t->connected());

  auto listener = SimTransport::Listen("far", path);
  ASSERT_TRUE(listener.ok());
  EXPECT_TRUE(t->Reconnect().ok());
  EXPECT_TRUE(t->connected());
}

TEST(SimTransport, PathTooLongForAUnixSocketIsRefused) {
  const std::string long_path = "/" + std::string(sizeof(sockaddr_un{}.sun_path), 'x');
  auto listener = SimTransport::Listen("span3", long_path);
  ASSERT_FALSE(listener.ok());
  EXPECT_THAT(listener.error(), HasSubstr("span3: socket path '"));
  EXPECT_THAT(listener.error(), HasSubstr("is empty or longer than 107 bytes"));
  auto t = SimTransport::ForConnect("span3", "");
  auto failed = t->Reconnect();
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("is empty or longer than"));
}

}  // namespace
}  // namespace prid::dahdi_glue
