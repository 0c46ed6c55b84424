// Who may use the socket (docs/api.md "Transport"): a peer's credentials as
// the kernel recorded them at connect(2) (SO_PEERCRED and SO_PEERGROUPS),
// the check against root, our own user and the socket group, and the
// PermissionDenied line a refused peer gets before it is closed.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "ipc/errors.h"

namespace prid::ipc {

// The peer process of a Unix stream socket, as the kernel saw it at
// connect(2): effective uid and gid, and the supplementary groups of the
// process (not those the group database lists for its user: systemd's
// SupplementaryGroups=, a container's added groups or a login that predates
// a usermod all differ from the database, and the kernel's view is the one
// the socket file's permissions were checked against).
struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, in the kernel's order
};

// SO_PEERCRED and SO_PEERGROUPS (Linux 4.13 or later) of a connected Unix
// socket. The error names the option and the errno text.
base::Result<PeerCredentials> ReadPeerCredentials(int fd);

// The supplementary groups alone (SO_PEERGROUPS), read with a buffer grown
// to the size the kernel asks for (ERANGE).
base::Result<std::vector<gid_t>> ReadPeerGroups(int fd);

// Names for the refusal message: the password and group databases
// (getpwuid_r, getgrgid_r); nullopt when there is no entry. Fakes in tests.
struct NameLookup {
  std::optional<std::string> (*user)(uid_t uid);
  std::optional<std::string> (*group)(gid_t gid);
};
NameLookup SystemNameLookup();

class PeerCheck {
 public:
  static constexpr gid_t kNoGroup = static_cast<gid_t>(-1);

  // Allows root, our effective uid and, unless `group` is kNoGroup,
  // processes holding `group` (as their gid or a supplementary group).
  explicit PeerCheck(gid_t group);
  // The same with `own_uid` standing for our effective uid and `names` for
  // the databases.
  PeerCheck(gid_t group, uid_t own_uid, NameLookup names);

  // Whether `peer` is root, our effective uid, or holds the group (as its
  // gid or a supplementary group). The same rule names the daemon's
  // supervisors, over supervisor_group (docs/api.md "Supervisors").
  bool Allows(const PeerCredentials& peer) const;

  // nullopt when `peer` may use the socket `socket_path`. Otherwise the
  // PermissionDenied error to send: its message names the uid, the groups
  // the process holds (numbers, and names where known), who may use the
  // socket and what to do — join the socket group (e.g.
  // SupplementaryGroups= in the client's unit), or, with no group
  // configured, run as root or our user or configure `socket_group`. Its
  // data carries uid, gid, groups and, when configured, socket_group.
  std::optional<RpcError> Check(const PeerCredentials& peer, std::string_view socket_path) const;

  // For a freshly accepted `fd`: reads its credentials and checks them.
  // A refused peer gets one PermissionDenied line (id null) and its pending
  // input is drained, so that it reads the line and then end of file once
  // the caller closes `fd`. The credentials when admitted; nullopt when
  // refused or when they cannot be read (then nothing is sent).
  std::optional<PeerCredentials> Admit(int fd, std::string_view socket_path) const;

 private:
  std::string Describe(uid_t uid) const;
  std::string DescribeGroup(gid_t gid) const;

  gid_t group_;
  uid_t own_uid_;
  NameLookup names_;
};

}  // namespace prid::ipc
