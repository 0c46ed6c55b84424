// The service manager's side of prid's life (sd_notify(3)): READY, STATUS,
// RELOADING, STOPPING and the watchdog keep-alive. Abstract so tests can
// record what would be sent.
#pragma once

#include <ev++.h>

#include <chrono>
#include <string>
#include <string_view>

namespace prid::daemon {

class ServiceNotifier {
 public:
  virtual ~ServiceNotifier() = default;
  // One sd_notify state string, e.g. "READY=1\nSTATUS=2 of 2 spans up".
  virtual void Notify(std::string_view state) = 0;
};

// sd_notify to $NOTIFY_SOCKET; does nothing when it is unset.
class SdNotifier : public ServiceNotifier {
 public:
  void Notify(std::string_view state) override;
};

// WATCHDOG=1 from the event loop at half of $WATCHDOG_USEC, so that a loop
// that stops turning stops the keep-alives and the manager restarts prid.
class Watchdog {
 public:
  Watchdog(ev::loop_ref loop, ServiceNotifier& notifier);
  // Starts when the manager asked for a watchdog (sd_watchdog_enabled);
  // returns the interval between keep-alives, zero when there is none.
  std::chrono::microseconds Start();

 private:
  void OnTimer(ev::timer&, int);
  ServiceNotifier& notifier_;
  ev::timer timer_;
};

}  // namespace prid::daemon
