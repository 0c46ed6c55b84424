// Peer credentials and the socket's access check (API.md "Transport").
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
#include "ipc/json_rpc.h"
#include "ipc/sys_error.h"

namespace prid::ipc {

base::Result<PeerCredentials> ReadPeerCredentials(int fd) {
  struct ucred cred {};
  socklen_t length = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) < 0) {
    return base::Fail(ErrnoText(errno));
  }
  return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

bool UserInGroup(uid_t uid, gid_t group) {
  long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
  struct passwd pw;
  struct passwd* found = nullptr;
  for (;;) {
    int rc = getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr) return false;
    break;
  }
  if (pw.pw_gid == group) return true;
  std::vector<gid_t> groups(32);
  for (;;) {
    int count = static_cast<int>(groups.size());
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &count) >= 0) {
      groups.resize(static_cast<std::size_t>(count));
      break;
    }
    // count now holds the number needed (glibc); grow at least twofold.
    std::size_t wanted = std::max(static_cast<std::size_t>(count), groups.size() * 2);
    if (wanted > 65536) return false;
    groups.resize(wanted);
  }
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

PeerCheck::PeerCheck(gid_t group) : PeerCheck(group, geteuid(), &UserInGroup) {}

PeerCheck::PeerCheck(gid_t group, uid_t own_uid, GroupLookup in_group)
    : group_(group), own_uid_(own_uid), in_group_(in_group) {}

std::optional<RpcError> PeerCheck::Check(const PeerCredentials& peer,
                                         std::string_view socket_path) const {
  bool has_group = group_ != kNoGroup;
  if (peer.uid == 0 || peer.uid == own_uid_ ||
      (has_group && (peer.gid == group_ || in_group_(peer.uid, group_)))) {
    return std::nullopt;
  }
  std::string who = has_group
                        ? fmt::format("root, uid {} and members of group {}", own_uid_, group_)
                        : fmt::format("root and uid {}", own_uid_);
  return MakeError(
      ErrorCode::kPermissionDenied,
      fmt::format("uid {} may not use {}: only {} may; ask the administrator to add the user to "
                  "the socket's group",
                  peer.uid, socket_path, who),
      nlohmann::json{{"uid", peer.uid}, {"gid", peer.gid}});
}

bool PeerCheck::Admit(int fd, std::string_view socket_path) const {
  base::Result<PeerCredentials> peer = ReadPeerCredentials(fd);
  if (!peer.ok()) {
    PRID_LOG_WARN("ipc: cannot read the peer's credentials on {}: {}; refusing it", socket_path,
                  peer.error());
    return false;
  }
  std::optional<RpcError> refusal = Check(*peer, socket_path);
  if (!refusal) return true;
  std::string line = SerializeLine(MakeErrorReply(nullptr, *refusal));
  // A fresh socket's buffer takes this short line whole; nothing to wait for.
  if (send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
    PRID_LOG_DEBUG("ipc: cannot tell pid {} it is refused: {}", peer->pid, ErrnoText(errno));
  }
  PRID_LOG_NOTICE("ipc: refused pid {} uid {} gid {} on {}: permission denied", peer->pid,
                  peer->uid, peer->gid, socket_path);
  DiscardPendingInput(fd);
  return false;
}

}  // namespace prid::ipc
