// The sim D-channel over SOCK_SEQPACKET Unix sockets.
#include "dahdi-glue/sim_transport.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace prid::dahdi_glue {
namespace {

std::string Errno() { return std::strerror(errno); }

base::Result<sockaddr_un> AddressOf(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return base::Fail("socket path '" + path + "' is empty or longer than " +
                      std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

}  // namespace

base::Result<std::pair<std::unique_ptr<SimTransport>, std::unique_ptr<SimTransport>>>
SimTransport::CreatePair(const std::string& name) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return base::Fail(name + ": socketpair(SOCK_SEQPACKET): " + Errno());
  }
  std::unique_ptr<SimTransport> a(new SimTransport(name, ""));
  std::unique_ptr<SimTransport> b(new SimTransport(name + "-peer", ""));
  a->link_.Reset(fds[0]);
  b->link_.Reset(fds[1]);
  return std::make_pair(std::move(a), std::move(b));
}

base::Result<std::unique_ptr<SimTransport>> SimTransport::Listen(const std::string& name,
                                                                 const std::string& path) {
  auto addr = AddressOf(path);
  if (!addr.ok()) return base::Fail(name + ": " + addr.error());
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Fail(name + ": socket(SOCK_SEQPACKET): " + Errno());
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0) {
    return base::Fail(name + ": cannot listen on " + path + ": " + Errno());
  }
  if (::listen(fd.get(), 1) != 0) return base::Fail(name + ": listen(" + path + "): " + Errno());
  std::unique_ptr<SimTransport> t(new SimTransport(name, path));
  t->listener_ = std::move(fd);
  return t;
}

std::unique_ptr<SimTransport> SimTransport::ForConnect(const std::string& name,
                                                       const std::string& path) {
  return std::unique_ptr<SimTransport>(new SimTransport(name, path));
}

base::Status SimTransport::AcceptPeer() {
  int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return base::Status::Error(name_ + ": accept on " + path_ + ": " + Errno());
  link_.Reset(fd);
  peer_lost_ = false;
  PRID_LOG_INFO("{}: far end connected on {}", name_, path_);
  return base::Status::Ok();
}

base::Status SimTransport::Reconnect() {
  auto addr = AddressOf(path_);
  if (!addr.ok()) return base::Status::Error(name_ + ": " + addr.error());
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Status::Error(name_ + ": socket(SOCK_SEQPACKET): " + Errno());
  // Unix sockets connect at once or fail (no EINPROGRESS for AF_UNIX).
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0) {
    return base::Status::Error(name_ + ": cannot connect to " + path_ + ": " + Errno());
  }
  link_ = std::move(fd);
  peer_lost_ = false;
  PRID_LOG_INFO("{}: connected to far end at {}", name_, path_);
  return base::Status::Ok();
}

void SimTransport::DropLink() {
  link_.Reset();
  peer_lost_ = true;
}

int SimTransport::ReadFrame(std::span<std::uint8_t> buffer) {
  if (!link_.valid()) return 0;
  ssize_t n = ::recv(link_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
  if (n > 0 && static_cast<std::size_t>(n) > buffer.size()) {
    PRID_LOG_WARN("{}: dropped a {}-octet frame (longer than {})", name_, n, buffer.size());
    return 0;
  }
  if (n > 0 && cut_) return 0;  // lost on the cut line; the loop reads the next
  if (n > 0) return static_cast<int>(n);
  if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    PRID_LOG_NOTICE("{}: far end closed the D-channel{}", name_, n == 0 ? "" : ": " + Errno());
    DropLink();
  }
  return 0;
}

bool SimTransport::WriteFrame(std::span<const std::uint8_t> frame) {
  if (!link_.valid()) return false;
  if (cut_) return true;  // sent into a cut line
  ssize_t n = ::send(link_.get(), frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n == static_cast<ssize_t>(frame.size())) return true;
  PRID_LOG_WARN("{}: frame of {} octets not sent: {}", name_, frame.size(),
                n < 0 ? Errno() : std::string("short write"));
  return false;
}

}  // namespace prid::dahdi_glue
