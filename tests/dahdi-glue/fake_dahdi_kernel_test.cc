// The fake DAHDI kernel answers as DAHDI does: these tests pin the
// behaviour the driver and mixer tests rely on.
#include "tests/support/fake_dahdi_kernel.h"

#include <dahdi/user.h>
#include <fcntl.h>
#include <poll.h>

#include <gtest/gtest.h>

#include <cerrno>

namespace prid::testing {
namespace {

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

class FakeDahdiKernelTest : public ::testing::Test {
 protected:
  void SetUp() override { kernel_.AddSpan(1, 1, 24, 24); }  // a T1, D-channel 24

  int OpenBound(int channel) {
    int fd = kernel_.Open(dahdi_glue::kDahdiChannelDevice, O_RDWR | O_NONBLOCK);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(kernel_.Ioctl(fd, DAHDI_SPECIFY, &channel), 0);
    return fd;
  }

  FakeDahdiKernel kernel_;
};

TEST_F(FakeDahdiKernelTest, GetParamsReportsSignallingAndPosition) {
  int fd = OpenBound(24);
  dahdi_params params{};
  ASSERT_EQ(kernel_.Ioctl(fd, DAHDI_GET_PARAMS, &params), 0);
  EXPECT_EQ(params.channo, 24);
  EXPECT_EQ(params.spanno, 1);
  EXPECT_EQ(params.chanpos, 24);
  EXPECT_EQ(params.sigtype, DAHDI_SIG_HDLCFCS);
  EXPECT_EQ(kernel_.Close(fd), 0);
}

TEST_F(FakeDahdiKernelTest, ReadReturnsElastWhileAnEventWaits) {
  int fd = OpenBound(24);
  EXPECT_FALSE(Readable(fd));
  kernel_.QueueEvent(24, DAHDI_EVENT_ALARM);
  kernel_.QueueFrame(24, {0x02, 0x01, 0x7f, 0xaa, 0xbb});
  EXPECT_TRUE(Readable(fd));
  std::uint8_t buffer[64];
  errno = 0;
  EXPECT_EQ(kernel_.Read(fd, buffer, sizeof buffer), -1);
  EXPECT_EQ(errno, ELAST);
  int event = -1;
  ASSERT_EQ(kernel_.Ioctl(fd, DAHDI_GETEVENT, &event), 0);
  EXPECT_EQ(event, DAHDI_EVENT_ALARM);
  EXPECT_EQ(kernel_.Read(fd, buffer, sizeof buffer), 5);
  EXPECT_FALSE(Readable(fd));
  EXPECT_EQ(kernel_.Read(fd, buffer, sizeof buffer), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(kernel_.Close(fd), 0);
}

TEST_F(FakeDahdiKernelTest, UnboundDescriptorRefusesChannelCalls) {
  int fd = kernel_.Open(dahdi_glue::kDahdiChannelDevice, O_RDWR);
  std::uint8_t buffer[4];
  EXPECT_EQ(kernel_.Read(fd, buffer, sizeof buffer), -1);
  EXPECT_EQ(errno, EINVAL);
  int event = 0;
  EXPECT_EQ(kernel_.Ioctl(fd, DAHDI_GETEVENT, &event), -1);
  EXPECT_EQ(errno, EINVAL);
  int missing = 77;
  EXPECT_EQ(kernel_.Ioctl(fd, DAHDI_SPECIFY, &missing), -1);
  EXPECT_EQ(errno, ENXIO);
  EXPECT_EQ(kernel_.ioctls().back().error, ENXIO);
  EXPECT_EQ(kernel_.Close(fd), 0);
  EXPECT_EQ(kernel_.Close(fd), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(FakeDahdiKernelTest, SpanstatReportsAlarms) {
  int fd = OpenBound(24);
  kernel_.SetSpanAlarms(1, DAHDI_ALARM_RED);
  dahdi_spaninfo info{};
  info.spanno = 1;
  ASSERT_EQ(kernel_.Ioctl(fd, DAHDI_SPANSTAT, &info), 0);
  EXPECT_EQ(info.alarms, DAHDI_ALARM_RED);
  EXPECT_EQ(info.numchans, 24);
  info.spanno = 9;
  EXPECT_EQ(kernel_.Ioctl(fd, DAHDI_SPANSTAT, &info), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(kernel_.Close(fd), 0);
}

TEST_F(FakeDahdiKernelTest, WritesAreKeptUntilTakenAndCanBlock) {
  int fd = OpenBound(24);
  std::uint8_t frame[] = {0x00, 0x01, 0x01, 0x01, 0, 0};
  EXPECT_EQ(kernel_.Write(fd, frame, sizeof frame), 6);
  kernel_.SetWriteBlocked(24, true);
  EXPECT_EQ(kernel_.Write(fd, frame, sizeof frame), -1);
  EXPECT_EQ(errno, EAGAIN);
  auto written = kernel_.TakeWritten(24);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].size(), 6u);
  EXPECT_TRUE(kernel_.TakeWritten(24).empty());
  EXPECT_EQ(kernel_.Close(fd), 0);
}

TEST_F(FakeDahdiKernelTest, UnknownIoctlIsEnotty) {
  int fd = OpenBound(1);
  int value = 0;
  EXPECT_EQ(kernel_.Ioctl(fd, DAHDI_CHANNO, &value), -1);
  EXPECT_EQ(errno, ENOTTY);
  EXPECT_EQ(kernel_.Close(fd), 0);
}

}  // namespace
}  // namespace prid::testing
