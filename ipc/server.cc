// The Unix-socket JSON-RPC server of API.md on a libev loop: listening,
// peer checks, line framing, dispatch, bounded per-client output queues.
#include "ipc/server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/unique_fd.h"
#include "ipc/json_rpc.h"
#include "ipc/line_framer.h"

namespace prid::ipc {
namespace {

using nlohmann::json;

// Bytes read per read(2); a line may span several reads.
constexpr std::size_t kReadChunk = 64 * 1024;
// Lines handed to one sendmsg(2).
constexpr std::size_t kMaxIov = 64;
// Connections accepted per wakeup, so that a flood cannot starve the loop.
constexpr int kMaxAcceptsPerWakeup = 64;
// Unread input dropped before closing a connection (see DiscardPendingInput).
constexpr std::size_t kMaxDiscardBytes = 256 * 1024;
// Pause before accepting again when out of file descriptors.
constexpr double kAcceptRetryS = 1.0;

std::string ErrnoText(int err) { return std::error_code(err, std::system_category()).message(); }

bool IsTransient(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

// Whether the user `uid` (by the password database) has `group` as primary
// or supplementary group.
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

// Reads and drops what the peer sent and we will never handle (at most
// `limit` bytes). Closing a Unix socket with unread input makes the peer's
// next read fail with ECONNRESET, even after our last reply; drained, it
// reads that reply and then a clean end of file.
void DiscardPendingInput(int fd, std::size_t limit) {
  char scratch[16 * 1024];
  while (limit > 0) {
    ssize_t n = recv(fd, scratch, std::min(limit, sizeof scratch), MSG_DONTWAIT);
    if (n <= 0) return;
    limit -= static_cast<std::size_t>(n);
  }
}

}  // namespace

SharedLine MakeNotificationLine(const std::string& method, const nlohmann::json& params) {
  // Written around the serialized params, not by copying them into a new
  // object: this runs once per event. Keys in the order nlohmann sorts them.
  std::string line = R"({"jsonrpc":"2.0","method":)";
  line += json(method).dump();
  line += R"(,"params":)";
  line += params.dump(-1, ' ', false, json::error_handler_t::replace);
  line += "}\n";
  return std::make_shared<const std::string>(std::move(line));
}

struct Server::Impl {
  struct Queued {
    SharedLine line;
    std::uint64_t seq = 0;
  };

  // One accepted, permitted client. Owned by clients_; destroyed only from
  // a top-level callback (Close) or ~Impl, never while it is dispatching.
  struct Connection {
    Connection(Impl& impl_in, ClientId id_in, base::UniqueFd fd_in)
        : impl_(impl_in),
          id_(id_in),
          fd_(std::move(fd_in)),
          framer_(impl_in.options_.max_line_bytes),
          reader_(impl_in.loop_),
          writer_(impl_in.loop_),
          grace_(impl_in.loop_) {
      reader_.set<Connection, &Connection::OnReadable>(this);
      writer_.set<Connection, &Connection::OnWritable>(this);
      grace_.set<Connection, &Connection::OnGrace>(this);
      reader_.set(fd_.get(), ev::READ);
      writer_.set(fd_.get(), ev::WRITE);
    }

    void OnReadable(ev::io&, int) {
      impl_.Guard(id_, [this] { impl_.HandleReadable(*this); });
    }
    void OnWritable(ev::io&, int) {
      impl_.Guard(id_, [this] { impl_.HandleWritable(*this); });
    }
    void OnGrace(ev::timer&, int) {
      impl_.Guard(id_, [this] { impl_.HandleGrace(*this); });
    }

    std::size_t pending_bytes() const { return queued_bytes_ + held_bytes_; }

    Impl& impl_;
    const ClientId id_;
    base::UniqueFd fd_;  // declared before the watchers: they stop before it closes
    LineFramer framer_;
    std::deque<Queued> queue_;
    std::size_t front_written_ = 0;  // bytes of queue_.front() already sent
    std::size_t queued_bytes_ = 0;   // bytes in queue_ not yet sent
    std::vector<Queued> held_;       // sent to it while it was dispatching
    std::size_t held_bytes_ = 0;
    std::size_t peak_bytes_ = 0;
    std::uint64_t last_written_seq_ = 0;
    bool dispatching_ = false;
    bool closing_ = false;
    bool cut_off_ = false;
    bool flush_pending_ = false;  // listed in dirty_ for the next flush
    ev::io reader_;
    ev::io writer_;
    ev::timer grace_;
  };

