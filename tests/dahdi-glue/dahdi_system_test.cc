// Unit tests of dahdi-glue/dahdi_system: the real system calls, the
// descriptor owner that closes through its system, and the ioctl names.
#include "dahdi-glue/dahdi_system.h"

#include <dahdi/user.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace prid::dahdi_glue {
namespace {

// Records the descriptors closed through it; everything else fails.
class ClosingSystem final : public DahdiSystem {
 public:
  int Open(const char*, int) override { return -1; }
  int Close(int fd) override {
    closed.push_back(fd);
    return fd == 13 ? -1 : 0;
  }
  int Ioctl(int, unsigned long, void*) override { return -1; }
  ssize_t Read(int, void*, std::size_t) override { return -1; }
  ssize_t Write(int, const void*, std::size_t) override { return -1; }
  std::vector<int> closed;
};

TEST(DahdiFd, ClosesThroughItsSystemOnDestruction) {
  ClosingSystem system;
  { DahdiFd fd(system, 7); }
  EXPECT_EQ(system.closed, std::vector<int>{7});
}

TEST(DahdiFd, ResetReturnsCloseResultAndClosesOnce) {
  ClosingSystem system;
  DahdiFd fd(system, 13);
  EXPECT_TRUE(fd.valid());
  EXPECT_EQ(fd.Reset(), -1);  // close() failed; the descriptor is gone anyway
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(fd.Reset(), 0);  // nothing left to close
  EXPECT_EQ(system.closed, std::vector<int>{13});
}

TEST(DahdiFd, EmptyOwnerClosesNothing) {
  DahdiFd fd;
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(fd.get(), -1);
  EXPECT_EQ(fd.Reset(), 0);
}

TEST(DahdiFd, MoveHandsOverTheDescriptorAndClosesTheTargetsOld) {
  ClosingSystem system;
  DahdiFd a(system, 3);
  DahdiFd b(system, 4);
  b = std::move(a);
  EXPECT_EQ(system.closed, std::vector<int>{4});
  EXPECT_EQ(b.get(), 3);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the contract says so
  DahdiFd c(std::move(b));
  EXPECT_EQ(c.get(), 3);
  EXPECT_EQ(system.closed, std::vector<int>{4});
  c.Reset();
  EXPECT_EQ(system.closed, (std::vector<int>{4, 3}));
}

TEST(RealDahdiSystem, MakesTheSystemCallsOfItsName) {
  DahdiSystem& system = RealDahdiSystem();
  EXPECT_EQ(&system, &RealDahdiSystem());  // one for the process
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const char data[] = "frame";
  EXPECT_EQ(system.Write(fds[1], data, 5), 5);
  char buffer[8] = {};
  EXPECT_EQ(system.Read(fds[0], buffer, sizeof buffer), 5);
  EXPECT_STREQ(buffer, "frame");
  EXPECT_EQ(system.Close(fds[0]), 0);
  EXPECT_EQ(system.Close(fds[1]), 0);
  EXPECT_EQ(system.Close(fds[1]), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(RealDahdiSystem, OpenAndIoctlFailAsTheKernelSays) {
  DahdiSystem& system = RealDahdiSystem();
  EXPECT_EQ(system.Open("/nonexistent/dahdi/channel", O_RDWR), -1);
  EXPECT_EQ(errno, ENOENT);
  const int fd = system.Open("/dev/null", O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  dahdi_params params{};
  EXPECT_EQ(system.Ioctl(fd, DAHDI_GET_PARAMS, &params), -1);  // /dev/null is no DAHDI channel
  EXPECT_EQ(errno, ENOTTY);
  EXPECT_EQ(system.Close(fd), 0);
}

TEST(DahdiIoctlName, NamesTheIoctlsPridUses) {
  EXPECT_EQ(DahdiIoctlName(DAHDI_SPECIFY), "DAHDI_SPECIFY");
  EXPECT_EQ(DahdiIoctlName(DAHDI_GET_PARAMS), "DAHDI_GET_PARAMS");
  EXPECT_EQ(DahdiIoctlName(DAHDI_SET_BUFINFO), "DAHDI_SET_BUFINFO");
  EXPECT_EQ(DahdiIoctlName(DAHDI_GET_BUFINFO), "DAHDI_GET_BUFINFO");
  EXPECT_EQ(DahdiIoctlName(DAHDI_GETEVENT), "DAHDI_GETEVENT");
  EXPECT_EQ(DahdiIoctlName(DAHDI_SPANSTAT), "DAHDI_SPANSTAT");
  EXPECT_EQ(DahdiIoctlName(DAHDI_SETCONF), "DAHDI_SETCONF");
  EXPECT_EQ(DahdiIoctlName(DAHDI_GETCONF), "DAHDI_GETCONF");
}

TEST(DahdiIoctlName, OtherRequestIsItsNumberInHex) {
  EXPECT_EQ(DahdiIoctlName(0x1234), "ioctl 0x1234");
}

}  // namespace
}  // namespace prid::dahdi_glue
