// Helpers for the ipc part tests: waiting on a socket's readiness with a
// deadline (never a sleep), non-blocking socket pairs and a temporary
// directory for socket files.
#pragma once

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "base/unique_fd.h"
#include "tests/support/temp_dir.h"

namespace prid::ipc::test {

// An upper bound for things that should happen at once.
inline constexpr int kWaitMs = 10000;

// True when `fd` becomes ready for `events` (POLLIN, POLLOUT) within
// `timeout_ms`.
inline bool WaitFor(int fd, short events, int timeout_ms = kWaitMs) {
  pollfd p{fd, events, 0};
  int n;
  do {
    n = poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

// A connected pair of non-blocking, close-on-exec Unix stream sockets.
inline std::pair<base::UniqueFd, base::UniqueFd> SocketPair() {
  int fds[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) return {};
  return {base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
}

// A fresh directory, removed with everything in it (the shared fixture).
using TempDir = ::prid::testing::TempDir;

}  // namespace prid::ipc::test
