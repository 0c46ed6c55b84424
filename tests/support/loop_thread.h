// A libev loop on a thread of its own, for tests whose code under test must
// run on a loop while the test thread blocks (servers, in-process daemons).
#pragma once

#include <ev++.h>

#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace prid::testing {

// The loop runs from construction to destruction. Run() executes a function
// on the loop thread and waits for its result, so that every call into the
// code under test happens on the loop, as in the daemon. Not reentrant: a
// function given to Run() must not call Run(); and the code under test must
// not break the loop (Run() would then wait forever). The destructor runs on the
// loop whatever Post()ed work is pending, then stops the loop and joins.
class LoopThread {
 public:
  LoopThread() : wake_(loop_) {
    wake_.set<LoopThread, &LoopThread::OnWake>(this);
    wake_.start();
    thread_ = std::thread([this] { loop_.run(); });
  }
  ~LoopThread() {
    Run([this] {
      wake_.stop();
      loop_.break_loop(ev::ALL);
    });
    thread_.join();
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  template <typename F>
  auto Run(F&& fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::forward<F>(fn));
    auto result = task.get_future();
    Post([&task] { task(); });
    return result.get();
  }

  // Queues `work` for the loop thread and returns at once.
  void Post(std::function<void()> work) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(work));
    }
    wake_.send();
  }

  // For watchers of the code under test; use it on the loop thread only.
  ev::loop_ref loop() { return loop_; }

 private:
  void OnWake(ev::async&, int) {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
  }

  ev::dynamic_loop loop_;
  ev::async wake_;
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;
  std::thread thread_;
};

}  // namespace prid::testing
