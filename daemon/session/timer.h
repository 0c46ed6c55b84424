// One-shot timers for the session model (release_timeout), behind a tiny
// interface so unit tests can fire them by hand.
#pragma once

#include <functional>
#include <memory>

namespace prid::daemon {

class Timer {
 public:
  virtual ~Timer() = default;  // stops it
  virtual void Start(double seconds, std::function<void()> on_expiry) = 0;
  virtual void Stop() = 0;
};

class TimerFactory {
 public:
  virtual ~TimerFactory() = default;
  virtual std::unique_ptr<Timer> Create() = 0;
};

}  // namespace prid::daemon
