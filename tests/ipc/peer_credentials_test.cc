// Tests of the socket's access check: reading SO_PEERCRED on real socket
// pairs, and who is allowed or refused (root, our own uid, the socket group
// as gid or by the group database), with the refusal's message.
#include "ipc/peer_credentials.h"

#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "tests/ipc/socket_waits.h"

namespace prid::ipc {
namespace {

using test::SocketPair;

constexpr uid_t kOwnUid = 1000;
constexpr gid_t kSocketGroup = 4321;
constexpr uid_t kStranger = 65534;

// The fake group database: only uid 2000 is in kSocketGroup.
bool FakeInGroup(uid_t uid, gid_t group) { return uid == 2000 && group == kSocketGroup; }

PeerCredentials Peer(uid_t uid, gid_t gid) { return PeerCredentials{4242, uid, gid}; }

TEST(ReadPeerCredentialsTest, ReadsTheProcessAtTheOtherEnd) {
  auto [ours, theirs] = SocketPair();
  ASSERT_TRUE(ours.valid());
  base::Result<PeerCredentials> peer = ReadPeerCredentials(ours.get());
  ASSERT_TRUE(peer.ok()) << peer.error();
  EXPECT_EQ(peer->pid, getpid());
  EXPECT_EQ(peer->uid, geteuid());
  EXPECT_EQ(peer->gid, getegid());
}

TEST(ReadPeerCredentialsTest, FailsOnAFileThatIsNoSocket) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  base::Result<PeerCredentials> peer = ReadPeerCredentials(read_end.get());
  ASSERT_FALSE(peer.ok());
  EXPECT_FALSE(peer.error().empty());
}

TEST(PeerCheckTest, RootIsAllowed) {
  PeerCheck check(PeerCheck::kNoGroup, kOwnUid, &FakeInGroup);
  EXPECT_FALSE(check.Check(Peer(0, 77), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, OurOwnUidIsAllowed) {
  PeerCheck check(PeerCheck::kNoGroup, kOwnUid, &FakeInGroup);
  EXPECT_FALSE(check.Check(Peer(kOwnUid, 77), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, StrangerWithoutASocketGroupIsRefusedNamingWhoMay) {
  PeerCheck check(PeerCheck::kNoGroup, kOwnUid, &FakeInGroup);
  std::optional<RpcError> refusal = check.Check(Peer(kStranger, 77), "/run/prid.sock");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, static_cast<int>(ErrorCode::kPermissionDenied));
  EXPECT_EQ(refusal->name, "PermissionDenied");
  EXPECT_EQ(refusal->message,
            "uid 65534 may not use /run/prid.sock: only root and uid 1000 may; ask the "
            "administrator to add the user to the socket's group");
  EXPECT_EQ(refusal->data["uid"], kStranger);
  EXPECT_EQ(refusal->data["gid"], 77);
}

TEST(PeerCheckTest, PeerWhoseGidIsTheSocketGroupIsAllowed) {
  PeerCheck check(kSocketGroup, kOwnUid, &FakeInGroup);
  EXPECT_FALSE(check.Check(Peer(kStranger, kSocketGroup), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, UserInTheSocketGroupByTheDatabaseIsAllowed) {
  PeerCheck check(kSocketGroup, kOwnUid, &FakeInGroup);
  EXPECT_FALSE(check.Check(Peer(2000, 77), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, UidNotInTheSocketGroupIsRefusedWithItsMessage) {
  PeerCheck check(kSocketGroup, kOwnUid, &FakeInGroup);
  std::optional<RpcError> refusal = check.Check(Peer(kStranger, 77), "/run/prid.sock");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, static_cast<int>(ErrorCode::kPermissionDenied));
  EXPECT_EQ(refusal->message,
            "uid 65534 may not use /run/prid.sock: only root, uid 1000 and members of group 4321 "
            "may; ask the administrator to add the user to the socket's group");
}

TEST(PeerCheckTest, AdmitsOurOwnProcessWithoutSendingAnything) {
  auto [ours, theirs] = SocketPair();
  ASSERT_TRUE(ours.valid());
  PeerCheck check(PeerCheck::kNoGroup);
  EXPECT_TRUE(check.Admit(ours.get(), "/run/prid.sock"));
  char byte;
  EXPECT_EQ(recv(theirs.get(), &byte, 1, MSG_DONTWAIT), -1) << "nothing was sent";
}

TEST(PeerCheckTest, RefusesAPeerWhoseCredentialsCannotBeRead) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  PeerCheck check(PeerCheck::kNoGroup);
  EXPECT_FALSE(check.Admit(read_end.get(), "/run/prid.sock"));
}

TEST(UserInGroupTest, PrimaryGroupFromThePasswordDatabaseCounts) {
  struct passwd* root = getpwuid(0);
  if (root == nullptr) GTEST_SKIP() << "no password entry for uid 0";
  EXPECT_TRUE(UserInGroup(0, root->pw_gid));
}

TEST(UserInGroupTest, UnknownUidIsInNoGroup) {
  constexpr uid_t kUnknown = 3999999999u;
  ASSERT_EQ(getpwuid(kUnknown), nullptr);
  EXPECT_FALSE(UserInGroup(kUnknown, 0));
}

TEST(UserInGroupTest, UserIsNotInAGroupItDoesNotBelongTo) {
  struct passwd* root = getpwuid(0);
  if (root == nullptr) GTEST_SKIP() << "no password entry for uid 0";
  EXPECT_FALSE(UserInGroup(0, kSocketGroup)) << "root is not in group 4321 on this machine";
}

}  // namespace
}  // namespace prid::ipc
