// Timers on the daemon's libev loop.
#pragma once

#include <ev++.h>

#include "daemon/session/timer.h"

namespace prid::daemon {

class EvTimerFactory : public TimerFactory {
 public:
  explicit EvTimerFactory(ev::loop_ref loop) : loop_(loop) {}
  std::unique_ptr<Timer> Create() override;

 private:
  ev::loop_ref loop_;
};

}  // namespace prid::daemon
