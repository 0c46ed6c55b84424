// The Unix-socket JSON-RPC server of API.md on a libev loop: a composition
// of its parts — Listener (the socket), PeerCheck (who may connect),
// ClientSession per client (Connection framing, ClientQueue bound and
// cut-off) and LineDispatch (lines to Dispatcher calls) — plus the
// per-uid connection count and the one write-out per loop iteration that
// all clients share.
#include "ipc/server.h"

#include <fmt/format.h>

#include <exception>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/log.h"
#include "ipc/client_session.h"
#include "ipc/connection.h"
#include "ipc/line_dispatch.h"
#include "ipc/listener.h"
#include "ipc/peer_credentials.h"

namespace prid::ipc {
namespace {

ListenerOptions ListenerOptionsOf(const ServerOptions& options) {
  ListenerOptions listener;
  listener.path = options.path;
  listener.inherited_fd = options.inherited_fd;
  listener.group = options.group;
  listener.mode = options.mode;
  return listener;
}

}  // namespace

struct Server::Impl final : ClientSessionHost {
  // One uid's connections: open ones, and those refused at the limit since
  // it was last below it.
  struct UidSlots {
    std::size_t open = 0;
    std::uint64_t refused = 0;
  };

  Impl(ev::loop_ref loop, Dispatcher& dispatcher, const ServerOptions& options)
      : dispatch_(dispatcher, options.max_line_bytes),
        peer_check_(options.group),
        max_connections_per_uid_(options.max_connections_per_uid),
        read_buffer_(kReadChunk),
        context_{loop,
                 *this,
                 dispatch_,
                 read_buffer_,
                 options.max_line_bytes,
                 options.max_queue_bytes,
                 options.close_grace_ms},
        flush_(loop),
        listener_(loop, ListenerOptionsOf(options),
                  [this](base::UniqueFd fd) { OnAccepted(std::move(fd)); }) {
    flush_.set<Impl, &Impl::OnFlush>(this);
  }

  ~Impl() override {
    // No ClientClosed here: the dispatcher may already be gone.
    clients_.clear();
    flush_.stop();
    // listener_ goes next: it stops accepting and removes its socket file.
  }

  // A connection the Listener accepted: admitted (or refused) by its peer's
  // credentials, then a client of its own.
  void OnAccepted(base::UniqueFd fd) {
    std::optional<PeerCredentials> peer = peer_check_.Admit(fd.get(), listener_.path());
    if (!peer) return;
    UidSlots& slots = uid_slots_[peer->uid];
    if (slots.open >= max_connections_per_uid_) {
      RefuseOverLimit(fd.get(), *peer, slots);
      if (slots.open == 0) uid_slots_.erase(peer->uid);  // a limit of 0 admits nobody
      return;
    }
    ++slots.open;
    ClientId id = next_id_++;
    client_uids_.emplace(id, peer->uid);
    clients_.emplace(id, std::make_unique<ClientSession>(context_, id, std::move(fd)));
    PRID_LOG_DEBUG("ipc: client {} connected (pid {} uid {})", id, peer->pid, peer->uid);
    dispatch_.Opened(id, *peer);
  }

  // The uid already holds max_connections_per_uid_ connections: this one
  // is told so and closed; the uid's other connections go on. Logged once
  // per run of refusals, so that a client retrying in a loop cannot flood
  // the log.
  void RefuseOverLimit(int fd, const PeerCredentials& peer, UidSlots& slots) {
    RpcError error = MakeError(
        ErrorCode::kResourceUnavailable,
        fmt::format("uid {} already holds {} connections to prid, the most "
                    "max_connections_per_uid allows; close some (is a client leaking "
                    "connections?) or raise max_connections_per_uid in prid.conf",
                    peer.uid, max_connections_per_uid_),
        nlohmann::json{{"uid", peer.uid}, {"limit", max_connections_per_uid_}});
    SendRefusal(fd, error);
    if (slots.refused++ == 0) {
      PRID_LOG_WARN("ipc: refusing connections of uid {} (pid {}) on {}: it holds {} already, "
                    "the max_connections_per_uid limit",
                    peer.uid, peer.pid, listener_.path(), max_connections_per_uid_);
    }
  }

  void ReleaseUidSlot(ClientId id) {
    auto client = client_uids_.find(id);
    if (client == client_uids_.end()) return;
    uid_t uid = client->second;
    client_uids_.erase(client);
    auto slots = uid_slots_.find(uid);
    if (slots == uid_slots_.end()) return;
    --slots->second.open;
    if (slots->second.refused > 0) {
      PRID_LOG_NOTICE("ipc: uid {} is below max_connections_per_uid again; {} connection(s) "
                      "were refused meanwhile",
                      uid, slots->second.refused);
      slots->second.refused = 0;
    }
    if (slots->second.open == 0) uid_slots_.erase(slots);
  }

