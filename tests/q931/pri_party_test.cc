// Party numbers with their attributes through two real libpri links (user
// side placing, network side receiving) on every switch variant prid
// drives: the SETUP's Called / Calling party number octets carry the type
// of number, numbering plan, presentation and screening asked for, and the
// receiving side reads them back (ReceivedParties), redirecting and
// subaddresses included.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "q931/frame.h"
#include "q931/ie.h"
#include "q931/message.h"
#include "q931/party.h"
#include "q931/pri_call.h"
#include "q931/pri_link.h"
#include "tests/support/memory_dchannel.h"

namespace prid::q931 {
namespace {

using Frame = std::vector<std::uint8_t>;

class RingCatcher : public PriLinkObserver {
 public:
  void OnPriEvent(const pri_event& event) override {
    up = up || event.e == PRI_EVENT_DCHAN_UP;
    // The ring's subcommands are libpri's: read while it is delivered.
    if (event.e == PRI_EVENT_RING) received = ReceivedParties(event.ring);
  }
  void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point>) override {}
  void OnFrame(FrameDirection, std::span<const std::uint8_t>) override {}
  bool up = false;
  std::optional<SetupParties> received;
};

struct Variant {
  const char* name;
  int switch_type;
};

class PriPartyTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    test::MemoryDChannel::Connect(user_wire_, net_wire_);
    auto user = PriLink::Create({"user", PRI_CPE, GetParam().switch_type, false}, user_wire_, user_events_);
    auto net = PriLink::Create({"net", PRI_NETWORK, GetParam().switch_type, false}, net_wire_, net_events_);
    ASSERT_TRUE(user.ok() && net.ok());
    user_ = std::move(*user);
    net_ = std::move(*net);
    for (int i = 0; i < 5 && !(user_events_.up && net_events_.up); ++i) {
      Pump();
      user_->RunTimers();
      net_->RunTimers();
    }
    ASSERT_TRUE(user_events_.up && net_events_.up) << "the D-channel did not come up";
    user_wire_.sent.clear();
  }
  void Pump() {
    for (int i = 0; i < 100 && (!user_wire_.inbound.empty() || !net_wire_.inbound.empty()); ++i) {
      if (!user_wire_.inbound.empty()) user_->ProcessInput();
      if (!net_wire_.inbound.empty()) net_->ProcessInput();
    }
  }
  // The SETUP the user side sent for `parties`: IE id → decoded number.
  std::map<std::uint8_t, PartyNumber> Sent(const SetupParties& parties) {
    auto placed = user_->calls().Place({1, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, parties, std::nullopt});
    EXPECT_TRUE(placed.ok());
    Pump();
    std::map<std::uint8_t, PartyNumber> numbers;
    for (const Frame& f : user_wire_.sent) {
      auto decoded = DecodeFrame(f);
      if (!decoded.ok() || !decoded->q931 || decoded->q931->message_type != msg::kSetup) continue;
      for (const InformationElement& ie : decoded->q931->ies) {
        if (auto number = DecodePartyNumber(ie.id, ie.contents); number.ok()) numbers[ie.id] = *number;
        if (ie.id == ie::kCalledPartySubaddress || ie.id == ie::kCallingPartySubaddress) {
          subaddress_octets[ie.id] = ie.contents;
        }
      }
    }
    return numbers;
  }

  test::MemoryDChannel user_wire_, net_wire_;
  RingCatcher user_events_, net_events_;
  std::unique_ptr<PriLink> user_, net_;
  std::map<std::uint8_t, std::vector<std::uint8_t>> subaddress_octets;
};

Party Number(std::string digits, std::uint8_t ton, std::uint8_t npi, std::uint8_t presentation = 0,
             std::uint8_t screening = 0) {
  return Party{std::move(digits), ton, npi, presentation, screening};
}

TEST_P(PriPartyTest, CalledAndCallingCarryTheirTypePlanPresentationAndScreening) {
  SetupParties parties;
  parties.called = Number("4930123456", /*national*/ 2, /*e164*/ 1);
  parties.calling = Number("4940999", /*international*/ 1, /*e164*/ 1, /*restricted*/ 1, /*user_passed*/ 1);
  auto sent = Sent(parties);
  ASSERT_TRUE(sent.contains(ie::kCalledPartyNumber));
  ASSERT_TRUE(sent.contains(ie::kCallingPartyNumber));
  const PartyNumber& called = sent[ie::kCalledPartyNumber];
  EXPECT_EQ(called.type, 2);
  EXPECT_EQ(called.plan, 1);
  EXPECT_EQ(called.digits, "4930123456");
  const PartyNumber& calling = sent[ie::kCallingPartyNumber];
  EXPECT_EQ(calling.type, 1);
  EXPECT_EQ(calling.plan, 1);
  EXPECT_EQ(calling.presentation, 1);
  EXPECT_EQ(calling.screening, 1);
  EXPECT_EQ(calling.digits, "4940999");

  ASSERT_TRUE(net_events_.received);
  EXPECT_EQ(net_events_.received->called, Number("4930123456", 2, 1));
  ASSERT_TRUE(net_events_.received->calling);
  EXPECT_EQ(*net_events_.received->calling, *parties.calling);
}

