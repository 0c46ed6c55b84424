// The server's listening Unix socket on a libev loop: binding it (replacing
// a stale socket file, setting mode and group) or adopting an inherited one
// (socket activation), accepting connections in bounded batches — and, out
// of file descriptors, still accepting each one to tell it so — and removing
// the socket file it created when it goes.
#pragma once

#include <ev++.h>
#include <sys/types.h>
#include <sys/un.h>

#include <cstdint>
#include <functional>
#include <string>

#include "base/expected.h"
#include "base/unique_fd.h"

namespace prid::ipc {

// Connections accepted per wakeup, so that a flood cannot starve the loop.
inline constexpr int kMaxAcceptsPerWakeup = 64;
// Pause before accepting again when accept(2) fails for want of resources
// and the reserve descriptor cannot help (ENOBUFS, ENOMEM, or EMFILE/ENFILE
// with the reserve spent): the connection stays in the backlog meanwhile.
inline constexpr double kAcceptRetryS = 1.0;

struct ListenerOptions {
  std::string path;                      // socket path to bind (ignored with inherited_fd)
  int inherited_fd = -1;                 // an already listening socket (socket activation)
  gid_t group = static_cast<gid_t>(-1);  // socket file group; -1: leave it
  unsigned mode = 0660;                  // socket file mode
};

class Listener {
 public:
  // Called on the loop with each accepted connection: non-blocking and
  // close-on-exec, not yet checked. An exception it throws is logged and
  // ends that wakeup's accepting (the rest wait in the backlog).
  using AcceptHandler = std::function<void(base::UniqueFd connection)>;

  // `loop` must outlive the Listener. Nothing happens before Start().
  Listener(ev::loop_ref loop, ListenerOptions options, AcceptHandler on_accept);
  // Stops accepting, closes the socket and removes the socket file if this
  // Listener created it and it is still that file (another server may have
  // replaced it).
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds `path` (a stale socket file nobody accepts on is removed first;
  // a live socket or another kind of file is an error), or adopts
  // `inherited_fd` (it must be a listening socket; path() becomes its
  // address unless `path` was given), then starts accepting. Each error
  // names the socket and the reason. Fails when already started.
  //
  // It also opens a reserve descriptor (/dev/null). When accept(2) fails
  // with EMFILE or ENFILE, the reserve is closed, the pending connection
  // accepted with its number, sent one ResourceUnavailable line ("prid is
  // out of file descriptors…", id null) and closed, and the reserve
  // reopened: clients learn why instead of hanging in the backlog, and the
  // listening socket does not stay readable with nothing accepted. Only
  // when even that fails does accepting pause for kAcceptRetryS.
  base::Status Start();

  // Stops accepting for good; new connections wait in the backlog.
  void Stop();

  // The socket's path: the configured one, or the inherited socket's.
  const std::string& path() const { return path_; }

 private:
  base::Status AdoptInherited(int fd);
  base::Status BindAndListen();
  base::Status RemoveStaleSocket(const sockaddr_un& address);
  void UnlinkOwnSocket();
  void OnAcceptable(ev::io&, int);
  void OnAcceptRetry(ev::timer&, int);
  void AcceptSome();
  bool ShedOneConnection(int accept_error);
  void OpenReserve();

  ListenerOptions options_;
  AcceptHandler on_accept_;
  std::string path_;
  base::UniqueFd listen_fd_;
  base::UniqueFd reserve_fd_;  // spent to accept and refuse when out of descriptors
  std::uint64_t shed_count_ = 0;  // refused since descriptors last ran out
  bool bound_ = false;  // path_ is a socket file this Listener created
  dev_t bound_dev_ = 0;
  ino_t bound_ino_ = 0;
  ev::io accept_watcher_;
  ev::timer accept_retry_;
};

}  // namespace prid::ipc
