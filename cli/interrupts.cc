// SIGINT and SIGTERM read from a signalfd.
#include "cli/interrupts.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/unique_fd.h"

namespace prid::cli {
namespace {

class SignalInterrupts final : public Interrupts {
 public:
  SignalInterrupts(base::UniqueFd fd, sigset_t previous_mask)
      : fd_(std::move(fd)), previous_mask_(previous_mask) {}

  ~SignalInterrupts() override {
    // A signal left pending would be delivered, and kill us, once unblocked.
    while (Take()) {
    }
    ::sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
  }

  int fd() const override { return fd_.get(); }

  std::optional<int> Take() override {
    signalfd_siginfo info{};
    ssize_t n;
    do {
      n = ::read(fd_.get(), &info, sizeof info);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof info)) return std::nullopt;
    return static_cast<int>(info.ssi_signo);
  }

 private:
  base::UniqueFd fd_;
  sigset_t previous_mask_;
};

}  // namespace

base::Result<std::unique_ptr<Interrupts>> CatchInterrupts() {
  sigset_t caught;
  sigemptyset(&caught);
  for (int signal_number : {SIGINT, SIGTERM}) {
    struct sigaction current {};
    // Blocked, an ignored signal would be queued and read: keep it ignored.
    if (::sigaction(signal_number, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&caught, signal_number);
  }
  sigset_t previous;
  if (::sigprocmask(SIG_BLOCK, &caught, &previous) != 0) {
    return base::Fail(fmt::format("cannot block SIGINT and SIGTERM: {}", std::strerror(errno)));
  }
  base::UniqueFd fd(::signalfd(-1, &caught, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd.valid()) {
    const int error = errno;
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    return base::Fail(fmt::format("cannot read SIGINT and SIGTERM through signalfd: {}", std::strerror(error)));
  }
  return std::unique_ptr<Interrupts>(std::make_unique<SignalInterrupts>(std::move(fd), previous));
}

}  // namespace prid::cli
