// DahdiDChannel against the fake DAHDI kernel: opening and checking the
// channels, frames with their FCS octets, events after ELAST, alarms, and
// each system call failing.
#include "dahdi-glue/dahdi_dchannel.h"

#include <dahdi/user.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "tests/support/fake_dahdi_kernel.h"

namespace prid::dahdi_glue {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FakeDahdiKernel;
using Bytes = std::vector<std::uint8_t>;

class DahdiDChannelTest : public ::testing::Test {
 protected:
  // DAHDI span 1: channels 1-31 (E1, D-channel 16); span 2: 32-55 (T1, D 55).
  void SetUp() override {
    kernel_.AddSpan(1, 1, 31, 16);
    kernel_.AddSpan(2, 32, 24, 24);
  }

  DahdiDChannelOptions E1Options() {
    DahdiDChannelOptions o{"span1", 16, 0, {}};
    for (int b = 1; b <= 31; ++b) {
      if (b != 16) o.bchannels.push_back(b);
    }
    return o;
  }

  std::unique_ptr<DahdiDChannel> OpenE1() {
    auto d = DahdiDChannel::Open(kernel_, E1Options());
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error());
    return d.ok() ? std::move(*d) : nullptr;
  }

  std::string OpenError(const DahdiDChannelOptions& o) {
    auto d = DahdiDChannel::Open(kernel_, o);
    EXPECT_FALSE(d.ok());
    EXPECT_EQ(kernel_.open_descriptors(), 0) << "a failed open leaves nothing open";
    return d.ok() ? "" : d.error();
  }

  FakeDahdiKernel kernel_;
};

TEST_F(DahdiDChannelTest, OpenSpecifiesChecksAndSetsBuffers) {
  auto d = OpenE1();
  ASSERT_NE(d, nullptr);
  auto specify = kernel_.IoctlsOf(DAHDI_SPECIFY);
  ASSERT_EQ(specify.size(), 1u);
  EXPECT_EQ(specify[0].int_argument, 16);
  auto bufinfo = kernel_.BufferInfoOf(16);
  ASSERT_TRUE(bufinfo.has_value());
  EXPECT_EQ(bufinfo->rxbufpolicy, DAHDI_POLICY_IMMEDIATE);
  EXPECT_EQ(bufinfo->txbufpolicy, DAHDI_POLICY_IMMEDIATE);
  EXPECT_GE(bufinfo->bufsize, 512);
  EXPECT_EQ(d->dahdi_span(), 1);
  EXPECT_EQ(d->alarms(), 0);
  EXPECT_EQ(kernel_.DescriptorsOn(16), 1);
  // One DAHDI_GET_PARAMS for the D-channel, one per B-channel.
  EXPECT_EQ(kernel_.IoctlsOf(DAHDI_GET_PARAMS).size(), 31u);
}

TEST_F(DahdiDChannelTest, OpenOnASecondSpanChecksItsOwnChannels) {
  DahdiDChannelOptions o{"span2", 55, 0, {1, 2, 23}};
  auto d = DahdiDChannel::Open(kernel_, o);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ((*d)->dahdi_span(), 2);
}

TEST_F(DahdiDChannelTest, RefusesAChannelThatIsNotHdlcWithFcs) {
  kernel_.SetSignalling(16, DAHDI_SIG_CLEAR);
  std::string error = OpenError(E1Options());
  EXPECT_THAT(error, HasSubstr("span1: D-channel 16: signalling is not HDLC with FCS"));
}

TEST_F(DahdiDChannelTest, AcceptsHardwareHdlc) {
  kernel_.SetSignalling(16, DAHDI_SIG_HARDHDLC);
  EXPECT_NE(OpenE1(), nullptr);
}

TEST_F(DahdiDChannelTest, ReportsAMissingDevice) {
  kernel_.SetDeviceMissing(true);
  EXPECT_THAT(OpenError(E1Options()),
              HasSubstr("span1: D-channel 16: open /dev/dahdi/channel: No such file or directory"));
}

TEST_F(DahdiDChannelTest, ReportsAnUnknownChannel) {
  DahdiDChannelOptions o{"span9", 200, 0, {}};
  EXPECT_THAT(OpenError(o), HasSubstr("span9: D-channel 200: DAHDI_SPECIFY: No such device"));
}

TEST_F(DahdiDChannelTest, ReportsGetParamsFailure) {
  kernel_.FailNextIoctl(DAHDI_GET_PARAMS, EIO);
  EXPECT_THAT(OpenError(E1Options()), HasSubstr("D-channel 16: DAHDI_GET_PARAMS: Input/output error"));
}

