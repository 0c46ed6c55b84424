// One accepted client of the Server: read, dispatch, queue, write, close.
#include "ipc/client_session.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "base/log.h"
#include "ipc/line_dispatch.h"
#include "ipc/sys_error.h"

namespace prid::ipc {

ClientSession::ClientSession(const ClientSessionContext& context, ClientId id, base::UniqueFd fd)
    : context_(context),
      id_(id),
      connection_(std::move(fd), context.max_line_bytes),
      queue_(context.max_queue_bytes),
      reader_(context.loop),
      writer_(context.loop),
      grace_(context.loop) {
  reader_.set<ClientSession, &ClientSession::OnReadable>(this);
  writer_.set<ClientSession, &ClientSession::OnWritable>(this);
  grace_.set<ClientSession, &ClientSession::OnGrace>(this);
  reader_.set(connection_.fd(), ev::READ);
  writer_.set(connection_.fd(), ev::WRITE);
  reader_.start();
}

void ClientSession::OnReadable(ev::io&, int) {
  context_.host.Guard(id_, [this] { HandleReadable(); });
}
void ClientSession::OnWritable(ev::io&, int) {
  context_.host.Guard(id_, [this] { HandleWritable(); });
}
void ClientSession::OnGrace(ev::timer&, int) {
  context_.host.Guard(id_, [this] { HandleGrace(); });
}

// --- input ---

void ClientSession::HandleReadable() {
  Connection::ReadOutcome read = connection_.Read(
      context_.read_buffer, [this](std::string_view line) { return HandleLine(line); });
  switch (read.result) {
    case Connection::ReadResult::kWouldBlock:
      return;
    case Connection::ReadResult::kFailed:
      PRID_LOG_INFO("ipc: client {}: read failed: {}", id_, ErrnoText(read.error));
      context_.host.Close(*this);  // `this` is gone from here on
      return;
    case Connection::ReadResult::kEndOfInput:
      // The peer may only have shut down its sending side; what is queued
      // still goes out (a write error closes at once otherwise).
      PRID_LOG_DEBUG("ipc: client {}: end of input", id_);
      BeginClosing();
      return;
    case Connection::ReadResult::kLineTooLong:
      PRID_LOG_INFO("ipc: client {}: line longer than {} bytes; closing", id_,
                    context_.max_line_bytes);
      Enqueue(std::make_shared<const std::string>(LineTooLongReply(context_.max_line_bytes)), 0,
              /*force=*/true);
      BeginClosing();
      break;
    case Connection::ReadResult::kFramed:
      break;
  }
  UpdateWriter();
}

// One complete line; returns whether to go on reading this client.
bool ClientSession::HandleLine(std::string_view line) {
  dispatching_ = true;
  LineReply reply = context_.dispatch.HandleLine(id_, line);
  dispatching_ = false;
  // API.md: events caused by a request arrive after its reply.
  if (!reply.text.empty()) {
    Enqueue(std::make_shared<const std::string>(std::move(reply.text)), 0, /*force=*/true);
  }
  if (queue_.ReleaseHeld() == ClientQueue::PushResult::kCutOff) {
    LogCutOff();
    BeginClosing();
  } else {
    UpdateWriter();
  }
  if (reply.close) {
    PRID_LOG_INFO("ipc: client {}: sent a line that is not JSON; closing", id_);
    BeginClosing();
  }
  return !closing_;
}

// --- output ---

void ClientSession::Send(SharedLine line, std::uint64_t seq) {
  if (!line || line->empty() || closing_) return;
  if (dispatching_) {
    Hold(std::move(line), seq);
  } else {
    Enqueue(std::move(line), seq, /*force=*/false);
  }
}

// Sends are refused once closing; `force` lets the reply being completed
// (and what it held back) through.
void ClientSession::Enqueue(SharedLine line, std::uint64_t seq, bool force) {
  if (queue_.cut_off() || (closing_ && !force)) return;
  if (queue_.Push(std::move(line), seq) == ClientQueue::PushResult::kCutOff) {
    LogCutOff();
    BeginClosing();
    return;
  }
  UpdateWriter();
}

void ClientSession::Hold(SharedLine line, std::uint64_t seq) {
  if (queue_.Hold(std::move(line), seq) == ClientQueue::PushResult::kCutOff) {
    LogCutOff();
    BeginClosing();
  }
}

// API.md "Events": the client gets the events.lost notice, then is closed.
void ClientSession::LogCutOff() const {
  PRID_LOG_WARN(
      "ipc: client {} reads too slowly: {} bytes queued; dropped them, closing "
      "(last seq {})",
      id_, queue_.dropped_bytes(), queue_.lost_after_seq());
}

void ClientSession::BeginClosing() {
  if (closing_) return;
  closing_ = true;
  reader_.stop();
  StartGrace();
  UpdateWriter();
}

void ClientSession::StartGrace() {
  unread_at_grace_ = connection_.UnreadBytes();
  grace_.stop();
  grace_.start(static_cast<double>(std::max(context_.close_grace_ms, 0)) / 1000.0);
}

// Output is written once per loop iteration, just before the loop waits
// (the host's ev::prepare): a reply and the events after it leave in one
// sendmsg, and the write watcher is armed only while the socket is full.
void ClientSession::UpdateWriter() {
  bool wanted = !queue_.empty() || closing_;
  if (!wanted || writer_.is_active() || flush_pending_) return;
  flush_pending_ = true;
  context_.host.ScheduleFlush(id_);
}

void ClientSession::Flush() {
  if (!flush_pending_) return;
  flush_pending_ = false;
  context_.host.Guard(id_, [this] { HandleWritable(); });
}

void ClientSession::HandleWritable() {
  const std::size_t unwritten = queue_.queued_bytes();
  Connection::WriteOutcome written = connection_.Write(queue_);
  // A closing client that still reads keeps its connection: the grace
  // counts from its last read, so the events.lost notice reaches it.
  if (closing_ && queue_.queued_bytes() < unwritten) StartGrace();
  switch (written.result) {
    case Connection::WriteResult::kFull:
      // The socket is full: wait until it takes more.
      if (!writer_.is_active()) writer_.start();
      return;
    case Connection::WriteResult::kFailed:
      PRID_LOG_INFO("ipc: client {}: write failed: {}", id_, ErrnoText(written.error));
      context_.host.Close(*this);  // `this` is gone from here on
      return;
    case Connection::WriteResult::kFlushed:
      break;
  }
  if (closing_) {
    context_.host.Close(*this);  // `this` is gone from here on
    return;
  }
  // Room again: a replay streaming to this client queues its next part.
  context_.host.Drained(*this);
  if (closing_ && queue_.empty()) {
    context_.host.Close(*this);  // `this` is gone from here on
    return;
  }
  // The socket took everything, so it is writable: the watcher fires on
  // the next iteration, one part per iteration, fair to other clients.
  if (!queue_.empty()) {
    if (!writer_.is_active()) writer_.start();
  } else if (writer_.is_active()) {
    writer_.stop();
  }
}

void ClientSession::HandleGrace() {
  // It read since (the kernel wakes a writer only once most of the socket
  // buffer is free, so a slow reader may read for long before we write).
  if (connection_.UnreadBytes() < unread_at_grace_) {
    StartGrace();
    return;
  }
  PRID_LOG_INFO("ipc: client {} did not read its last {} bytes within {} ms; closing", id_,
                queue_.queued_bytes(), context_.close_grace_ms);
  context_.host.Close(*this);  // `this` is gone from here on
}

ClientStats ClientSession::stats() const {
  ClientStats stats;
  stats.queued_bytes = queue_.pending_bytes();
  stats.peak_queued_bytes = queue_.peak_bytes();
  stats.last_written_seq = queue_.last_written_seq();
  stats.closing = closing_;
  stats.cut_off = queue_.cut_off();
  return stats;
}

}  // namespace prid::ipc
