// daemon/line/libpri_settings: each config value reaches libpri as its own
// constant, and what libpri reports comes back as ours.
#include "daemon/line/libpri_settings.h"

#include <gtest/gtest.h>

#include "q931/libpri_c.h"

namespace prid::daemon {
namespace {

TEST(LibpriSettings, ChannelIsTheLowOctetAndNoneIsZero) {
  EXPECT_EQ(ChannelOf(5), 5);
  EXPECT_EQ(ChannelOf(0x0105), 5);  // span bits above the octet
  EXPECT_EQ(ChannelOf(0xff), 0);
  EXPECT_EQ(ChannelOf(-1), 0);
}

TEST(LibpriSettings, EverySwitchVariantHasItsOwnLibpriSwitch) {
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::kNi2), PRI_SWITCH_NI2);
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::kDms100), PRI_SWITCH_DMS100);
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::k5ess), PRI_SWITCH_LUCENT5E);
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::k4ess), PRI_SWITCH_ATT4ESS);
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::kEuroIsdnE1), PRI_SWITCH_EUROISDN_E1);
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::kEuroIsdnT1), PRI_SWITCH_EUROISDN_T1);
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::kNi1), PRI_SWITCH_NI1);
  EXPECT_EQ(LibpriSwitchType(SwitchVariant::kQsig), PRI_SWITCH_QSIG);
}

TEST(LibpriSettings, NodeTypes) {
  EXPECT_EQ(LibpriNodeType(NodeType::kCpe), PRI_CPE);
  EXPECT_EQ(LibpriNodeType(NodeType::kNetwork), PRI_NETWORK);
}

TEST(LibpriSettings, BearersGoBothWays) {
  for (Bearer bearer : {Bearer::kSpeech, Bearer::k3_1kHz, Bearer::kDigital}) {
    EXPECT_EQ(BearerFromLibpri(LibpriTransferCapability(bearer)), bearer) << BearerName(bearer);
  }
  EXPECT_EQ(BearerFromLibpri(PRI_TRANS_CAP_VIDEO), Bearer::kSpeech);  // unknown: speech
}

TEST(LibpriSettings, E1VariantsAreALawAndT1VariantsMuLaw) {
  EXPECT_EQ(LibpriLayer1(SwitchVariant::kEuroIsdnE1), PRI_LAYER_1_ALAW);
  EXPECT_EQ(LibpriLayer1(SwitchVariant::kQsig), PRI_LAYER_1_ALAW);
  for (auto v : {SwitchVariant::kNi2, SwitchVariant::kDms100, SwitchVariant::k5ess, SwitchVariant::k4ess,
                 SwitchVariant::kEuroIsdnT1, SwitchVariant::kNi1}) {
    EXPECT_EQ(LibpriLayer1(v), PRI_LAYER_1_ULAW) << SwitchVariantName(v);
  }
}

TEST(LibpriSettings, HoldExistsOnEtsiAndQsigOnly) {
  EXPECT_TRUE(VariantHasHold(SwitchVariant::kEuroIsdnE1));
  EXPECT_TRUE(VariantHasHold(SwitchVariant::kEuroIsdnT1));
  EXPECT_TRUE(VariantHasHold(SwitchVariant::kQsig));
  for (auto v : {SwitchVariant::kNi2, SwitchVariant::kDms100, SwitchVariant::k5ess, SwitchVariant::k4ess,
                 SwitchVariant::kNi1}) {
    EXPECT_FALSE(VariantHasHold(v)) << SwitchVariantName(v);
  }
}

TEST(LibpriSettings, TheSixHoldEventsAreHoldEvents) {
  for (int e : {PRI_EVENT_HOLD, PRI_EVENT_HOLD_ACK, PRI_EVENT_HOLD_REJ, PRI_EVENT_RETRIEVE, PRI_EVENT_RETRIEVE_ACK,
                PRI_EVENT_RETRIEVE_REJ}) {
    EXPECT_TRUE(IsHoldEvent(e)) << e;
  }
  EXPECT_FALSE(IsHoldEvent(PRI_EVENT_RING));
  EXPECT_FALSE(IsHoldEvent(PRI_EVENT_HANGUP));
}

}  // namespace
}  // namespace prid::daemon
