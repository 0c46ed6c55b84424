// errno helpers shared by the socket server's parts: the text of an errno
// value for messages, and which errors only mean "try again".
#pragma once

#include <errno.h>

#include <string>
#include <system_error>

namespace prid::ipc {

inline std::string ErrnoText(int err) {
  return std::error_code(err, std::system_category()).message();
}

// Errors after which the same call succeeds later (non-blocking socket
// empty or full, or a signal interrupted it).
inline bool IsTransient(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

}  // namespace prid::ipc
