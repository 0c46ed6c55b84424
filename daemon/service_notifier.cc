// sd_notify and the watchdog keep-alive.
#include "daemon/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "base/log.h"

namespace prid::daemon {

void SdNotifier::Notify(std::string_view state) {
  const std::string text(state);
  if (int r = sd_notify(0, text.c_str()); r < 0) {
    PRID_LOG_WARN("sd_notify failed: {}", std::string_view(strerror(-r)));
  }
}

Watchdog::Watchdog(ev::loop_ref loop, ServiceNotifier& notifier) : notifier_(notifier), timer_(loop) {
  timer_.set<Watchdog, &Watchdog::OnTimer>(this);
}

std::chrono::microseconds Watchdog::Start() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::chrono::microseconds(0);
  // sd_watchdog_enabled(3): send at half the interval.
  const double interval = static_cast<double>(usec) / 2e6;
  timer_.start(0.0, interval);
  return std::chrono::microseconds(usec / 2);
}

void Watchdog::OnTimer(ev::timer&, int) { notifier_.Notify("WATCHDOG=1"); }

}  // namespace prid::daemon
