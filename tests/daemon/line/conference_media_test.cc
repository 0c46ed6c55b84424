// ConferenceMedia: DAHDI numbering of B-channels, and joining them through
// the real ConferenceMixer over the fake DAHDI kernel.
#include "daemon/line/conference_media.h"

#include <dahdi/user.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "dahdi-glue/conference_mixer.h"
#include "tests/support/fake_dahdi_kernel.h"

namespace prid::daemon {
namespace {

SpanConfig Sim(int span) {
  SpanConfig config;
  config.span = span;
  config.driver = Driver::kSim;
  return config;
}

SpanConfig Dahdi(int span, int dchannel, int dahdi_channel) {
  SpanConfig config;
  config.span = span;
  config.driver = Driver::kDahdi;
  config.dchannel = dchannel;
  config.dahdi_channel = dahdi_channel;
  return config;
}

TEST(ConferenceMediaTest, SimSpansAreNumberedAs32TimeslotsPerSpan) {
  EXPECT_EQ(ConferenceMedia(Sim(1), nullptr).DahdiChannel(1), 1);
  EXPECT_EQ(ConferenceMedia(Sim(1), nullptr).DahdiChannel(31), 31);
  EXPECT_EQ(ConferenceMedia(Sim(2), nullptr).DahdiChannel(1), 33);
  EXPECT_EQ(ConferenceMedia(Sim(3), nullptr).DahdiChannel(17), 81);
}

TEST(ConferenceMediaTest, DahdiSpansAreNumberedFromTheDChannelsPosition) {
  // dahdi_channel unset: the D-channel's DAHDI number is its position.
  EXPECT_EQ(ConferenceMedia(Dahdi(1, 16, 0), nullptr).DahdiChannel(1), 1);
  EXPECT_EQ(ConferenceMedia(Dahdi(1, 16, 0), nullptr).DahdiChannel(17), 17);
  // The second card's span: D-channel 16 of the span is DAHDI channel 47.
  EXPECT_EQ(ConferenceMedia(Dahdi(2, 16, 47), nullptr).DahdiChannel(1), 32);
  EXPECT_EQ(ConferenceMedia(Dahdi(2, 16, 47), nullptr).DahdiChannel(31), 62);
  // A T1 span: D-channel 24.
  EXPECT_EQ(ConferenceMedia(Dahdi(1, 24, 24), nullptr).DahdiChannel(23), 23);
}

TEST(ConferenceMediaTest, WithoutAMixerJoinAndLeaveDoNothingAndSucceed) {
  ConferenceMedia media(Sim(1), nullptr);
  EXPECT_FALSE(media.has_mixer());
  EXPECT_TRUE(media.Join(1, 4).ok());
  EXPECT_TRUE(media.Leave(1).ok());
}

class ConferenceMediaMixerTest : public ::testing::Test {
 protected:
  prid::testing::FakeDahdiKernel kernel_;
  dahdi_glue::ConferenceMixer mixer_{kernel_};
};

TEST_F(ConferenceMediaMixerTest, JoinPutsTheBChannelsDahdiChannelInTheConference) {
  kernel_.AddSpan(2, 32, 31, 16);
  ConferenceMedia media(Dahdi(2, 16, 47), &mixer_);
  EXPECT_TRUE(media.has_mixer());
  ASSERT_TRUE(media.Join(3, 7).ok());
  EXPECT_TRUE(mixer_.joined(34));
  EXPECT_EQ(mixer_.ConfNoOf(34), 7);
  EXPECT_EQ(kernel_.ConferenceOf(34).confno, 7);
  ASSERT_TRUE(media.Leave(3).ok());
  EXPECT_FALSE(mixer_.joined(34));
  EXPECT_EQ(kernel_.DescriptorsOn(34), 0);
}

TEST_F(ConferenceMediaMixerTest, ASimSpanGivenAMixerUsesItsTimeslotNumbers) {
  kernel_.AddSpan(2, 33, 31, 0);
  ConferenceMedia media(Sim(2), &mixer_);
  ASSERT_TRUE(media.Join(1, 2).ok());
  EXPECT_TRUE(mixer_.joined(33));
}

TEST_F(ConferenceMediaMixerTest, AJoinTheKernelRefusesFailsWithNothingJoined) {
  kernel_.AddSpan(1, 1, 31, 16);
  ConferenceMedia media(Dahdi(1, 16, 0), &mixer_);
  kernel_.FailNextIoctl(DAHDI_SETCONF, EBUSY);
  EXPECT_FALSE(media.Join(2, 5).ok());
  EXPECT_FALSE(mixer_.joined(2));
  EXPECT_EQ(mixer_.member_count(), 0u);
}

TEST_F(ConferenceMediaMixerTest, LeavingAChannelNeverJoinedIsTheMixersError) {
  kernel_.AddSpan(1, 1, 31, 16);
  ConferenceMedia media(Dahdi(1, 16, 0), &mixer_);
  EXPECT_FALSE(media.Leave(4).ok());
}

}  // namespace
}  // namespace prid::daemon
