// Unit tests of base/unique_fd: the owner closes its descriptor exactly
// once, on destruction, Reset() or move-assignment, and never after Release().
#include "base/unique_fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace prid::base {
namespace {

// Whether `fd` names an open descriptor of this process.
bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fds.data(), O_CLOEXEC), 0); }
  std::array<int, 2> fds{-1, -1};
};

TEST(UniqueFd, DefaultOwnsNothing) {
  UniqueFd fd;
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(fd.get(), -1);
}

TEST(UniqueFd, DestructionClosesTheDescriptor) {
  Pipe p;
  {
    UniqueFd read_end(p.fds[0]);
    EXPECT_TRUE(read_end.valid());
    EXPECT_EQ(read_end.get(), p.fds[0]);
  }
  EXPECT_FALSE(IsOpen(p.fds[0]));
  ::close(p.fds[1]);
}

TEST(UniqueFd, ResetClosesTheOldAndTakesTheNew) {
  Pipe p;
  UniqueFd fd(p.fds[0]);
  fd.Reset(p.fds[1]);
  EXPECT_FALSE(IsOpen(p.fds[0]));
  EXPECT_TRUE(IsOpen(p.fds[1]));
  EXPECT_EQ(fd.get(), p.fds[1]);
  fd.Reset();
  EXPECT_FALSE(IsOpen(p.fds[1]));
  EXPECT_FALSE(fd.valid());
}

TEST(UniqueFd, ReleaseGivesUpOwnershipWithoutClosing) {
  Pipe p;
  int raw = -1;
  {
    UniqueFd fd(p.fds[0]);
    raw = fd.Release();
    EXPECT_FALSE(fd.valid());
  }
  EXPECT_EQ(raw, p.fds[0]);
  EXPECT_TRUE(IsOpen(raw));
  ::close(p.fds[0]);
  ::close(p.fds[1]);
}

TEST(UniqueFd, MoveConstructionTransfersOwnership) {
  Pipe p;
  UniqueFd a(p.fds[0]);
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the contract says so
  EXPECT_EQ(b.get(), p.fds[0]);
  EXPECT_TRUE(IsOpen(p.fds[0]));
  ::close(p.fds[1]);
}

TEST(UniqueFd, MoveAssignmentClosesWhatTheTargetHeld) {
  Pipe p;
  UniqueFd a(p.fds[0]);
  UniqueFd b(p.fds[1]);
  b = std::move(a);
  EXPECT_FALSE(IsOpen(p.fds[1]));
  EXPECT_TRUE(IsOpen(p.fds[0]));
  EXPECT_EQ(b.get(), p.fds[0]);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move)
}

TEST(UniqueFd, SelfMoveAssignmentKeepsTheDescriptor) {
  Pipe p;
  UniqueFd a(p.fds[0]);
  UniqueFd& alias = a;
  a = std::move(alias);
  EXPECT_EQ(a.get(), p.fds[0]);
  EXPECT_TRUE(IsOpen(p.fds[0]));
  ::close(p.fds[1]);
}

}  // namespace
}  // namespace prid::base
