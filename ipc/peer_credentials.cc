// Peer credentials as the kernel saw them and the socket's access check
// (docs/api.md "Transport").
#include "ipc/peer_credentials.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "base/log.h"
#include "ipc/connection.h"
#include "ipc/sys_error.h"

namespace prid::ipc {
namespace {

// The kernel's NGROUPS_MAX is 65536; a bigger answer is not a group list.
constexpr std::size_t kMaxPeerGroups = 65536;
// The databases' entries: a buffer grown on ERANGE up to this.
constexpr std::size_t kMaxEntryBuffer = 1u << 20;

std::size_t EntryBufferHint(int name) {
  long hint = sysconf(name);
  return hint > 0 ? static_cast<std::size_t>(hint) : 16384;
}

std::optional<std::string> DatabaseUserName(uid_t uid) {
  std::vector<char> buffer(EntryBufferHint(_SC_GETPW_R_SIZE_MAX));
  struct passwd pw;
  struct passwd* found = nullptr;
  for (;;) {
    int rc = getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < kMaxEntryBuffer) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr) return std::nullopt;
    return std::string(pw.pw_name);
  }
}

std::optional<std::string> DatabaseGroupName(gid_t gid) {
  std::vector<char> buffer(EntryBufferHint(_SC_GETGR_R_SIZE_MAX));
  struct group gr;
  struct group* found = nullptr;
  for (;;) {
    int rc = getgrgid_r(gid, &gr, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < kMaxEntryBuffer) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr) return std::nullopt;
    return std::string(gr.gr_name);
  }
}

}  // namespace

base::Result<std::vector<gid_t>> ReadPeerGroups(int fd) {
  std::vector<gid_t> groups(32);
  for (;;) {
    socklen_t length = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &length) == 0) {
      groups.resize(length / sizeof(gid_t));
      return groups;
    }
    int err = errno;
    // ERANGE: `length` now holds the size the kernel needs.
    std::size_t wanted = length / sizeof(gid_t);
    if (err != ERANGE || wanted <= groups.size() || wanted > kMaxPeerGroups) {
      if (err == ENOPROTOOPT) {
        return base::Fail("SO_PEERGROUPS: " + ErrnoText(err) +
                          " (the peer's groups need Linux 4.13 or later)");
      }
      return base::Fail("SO_PEERGROUPS: " + ErrnoText(err));
    }
    groups.resize(wanted);
  }
}

base::Result<PeerCredentials> ReadPeerCredentials(int fd) {
  struct ucred cred {};
  socklen_t length = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) < 0) {
    return base::Fail("SO_PEERCRED: " + ErrnoText(errno));
  }
  base::Result<std::vector<gid_t>> groups = ReadPeerGroups(fd);
  if (!groups.ok()) return base::Fail(groups.error());
  return PeerCredentials{cred.pid, cred.uid, cred.gid, std::move(*groups)};
}

NameLookup SystemNameLookup() { return NameLookup{&DatabaseUserName, &DatabaseGroupName}; }

PeerCheck::PeerCheck(gid_t group) : PeerCheck(group, geteuid(), SystemNameLookup()) {}

PeerCheck::PeerCheck(gid_t group, uid_t own_uid, NameLookup names)
    : group_(group), own_uid_(own_uid), names_(names) {}

// "uid 65534 (nobody)", or "uid 65534" without a password entry.
std::string PeerCheck::Describe(uid_t uid) const {
  std::optional<std::string> name = names_.user(uid);
  return name ? fmt::format("uid {} ({})", uid, *name) : fmt::format("uid {}", uid);
}

// "100 (users)", or "100" without a group entry.
std::string PeerCheck::DescribeGroup(gid_t gid) const {
  std::optional<std::string> name = names_.group(gid);
  return name ? fmt::format("{} ({})", gid, *name) : fmt::format("{}", gid);
}

bool PeerCheck::Allows(const PeerCredentials& peer) const {
  if (peer.uid == 0 || peer.uid == own_uid_) return true;
  return group_ != kNoGroup &&
         (peer.gid == group_ || std::find(peer.groups.begin(), peer.groups.end(), group_) != peer.groups.end());
}

std::optional<RpcError> PeerCheck::Check(const PeerCredentials& peer,
                                         std::string_view socket_path) const {
  bool has_group = group_ != kNoGroup;
  if (Allows(peer)) return std::nullopt;

  std::string supplementary;
  for (gid_t g : peer.groups) {
    supplementary += supplementary.empty() ? "supplementary groups " : ", ";
    supplementary += DescribeGroup(g);
  }
  if (supplementary.empty()) supplementary = "no supplementary groups";
  std::string who = fmt::format("{} with gid {} and {}", Describe(peer.uid),
                                DescribeGroup(peer.gid), supplementary);

  nlohmann::json data{{"uid", peer.uid}, {"gid", peer.gid}, {"groups", peer.groups}};
  // A daemon running as root admits root alone besides the group.
  std::string users = own_uid_ == 0 ? "root" : "root and " + Describe(own_uid_);
  std::string message;
  if (has_group) {
    std::optional<std::string> group_name = names_.group(group_);
    std::string join = group_name ? *group_name : fmt::format("{}", group_);
    message = fmt::format(
        "{} may not use {}: only {}{} and processes in group {} may; add the client to group "
        "{}, e.g. SupplementaryGroups={} in its systemd unit (a user added to the group gets it "
        "at the next login)",
        who, socket_path, own_uid_ == 0 ? "root" : "root, ",
        own_uid_ == 0 ? "" : Describe(own_uid_), DescribeGroup(group_), join, join);
    data["socket_group"] = group_;
  } else {
    // Joining some group would not help: no group is admitted.
    message = fmt::format(
        "{} may not use {}: no socket_group is configured, so only {} may; run the client as "
        "{}, or set socket_group in the [daemon] table of prid.conf and add the client to that "
        "group",
        who, socket_path, users, own_uid_ == 0 ? "root" : "one of them");
  }
  return MakeError(ErrorCode::kPermissionDenied, std::move(message), std::move(data));
}

std::optional<PeerCredentials> PeerCheck::Admit(int fd, std::string_view socket_path) const {
  base::Result<PeerCredentials> peer = ReadPeerCredentials(fd);
  if (!peer.ok()) {
    PRID_LOG_WARN("ipc: cannot read the peer's credentials on {}: {}; refusing it", socket_path,
                  peer.error());
    return std::nullopt;
  }
  std::optional<RpcError> refusal = Check(*peer, socket_path);
  if (!refusal) return std::move(*peer);
  if (!SendRefusal(fd, *refusal)) {
    PRID_LOG_DEBUG("ipc: cannot tell pid {} it is refused: {}", peer->pid, ErrnoText(errno));
  }
  PRID_LOG_NOTICE("ipc: refused pid {}: {}", peer->pid, refusal->message);
  return std::nullopt;
}

}  // namespace prid::ipc
