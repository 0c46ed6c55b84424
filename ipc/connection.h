// The socket end of one client connection: reading and framing its lines,
// writing a ClientQueue with sendmsg(2), and draining unread input before
// the socket is closed. Passive: the caller decides when to read or write
// (on readiness) and what to do with the outcome.
#pragma once

#include <cstddef>
#include <span>

#include "base/unique_fd.h"
#include "ipc/line_framer.h"

namespace prid::ipc {

class ClientQueue;
struct RpcError;

// Bytes read per read(2), one read per client per loop iteration; a line
// may span several reads. Small enough that the lines one client sends at
// once are handled a part per iteration, the other clients' in between.
inline constexpr std::size_t kReadChunk = 16 * 1024;
// Lines handed to one sendmsg(2).
inline constexpr std::size_t kMaxIov = 64;
// Unread input dropped before closing a connection (see DiscardPendingInput).
inline constexpr std::size_t kMaxDiscardBytes = 256 * 1024;

// Reads and drops what the peer sent and we will never handle (at most
// `limit` bytes), without blocking. Closing a Unix socket with unread input
// makes the peer's next read fail with ECONNRESET, even after our last
// reply; drained, it reads that reply and then a clean end of file.
void DiscardPendingInput(int fd, std::size_t limit = kMaxDiscardBytes);

// Tells a connection that is about to be closed why: writes one JSON-RPC
// error line (id null) without blocking — a fresh socket's buffer takes a
// short line whole — then drains its pending input, so that the peer reads
// the line and then end of file once the caller closes `fd`. False when the
// line could not be sent (errno says why); the caller closes `fd` anyway.
bool SendRefusal(int fd, const RpcError& error);

class Connection {
 public:
  enum class ReadResult {
    kFramed,       // bytes were read and framed; a partial line may be kept
    kWouldBlock,   // nothing to read now (or interrupted)
    kEndOfInput,   // the peer shut down its sending side
    kFailed,       // recv(2) failed: see error
    kLineTooLong,  // a line passed max_line_bytes; nothing more is framed
  };
  struct ReadOutcome {
    ReadResult result;
    int error = 0;  // errno, for kFailed
  };

  enum class WriteResult {
    kFlushed,  // the queue is empty
    kFull,     // the socket takes no more now: write again on POLLOUT
    kFailed,   // sendmsg(2) failed: see error
  };
  struct WriteOutcome {
    WriteResult result;
    int error = 0;  // errno, for kFailed
  };

  // Takes a connected, non-blocking stream socket. Lines may be up to
  // `max_line_bytes` long before their '\n' (see LineFramer).
  Connection(base::UniqueFd fd, std::size_t max_line_bytes);

  // One recv(2) into `buffer` (borrowed for the call; kReadChunk bytes is
  // the intended size); each line it completes goes to `sink` (which may
  // stop the framing, see LineFramer::LineSink).
  ReadOutcome Read(std::span<char> buffer, const LineFramer::LineSink& sink);

  // Writes from `queue` until it is empty or the socket is full, up to
  // kMaxIov lines per sendmsg(2), and consumes what was written.
  WriteOutcome Write(ClientQueue& queue);

  // Bytes written to the socket that the peer has not read yet (SIOCOUTQ);
  // 0 when the kernel cannot tell.
  std::size_t UnreadBytes() const;

  // DiscardPendingInput() on this socket, before it is closed.
  void DiscardPendingInput() { ipc::DiscardPendingInput(fd_.get()); }

  // Borrowed: for watchers. The socket closes with the Connection.
  int fd() const { return fd_.get(); }
  const LineFramer& framer() const { return framer_; }

 private:
  base::UniqueFd fd_;
  LineFramer framer_;
};

}  // namespace prid::ipc
