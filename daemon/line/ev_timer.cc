// Timers on the daemon's libev loop.
#include "daemon/line/ev_timer.h"

#include <utility>

namespace prid::daemon {
namespace {

class EvTimer : public Timer {
 public:
  explicit EvTimer(ev::loop_ref loop) : watcher_(loop) { watcher_.set<EvTimer, &EvTimer::Fire>(this); }
  void Start(double seconds, std::function<void()> on_expiry) override {
    on_expiry_ = std::move(on_expiry);
    watcher_.stop();
    watcher_.start(seconds, 0.0);
  }
  void Stop() override { watcher_.stop(); }

 private:
  void Fire(ev::timer&, int) {
    // The callback may destroy this timer: move it out first.
    auto callback = std::move(on_expiry_);
    if (callback) callback();
  }
  ev::timer watcher_;
  std::function<void()> on_expiry_;
};

}  // namespace

std::unique_ptr<Timer> EvTimerFactory::Create() { return std::make_unique<EvTimer>(loop_); }

}  // namespace prid::daemon
