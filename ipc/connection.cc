// The socket end of one client connection: framed reads, vectored writes,
// draining unread input before close.
#include "ipc/connection.h"

#include <errno.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "ipc/client_queue.h"
#include "ipc/errors.h"
#include "ipc/json_rpc.h"
#include "ipc/sys_error.h"

namespace prid::ipc {

void DiscardPendingInput(int fd, std::size_t limit) {
  char scratch[16 * 1024];
  while (limit > 0) {
    ssize_t n = recv(fd, scratch, std::min(limit, sizeof scratch), MSG_DONTWAIT);
    if (n <= 0) return;
    limit -= static_cast<std::size_t>(n);
  }
}

bool SendRefusal(int fd, const RpcError& error) {
  std::string line = SerializeLine(MakeErrorReply(nullptr, error));
  bool sent = send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT) ==
              static_cast<ssize_t>(line.size());
  int err = errno;
  DiscardPendingInput(fd);
  errno = err;
  return sent;
}

std::size_t Connection::UnreadBytes() const {
  int unread = 0;
  if (ioctl(fd_.get(), SIOCOUTQ, &unread) != 0 || unread < 0) return 0;
  return static_cast<std::size_t>(unread);
}

Connection::Connection(base::UniqueFd fd, std::size_t max_line_bytes)
    : fd_(std::move(fd)), framer_(max_line_bytes) {}

Connection::ReadOutcome Connection::Read(std::span<char> buffer, const LineFramer::LineSink& sink) {
  ssize_t n = recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
  if (n < 0) {
    int err = errno;
    if (IsTransient(err)) return {ReadResult::kWouldBlock};
    return {ReadResult::kFailed, err};
  }
  if (n == 0) return {ReadResult::kEndOfInput};
  LineFramer::FeedResult result =
      framer_.Feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), sink);
  if (result == LineFramer::FeedResult::kLineTooLong) return {ReadResult::kLineTooLong};
  return {ReadResult::kFramed};
}

Connection::WriteOutcome Connection::Write(ClientQueue& queue) {
  while (!queue.empty()) {
    std::string_view pieces[kMaxIov];
    std::size_t count = queue.Unwritten(pieces);
    iovec iov[kMaxIov];
    std::size_t want = 0;
    for (std::size_t i = 0; i < count; ++i) {
      iov[i].iov_base = const_cast<char*>(pieces[i].data());
      iov[i].iov_len = pieces[i].size();
      want += pieces[i].size();
    }
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = count;
    ssize_t n = sendmsg(fd_.get(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) return {WriteResult::kFull};
      return {WriteResult::kFailed, err};
    }
    queue.Consume(static_cast<std::size_t>(n));
    // The socket took less than offered: it is full, wait for POLLOUT.
    if (static_cast<std::size_t>(n) < want) return {WriteResult::kFull};
  }
  return {WriteResult::kFlushed};
}

}  // namespace prid::ipc
