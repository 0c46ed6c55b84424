// Tests of the socket's access check: reading SO_PEERCRED and SO_PEERGROUPS
// on real sockets (from child processes that became another user with
// groups of their own), who is allowed or refused (root, our own uid, the
// socket group as gid or supplementary group), and the refusal's message.
#include "ipc/peer_credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "tests/ipc/socket_waits.h"

namespace prid::ipc {
namespace {

using test::SocketPair;

constexpr uid_t kOwnUid = 1000;
constexpr gid_t kSocketGroup = 4321;
constexpr gid_t kOtherGroup = 4322;
constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

// The fake databases: names for some ids, none for the others.
std::optional<std::string> FakeUser(uid_t uid) {
  if (uid == kNobody) return "nobody";
  if (uid == kOwnUid) return "prid";
  return std::nullopt;
}
std::optional<std::string> FakeGroup(gid_t gid) {
  if (gid == kNogroup) return "nogroup";
  if (gid == kSocketGroup) return "prid";
  return std::nullopt;
}
constexpr NameLookup kFakeNames{&FakeUser, &FakeGroup};

PeerCredentials Peer(uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
  return PeerCredentials{4242, uid, gid, std::move(groups)};
}

// --- the check alone ---

TEST(PeerCheckTest, RootIsAllowed) {
  PeerCheck check(PeerCheck::kNoGroup, kOwnUid, kFakeNames);
  EXPECT_FALSE(check.Check(Peer(0, 77), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, OurOwnUidIsAllowed) {
  PeerCheck check(PeerCheck::kNoGroup, kOwnUid, kFakeNames);
  EXPECT_FALSE(check.Check(Peer(kOwnUid, 77), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, PeerWhoseGidIsTheSocketGroupIsAllowed) {
  PeerCheck check(kSocketGroup, kOwnUid, kFakeNames);
  EXPECT_FALSE(check.Check(Peer(kNobody, kSocketGroup), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, PeerHoldingTheSocketGroupAsSupplementaryGroupIsAllowed) {
  PeerCheck check(kSocketGroup, kOwnUid, kFakeNames);
  EXPECT_FALSE(
      check.Check(Peer(kNobody, kNogroup, {100, kSocketGroup}), "/run/prid.sock").has_value());
}

TEST(PeerCheckTest, StrangerIsRefusedNamingItsGroupsAndTheGroupToJoin) {
  PeerCheck check(kSocketGroup, kOwnUid, kFakeNames);
  std::optional<RpcError> refusal =
      check.Check(Peer(kNobody, kNogroup, {100, kNogroup}), "/run/prid.sock");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, static_cast<int>(ErrorCode::kPermissionDenied));
  EXPECT_EQ(refusal->name, "PermissionDenied");
  EXPECT_EQ(refusal->message,
            "uid 65534 (nobody) with gid 65534 (nogroup) and supplementary groups 100, 65534 "
            "(nogroup) may not use /run/prid.sock: only root, uid 1000 (prid) and processes in "
            "group 4321 (prid) may; add the client to group prid, e.g. SupplementaryGroups=prid "
            "in its systemd unit (a user added to the group gets it at the next login)");
  EXPECT_EQ(refusal->data["uid"], kNobody);
  EXPECT_EQ(refusal->data["gid"], kNogroup);
  EXPECT_EQ(refusal->data["groups"], (nlohmann::json{100, kNogroup}));
  EXPECT_EQ(refusal->data["socket_group"], kSocketGroup);
}

TEST(PeerCheckTest, SocketGroupWithoutANameIsNamedByNumber) {
  PeerCheck check(kOtherGroup, kOwnUid, kFakeNames);
  std::optional<RpcError> refusal = check.Check(Peer(2000, 2000), "/run/prid.sock");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->message,
            "uid 2000 with gid 2000 and no supplementary groups may not use /run/prid.sock: only "
            "root, uid 1000 (prid) and processes in group 4322 may; add the client to group "
            "4322, e.g. SupplementaryGroups=4322 in its systemd unit (a user added to the group "
            "gets it at the next login)");
}

TEST(PeerCheckTest, WithoutASocketGroupTheRefusalNamesTheConfigKeyNotAGroupToJoin) {
  PeerCheck check(PeerCheck::kNoGroup, kOwnUid, kFakeNames);
  std::optional<RpcError> refusal = check.Check(Peer(kNobody, kNogroup), "/run/prid.sock");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, static_cast<int>(ErrorCode::kPermissionDenied));
  EXPECT_EQ(refusal->message,
            "uid 65534 (nobody) with gid 65534 (nogroup) and no supplementary groups may not use "
            "/run/prid.sock: no socket_group is configured, so only root and uid 1000 (prid) "
            "may; run the client as one of them, or set socket_group in the [daemon] table of "
            "prid.conf and add the client to that group");
  EXPECT_FALSE(refusal->data.contains("socket_group"));
}

TEST(PeerCheckTest, DaemonRunningAsRootNamesRootOnceInTheRefusal) {
  PeerCheck with_group(kSocketGroup, 0, kFakeNames);
  EXPECT_EQ(with_group.Check(Peer(2000, 2000), "/run/prid.sock")->message,
            "uid 2000 with gid 2000 and no supplementary groups may not use /run/prid.sock: only "
            "root and processes in group 4321 (prid) may; add the client to group prid, e.g. "
            "SupplementaryGroups=prid in its systemd unit (a user added to the group gets it at "
            "the next login)");
  PeerCheck without_group(PeerCheck::kNoGroup, 0, kFakeNames);
  EXPECT_EQ(without_group.Check(Peer(2000, 2000), "/run/prid.sock")->message,
            "uid 2000 with gid 2000 and no supplementary groups may not use /run/prid.sock: no "
            "socket_group is configured, so only root may; run the client as root, or set "
            "socket_group in the [daemon] table of prid.conf and add the client to that group");
}

// --- reading credentials from the kernel ---

TEST(ReadPeerCredentialsTest, ReadsTheProcessAtTheOtherEnd) {
  auto [ours, theirs] = SocketPair();
  ASSERT_TRUE(ours.valid());
  base::Result<PeerCredentials> peer = ReadPeerCredentials(ours.get());
  ASSERT_TRUE(peer.ok()) << peer.error();
  EXPECT_EQ(peer->pid, getpid());
  EXPECT_EQ(peer->uid, geteuid());
  EXPECT_EQ(peer->gid, getegid());
  std::vector<gid_t> own(static_cast<std::size_t>(getgroups(0, nullptr)));
  ASSERT_EQ(getgroups(static_cast<int>(own.size()), own.data()), static_cast<int>(own.size()));
  std::sort(own.begin(), own.end());
  std::vector<gid_t> read = peer->groups;
  std::sort(read.begin(), read.end());
  EXPECT_EQ(read, own);
}

TEST(ReadPeerCredentialsTest, FailsOnAFileThatIsNoSocketNamingTheOption) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  base::Result<PeerCredentials> peer = ReadPeerCredentials(read_end.get());
  ASSERT_FALSE(peer.ok());
  EXPECT_EQ(peer.error().rfind("SO_PEERCRED: ", 0), 0u) << peer.error();
}

TEST(PeerCheckTest, AdmitsOurOwnProcessWithoutSendingAnything) {
  auto [ours, theirs] = SocketPair();
  ASSERT_TRUE(ours.valid());
  PeerCheck check(PeerCheck::kNoGroup);
  std::optional<PeerCredentials> admitted = check.Admit(ours.get(), "/run/prid.sock");
  ASSERT_TRUE(admitted.has_value());
  EXPECT_EQ(admitted->uid, geteuid());
  char byte;
  EXPECT_EQ(recv(theirs.get(), &byte, 1, MSG_DONTWAIT), -1) << "nothing was sent";
}

TEST(PeerCheckTest, RefusesAPeerWhoseCredentialsCannotBeRead) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  PeerCheck check(PeerCheck::kNoGroup);
  EXPECT_FALSE(check.Admit(read_end.get(), "/run/prid.sock").has_value());
}

// A child process that took other credentials (setgroups, setgid, setuid)
// and then connected to an abstract socket of ours, so that the kernel
// recorded its credentials on `connection`. It waits for end of file and
// exits; everything it reads goes to `received()`.
class OtherUserPeer {
 public:
  OtherUserPeer(uid_t uid, gid_t gid, const std::vector<gid_t>& groups) {
    // An abstract address: no socket file whose permissions could refuse
    // the other user before our check does.
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::string name = "prid-peer-test-" + std::to_string(getpid());
    std::memcpy(address.sun_path + 1, name.data(), name.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    base::UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (bind(listener.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(listener.get(), 1) != 0) {
      failure_ = "cannot listen on the abstract socket: " + std::string(strerror(errno));
      return;
    }
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      // The child: syscalls only, then _exit with the failing step.
      close(pipe_fds[0]);
      if (setgroups(groups.size(), groups.data()) != 0) _exit(10);
      if (setgid(gid) != 0 || setuid(uid) != 0) _exit(11);
      int fd = socket(AF_UNIX, SOCK_STREAM, 0);
      if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) _exit(12);
      char buffer[4096];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        if (write(pipe_fds[1], buffer, static_cast<std::size_t>(n)) != n) _exit(13);
      }
      _exit(0);
    }
    close(pipe_fds[1]);
    from_child_.Reset(pipe_fds[0]);
    if (pid_ < 0) return;
    if (!test::WaitFor(listener.get(), POLLIN)) {
      failure_ = "the child never connected: exit status " + std::to_string(Finish());
      return;
    }
    connection_.Reset(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  }

  ~OtherUserPeer() { Finish(); }

  // Empty when the child is connected.
  const std::string& failure() const { return failure_; }
  int connection() const { return connection_.get(); }

  // Closes our end, collects what the child read and its exit status.
  int Finish() {
    connection_.Reset();
    if (pid_ <= 0) return -1;
    char buffer[4096];
    ssize_t n;
    while (from_child_.valid() && (n = read(from_child_.get(), buffer, sizeof buffer)) > 0) {
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  const std::string& received() const { return received_; }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  base::UniqueFd from_child_;
  base::UniqueFd connection_;
  std::string failure_;
  std::string received_;
};

// The supplementary groups the group database lists for uid 65534.
std::vector<gid_t> DatabaseGroupsOfNobody() {
  struct passwd* pw = getpwuid(kNobody);
  if (pw == nullptr) return {};
  std::vector<gid_t> groups(1024);
  int count = static_cast<int>(groups.size());
  if (getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &count) < 0) return {};
  groups.resize(static_cast<std::size_t>(count));
  return groups;
}

class OtherUserPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root: the peer is a child process that calls setgroups() and "
                      "setuid(65534) before it connects";
    }
  }
};

TEST_F(OtherUserPeerTest, SupplementaryGroupOfTheProcessThatTheDatabaseDoesNotListIsAdmitted) {
  // The point of the test: the database does not put uid 65534 in the
  // socket group, its process has it (like SupplementaryGroups=).
  std::vector<gid_t> listed = DatabaseGroupsOfNobody();
  ASSERT_EQ(std::find(listed.begin(), listed.end(), kSocketGroup), listed.end())
      << "the group database lists group 4321 for uid 65534 on this machine";
  OtherUserPeer peer(kNobody, kNogroup, {kSocketGroup});
  ASSERT_EQ(peer.failure(), "");
  base::Result<PeerCredentials> credentials = ReadPeerCredentials(peer.connection());
  ASSERT_TRUE(credentials.ok()) << credentials.error();
  EXPECT_EQ(credentials->uid, kNobody);
  EXPECT_EQ(credentials->gid, kNogroup);
  EXPECT_EQ(credentials->groups, (std::vector<gid_t>{kSocketGroup}));

  PeerCheck check(kSocketGroup, kOwnUid, kFakeNames);
  std::optional<PeerCredentials> admitted = check.Admit(peer.connection(), "/run/prid.sock");
  ASSERT_TRUE(admitted.has_value());
  EXPECT_EQ(admitted->groups, (std::vector<gid_t>{kSocketGroup}));
  EXPECT_EQ(peer.Finish(), 0);
  EXPECT_EQ(peer.received(), "") << "an admitted peer is sent nothing";
}

TEST_F(OtherUserPeerTest, PeerWithoutTheGroupIsRefusedWithTheFullMessageThenEndOfFile) {
  OtherUserPeer peer(kNobody, kNogroup, {kOtherGroup});
  ASSERT_EQ(peer.failure(), "");
  PeerCheck check(kSocketGroup, kOwnUid, kFakeNames);
  EXPECT_FALSE(check.Admit(peer.connection(), "/run/prid.sock").has_value());
  EXPECT_EQ(peer.Finish(), 0);
  // One line, then end of file (the child read until EOF).
  ASSERT_FALSE(peer.received().empty());
  EXPECT_EQ(peer.received().find('\n'), peer.received().size() - 1) << peer.received();
  nlohmann::json line = nlohmann::json::parse(peer.received(), nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << peer.received();
  EXPECT_TRUE(line["id"].is_null());
  EXPECT_EQ(line["error"]["code"], 9);
  EXPECT_EQ(line["error"]["message"],
            "uid 65534 (nobody) with gid 65534 (nogroup) and supplementary groups 4322 may not "
            "use /run/prid.sock: only root, uid 1000 (prid) and processes in group 4321 (prid) "
            "may; add the client to group prid, e.g. SupplementaryGroups=prid in its systemd "
            "unit (a user added to the group gets it at the next login)");
  EXPECT_EQ(line["error"]["data"],
            (nlohmann::json{{"name", "PermissionDenied"},
                            {"uid", kNobody},
                            {"gid", kNogroup},
                            {"groups", nlohmann::json::array({kOtherGroup})},
                            {"socket_group", kSocketGroup}}));
}

TEST_F(OtherUserPeerTest, ManySupplementaryGroupsAreReadWhole) {
  // More than the first buffer holds: the kernel's ERANGE tells the size.
  std::vector<gid_t> groups;
  for (gid_t g = 20000; g < 20300; ++g) groups.push_back(g);
  OtherUserPeer peer(kNobody, kNogroup, groups);
  ASSERT_EQ(peer.failure(), "");
  base::Result<std::vector<gid_t>> read = ReadPeerGroups(peer.connection());
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_EQ(*read, groups);
}

TEST_F(OtherUserPeerTest, PeerWithNoSupplementaryGroupsHasAnEmptyList) {
  OtherUserPeer peer(kNobody, kNogroup, {});
  ASSERT_EQ(peer.failure(), "");
  base::Result<std::vector<gid_t>> read = ReadPeerGroups(peer.connection());
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_TRUE(read->empty());
}

}  // namespace
}  // namespace prid::ipc
