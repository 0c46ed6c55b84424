// The system calls the DAHDI code makes, behind one small interface so that
// tests can answer them with a fake kernel (tests/support/fake_dahdi_kernel.h)
// while the daemon makes the real ones (RealDahdiSystem()).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <utility>

namespace prid::dahdi_glue {

// Each method behaves as the system call of the same name: it returns what
// the call returns and, on failure, -1 with errno set.
class DahdiSystem {
 public:
  virtual ~DahdiSystem() = default;
  virtual int Open(const char* path, int flags) = 0;
  virtual int Close(int fd) = 0;
  virtual int Ioctl(int fd, unsigned long request, void* argument) = 0;
  virtual ssize_t Read(int fd, void* buffer, std::size_t size) = 0;
  virtual ssize_t Write(int fd, const void* data, std::size_t size) = 0;
};

// ::open, ::close, ::ioctl, ::read, ::write. Lives for the whole process.
DahdiSystem& RealDahdiSystem();

// Move-only owner of a descriptor opened through a DahdiSystem; closes it
// through the same system. The system must outlive it.
class DahdiFd {
 public:
  DahdiFd() = default;
  DahdiFd(DahdiSystem& system, int fd) : system_(&system), fd_(fd) {}
  ~DahdiFd() { Reset(); }
  DahdiFd(DahdiFd&& other) noexcept
      : system_(other.system_), fd_(std::exchange(other.fd_, -1)) {}
  DahdiFd& operator=(DahdiFd&& other) noexcept {
    if (this != &other) {
      Reset();
      system_ = other.system_;
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  DahdiFd(const DahdiFd&) = delete;
  DahdiFd& operator=(const DahdiFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now; returns close()'s result (0 when there was nothing to close).
  int Reset();

 private:
  DahdiSystem* system_ = nullptr;
  int fd_ = -1;
};

// The DAHDI ioctl's name for messages ("DAHDI_SETCONF"), or its number in hex.
std::string DahdiIoctlName(unsigned long request);

// The path of the DAHDI channel device that DAHDI_SPECIFY binds.
inline constexpr const char* kDahdiChannelDevice = "/dev/dahdi/channel";

}  // namespace prid::dahdi_glue
