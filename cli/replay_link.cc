// SOCK_SEQPACKET link to a sim span.
#include "cli/replay_link.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace prid::cli {

base::Result<ReplayLink> ReplayLink::Connect(const std::string& path) {
  sockaddr_un address{};
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return base::Fail(fmt::format("link path '{}' is empty or too long", path));
  }
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Fail(fmt::format("socket: {}", std::strerror(errno)));
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return base::Fail(fmt::format("connect {}: {}", path, std::strerror(errno)));
  }
  return ReplayLink(std::move(fd));
}

base::Status ReplayLink::Send(std::span<const std::uint8_t> frame) {
  if (::send(fd_.get(), frame.data(), frame.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(frame.size())) {
    return base::Status::Error(fmt::format("sending a frame to prid: {}", std::strerror(errno)));
  }
  return base::Status::Ok();
}

base::Result<std::optional<std::vector<std::uint8_t>>> ReplayLink::Receive(int timeout_ms) {
  pollfd p{fd_.get(), POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return base::Fail(fmt::format("poll: {}", std::strerror(errno)));
  if (ready == 0) return std::optional<std::vector<std::uint8_t>>();
  std::vector<std::uint8_t> frame(1024);
  const ssize_t n = ::recv(fd_.get(), frame.data(), frame.size(), MSG_DONTWAIT);
  if (n == 0) return base::Fail("prid closed the D-channel link");
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::optional<std::vector<std::uint8_t>>();
    return base::Fail(fmt::format("reading from prid's D-channel link: {}", std::strerror(errno)));
  }
  frame.resize(static_cast<std::size_t>(n));
  return std::optional<std::vector<std::uint8_t>>(std::move(frame));
}

}  // namespace prid::cli
