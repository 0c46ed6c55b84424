// Tests of the D-channel counters: Q.921 classification of every frame
// type, Q.931 message types, T200 retransmissions and link
// (re)establishments, from hex frames as they cross the link (no FCS).
#include "daemon/stats/link_counters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/hex.h"

namespace prid::daemon {
namespace {

using q931::FrameDirection;
using std::chrono::seconds;

std::vector<std::uint8_t> Hex(std::string_view hex) {
  auto bytes = base::FromHex(hex);
  EXPECT_TRUE(bytes.ok()) << hex;
  return bytes.ok() ? *bytes : std::vector<std::uint8_t>{};
}

// SAPI 0, TEI 0, user side (commands C/R 0, responses C/R 1).
constexpr std::string_view kSabme = "00017f";
constexpr std::string_view kUaIn = "000173";
constexpr std::string_view kUaOut = "020173";
constexpr std::string_view kDmIn = "02011f";

// An I frame N(S) = ns, N(R) = nr carrying the Q.931 message `type`
// (call reference 1, one octet).
std::string IFrame(int ns, int nr, std::uint8_t type) {
  const char* digits = "0123456789abcdef";
  auto octet = [&](int v) { return std::string{digits[(v >> 4) & 15], digits[v & 15]}; };
  return "0001" + octet(ns << 1) + octet(nr << 1) + "080101" + octet(type);
}
std::string Rr(int nr) {
  const char* digits = "0123456789abcdef";
  const int v = nr << 1;
  return std::string("000101") + digits[(v >> 4) & 15] + digits[v & 15];
}

constexpr std::uint8_t kSetup = 0x05;
constexpr std::uint8_t kConnect = 0x07;
constexpr std::uint8_t kDisconnect = 0x45;

class LinkCountersTest : public ::testing::Test {
 protected:
  void Send(std::string_view hex) { Frame(FrameDirection::kSent, hex); }
  void Receive(std::string_view hex) { Frame(FrameDirection::kReceived, hex); }
  void Frame(FrameDirection d, std::string_view hex) {
    const auto frame = Hex(hex);
    counters_.Frame(d, frame, [this] { return now_; });
  }
  std::uint64_t In(Q921Type t) const { return counters_.in().q921[static_cast<std::size_t>(t)]; }
  std::uint64_t Out(Q921Type t) const { return counters_.out().q921[static_cast<std::size_t>(t)]; }
  void Establish() {
    Send(kSabme);
    Receive(kUaIn);
  }

