// Move-only owner of a file descriptor.
#include "base/unique_fd.h"

#include <unistd.h>

namespace prid::base {

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace prid::base
