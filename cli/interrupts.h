// Ctrl-C (SIGINT) and SIGTERM as a descriptor to poll, so that a standalone
// `prictl call` drops its call and waits for its end instead of dying with
// the call up.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "base/expected.h"

namespace prid::cli {

class Interrupts {
 public:
  virtual ~Interrupts() = default;
  // Readable (POLLIN) once an interrupt arrived.
  virtual int fd() const = 0;
  // The signal number of an interrupt that arrived, consumed; nullopt when
  // none is pending.
  virtual std::optional<int> Take() = 0;
};

// Starts catching interrupts for as long as the object it returns lives.
using InterruptCatcher = std::function<base::Result<std::unique_ptr<Interrupts>>()>;

// SIGINT and SIGTERM blocked and read from a signalfd(2) while the object
// lives; its destructor drops those still pending and restores the signal
// mask. A signal that prictl was started ignoring (SIGINT in a shell's
// background job) is left alone, ignored.
base::Result<std::unique_ptr<Interrupts>> CatchInterrupts();

}  // namespace prid::cli