  // Runs one callback body; nothing may escape into libev. On an exception
  // the client (if it still exists) is closed.
  void Guard(ClientId id, const std::function<void()>& body) override {
    try {
      body();
      return;
    } catch (const std::exception& e) {
      PRID_LOG_ERROR("ipc: client {}: {}; closing it", id, e.what());
    } catch (...) {
      PRID_LOG_ERROR("ipc: client {}: unknown exception; closing it", id);
    }
    try {
      if (ClientSession* session = Find(id)) Close(*session);
    } catch (...) {
      PRID_LOG_ERROR("ipc: client {}: closing failed", id);
    }
  }

  void ScheduleFlush(ClientId id) override {
    dirty_.push_back(id);
    if (!flush_.is_active()) flush_.start();
  }

  // Output is written once per loop iteration, just before the loop waits:
  // a reply and the events after it leave in one sendmsg.
  void OnFlush(ev::prepare&, int) {
    flush_.stop();
    std::vector<ClientId> dirty;
    dirty.swap(dirty_);
    for (ClientId id : dirty) {
      if (ClientSession* session = Find(id)) session->Flush();
    }
  }

  // Destroys the session and tells the dispatcher. Only from a top-level
  // callback of this session.
  void Close(ClientSession& session) override {
    ClientId id = session.id();
    if (session.stats().cut_off) ++cut_off_count_;
    session.DiscardPendingInput();
    clients_.erase(id);  // `session` is gone from here on
    ReleaseUidSlot(id);
    PRID_LOG_DEBUG("ipc: client {} closed", id);
    dispatch_.Closed(id);
  }

  void Drained(ClientSession& session) override { dispatch_.Drained(session.id()); }

  ClientSession* Find(ClientId id) const {
    auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : it->second.get();
  }

  LineDispatch dispatch_;
  PeerCheck peer_check_;
  std::size_t max_connections_per_uid_;
  std::vector<char> read_buffer_;
  ClientSessionContext context_;  // every session refers to it
  ev::prepare flush_;
  std::vector<ClientId> dirty_;  // clients whose Flush() is due
  ClientId next_id_ = 1;
  std::map<ClientId, std::unique_ptr<ClientSession>> clients_;
  std::map<ClientId, uid_t> client_uids_;          // whose each client is
  std::unordered_map<uid_t, UidSlots> uid_slots_;  // by uid, while it has clients
  std::uint64_t cut_off_count_ = 0;                // sessions closed after a cut-off
  Listener listener_;  // last: its accept callback uses everything above
};

Server::Server(ev::loop_ref loop, Dispatcher& dispatcher, ServerOptions options)
    : impl_(std::make_unique<Impl>(loop, dispatcher, options)) {}

Server::~Server() = default;

base::Status Server::Start() {
  try {
    return impl_->listener_.Start();
  } catch (const std::exception& e) {
    return base::Status::Error(
        fmt::format("ipc: cannot start on {}: {}", impl_->listener_.path(), e.what()));
  }
}

void Server::Send(ClientId client, SharedLine line, std::uint64_t seq) {
  try {
    if (ClientSession* session = impl_->Find(client)) session->Send(std::move(line), seq);
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: client {}: cannot queue a line: {}", client, e.what());
  }
}

void Server::Disconnect(ClientId client) {
  try {
    if (ClientSession* session = impl_->Find(client)) session->BeginClosing();
  } catch (const std::exception& e) {
    PRID_LOG_ERROR("ipc: client {}: cannot disconnect: {}", client, e.what());
  }
}

void Server::DisconnectAll() {
  impl_->listener_.Stop();
  std::vector<ClientId> ids;
  for (const auto& entry : impl_->clients_) ids.push_back(entry.first);
  for (ClientId id : ids) Disconnect(id);
}

std::size_t Server::client_count() const { return impl_->clients_.size(); }

std::uint64_t Server::cut_off_count() const { return impl_->cut_off_count_; }

const std::string& Server::path() const { return impl_->listener_.path(); }

std::optional<std::size_t> Server::pending_bytes(ClientId client) const {
  const ClientSession* session = impl_->Find(client);
  if (session == nullptr || session->closing()) return std::nullopt;
  return session->pending_bytes();
}

std::optional<ClientStats> Server::client_stats(ClientId client) const {
  const ClientSession* session = impl_->Find(client);
  if (session == nullptr) return std::nullopt;
  return session->stats();
}

}  // namespace prid::ipc
