// The real DAHDI system calls, and names of the ioctls prid uses.
#include "dahdi-glue/dahdi_system.h"

#include <dahdi/user.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace prid::dahdi_glue {
namespace {

class RealSystem final : public DahdiSystem {
 public:
  int Open(const char* path, int flags) override { return ::open(path, flags); }
  int Close(int fd) override { return ::close(fd); }
  int Ioctl(int fd, unsigned long request, void* argument) override {
    return ::ioctl(fd, request, argument);
  }
  ssize_t Read(int fd, void* buffer, std::size_t size) override {
    return ::read(fd, buffer, size);
  }
  ssize_t Write(int fd, const void* data, std::size_t size) override {
    return ::write(fd, data, size);
  }
};

}  // namespace

DahdiSystem& RealDahdiSystem() {
  static RealSystem system;
  return system;
}

int DahdiFd::Reset() {
  if (fd_ < 0) return 0;
  return system_->Close(std::exchange(fd_, -1));
}

std::string DahdiIoctlName(unsigned long request) {
  switch (request) {
    case DAHDI_SPECIFY: return "DAHDI_SPECIFY";
    case DAHDI_GET_PARAMS: return "DAHDI_GET_PARAMS";
    case DAHDI_SET_BUFINFO: return "DAHDI_SET_BUFINFO";
    case DAHDI_GET_BUFINFO: return "DAHDI_GET_BUFINFO";
    case DAHDI_GETEVENT: return "DAHDI_GETEVENT";
    case DAHDI_SPANSTAT: return "DAHDI_SPANSTAT";
    case DAHDI_SETCONF: return "DAHDI_SETCONF";
    case DAHDI_GETCONF: return "DAHDI_GETCONF";
    default: return fmt::format("ioctl {:#x}", request);
  }
}

}  // namespace prid::dahdi_glue
