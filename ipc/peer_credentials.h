// Who may use the socket (API.md "Transport"): a peer's SO_PEERCRED
// credentials, the check against root, our own user and the socket group,
// and the PermissionDenied line a refused peer gets before it is closed.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

#include "base/expected.h"
#include "ipc/errors.h"

namespace prid::ipc {

// The peer process of a Unix stream socket, as the kernel saw it at
// connect(2).
struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// SO_PEERCRED of a connected Unix socket; the error is the errno text.
base::Result<PeerCredentials> ReadPeerCredentials(int fd);

// Whether the user `uid`, by the password and group databases
// (getpwuid_r, getgrouplist), has `group` as primary or supplementary
// group. An unknown uid is in no group.
bool UserInGroup(uid_t uid, gid_t group);

class PeerCheck {
 public:
  // Looks up whether a user is in a group (UserInGroup; a fake in tests).
  using GroupLookup = bool (*)(uid_t uid, gid_t group);
  static constexpr gid_t kNoGroup = static_cast<gid_t>(-1);

  // Allows root, our effective uid and, unless `group` is kNoGroup,
  // members of `group`.
  explicit PeerCheck(gid_t group);
  // The same with `own_uid` standing for our effective uid and `in_group`
  // for the database lookup.
  PeerCheck(gid_t group, uid_t own_uid, GroupLookup in_group);

  // nullopt when `peer` may use the socket `socket_path`: root, our own
  // uid, the socket group as its gid, or a user in that group. Otherwise
  // the PermissionDenied error to send: its message names the uid, the
  // socket and who may use it; its data carries the uid and gid.
  std::optional<RpcError> Check(const PeerCredentials& peer, std::string_view socket_path) const;

  // For a freshly accepted `fd`: reads its credentials and checks them.
  // A refused peer gets one PermissionDenied line (id null) and its pending
  // input is drained, so that it reads the line and then end of file once
  // the caller closes `fd`. False when refused or when the credentials
  // cannot be read (then nothing is sent).
  bool Admit(int fd, std::string_view socket_path) const;

 private:
  gid_t group_;
  uid_t own_uid_;
  GroupLookup in_group_;
};

}  // namespace prid::ipc
