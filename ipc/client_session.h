// One accepted client of the Server on the loop: reads its lines and has
// them dispatched, queues the replies and the events after them, writes
// them once per loop iteration, and closes it (flushing first, or after
// the grace time, or at once on a socket error).
#pragma once

#include <ev++.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "base/unique_fd.h"
#include "ipc/client_queue.h"
#include "ipc/connection.h"
#include "ipc/server.h"

namespace prid::ipc {

class LineDispatch;
class ClientSession;

// What a ClientSession needs from the server that owns it.
class ClientSessionHost {
 public:
  virtual ~ClientSessionHost() = default;
  // Runs the body of one of the session's watcher callbacks: an exception
  // escaping it is logged and the client closed, if it still exists.
  virtual void Guard(ClientId client, const std::function<void()>& body) = 0;
  // Asks for session.Flush() just before the loop next waits.
  virtual void ScheduleFlush(ClientId client) = 0;
  // Destroys the session and tells the Dispatcher. Called by the session
  // from its own top-level callback only, as its last act.
  virtual void Close(ClientSession& session) = 0;
  // The session's queue was written out (Dispatcher::ClientDrained); the
  // host may Send() to it, or Disconnect() it, from this call.
  virtual void Drained(ClientSession& session) = 0;
};

// Fixed for every session of one server; everything referenced outlives it.
struct ClientSessionContext {
  ev::loop_ref loop;
  ClientSessionHost& host;
  LineDispatch& dispatch;
  std::span<char> read_buffer;  // shared: one read at a time
  std::size_t max_line_bytes;
  std::size_t max_queue_bytes;
  int close_grace_ms;
};

class ClientSession {
 public:
  // Starts reading `fd` (connected, non-blocking, already admitted).
  ClientSession(const ClientSessionContext& context, ClientId id, base::UniqueFd fd);
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Server::Send(): queues a line, or holds it while this client's own
  // request is being dispatched. Ignored once closing; a line that passes
  // the queue bound cuts the client off (ClientQueue::Push).
  void Send(SharedLine line, std::uint64_t seq);

  // No more input: closes once the queue is flushed or the grace time
  // ends. Later calls do nothing.
  void BeginClosing();

  // Writes what is queued, if a flush was scheduled (ScheduleFlush).
  void Flush();

  // DiscardPendingInput() before the host closes the socket.
  void DiscardPendingInput() { connection_.DiscardPendingInput(); }

  ClientId id() const { return id_; }
  ClientStats stats() const;
  bool closing() const { return closing_; }
  std::size_t pending_bytes() const { return queue_.pending_bytes(); }

 private:
  void OnReadable(ev::io&, int);
  void OnWritable(ev::io&, int);
  void OnGrace(ev::timer&, int);
  void HandleReadable();
  bool HandleLine(std::string_view line);
  void HandleWritable();
  void HandleGrace();
  void StartGrace();
  void Enqueue(SharedLine line, std::uint64_t seq, bool force);
  void Hold(SharedLine line, std::uint64_t seq);
  void LogCutOff() const;
  void UpdateWriter();

  const ClientSessionContext& context_;
  const ClientId id_;
  Connection connection_;  // declared before the watchers: they stop before it closes
  ClientQueue queue_;
  bool dispatching_ = false;
  bool closing_ = false;
  bool flush_pending_ = false;  // ScheduleFlush() asked, Flush() not yet run
  std::size_t unread_at_grace_ = 0;  // UnreadBytes() when the grace last started
  ev::io reader_;
  ev::io writer_;
  ev::timer grace_;
};

}  // namespace prid::ipc
