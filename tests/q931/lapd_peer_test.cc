// The replayer's end of a Q.921 data link.
#include "q931/lapd_peer.h"

#include <gtest/gtest.h>

#include "q931/lapd.h"

namespace prid::q931 {
namespace {

using Bytes = std::vector<std::uint8_t>;

LapdHeader Header(const Bytes& frame) {
  auto h = DecodeLapdHeader(frame);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  return h.ok() ? *h : LapdHeader{};
}

// Frames the user side (libpri as CPE) would send: commands C/R 0.
Bytes UserCommand(LapdHeader h, const Bytes& payload = {}) {
  Bytes frame = EncodeLapdHeader(h);
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

TEST(LapdPeerTest, AnswersSabmeWithUaAndCountsFromZero) {
  LapdPeer network(/*network_side=*/true);
  auto out = network.Receive(UserCommand(MakeUFrame(0, 0, false, lapd::kSabme, true)));
  ASSERT_EQ(out.replies.size(), 1u);
  const LapdHeader ua = Header(out.replies[0]);
  EXPECT_EQ(ua.control, lapd::kUa);
  EXPECT_TRUE(ua.poll_final);
  EXPECT_FALSE(ua.command_response);  // a network side's response: C/R 0
  EXPECT_TRUE(network.established());
  const LapdHeader first = Header(network.Information(Bytes{0x08, 0x02, 0x00, 0x01, 0x05}));
  EXPECT_EQ(first.format, LapdFormat::kInformation);
  EXPECT_EQ(first.ns, 0);
  EXPECT_TRUE(first.command_response);  // a network side's command: C/R 1
}

TEST(LapdPeerTest, DeliversInSequenceFramesOnceAndAcknowledgesRepeats) {
  LapdPeer network(true);
  (void)network.Receive(UserCommand(MakeUFrame(0, 0, false, lapd::kSabme, true)));
  const Bytes setup{0x08, 0x02, 0x00, 0x01, 0x05};
  auto out = network.Receive(UserCommand(MakeIFrame(0, 0, false, 0, 0), setup));
  ASSERT_EQ(out.payloads.size(), 1u);
  EXPECT_EQ(out.payloads[0], setup);
  ASSERT_EQ(out.replies.size(), 1u);
  LapdHeader rr = Header(out.replies[0]);
  EXPECT_EQ(rr.control, lapd::kRr);
  EXPECT_EQ(rr.nr, 1);
  // The same frame again (libpri's T200 ran out): acknowledged, not delivered.
  out = network.Receive(UserCommand(MakeIFrame(0, 0, false, 0, 0), setup));
  EXPECT_TRUE(out.payloads.empty());
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_EQ(Header(out.replies[0]).nr, 1);
  // Our I frames carry N(R) = V(R).
  EXPECT_EQ(Header(network.Information(setup)).nr, 1);
}

TEST(LapdPeerTest, AnswersAPollAndTracksAcknowledgements) {
  LapdPeer user(/*network_side=*/false);
  (void)user.Receive(EncodeLapdHeader(MakeUFrame(0, 0, true, lapd::kSabme, true)));
  (void)user.Information(Bytes{0x08, 0x02, 0x00, 0x01, 0x05});
  (void)user.Information(Bytes{0x08, 0x02, 0x00, 0x01, 0x0f});
  EXPECT_EQ(user.unacknowledged(), 2u);
  // The network's RR command with P=1 (T203 ran out), acknowledging one.
  auto out = user.Receive(EncodeLapdHeader(MakeSFrame(0, 0, true, lapd::kRr, 1, true)));
  EXPECT_EQ(user.unacknowledged(), 1u);
  ASSERT_EQ(out.replies.size(), 1u);
  const LapdHeader rr = Header(out.replies[0]);
  EXPECT_EQ(rr.control, lapd::kRr);
  EXPECT_TRUE(rr.poll_final);
  EXPECT_TRUE(rr.command_response);  // a user side's response: C/R 1
}

TEST(LapdPeerTest, RejectMakesItResendFromNr) {
  LapdPeer network(true);
  (void)network.Receive(UserCommand(MakeUFrame(0, 0, false, lapd::kSabme, true)));
  const Bytes a{0x08, 0x02, 0x00, 0x01, 0x01}, b{0x08, 0x02, 0x00, 0x01, 0x07};
  (void)network.Information(a);
  (void)network.Information(b);
  auto out = network.Receive(UserCommand(MakeSFrame(0, 0, false, lapd::kRej, 0)));
  ASSERT_EQ(out.replies.size(), 2u);
  EXPECT_EQ(Header(out.replies[0]).ns, 0);
  EXPECT_EQ(Header(out.replies[1]).ns, 1);
  EXPECT_EQ(Bytes(out.replies[1].begin() + 4, out.replies[1].end()), b);
}

TEST(LapdPeerTest, InformationBeforeEstablishmentIsRefusedWithDm) {
  LapdPeer network(true);
  auto out = network.Receive(UserCommand(MakeIFrame(0, 0, false, 0, 0), Bytes{0x08, 0x02, 0x00, 0x01, 0x05}));
  EXPECT_TRUE(out.payloads.empty());
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_EQ(Header(out.replies[0]).control, lapd::kDm);
  ASSERT_EQ(out.problems.size(), 1u);
}

TEST(LapdPeerTest, DiscEndsTheLinkAndGarbageIsAProblem) {
  LapdPeer network(true);
  (void)network.Receive(UserCommand(MakeUFrame(0, 0, false, lapd::kSabme, true)));
  auto out = network.Receive(UserCommand(MakeUFrame(0, 0, false, lapd::kDisc, true)));
  EXPECT_FALSE(network.established());
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_EQ(Header(out.replies[0]).control, lapd::kUa);
  out = network.Receive(Bytes{0x02});
  EXPECT_TRUE(out.replies.empty());
  ASSERT_EQ(out.problems.size(), 1u);
}

TEST(LapdPeerTest, UaToOurSabmeResetsTheCounters) {
  LapdPeer network(true);
  (void)network.Receive(UserCommand(MakeUFrame(0, 0, false, lapd::kSabme, true)));
  (void)network.Information(Bytes{0x08, 0x02, 0x00, 0x01, 0x05});
  const LapdHeader sabme = Header(network.Sabme());
  EXPECT_EQ(sabme.control, lapd::kSabme);
  EXPECT_TRUE(sabme.command_response);
  (void)network.Receive(EncodeLapdHeader(MakeUFrame(0, 0, true, lapd::kUa, true)));
  EXPECT_EQ(Header(network.Information(Bytes{0x08, 0x02, 0x00, 0x01, 0x05})).ns, 0);
  EXPECT_EQ(network.unacknowledged(), 1u);
}

TEST(LapdPeerTest, WhenSabmesCrossTheLateUaDoesNotRenumberFramesAlreadySent) {
  // Ours goes first; the other end's SABME (its own bring-up) comes before
  // its UA: the link is up on its SABME, and the UA that follows must not
  // take V(S) back to 0 after an I frame went out.
  LapdPeer network(true);
  (void)network.Sabme();
  (void)network.Receive(UserCommand(MakeUFrame(0, 0, false, lapd::kSabme, true)));
  ASSERT_TRUE(network.established());
  EXPECT_EQ(Header(network.Information(Bytes{0x08, 0x02, 0x00, 0x01, 0x05})).ns, 0);
  (void)network.Receive(EncodeLapdHeader(MakeUFrame(0, 0, true, lapd::kUa, true)));
  EXPECT_EQ(Header(network.Information(Bytes{0x08, 0x02, 0x00, 0x01, 0x4d})).ns, 1);
}

}  // namespace
}  // namespace prid::q931