TEST_F(DahdiDChannelTest, ReportsSetBufinfoFailure) {
  kernel_.FailNextIoctl(DAHDI_SET_BUFINFO, EINVAL);
  EXPECT_THAT(OpenError(E1Options()), HasSubstr("D-channel 16: DAHDI_SET_BUFINFO"));
}

TEST_F(DahdiDChannelTest, ReportsSpanstatFailure) {
  kernel_.FailNextIoctl(DAHDI_SPANSTAT, EIO);
  EXPECT_THAT(OpenError(E1Options()), HasSubstr("span1: DAHDI_SPANSTAT of DAHDI span 1"));
}

TEST_F(DahdiDChannelTest, RefusesADChannelAtAnotherPositionThanConfigured) {
  // dchannel = 16 in the config, but DAHDI channel 55 is position 24 of span 2.
  DahdiDChannelOptions o{"span2", 55, 16, {1}};
  EXPECT_THAT(OpenError(o), HasSubstr("span2: D-channel 55 is channel 24 of DAHDI span 2, not channel 16"));
}

TEST_F(DahdiDChannelTest, RefusesABChannelThatIsTheDChannel) {
  DahdiDChannelOptions o{"span1", 16, 0, {15, 16}};
  EXPECT_THAT(OpenError(o), HasSubstr("span1: B-channel 16 is the D-channel"));
}

TEST_F(DahdiDChannelTest, RefusesABChannelBeyondTheSpan) {
  // Position 24 of a T1 span is its D-channel; 25 would be another span's.
  DahdiDChannelOptions o{"span2", 55, 0, {1, 25}};
  EXPECT_THAT(OpenError(o), HasSubstr("span2: B-channel 25 (DAHDI channel 56)"));
  DahdiDChannelOptions e1{"span1", 16, 0, {31, 32}};
  EXPECT_THAT(OpenError(e1), HasSubstr("span1: B-channel 32 (DAHDI channel 32) is not on DAHDI span 1"));
}

TEST_F(DahdiDChannelTest, RefusesABChannelThatIsNotClear) {
  kernel_.SetSignalling(5, DAHDI_SIG_HDLCFCS);
  EXPECT_THAT(OpenError(E1Options()), HasSubstr("span1: B-channel 5 (DAHDI channel 5) is not a clear channel"));
}

TEST_F(DahdiDChannelTest, ReadStripsTheFcsOctets) {
  auto d = OpenE1();
  kernel_.QueueFrame(16, {0x02, 0x01, 0x01, 0x01, 0xab, 0xcd});
  std::uint8_t buffer[300];
  ASSERT_EQ(d->ReadFrame(buffer), 4);
  EXPECT_THAT(Bytes(buffer, buffer + 4), ElementsAre(0x02, 0x01, 0x01, 0x01));
  EXPECT_EQ(d->ReadFrame(buffer), 0);  // EAGAIN: nothing waiting
  EXPECT_EQ(d->counters().rx_frames, 1u);
}

TEST_F(DahdiDChannelTest, WriteAppendsRoomForTheFcs) {
  auto d = OpenE1();
  const std::uint8_t frame[] = {0x00, 0x01, 0x7f};
  EXPECT_TRUE(d->WriteFrame(frame));
  auto written = kernel_.TakeWritten(16);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_THAT(written[0], ElementsAre(0x00, 0x01, 0x7f, 0x00, 0x00));
  EXPECT_EQ(d->counters().tx_frames, 1u);
}

TEST_F(DahdiDChannelTest, WriteThatWouldBlockIsDroppedAndCounted) {
  auto d = OpenE1();
  kernel_.SetWriteBlocked(16, true);
  const std::uint8_t frame[] = {0x00, 0x01, 0x7f};
  EXPECT_FALSE(d->WriteFrame(frame));
  kernel_.FailNextWrite(EIO);
  kernel_.SetWriteBlocked(16, false);
  EXPECT_FALSE(d->WriteFrame(frame));
  EXPECT_EQ(d->counters().tx_dropped, 2u);
  EXPECT_TRUE(d->WriteFrame(frame));
}

TEST_F(DahdiDChannelTest, ShortFramesAreSkipped) {
  auto d = OpenE1();
  kernel_.QueueFrame(16, {0xab, 0xcd});
  kernel_.QueueFrame(16, {0x02, 0x01, 0x01, 0x01, 0xab, 0xcd});
  std::uint8_t buffer[300];
  EXPECT_EQ(d->ReadFrame(buffer), 4);
  EXPECT_EQ(d->counters().short_frames, 1u);
}