  base::WallTime now_ = base::WallTime(seconds(1000));
  LinkCounters counters_;
};

TEST(Q921ClassifierTest, NamesEveryFrameTypeFromItsControlField) {
  EXPECT_EQ(ClassifyQ921(Hex("02010000")), Q921Type::kI);
  EXPECT_EQ(ClassifyQ921(Hex("02010101")), Q921Type::kRr);
  EXPECT_EQ(ClassifyQ921(Hex("02010501")), Q921Type::kRnr);
  EXPECT_EQ(ClassifyQ921(Hex("02010901")), Q921Type::kRej);
  EXPECT_EQ(ClassifyQ921(Hex("00017f")), Q921Type::kSabme) << "P = 1";
  EXPECT_EQ(ClassifyQ921(Hex("00016f")), Q921Type::kSabme) << "P = 0";
  EXPECT_EQ(ClassifyQ921(Hex("000153")), Q921Type::kDisc);
  EXPECT_EQ(ClassifyQ921(Hex("020173")), Q921Type::kUa);
  EXPECT_EQ(ClassifyQ921(Hex("02011f")), Q921Type::kDm);
  EXPECT_EQ(ClassifyQ921(Hex("020197000000")), Q921Type::kFrmr);
  EXPECT_EQ(ClassifyQ921(Hex("fcff03")), Q921Type::kUi) << "TEI management, SAPI 63";
  EXPECT_EQ(ClassifyQ921(Hex("0001af")), Q921Type::kXid);
  EXPECT_EQ(ClassifyQ921(Hex("0001")), Q921Type::kOther) << "no control field";
  EXPECT_EQ(ClassifyQ921(Hex("0101")), Q921Type::kOther) << "address ends after one octet";
  EXPECT_EQ(ClassifyQ921(Hex("00010d01")), Q921Type::kOther) << "undefined S frame";
  EXPECT_EQ(ClassifyQ921(Hex("0001e3")), Q921Type::kOther) << "undefined U frame";
}

TEST(Q921ClassifierTest, TypeNamesAreTheJsonKeys) {
  EXPECT_EQ(Q921TypeName(Q921Type::kI), "I");
  EXPECT_EQ(Q921TypeName(Q921Type::kSabme), "SABME");
  EXPECT_EQ(Q921TypeName(Q921Type::kFrmr), "FRMR");
  EXPECT_EQ(Q921TypeName(Q921Type::kOther), "other");
}

TEST(Q931MessageTypeTest, ReadsTheTypeAfterDiscriminatorAndCallReference) {
  EXPECT_EQ(Q931MessageType(Hex("0001000008010105")), kSetup);
  EXPECT_EQ(Q931MessageType(Hex("000100000802000107")), kConnect) << "two-octet call reference";
  EXPECT_EQ(Q931MessageType(Hex("00010308010046")), 0x46) << "UI on SAPI 0: global call reference, RESTART";
  EXPECT_EQ(Q931MessageType(Hex("0001000003010107")), std::nullopt) << "maintenance discriminator";
  EXPECT_EQ(Q931MessageType(Hex("00010000080101")), std::nullopt) << "no message type octet";
  EXPECT_EQ(Q931MessageType(Hex("fcff030f010203")), std::nullopt) << "SAPI 63";
  EXPECT_EQ(Q931MessageType(Hex("00010101")), std::nullopt) << "RR";
}

TEST(Q931MessageTypeTest, KeysAreQ931NamesWithUnderscores) {
  EXPECT_EQ(Q931MessageKey(0x02), "CALL_PROCEEDING");
  EXPECT_EQ(Q931MessageKey(0x0F), "CONNECT_ACKNOWLEDGE");
  EXPECT_EQ(Q931MessageKey(0x5A), "RELEASE_COMPLETE");
  EXPECT_EQ(Q931MessageKey(0x4E), "RESTART_ACKNOWLEDGE");
  EXPECT_EQ(Q931MessageKey(0x24), "HOLD");
  EXPECT_EQ(Q931MessageKey(0x00), "other");
  EXPECT_EQ(Q931MessageKey(0xFF), "other");
}

TEST_F(LinkCountersTest, CountsFramesOctetsAndTypesEachWay) {
  Establish();
  Send(IFrame(0, 0, kSetup));
  Receive(Rr(1));
  Receive("fcff03");
  Receive("0101");

  EXPECT_EQ(counters_.out().frames, 2u);
  EXPECT_EQ(counters_.out().octets, 3u + 8u);
  EXPECT_EQ(counters_.in().frames, 4u);
  EXPECT_EQ(counters_.in().octets, 3u + 4u + 3u + 2u);
  EXPECT_EQ(Out(Q921Type::kSabme), 1u);
  EXPECT_EQ(Out(Q921Type::kI), 1u);
  EXPECT_EQ(In(Q921Type::kUa), 1u);
  EXPECT_EQ(In(Q921Type::kRr), 1u);
  EXPECT_EQ(In(Q921Type::kUi), 1u);
  EXPECT_EQ(In(Q921Type::kOther), 1u);
  EXPECT_EQ(counters_.out().q931[kSetup], 1u);
}

TEST_F(LinkCountersTest, AnIFrameSentAgainBeforeItsAcknowledgementIsARetransmission) {
  Establish();
  Send(IFrame(0, 0, kSetup));
  Send(IFrame(1, 0, kDisconnect));
  Send(IFrame(0, 0, kSetup));  // T200: N(S) 0 again, not acknowledged
  Send(IFrame(1, 0, kDisconnect));
  Receive(Rr(2));
  Send(IFrame(2, 0, kConnect));  // new
  Receive(Rr(3));
  Send(IFrame(3, 0, kConnect));  // new

  EXPECT_EQ(counters_.t200_retransmissions(), 2u);
  EXPECT_EQ(Out(Q921Type::kI), 6u) << "retransmissions are I frames all the same";
  EXPECT_EQ(counters_.out().q931[kSetup], 1u) << "a message counts once";
  EXPECT_EQ(counters_.out().q931[kDisconnect], 1u);
  EXPECT_EQ(counters_.out().q931[kConnect], 2u);
}

TEST_F(LinkCountersTest, AnIFrameAcknowledgedByTheFarEndsIFrameIsNotRetransmittedWhenSentAfter) {
  Establish();
  Send(IFrame(0, 0, kSetup));
  Receive(IFrame(0, 1, kConnect));  // N(R) 1 acknowledges ours
  Send(IFrame(1, 1, kDisconnect));
  EXPECT_EQ(counters_.t200_retransmissions(), 0u);
  EXPECT_EQ(counters_.out().q931[kDisconnect], 1u);
}

TEST_F(LinkCountersTest, TheFarEndsRetransmittedIFrameCountsItsMessageOnce) {
  Establish();
  Receive(IFrame(0, 0, kSetup));
  Receive(IFrame(0, 0, kSetup));  // its T200: we had taken it already
  Receive(IFrame(1, 0, kDisconnect));
  EXPECT_EQ(In(Q921Type::kI), 3u);
  EXPECT_EQ(counters_.in().q931[kSetup], 1u);
  EXPECT_EQ(counters_.in().q931[kDisconnect], 1u);
}

TEST_F(LinkCountersTest, ASabmeSentAgainBeforeAnAnswerIsARetransmission) {
  Send(kSabme);
  Send(kSabme);
  Send(kSabme);
  Receive(kUaIn);
  EXPECT_EQ(counters_.t200_retransmissions(), 2u);
  EXPECT_EQ(counters_.link_resets(), 1u);
  Send(kSabme);  // after the UA: a new establishment, not a retransmission
  EXPECT_EQ(counters_.t200_retransmissions(), 2u);
}

TEST_F(LinkCountersTest, TheStateFollowsOurSabmeAndLibprisWord) {
  EXPECT_EQ(counters_.State(false), Q921State::kTeiAssigned) << "nothing sent yet";
  Send(kSabme);
  EXPECT_EQ(counters_.State(false), Q921State::kAwaitingEstablishment);
  Receive(kUaIn);
  EXPECT_EQ(counters_.State(true), Q921State::kMultipleFrameEstablished);
  EXPECT_EQ(counters_.State(false), Q921State::kTeiAssigned) << "established, then libpri said down";
  Send(kSabme);
  Receive(kDmIn);
  EXPECT_EQ(counters_.State(false), Q921State::kTeiAssigned) << "the far end refused: no SABME waits";
  EXPECT_EQ(Q921StateName(Q921State::kAwaitingEstablishment), "awaiting_establishment");
  EXPECT_EQ(Q921StateName(Q921State::kMultipleFrameEstablished), "multiple_frame_established");
  EXPECT_EQ(Q921StateName(Q921State::kTeiAssigned), "tei_assigned");
}

TEST_F(LinkCountersTest, ADmAnswersOurSabme) {
  Send(kSabme);
  Receive(kDmIn);
  Send(kSabme);
  EXPECT_EQ(counters_.t200_retransmissions(), 0u);
  EXPECT_EQ(counters_.link_resets(), 0u);
}

TEST_F(LinkCountersTest, OurOwnDmStartsAfreshSoTheNextSabmeIsNoRetransmission) {
  Send(kSabme);  // sent while no far end was there
  Send("02011f");  // PriLink::LineUp: DM, then SABME again
  Send(kSabme);
  Receive("00011f");  // the far end's own LineUp
  Receive("02017f");
  Send(kUaOut);
  Receive(kUaIn);
  EXPECT_EQ(counters_.t200_retransmissions(), 0u);
  EXPECT_EQ(counters_.link_resets(), 1u);
}

TEST_F(LinkCountersTest, EachEstablishmentIsOneResetAndACollisionCountsOnce) {
  EXPECT_EQ(counters_.last_establishment(), std::nullopt);
  Establish();
  EXPECT_EQ(counters_.last_establishment(), now_);
  now_ += seconds(30);
  Receive("02017f");  // the far end's SABME (network side, C/R 1)
  Send(kUaOut);
  EXPECT_EQ(counters_.link_resets(), 2u);
  EXPECT_EQ(counters_.last_establishment(), now_);
  now_ += seconds(5);
  Send(kSabme);
  Receive("02017f");
  Send(kUaOut);
  Receive(kUaIn);
  EXPECT_EQ(counters_.link_resets(), 3u);
  EXPECT_EQ(counters_.last_establishment(), now_);
  EXPECT_EQ(counters_.t200_retransmissions(), 0u);
}

TEST_F(LinkCountersTest, AnEstablishmentStartsTheSequenceNumbersAfresh) {
  Establish();
  Send(IFrame(0, 0, kSetup));
  Send(IFrame(1, 0, kSetup));
  Establish();
  Send(IFrame(0, 0, kSetup));  // N(S) 0 of the new link: not a retransmission
  EXPECT_EQ(counters_.t200_retransmissions(), 0u);
  EXPECT_EQ(counters_.out().q931[kSetup], 3u);
}

TEST_F(LinkCountersTest, ResetZeroesTheCountsAndKeepsTheLinksAge) {
  Establish();
  Send(IFrame(0, 0, kSetup));
  Send(IFrame(0, 0, kSetup));
  counters_.Reset();
  EXPECT_EQ(counters_.out().frames, 0u);
  EXPECT_EQ(counters_.out().octets, 0u);
  EXPECT_EQ(Out(Q921Type::kI), 0u);
  EXPECT_EQ(counters_.out().q931[kSetup], 0u);
  EXPECT_EQ(counters_.t200_retransmissions(), 0u);
  EXPECT_EQ(counters_.link_resets(), 0u);
  EXPECT_EQ(counters_.last_establishment(), now_);
  Send(IFrame(0, 0, kSetup));  // still unacknowledged: the sequence state stayed
  EXPECT_EQ(counters_.t200_retransmissions(), 1u);
}

}  // namespace
}  // namespace prid::daemon
