// The server's listening Unix socket: bind or adopt, accept in bounded
// batches (refusing with a reserve descriptor when out of them), remove the
// socket file it created.
#include "ipc/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstddef>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

#include "base/log.h"
#include "ipc/connection.h"
#include "ipc/errors.h"
#include "ipc/sys_error.h"

namespace prid::ipc {

Listener::Listener(ev::loop_ref loop, ListenerOptions options, AcceptHandler on_accept)
    : options_(std::move(options)),
      on_accept_(std::move(on_accept)),
      path_(options_.path),
      accept_watcher_(loop),
      accept_retry_(loop) {
  accept_watcher_.set<Listener, &Listener::OnAcceptable>(this);
  accept_retry_.set<Listener, &Listener::OnAcceptRetry>(this);
}

Listener::~Listener() {
  Stop();
  listen_fd_.Reset();
  UnlinkOwnSocket();
}

void Listener::Stop() {
  accept_watcher_.stop();
  accept_retry_.stop();
}

base::Status Listener::Start() {
  if (listen_fd_.valid()) return base::Status::Error("ipc: server already started on " + path_);
  base::Status status =
      options_.inherited_fd >= 0 ? AdoptInherited(options_.inherited_fd) : BindAndListen();
  if (!status.ok()) return status;
  OpenReserve();
  if (!reserve_fd_.valid()) {
    PRID_LOG_WARN("ipc: cannot open /dev/null as a reserve descriptor for {}: {}; out of file "
                  "descriptors, connections will wait in the backlog untold",
                  path_, ErrnoText(errno));
  }
  accept_watcher_.start(listen_fd_.get(), ev::READ);
  PRID_LOG_INFO("ipc: listening on {}", path_);
  return status;
}

base::Status Listener::AdoptInherited(int fd) {
  int listening = 0;
  socklen_t length = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) < 0) {
    return base::Status::Error(
        fmt::format("ipc: inherited fd {} is not a usable socket: {}", fd, ErrnoText(errno)));
  }
  if (!listening) {
    return base::Status::Error(fmt::format("ipc: inherited fd {} is not listening", fd));
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
      fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    return base::Status::Error(
        fmt::format("ipc: cannot make inherited fd {} non-blocking: {}", fd, ErrnoText(errno)));
  }
  listen_fd_.Reset(fd);
  if (path_.empty()) {
    sockaddr_un address{};
    socklen_t address_length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_length) == 0 &&
        address.sun_family == AF_UNIX && address_length > offsetof(sockaddr_un, sun_path) &&
        address.sun_path[0] != '\0') {
      path_ = std::string(address.sun_path, strnlen(address.sun_path, sizeof address.sun_path));
    }
  }
  return base::Status::Ok();
}

base::Status Listener::BindAndListen() {
  if (path_.empty()) return base::Status::Error("ipc: no socket path configured");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.size() >= sizeof address.sun_path) {
    return base::Status::Error(fmt::format("ipc: socket path {} is longer than {} bytes", path_,
                                           sizeof address.sun_path - 1));
  }
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);

  base::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return base::Status::Error(
        fmt::format("ipc: cannot create a socket for {}: {}", path_, ErrnoText(errno)));
  }
  // One retry: a stale socket file (a server that died) is removed first.
  for (int attempt = 0;; ++attempt) {
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) break;
    int err = errno;
    if (err != EADDRINUSE || attempt > 0) {
      return base::Status::Error(
          fmt::format("ipc: cannot bind socket {}: {}", path_, ErrnoText(err)));
    }
    base::Status cleared = RemoveStaleSocket(address);
    if (!cleared.ok()) return cleared;
  }
  if (listen(fd.get(), SOMAXCONN) < 0) {
    int err = errno;
    unlink(path_.c_str());
    return base::Status::Error(
        fmt::format("ipc: cannot listen on socket {}: {}", path_, ErrnoText(err)));
  }
  if (chmod(path_.c_str(), static_cast<mode_t>(options_.mode)) < 0) {
    int err = errno;
    unlink(path_.c_str());
    return base::Status::Error(fmt::format("ipc: cannot set mode {:04o} on socket {}: {}",
                                           options_.mode, path_, ErrnoText(err)));
  }
  if (options_.group != static_cast<gid_t>(-1) &&
      chown(path_.c_str(), static_cast<uid_t>(-1), options_.group) < 0) {
    int err = errno;
    unlink(path_.c_str());
    return base::Status::Error(fmt::format("ipc: cannot set group {} on socket {}: {}",
                                           options_.group, path_, ErrnoText(err)));
  }
  struct stat st;
  if (stat(path_.c_str(), &st) == 0) {
    bound_dev_ = st.st_dev;
    bound_ino_ = st.st_ino;
    bound_ = true;
  }
  listen_fd_ = std::move(fd);
  return base::Status::Ok();
}