TEST_F(DahdiDChannelTest, ReadErrorIsCountedNotFatal) {
  auto d = OpenE1();
  kernel_.FailNextRead(EIO);
  std::uint8_t buffer[300];
  EXPECT_EQ(d->ReadFrame(buffer), 0);
  EXPECT_EQ(d->counters().read_errors, 1u);
  kernel_.QueueFrame(16, {0x02, 0x01, 0x01, 0x01, 0, 0});
  EXPECT_EQ(d->ReadFrame(buffer), 4);
}

TEST_F(DahdiDChannelTest, ElastTakesTheEventsThenReadsTheFrame) {
  auto d = OpenE1();
  kernel_.QueueEvent(16, DAHDI_EVENT_ABORT);
  kernel_.QueueEvent(16, DAHDI_EVENT_BADFCS);
  kernel_.QueueEvent(16, DAHDI_EVENT_OVERRUN);
  kernel_.QueueEvent(16, DAHDI_EVENT_BITSCHANGED);
  kernel_.QueueFrame(16, {0x02, 0x01, 0x01, 0x01, 0, 0});
  std::uint8_t buffer[300];
  EXPECT_EQ(d->ReadFrame(buffer), 4);
  EXPECT_EQ(d->counters().abort, 1u);
  EXPECT_EQ(d->counters().bad_fcs, 1u);
  EXPECT_EQ(d->counters().overrun, 1u);
  EXPECT_EQ(d->counters().other_events, 1u);
  EXPECT_EQ(kernel_.pending_events(16), 0);
  EXPECT_FALSE(d->TakeAlarmChange().has_value());
}

TEST_F(DahdiDChannelTest, AlarmEventReadsTheAlarmsFromSpanstat) {
  auto d = OpenE1();
  kernel_.SetSpanAlarms(1, DAHDI_ALARM_RED | DAHDI_ALARM_LOOPBACK);
  kernel_.QueueEvent(16, DAHDI_EVENT_ALARM);
  std::uint8_t buffer[300];
  EXPECT_EQ(d->ReadFrame(buffer), 0);
  EXPECT_EQ(d->alarms(), DAHDI_ALARM_RED | DAHDI_ALARM_LOOPBACK);
  auto change = d->TakeAlarmChange();
  ASSERT_TRUE(change.has_value());
  EXPECT_THAT(DahdiAlarmNames(*change), ElementsAre("red", "loopback"));
  EXPECT_FALSE(d->TakeAlarmChange().has_value());

  kernel_.SetSpanAlarms(1, 0);
  kernel_.QueueEvent(16, DAHDI_EVENT_NOALARM);
  EXPECT_EQ(d->ReadFrame(buffer), 0);
  EXPECT_EQ(d->TakeAlarmChange(), 0);
  EXPECT_EQ(d->counters().alarm, 1u);
  EXPECT_EQ(d->counters().no_alarm, 1u);
}

TEST_F(DahdiDChannelTest, AlarmWhoseSpanstatFailsIsStillAnAlarm) {
  auto d = OpenE1();
  kernel_.QueueEvent(16, DAHDI_EVENT_ALARM);
  kernel_.FailNextIoctl(DAHDI_SPANSTAT, EIO);
  std::uint8_t buffer[300];
  EXPECT_EQ(d->ReadFrame(buffer), 0);
  EXPECT_THAT(DahdiAlarmNames(d->alarms()), ElementsAre("unknown"));
  EXPECT_EQ(d->TakeAlarmChange(), kAlarmUnknown);
}

TEST_F(DahdiDChannelTest, GetEventFailureIsCounted) {
  auto d = OpenE1();
  kernel_.QueueEvent(16, DAHDI_EVENT_ALARM);
  kernel_.FailNextIoctl(DAHDI_GETEVENT, EIO);
  std::uint8_t buffer[300];
  EXPECT_EQ(d->ReadFrame(buffer), 0);  // the event is still there, then taken
  EXPECT_GE(d->counters().read_errors, 1u);
}

TEST_F(DahdiDChannelTest, AlarmNamesCoverEveryBit) {
  EXPECT_THAT(DahdiAlarmNames(DAHDI_ALARM_RED | DAHDI_ALARM_YELLOW | DAHDI_ALARM_BLUE |
                              DAHDI_ALARM_LOOPBACK | DAHDI_ALARM_RECOVER | DAHDI_ALARM_NOTOPEN),
              ElementsAre("red", "yellow", "blue", "loopback", "recover", "notopen"));
  EXPECT_TRUE(DahdiAlarmNames(0).empty());
}

TEST_F(DahdiDChannelTest, ClosesItsDescriptor) {
  {
    auto d = OpenE1();
  }
  EXPECT_EQ(kernel_.open_descriptors(), 0);
}

}  // namespace
}  // namespace prid::dahdi_glue