  Impl(ev::loop_ref loop_in, Dispatcher& dispatcher_in, ServerOptions options_in)
      : loop_(loop_in),
        dispatcher_(dispatcher_in),
        options_(std::move(options_in)),
        accept_watcher_(loop_in),
        accept_retry_(loop_in),
        flush_(loop_in),
        read_buffer_(kReadChunk) {
    accept_watcher_.set<Impl, &Impl::OnAcceptable>(this);
    accept_retry_.set<Impl, &Impl::OnAcceptRetry>(this);
    flush_.set<Impl, &Impl::OnFlush>(this);
    path_ = options_.path;
  }

  ~Impl() {
    // No ClientClosed here: the dispatcher may already be gone.
    clients_.clear();
    accept_watcher_.stop();
    accept_retry_.stop();
    flush_.stop();
    listen_fd_.Reset();
    UnlinkOwnSocket();
  }

  // Runs one callback body; nothing may escape into libev. On an exception
  // the connection (if it still exists) is closed.
  template <typename F>
  void Guard(ClientId id, F&& body) {
    try {
      body();
      return;
    } catch (const std::exception& e) {
      PRID_LOG_ERROR("ipc: client {}: {}; closing it", id, e.what());
    } catch (...) {
      PRID_LOG_ERROR("ipc: client {}: unknown exception; closing it", id);
    }
    try {
      if (auto it = clients_.find(id); it != clients_.end()) Close(*it->second);
    } catch (...) {
      PRID_LOG_ERROR("ipc: client {}: closing failed", id);
    }
  }

  // --- listening ---

  base::Status Start() {
    if (listen_fd_.valid()) return base::Status::Error("ipc: server already started on " + path_);
    base::Status status =
        options_.inherited_fd >= 0 ? AdoptInherited(options_.inherited_fd) : BindAndListen();
    if (!status.ok()) return status;
    accept_watcher_.start(listen_fd_.get(), ev::READ);
    PRID_LOG_INFO("ipc: listening on {}", path_);
    return status;
  }

  base::Status AdoptInherited(int fd) {
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

  base::Status BindAndListen() {
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
  base::Status RemoveStaleSocket(const sockaddr_un& address) {
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

  void UnlinkOwnSocket() {
    if (!bound_) return;
    bound_ = false;
    // Only the file this server created: another server may have replaced it.
    struct stat st;
    if (lstat(path_.c_str(), &st) == 0 && st.st_dev == bound_dev_ && st.st_ino == bound_ino_) {
      unlink(path_.c_str());
    }
  }

  // --- accepting ---

  void OnAcceptable(ev::io&, int) {
    try {
      AcceptSome();
    } catch (const std::exception& e) {
      PRID_LOG_ERROR("ipc: accepting on {}: {}", path_, e.what());
    } catch (...) {
      PRID_LOG_ERROR("ipc: accepting on {}: unknown exception", path_);
    }
  }

  void OnAcceptRetry(ev::timer&, int) {
    if (listen_fd_.valid()) accept_watcher_.start(listen_fd_.get(), ev::READ);
  }

  void AcceptSome() {
    for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
      base::UniqueFd fd(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd.valid()) {
        int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) return;
        if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
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
      if (!PeerAllowed(fd.get())) continue;
      ClientId id = next_id_++;
      auto connection = std::make_unique<Connection>(*this, id, std::move(fd));
      connection->reader_.start();
      clients_.emplace(id, std::move(connection));
      PRID_LOG_DEBUG("ipc: client {} connected", id);
      try {
        dispatcher_.ClientOpened(id);
      } catch (const std::exception& e) {
        PRID_LOG_ERROR("ipc: ClientOpened({}) failed: {}", id, e.what());
      } catch (...) {
        PRID_LOG_ERROR("ipc: ClientOpened({}) failed", id);
      }
    }
  }

  // API.md "Transport": root, our own user, or the socket group. A refused
  // peer gets one PermissionDenied line and is closed by the caller.
  bool PeerAllowed(int fd) {
    struct ucred cred {};
    socklen_t length = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) < 0) {
      PRID_LOG_WARN("ipc: cannot read the peer's credentials on {}: {}; refusing it", path_,
                    ErrnoText(errno));
      return false;
    }
    bool has_group = options_.group != static_cast<gid_t>(-1);
    if (cred.uid == 0 || cred.uid == geteuid() ||
        (has_group && (cred.gid == options_.group || UserInGroup(cred.uid, options_.group)))) {
      return true;
    }
    std::string who =
        has_group ? fmt::format("root, uid {} and members of group {}", geteuid(), options_.group)
                  : fmt::format("root and uid {}", geteuid());
    RpcError error = MakeError(
        ErrorCode::kPermissionDenied,
        fmt::format("uid {} may not use {}: only {} may; ask the administrator to add the user to "
                    "the socket's group",
                    cred.uid, path_, who),
        json{{"uid", cred.uid}, {"gid", cred.gid}});
    std::string line = SerializeLine(MakeErrorReply(nullptr, error));
    // A fresh socket's buffer takes this short line whole; nothing to wait for.
    if (send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
      PRID_LOG_DEBUG("ipc: cannot tell pid {} it is refused: {}", cred.pid, ErrnoText(errno));
    }
    PRID_LOG_NOTICE("ipc: refused pid {} uid {} gid {} on {}: permission denied", cred.pid,
                    cred.uid, cred.gid, path_);
    DiscardPendingInput(fd, kMaxDiscardBytes);
    return false;
  }