// `path_` is taken: remove it if it is a socket nobody accepts on.
base::Status Listener::RemoveStaleSocket(const sockaddr_un& address) {
  struct stat st;
  if (lstat(path_.c_str(), &st) < 0) {
    // Gone meanwhile: the retry will tell.
    if (errno == ENOENT) return base::Status::Ok();
    return base::Status::Error(
        fmt::format("ipc: cannot inspect existing {}: {}", path_, ErrnoText(errno)));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return base::Status::Error(fmt::format(
        "ipc: {} exists and is not a socket; remove it or configure another socket path", path_));
  }
  base::UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe.valid()) {
    return base::Status::Error(
        fmt::format("ipc: cannot create a socket to probe {}: {}", path_, ErrnoText(errno)));
  }
  if (connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 ||
      errno == EAGAIN || errno == EINPROGRESS) {
    // EAGAIN: its backlog is full, so it is alive too.
    return base::Status::Error(fmt::format(
        "ipc: another server is already listening on {}; stop it or configure another socket "
        "path",
        path_));
  }
  if (errno != ECONNREFUSED) {
    return base::Status::Error(
        fmt::format("ipc: cannot probe existing socket {}: {}", path_, ErrnoText(errno)));
  }
  if (unlink(path_.c_str()) < 0 && errno != ENOENT) {
    return base::Status::Error(
        fmt::format("ipc: cannot remove stale socket {}: {}", path_, ErrnoText(errno)));
  }
  PRID_LOG_NOTICE("ipc: removed stale socket {}", path_);
  return base::Status::Ok();
}

void Listener::UnlinkOwnSocket() {
  if (!bound_) return;
  bound_ = false;
  // Only the file this server created: another server may have replaced it.
  struct stat st;
  if (lstat(path_.c_str(), &st) == 0 && st.st_dev == bound_dev_ && st.st_ino == bound_ino_) {
    unlink(path_.c_str());
  }
}

void Listener::OnAcceptable(ev::io&, int) {
  try {
    AcceptSome();
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: accepting on {}: {}", path_, e.what());
  } catch (...) {
    PRID_LOG_ERROR("ipc: accepting on {}: unknown exception", path_);
  }
}

void Listener::OnAcceptRetry(ev::timer&, int) {
  if (listen_fd_.valid()) accept_watcher_.start(listen_fd_.get(), ev::READ);
}

void Listener::AcceptSome() {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    base::UniqueFd fd(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) return;
      if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
      if ((err == EMFILE || err == ENFILE) && ShedOneConnection(err)) continue;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // The connection stays in the backlog; pause instead of spinning.
        PRID_LOG_WARN("ipc: cannot accept on {}: {}; retrying in {} s", path_, ErrnoText(err),
                      kAcceptRetryS);
        accept_watcher_.stop();
        accept_retry_.start(kAcceptRetryS);
        return;
      }
      PRID_LOG_ERROR("ipc: cannot accept on {}: {}", path_, ErrnoText(err));
      return;
    }
    // Descriptors are free again: take back a reserve spent earlier.
    OpenReserve();
    if (shed_count_ > 0) {
      PRID_LOG_NOTICE("ipc: file descriptors available again on {}; {} connection(s) were "
                      "refused meanwhile",
                      path_, shed_count_);
      shed_count_ = 0;
    }
    on_accept_(std::move(fd));
  }
}

// accept(2) failed with `accept_error` (EMFILE or ENFILE). Spends the
// reserve descriptor on the first pending connection to tell it why, then
// closes it and takes the reserve back. True when accepting may go on at
// once: a connection was refused (or had gone), or the reserve, spent
// earlier, could be reopened — a descriptor is free again.
bool Listener::ShedOneConnection(int accept_error) {
  if (!reserve_fd_.valid()) {
    OpenReserve();
    return reserve_fd_.valid();
  }
  reserve_fd_.Reset();
  base::UniqueFd fd(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  int err = errno;
  bool refused = fd.valid();
  if (refused) {
    std::string why;
    rlimit limit{};
    if (accept_error == ENFILE) {
      why = "the system's file table is full (fs.file-max)";
    } else if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
      why = fmt::format("it holds its limit of {} (RLIMIT_NOFILE, LimitNOFILE= in its unit)",
                        static_cast<unsigned long long>(limit.rlim_cur));
    } else {
      why = "it holds its limit (RLIMIT_NOFILE, LimitNOFILE= in its unit)";
    }
    RpcError error = MakeError(
        ErrorCode::kResourceUnavailable,
        fmt::format("prid is out of file descriptors: {}; this connection is closed at once; try "
                    "again later, and if it persists look for clients holding many connections "
                    "or raise the limit",
                    why),
        nlohmann::json{{"errno", accept_error == ENFILE ? "ENFILE" : "EMFILE"}});
    SendRefusal(fd.get(), error);
    fd.Reset();
    if (shed_count_++ == 0) {
      PRID_LOG_WARN("ipc: out of file descriptors on {} ({}): refusing new connections until "
                    "some are free",
                    path_, ErrnoText(accept_error));
    }
  }
  OpenReserve();
  // A connection that went away meanwhile is no reason to pause either.
  return refused || IsTransient(err) || err == ECONNABORTED;
}

void Listener::OpenReserve() {
  if (!reserve_fd_.valid()) reserve_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
}

}  // namespace prid::ipc
