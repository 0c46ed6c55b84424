// A daemon::TimerFactory whose timers never run by themselves: tests see
// which were started (and for how long) and fire them by hand.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "daemon/session/timer.h"

namespace prid::daemon::testing {

class FakeTimerFactory : public TimerFactory {
 public:
  // What one created timer is doing. Shared between the factory and the
  // timer, so it stays readable (and firing stays safe) after the owner of
  // the timer destroys it — even from inside its own expiry callback.
  struct State {
    bool running = false;
    bool destroyed = false;
    double seconds = 0;  // of the last Start
    int starts = 0;
    std::function<void()> on_expiry;
  };

  std::unique_ptr<Timer> Create() override {
    auto state = std::make_shared<State>();
    states_.push_back(state);
    return std::make_unique<FakeTimer>(std::move(state));
  }

  std::size_t created() const { return states_.size(); }
  const State& timer(std::size_t index) const { return *states_.at(index); }
  std::size_t running_count() const {
    std::size_t n = 0;
    for (const auto& s : states_) n += s->running ? 1 : 0;
    return n;
  }

  // Expires timer `index` if it is running; false if it was not.
  bool Fire(std::size_t index) {
    std::shared_ptr<State> state = states_.at(index);
    if (!state->running) return false;
    state->running = false;
    // Moved out first: the callback may restart, stop or destroy the timer.
    std::function<void()> on_expiry = std::move(state->on_expiry);
    state->on_expiry = nullptr;
    on_expiry();
    return true;
  }
  // Expires every running timer once; returns how many fired.
  std::size_t FireAll() {
    std::size_t fired = 0;
    for (std::size_t i = 0; i < states_.size(); ++i) fired += Fire(i) ? 1 : 0;
    return fired;
  }

 private:
  class FakeTimer : public Timer {
   public:
    explicit FakeTimer(std::shared_ptr<State> state) : state_(std::move(state)) {}
    ~FakeTimer() override {
      state_->running = false;
      state_->destroyed = true;
      state_->on_expiry = nullptr;
    }
    void Start(double seconds, std::function<void()> on_expiry) override {
      state_->running = true;
      state_->seconds = seconds;
      ++state_->starts;
      state_->on_expiry = std::move(on_expiry);
    }
    void Stop() override {
      state_->running = false;
      state_->on_expiry = nullptr;
    }

   private:
    std::shared_ptr<State> state_;
  };

  std::vector<std::shared_ptr<State>> states_;
};

}  // namespace prid::daemon::testing