  // --- input ---

  void HandleReadable(Connection& c) {
    ssize_t n = recv(c.fd_.get(), read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
    if (n < 0) {
      int err = errno;
      if (IsTransient(err)) return;
      PRID_LOG_INFO("ipc: client {}: read failed: {}", c.id_, ErrnoText(err));
      Close(c);
      return;
    }
    if (n == 0) {
      // EOF: the peer may only have shut down its sending side; what is
      // queued still goes out (a write error closes at once otherwise).
      PRID_LOG_DEBUG("ipc: client {}: end of input", c.id_);
      BeginClosing(c);
      return;
    }
    LineFramer::FeedResult result =
        c.framer_.Feed(std::string_view(read_buffer_.data(), static_cast<std::size_t>(n)),
                       [this, &c](std::string_view line) { return HandleLine(c, line); });
    if (result == LineFramer::FeedResult::kLineTooLong) {
      PRID_LOG_INFO("ipc: client {}: line longer than {} bytes; closing", c.id_,
                    options_.max_line_bytes);
      RpcError error =
          MakeError(ErrorCode::kParseError,
                    fmt::format("line longer than {} bytes; send one JSON-RPC object per line",
                                options_.max_line_bytes));
      Enqueue(c, std::make_shared<const std::string>(SerializeLine(MakeErrorReply(nullptr, error))),
              0, /*force=*/true);
      BeginClosing(c);
    }
    UpdateWriter(c);
  }

  // One complete line; returns whether to go on reading this client.
  bool HandleLine(Connection& c, std::string_view line) {
    c.dispatching_ = true;
    LineReply reply =
        line_handler_.Handle(line, [this, &c](std::string_view method, const Params& params) {
          return SafeCall(c.id_, method, params);
        });
    c.dispatching_ = false;
    // API.md: events caused by a request arrive after its reply.
    if (!reply.text.empty()) {
      Enqueue(c, std::make_shared<const std::string>(std::move(reply.text)), 0, /*force=*/true);
    }
    std::vector<Queued> held = std::move(c.held_);
    c.held_.clear();
    c.held_bytes_ = 0;
    for (Queued& queued : held) Enqueue(c, std::move(queued.line), queued.seq, /*force=*/true);
    if (reply.close) {
      PRID_LOG_INFO("ipc: client {}: sent a line that is not JSON; closing", c.id_);
      BeginClosing(c);
    }
    return !c.closing_;
  }

  base::Expected<json, RpcError> SafeCall(ClientId id, std::string_view method,
                                          const Params& params) {
    try {
      return dispatcher_.Call(id, method, params);
    } catch (const std::exception& e) {
      PRID_LOG_ERROR("ipc: client {}: {} failed: {}", id, method, e.what());
      return base::MakeUnexpected(
          MakeError(ErrorCode::kInternalError, fmt::format("{} failed: {}", method, e.what())));
    } catch (...) {
      PRID_LOG_ERROR("ipc: client {}: {} failed with an unknown exception", id, method);
      return base::MakeUnexpected(
          MakeError(ErrorCode::kInternalError, fmt::format("{} failed", method)));
    }
  }

  // --- output ---

  // Queues a line for writing. Sends are refused once closing; `force`
  // lets the reply being completed (and what it held back) through.
  void Enqueue(Connection& c, SharedLine line, std::uint64_t seq, bool force) {
    if (c.cut_off_ || (c.closing_ && !force)) return;
    std::size_t size = line->size();
    std::size_t pending = c.pending_bytes();
    // A line bigger than the whole bound still goes to an empty queue.
    if (pending > 0 && pending + size > options_.max_queue_bytes) {
      CutOff(c);
      return;
    }
    c.queue_.push_back(Queued{std::move(line), seq});
    c.queued_bytes_ += size;
    c.peak_bytes_ = std::max(c.peak_bytes_, c.pending_bytes());
    UpdateWriter(c);
  }

  void Hold(Connection& c, SharedLine line, std::uint64_t seq) {
    std::size_t size = line->size();
    std::size_t pending = c.pending_bytes();
    if (pending > 0 && pending + size > options_.max_queue_bytes) {
      CutOff(c);
      return;
    }
    c.held_.push_back(Queued{std::move(line), seq});
    c.held_bytes_ += size;
    c.peak_bytes_ = std::max(c.peak_bytes_, c.pending_bytes());
  }

  // API.md "Events": a client that reads too slowly is disconnected after
  // an EventsLost-style notice naming the last seq it got.
  void CutOff(Connection& c) {
    std::uint64_t last_seq = c.last_written_seq_;
    std::size_t dropped = c.pending_bytes();
    // A line already started is finished, so that the stream stays framed.
    if (c.front_written_ > 0) {
      Queued front = std::move(c.queue_.front());
      c.queue_.clear();
      if (front.seq != 0) last_seq = front.seq;
      c.queued_bytes_ = front.line->size() - c.front_written_;
      c.queue_.push_back(std::move(front));
    } else {
      c.queue_.clear();
      c.queued_bytes_ = 0;
    }
    dropped -= c.queued_bytes_;
    c.held_.clear();
    c.held_bytes_ = 0;
    SharedLine notice = MakeNotificationLine(
        "event",
        json{{"type", "events.lost"}, {"reason", "client too slow"}, {"last_seq", last_seq}});
    c.queue_.push_back(Queued{notice, 0});
    c.queued_bytes_ += notice->size();
    c.peak_bytes_ = std::max(c.peak_bytes_, c.pending_bytes());
    PRID_LOG_WARN(
        "ipc: client {} reads too slowly: {} bytes queued; dropped them, closing "
        "(last seq {})",
        c.id_, dropped, last_seq);
    BeginClosing(c);
    c.cut_off_ = true;
  }

  // No more input; close once the queue is flushed or the grace time ends.
  void BeginClosing(Connection& c) {
    if (c.closing_) return;
    c.closing_ = true;
    c.reader_.stop();
    c.grace_.start(static_cast<double>(std::max(options_.close_grace_ms, 0)) / 1000.0);
    UpdateWriter(c);
  }

  // Output is written once per loop iteration, just before the loop waits
  // (ev::prepare): a reply and the events after it leave in one sendmsg,
  // and the write watcher is armed only while the socket is full.
  void UpdateWriter(Connection& c) {
    bool wanted = !c.queue_.empty() || c.closing_;
    if (!wanted || c.writer_.is_active() || c.flush_pending_) return;
    c.flush_pending_ = true;
    dirty_.push_back(c.id_);
    if (!flush_.is_active()) flush_.start();
  }

  void OnFlush(ev::prepare&, int) {
    flush_.stop();
    std::vector<ClientId> dirty;
    dirty.swap(dirty_);
    for (ClientId id : dirty) {
      Connection* c = Find(id);
      if (c == nullptr || !c->flush_pending_) continue;
      c->flush_pending_ = false;
      Guard(id, [this, c] { HandleWritable(*c); });
    }
  }

  // The socket is full: wait until it takes more.
  void AwaitWritable(Connection& c) {
    if (!c.writer_.is_active()) c.writer_.start();
  }

  void HandleWritable(Connection& c) {
    while (!c.queue_.empty()) {
      iovec iov[kMaxIov];
      std::size_t count = 0;
      std::size_t want = 0;
      for (const Queued& queued : c.queue_) {
        if (count == kMaxIov) break;
        std::size_t skip = count == 0 ? c.front_written_ : 0;
        iov[count].iov_base = const_cast<char*>(queued.line->data() + skip);
        iov[count].iov_len = queued.line->size() - skip;
        want += iov[count].iov_len;
        ++count;
      }
      msghdr message{};
      message.msg_iov = iov;
      message.msg_iovlen = count;
      ssize_t n = sendmsg(c.fd_.get(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) {
          AwaitWritable(c);
          return;
        }
        PRID_LOG_INFO("ipc: client {}: write failed: {}", c.id_, ErrnoText(err));
        Close(c);
        return;
      }
      Consume(c, static_cast<std::size_t>(n));
      // The socket took less than offered: it is full, wait for POLLOUT.
      if (static_cast<std::size_t>(n) < want) {
        AwaitWritable(c);
        return;
      }
    }
    if (c.closing_) {
      Close(c);
      return;
    }
    if (c.writer_.is_active()) c.writer_.stop();
  }

  void Consume(Connection& c, std::size_t n) {
    while (n > 0 && !c.queue_.empty()) {
      Queued& front = c.queue_.front();
      std::size_t rest = front.line->size() - c.front_written_;
      if (n < rest) {
        c.front_written_ += n;
        c.queued_bytes_ -= n;
        return;
      }
      n -= rest;
      c.queued_bytes_ -= rest;
      if (front.seq != 0) c.last_written_seq_ = front.seq;
      c.front_written_ = 0;
      c.queue_.pop_front();
    }
  }

  void HandleGrace(Connection& c) {
    PRID_LOG_INFO("ipc: client {} did not read its last {} bytes within {} ms; closing", c.id_,
                  c.queued_bytes_, options_.close_grace_ms);
    Close(c);
  }

  // Destroys the connection and tells the dispatcher. Only from a
  // top-level callback of this connection.
  void Close(Connection& c) {
    ClientId id = c.id_;
    DiscardPendingInput(c.fd_.get(), kMaxDiscardBytes);
    clients_.erase(id);  // `c` is gone from here on
    PRID_LOG_DEBUG("ipc: client {} closed", id);
    try {
      dispatcher_.ClientClosed(id);
    } catch (const std::exception& e) {
      PRID_LOG_ERROR("ipc: ClientClosed({}) failed: {}", id, e.what());
    } catch (...) {
      PRID_LOG_ERROR("ipc: ClientClosed({}) failed", id);
    }
  }

  Connection* Find(ClientId id) const {
    auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : it->second.get();
  }

  ev::loop_ref loop_;
  Dispatcher& dispatcher_;
  ServerOptions options_;
  std::string path_;
  base::UniqueFd listen_fd_;
  bool bound_ = false;  // path_ is a socket file this server created
  dev_t bound_dev_ = 0;
  ino_t bound_ino_ = 0;
  ev::io accept_watcher_;
  ev::timer accept_retry_;
  ev::prepare flush_;
  std::vector<ClientId> dirty_;
  std::vector<char> read_buffer_;
  LineHandler line_handler_;  // one line is handled at a time, whoever sent it
  ClientId next_id_ = 1;
  std::map<ClientId, std::unique_ptr<Connection>> clients_;
};

Server::Server(ev::loop_ref loop, Dispatcher& dispatcher, ServerOptions options)
    : impl_(std::make_unique<Impl>(loop, dispatcher, std::move(options))) {}

Server::~Server() = default;

base::Status Server::Start() {
  try {
    return impl_->Start();
  } catch (const std::exception& e) {
    return base::Status::Error(fmt::format("ipc: cannot start on {}: {}", impl_->path_, e.what()));
  }
}

void Server::Send(ClientId client, SharedLine line, std::uint64_t seq) {
  try {
    Impl::Connection* c = impl_->Find(client);
    if (c == nullptr || !line || line->empty() || c->closing_) return;
    if (c->dispatching_) {
      impl_->Hold(*c, std::move(line), seq);
    } else {
      impl_->Enqueue(*c, std::move(line), seq, /*force=*/false);
    }
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: client {}: cannot queue a line: {}", client, e.what());
  }
}

void Server::Disconnect(ClientId client) {
  try {
    if (Impl::Connection* c = impl_->Find(client)) impl_->BeginClosing(*c);
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: client {}: cannot disconnect: {}", client, e.what());
  }
}

void Server::DisconnectAll() {
  impl_->accept_watcher_.stop();
  impl_->accept_retry_.stop();
  std::vector<ClientId> ids;
  for (const auto& entry : impl_->clients_) ids.push_back(entry.first);
  for (ClientId id : ids) Disconnect(id);
}

std::size_t Server::client_count() const { return impl_->clients_.size(); }

const std::string& Server::path() const { return impl_->path_; }

std::optional<ClientStats> Server::client_stats(ClientId client) const {
  const Impl::Connection* c = impl_->Find(client);
  if (c == nullptr) return std::nullopt;
  ClientStats stats;
  stats.queued_bytes = c->pending_bytes();
  stats.peak_queued_bytes = c->peak_bytes_;
  stats.last_written_seq = c->last_written_seq_;
  stats.closing = c->closing_;
  stats.cut_off = c->cut_off_;
  return stats;
}

}  // namespace prid::ipc
