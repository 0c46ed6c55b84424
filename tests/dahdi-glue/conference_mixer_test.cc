// ConferenceMixer against the fake DAHDI kernel: the ioctls it makes and
// each way a system call can fail.
#include "dahdi-glue/conference_mixer.h"

#include <dahdi/user.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "tests/support/fake_dahdi_kernel.h"

namespace prid::dahdi_glue {
namespace {

using ::testing::HasSubstr;
using testing::FakeDahdiKernel;

constexpr int kTalkerListener = DAHDI_CONF_CONF | DAHDI_CONF_TALKER | DAHDI_CONF_LISTENER;

class ConferenceMixerTest : public ::testing::Test {
 protected:
  // Span 1: channels 1-31, D-channel on 16 (an E1).
  void SetUp() override { kernel_.AddSpan(1, 1, 31, 16); }

  FakeDahdiKernel kernel_;
  ConferenceMixer mixer_{kernel_};
};

TEST_F(ConferenceMixerTest, JoinSpecifiesTheChannelAndSetsTalkerListenerConference) {
  ASSERT_TRUE(mixer_.Join(3, 7).ok());

  auto specify = kernel_.IoctlsOf(DAHDI_SPECIFY);
  ASSERT_EQ(specify.size(), 1u);
  EXPECT_EQ(specify[0].int_argument, 3);
  auto setconf = kernel_.IoctlsOf(DAHDI_SETCONF);
  ASSERT_EQ(setconf.size(), 1u);
  EXPECT_EQ(setconf[0].channel, 3);
  EXPECT_EQ(setconf[0].conf.chan, 0);
  EXPECT_EQ(setconf[0].conf.confno, 7);
  EXPECT_EQ(setconf[0].conf.confmode, kTalkerListener);
  EXPECT_EQ(kernel_.ConferenceOf(3).confno, 7);
  EXPECT_EQ(kernel_.DescriptorsOn(3), 1);  // stays open while joined
  EXPECT_TRUE(mixer_.joined(3));
  EXPECT_EQ(mixer_.ConfNoOf(3), 7);
}

TEST_F(ConferenceMixerTest, LeaveSetsNormalModeAndCloses) {
  ASSERT_TRUE(mixer_.Join(3, 7).ok());
  ASSERT_TRUE(mixer_.Leave(3).ok());

  auto setconf = kernel_.IoctlsOf(DAHDI_SETCONF);
  ASSERT_EQ(setconf.size(), 2u);
  EXPECT_EQ(setconf[1].conf.confno, 0);
  EXPECT_EQ(setconf[1].conf.confmode, DAHDI_CONF_NORMAL);
  EXPECT_EQ(kernel_.ConferenceOf(3).confmode, DAHDI_CONF_NORMAL);
  EXPECT_EQ(kernel_.open_descriptors(), 0);
  EXPECT_FALSE(mixer_.joined(3));
}

TEST_F(ConferenceMixerTest, ThreeChannelsShareOneConference) {
  int confno = mixer_.AllocateConfNo();
  ASSERT_GT(confno, 0);
  for (int channel : {1, 2, 17}) ASSERT_TRUE(mixer_.Join(channel, confno).ok());
  for (int channel : {1, 2, 17}) EXPECT_EQ(kernel_.ConferenceOf(channel).confno, confno);
  EXPECT_EQ(mixer_.member_count(), 3u);
  EXPECT_EQ(kernel_.open_descriptors(), 3);
}

TEST_F(ConferenceMixerTest, AllocateConfNoSkipsReservedAndUsedNumbers) {
  int first = mixer_.AllocateConfNo();
  int second = mixer_.AllocateConfNo();
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 2);
  ASSERT_TRUE(mixer_.Join(4, first).ok());
  EXPECT_EQ(mixer_.AllocateConfNo(), 3);  // 1 in use, 2 reserved
  mixer_.ReleaseConfNo(second);
  EXPECT_EQ(mixer_.AllocateConfNo(), 2);
  ASSERT_TRUE(mixer_.Leave(4).ok());
  EXPECT_EQ(mixer_.AllocateConfNo(), 1);  // free again once its last member left
}

TEST_F(ConferenceMixerTest, AllocateConfNoReturnsZeroWhenAllAreTaken) {
  for (int i = 1; i < DAHDI_MAX_CONF; ++i) ASSERT_EQ(mixer_.AllocateConfNo(), i);
  EXPECT_EQ(mixer_.AllocateConfNo(), 0);
}

TEST_F(ConferenceMixerTest, DestructorLeavesEveryConference) {
  {
    ConferenceMixer mixer(kernel_);
    ASSERT_TRUE(mixer.Join(5, 2).ok());
    ASSERT_TRUE(mixer.Join(6, 2).ok());
  }
  EXPECT_EQ(kernel_.open_descriptors(), 0);
  EXPECT_EQ(kernel_.ConferenceOf(5).confmode, DAHDI_CONF_NORMAL);
  EXPECT_EQ(kernel_.IoctlsOf(DAHDI_SETCONF).size(), 4u);
}

TEST_F(ConferenceMixerTest, JoinTwiceIsRefusedWithoutSystemCalls) {
  ASSERT_TRUE(mixer_.Join(3, 7).ok());
  std::size_t before = kernel_.ioctls().size();
  auto status = mixer_.Join(3, 8);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 3 is already in conference 7"));
  EXPECT_EQ(kernel_.ioctls().size(), before);
  EXPECT_EQ(kernel_.open_descriptors(), 1);
}

TEST_F(ConferenceMixerTest, JoinRefusesConferenceNumbersOutOfRange) {
  for (int confno : {0, -1, DAHDI_MAX_CONF}) {
    auto status = mixer_.Join(3, confno);
    ASSERT_FALSE(status.ok()) << confno;
    EXPECT_THAT(status.message(), HasSubstr("conference number " + std::to_string(confno)));
  }
  EXPECT_EQ(kernel_.open_descriptors(), 0);
}

TEST_F(ConferenceMixerTest, JoinRefusesChannelNumbersOutOfRange) {
  auto status = mixer_.Join(0, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 0: no such channel number"));
}

TEST_F(ConferenceMixerTest, JoinReportsAMissingDevice) {
  kernel_.SetDeviceMissing(true);
  auto status = mixer_.Join(3, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 3: open /dev/dahdi/channel"));
  EXPECT_THAT(status.message(), HasSubstr("No such file or directory"));
  EXPECT_FALSE(mixer_.joined(3));
}

TEST_F(ConferenceMixerTest, JoinReportsOpenFailure) {
  kernel_.FailNextOpen(EACCES);
  auto status = mixer_.Join(3, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("Permission denied"));
}

TEST_F(ConferenceMixerTest, JoinReportsAChannelTheKernelDoesNotHaveAndClosesIt) {
  auto status = mixer_.Join(99, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 99: DAHDI_SPECIFY"));
  EXPECT_EQ(kernel_.open_descriptors(), 0);
  EXPECT_FALSE(mixer_.joined(99));
}

TEST_F(ConferenceMixerTest, JoinReportsGetParamsFailureAndCloses) {
  kernel_.FailNextIoctl(DAHDI_GET_PARAMS, EIO);
  auto status = mixer_.Join(3, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 3: DAHDI_GET_PARAMS"));
  EXPECT_EQ(kernel_.open_descriptors(), 0);
}

TEST_F(ConferenceMixerTest, JoinRefusesTheDChannel) {
  auto status = mixer_.Join(16, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 16 is not a clear B-channel"));
  EXPECT_TRUE(kernel_.IoctlsOf(DAHDI_SETCONF).empty());
  EXPECT_EQ(kernel_.open_descriptors(), 0);
}

TEST_F(ConferenceMixerTest, JoinReportsSetconfFailureAndCloses) {
  kernel_.FailNextIoctl(DAHDI_SETCONF, EBUSY);
  auto status = mixer_.Join(3, 5);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 3: DAHDI_SETCONF to conference 5"));
  EXPECT_THAT(status.message(), HasSubstr("busy"));
  EXPECT_EQ(kernel_.open_descriptors(), 0);
  EXPECT_FALSE(mixer_.joined(3));
  EXPECT_TRUE(mixer_.Join(3, 5).ok());  // nothing stuck: a retry works
}

TEST_F(ConferenceMixerTest, LeaveOfAChannelNotJoinedIsRefused) {
  auto status = mixer_.Leave(3);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 3 is in no conference"));
  EXPECT_TRUE(kernel_.ioctls().empty());
}

TEST_F(ConferenceMixerTest, LeaveReportsSetconfFailureButStillCloses) {
  ASSERT_TRUE(mixer_.Join(3, 5).ok());
  kernel_.FailNextIoctl(DAHDI_SETCONF, EIO);
  auto status = mixer_.Leave(3);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 3: DAHDI_SETCONF out of conference 5"));
  EXPECT_EQ(kernel_.open_descriptors(), 0);
  EXPECT_FALSE(mixer_.joined(3));
  // Closing the descriptor took it out of the conference in the kernel.
  EXPECT_EQ(kernel_.ConferenceOf(3).confno, 0);
}

TEST_F(ConferenceMixerTest, LeaveReportsCloseFailure) {
  ASSERT_TRUE(mixer_.Join(3, 5).ok());
  kernel_.FailNextClose(EIO);
  auto status = mixer_.Leave(3);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("DAHDI channel 3: close"));
  EXPECT_FALSE(mixer_.joined(3));
}

}  // namespace
}  // namespace prid::dahdi_glue
