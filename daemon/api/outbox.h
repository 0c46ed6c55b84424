// Where the event router, the trace router and the RPC handlers send: the
// two operations of the socket server they use, behind an interface so
// their unit tests can record what went to whom (tests/daemon/api).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "ipc/server.h"

namespace prid::daemon {

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Queues a notification line to one client, with the contract of
  // ipc::Server::Send: a line to an unknown or closed client is dropped;
  // `seq` is the event sequence number the line carries (0: none).
  virtual void Send(ipc::ClientId client, ipc::SharedLine line, std::uint64_t seq) = 0;
  // The clients connected now (daemon.status).
  virtual std::size_t client_count() const = 0;
  // Bytes queued to the client and not yet written (ipc::Server::
  // pending_bytes); nullopt when it is unknown or being closed.
  virtual std::optional<std::size_t> pending_bytes(ipc::ClientId client) const = 0;
  // Closes the client once what is queued to it is written.
  virtual void Disconnect(ipc::ClientId client) = 0;
  // Statistics (stats.get), since the outbox was built: event lines (seq
  // not 0) queued, and clients the server cut off as too slow.
  virtual std::uint64_t events_sent() const { return 0; }
  virtual std::uint64_t clients_cut_off() const { return 0; }
};

// The running daemon's Outbox: the socket server itself, borrowed (it must
// outlive the adapter). Sending needs no listening socket: a server not
// started has no clients, and every line is dropped.
class ServerOutbox final : public Outbox {
 public:
  explicit ServerOutbox(ipc::Server& server) : server_(server) {}
  void Send(ipc::ClientId client, ipc::SharedLine line, std::uint64_t seq) override {
    if (seq != 0) ++events_sent_;
    server_.Send(client, std::move(line), seq);
  }
  std::size_t client_count() const override { return server_.client_count(); }
  std::optional<std::size_t> pending_bytes(ipc::ClientId client) const override {
    return server_.pending_bytes(client);
  }
  void Disconnect(ipc::ClientId client) override { server_.Disconnect(client); }
  std::uint64_t events_sent() const override { return events_sent_; }
  std::uint64_t clients_cut_off() const override { return server_.cut_off_count(); }

 private:
  ipc::Server& server_;
  std::uint64_t events_sent_ = 0;
};

}  // namespace prid::daemon