TEST_P(PriPartyTest, PrivatePlanAndUnavailablePresentationGoAsGiven) {
  SetupParties parties;
  parties.called = Number("2001", /*subscriber*/ 4, /*private*/ 9);
  parties.calling = Number("", 0, 0, /*unavailable*/ 2, /*network*/ 3);
  auto sent = Sent(parties);
  EXPECT_EQ(sent[ie::kCalledPartyNumber].type, 4);
  EXPECT_EQ(sent[ie::kCalledPartyNumber].plan, 9);
  ASSERT_TRUE(sent.contains(ie::kCallingPartyNumber));
  EXPECT_EQ(sent[ie::kCallingPartyNumber].presentation, 2);
  EXPECT_EQ(sent[ie::kCallingPartyNumber].screening, 3);
  EXPECT_EQ(sent[ie::kCallingPartyNumber].digits, "");
  ASSERT_TRUE(net_events_.received && net_events_.received->calling);
  EXPECT_EQ(net_events_.received->calling->presentation, 2);
}

TEST_P(PriPartyTest, ASetupWithoutCallingNumberReadsAsNone) {
  SetupParties parties;
  parties.called = Number("100", 0, 0);
  auto sent = Sent(parties);
  EXPECT_FALSE(sent.contains(ie::kCallingPartyNumber));
  ASSERT_TRUE(net_events_.received);
  EXPECT_FALSE(net_events_.received->calling);
  EXPECT_FALSE(net_events_.received->redirecting);
}

TEST_P(PriPartyTest, RedirectingReachesTheFarEnd) {
  SetupParties parties;
  parties.called = Number("100", 0, 0);
  parties.redirecting = Redirecting{Number("5550100", /*national*/ 2, /*e164*/ 1, /*allowed*/ 0, /*user_passed*/ 1),
                                    /*no_reply*/ 2, 1};
  auto sent = Sent(parties);
  // The Redirecting number IE (Q.931 4.5.x, Q.952) on the wire; libpri 1.6
  // codes its screening indicator as "user-provided, not screened" whatever
  // it is given.
  ASSERT_TRUE(sent.contains(ie::kRedirectingNumber));
  const PartyNumber& wire = sent[ie::kRedirectingNumber];
  EXPECT_EQ(wire.type, 2);
  EXPECT_EQ(wire.plan, 1);
  EXPECT_EQ(wire.presentation, 0);
  EXPECT_EQ(wire.screening, 0);
  EXPECT_EQ(wire.reason, 2);
  EXPECT_EQ(wire.digits, "5550100");
  ASSERT_TRUE(net_events_.received);
  ASSERT_TRUE(net_events_.received->redirecting);
  const Redirecting& r = *net_events_.received->redirecting;
  EXPECT_EQ(r.party.digits, "5550100");
  EXPECT_EQ(r.party.ton, 2);
  EXPECT_EQ(r.party.npi, 1);
  EXPECT_EQ(r.party.presentation, 0);
  EXPECT_EQ(r.party.screening, 0);
  EXPECT_EQ(r.reason, 2);
  EXPECT_EQ(r.count, 1);
}

TEST_P(PriPartyTest, SubaddressesGoAsNsapAndComeBack) {
  SetupParties parties;
  parties.called = Number("100", 0, 0);
  parties.called_subaddress = Subaddress{false, false, "12AB"};
  parties.calling = Number("2000", 0, 0);
  parties.calling_subaddress = Subaddress{false, false, "77"};
  Sent(parties);
  EXPECT_TRUE(subaddress_octets.contains(ie::kCallingPartySubaddress));
  ASSERT_TRUE(subaddress_octets.contains(ie::kCalledPartySubaddress));
  // Octet 3: NSAP (type 000), even; then the octets as given.
  EXPECT_EQ(subaddress_octets[ie::kCalledPartySubaddress], (std::vector<std::uint8_t>{0x80, '1', '2', 'A', 'B'}));
  ASSERT_TRUE(net_events_.received);
  EXPECT_EQ(net_events_.received->called_subaddress, parties.called_subaddress);
  EXPECT_EQ(net_events_.received->calling_subaddress, parties.calling_subaddress);
}

INSTANTIATE_TEST_SUITE_P(Variants, PriPartyTest,
                         ::testing::Values(Variant{"ni2", PRI_SWITCH_NI2}, Variant{"dms100", PRI_SWITCH_DMS100},
                                           Variant{"5ess", PRI_SWITCH_LUCENT5E}, Variant{"4ess", PRI_SWITCH_ATT4ESS},
                                           Variant{"euroisdn_e1", PRI_SWITCH_EUROISDN_E1},
                                           Variant{"euroisdn_t1", PRI_SWITCH_EUROISDN_T1},
                                           Variant{"ni1", PRI_SWITCH_NI1}, Variant{"qsig", PRI_SWITCH_QSIG}),
                         [](const ::testing::TestParamInfo<Variant>& info) { return std::string(info.param.name); });

// Display text as the API shows it (q931/party.h DisplayText).
TEST(DisplayTextTest, IsoLatin1BecomesUtf8AndControlCharactersGo) {
  EXPECT_EQ(DisplayText("Front Desk"), "Front Desk");
  EXPECT_EQ(DisplayText("Jos\xe9"), "Jos\xc3\xa9");         // é
  EXPECT_EQ(DisplayText("a\tb\x7f\x85" "c"), "abc");        // HT, DEL, NEL
  EXPECT_EQ(DisplayText(std::string(100, 'x')), std::string(kMaxDisplayChars, 'x'));
}

}  // namespace
}  // namespace prid::q931
