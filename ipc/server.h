// The Unix-socket JSON-RPC server of docs/api.md: accepts clients on a
// libev loop (telling them when out of descriptors), checks each peer's
// credentials and its uid's connection count, frames lines (64 KiB limit),
// dispatches requests (single or batch) to a Dispatcher, queues replies and
// notifications per client with a bound, and cuts off slow readers. The
// parts it composes are in listener.h, peer_credentials.h, connection.h,
// client_queue.h, client_session.h and line_dispatch.h.
#pragma once

#include <ev++.h>
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"
#include "ipc/errors.h"
#include "ipc/params.h"
#include "ipc/shared_line.h"  // SharedLine, MakeNotificationLine

namespace prid::ipc {

using ClientId = std::uint64_t;
struct PeerCredentials;

// What the server calls; implemented by the daemon.
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // A new, permitted client, with the credentials the kernel recorded when
  // it connected (valid during the call only).
  virtual void ClientOpened(ClientId client, const PeerCredentials& peer) = 0;
  // One request; returns its result or its error. Called on the loop;
  // `method` and `params` are valid during the call only.
  virtual base::Expected<nlohmann::json, RpcError> Call(ClientId client, std::string_view method,
                                                       const Params& params) = 0;
  // The client's connection is gone (any reason). Called exactly once per
  // opened client, after which Send() to it is ignored.
  virtual void ClientClosed(ClientId client) = 0;
  // Everything queued to the client has been written and the client is
  // not closing: what streams to it (a replay) may queue its next part.
  virtual void ClientDrained(ClientId) {}
};

struct ServerOptions {
  std::string path;             // socket path to bind (ignored with inherited_fd)
  int inherited_fd = -1;        // an already listening socket (socket activation)
  gid_t group = static_cast<gid_t>(-1);  // socket group; -1: none
  unsigned mode = 0660;         // socket file mode
  std::size_t max_line_bytes = 64 * 1024;
  std::size_t max_queue_bytes = 8 * 1024 * 1024;  // per client, then cut off
  // Connections one uid may hold at once, root and our own uid included
  // (a runaway script as root exhausts descriptors as well). The next one
  // gets one ResourceUnavailable line naming the uid and the limit, and is
  // closed; other uids are not affected.
  std::size_t max_connections_per_uid = 256;
  // A client being closed (cut off as too slow, Disconnect(), bad input,
  // EOF) is closed once its queue is flushed, or once it has read nothing
  // for this long (each write it takes restarts the grace: a slow reader
  // still reaches its last line, the events.lost notice).
  int close_grace_ms = 2000;
};

// One client's output queue, for status output and tests.
struct ClientStats {
  std::size_t queued_bytes = 0;        // queued, not yet written (held lines included)
  std::size_t peak_queued_bytes = 0;   // the most ever queued at once
  std::uint64_t last_written_seq = 0;  // seq of the last line fully written
  bool closing = false;                // flushing, then closed; reads no more
  bool cut_off = false;                // dropped as too slow (events.lost queued)
};

class Server {
 public:
  Server(ev::loop_ref loop, Dispatcher& dispatcher, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds (or adopts the inherited fd) and starts accepting.
  base::Status Start();

  // Queues a notification line to one client. `seq` is the event sequence
  // number it carries (0 for lines without one); the server remembers the
  // last seq fully written so the slow-reader notice can name it. While the
  // client's own request is being dispatched, lines are held back and sent
  // right after the reply (API.md: events arrive after the reply).
  void Send(ClientId client, SharedLine line, std::uint64_t seq = 0);

  // Closes a client's connection after flushing what is queued.
  void Disconnect(ClientId client);
  // Stops accepting and disconnects every client as Disconnect() does (the
  // daemon is stopping: clients get their last events first).
  void DisconnectAll();

  std::size_t client_count() const;
  // Clients closed after being cut off as too slow (their queue over
  // max_queue_bytes), since the server was built.
  std::uint64_t cut_off_count() const;
  // Bytes queued (held lines included) and not yet written to the client;
  // nullopt for an unknown client or one being closed (Send() is ignored).
  std::optional<std::size_t> pending_bytes(ClientId client) const;
  const std::string& path() const;
  // nullopt for an unknown or closed client.
  std::optional<ClientStats> client_stats(ClientId client) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prid::ipc
