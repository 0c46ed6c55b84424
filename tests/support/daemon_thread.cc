// In-process daemons on a background libev loop, for integration tests.
#include "tests/support/daemon_thread.h"

#include <ev++.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <future>

#include "daemon/daemon.h"

namespace prid::testing {

struct DaemonThread::Loop {
  ev::dynamic_loop loop;
  ev::async wake{loop};
  std::mutex work_mutex;
  std::vector<std::function<void()>> work;
  bool stop = false;
  std::vector<std::unique_ptr<daemon::Daemon>> daemons;

  void OnWake(ev::async&, int) {
    std::vector<std::function<void()>> pending;
    bool stopping = false;
    {
      std::lock_guard lock(work_mutex);
      pending.swap(work);
      stopping = stop;
    }
    for (auto& w : pending) w();
    if (stopping) loop.break_loop(ev::ALL);
  }
  void Post(std::function<void()> w, bool and_stop = false) {
    {
      std::lock_guard lock(work_mutex);
      if (w) work.push_back(std::move(w));
      stop = stop || and_stop;
    }
    wake.send();
  }
};

DaemonThread::DaemonThread(std::vector<daemon::DaemonConfig> configs, dahdi_glue::DahdiSystem* dahdi,
                           dahdi_glue::ConferenceMixer* mixer)
    : loop_(std::make_unique<Loop>()) {
  ::signal(SIGPIPE, SIG_IGN);
  std::promise<std::string> started;
  auto result = started.get_future();
  thread_ = std::thread([this, configs = std::move(configs), &started, dahdi, mixer]() mutable {
    Loop& l = *loop_;
    l.wake.set<Loop, &Loop::OnWake>(&l);
    l.wake.start();
    std::string error;
    for (std::size_t i = 0; i < configs.size() && error.empty(); ++i) {
      daemon::DaemonOptions options;
      options.conference_mixer = mixer;
      options.dahdi_system = dahdi;
      auto d = std::make_unique<daemon::Daemon>(l.loop, configs[i], options);
      const int index = static_cast<int>(i);
      d->SetFrameTap([this, index](int span, q931::FrameDirection dir, std::span<const std::uint8_t> frame) {
        std::lock_guard lock(mutex_);
        frames_.push_back({index, span, dir, {frame.begin(), frame.end()}, std::chrono::system_clock::now()});
        changed_.notify_all();
      });
      if (auto ok = d->Start(); !ok.ok()) error = ok.message();
      l.daemons.push_back(std::move(d));
    }
    started.set_value(error);
    if (error.empty()) l.loop.run(0);
    l.daemons.clear();
  });
  error_ = result.get();
}

DaemonThread::~DaemonThread() {
  loop_->Post(nullptr, /*and_stop=*/true);
  thread_.join();
}

std::vector<CapturedFrame> DaemonThread::Frames() const {
  std::lock_guard lock(mutex_);
  return frames_;
}

bool DaemonThread::WaitFrames(const std::function<bool(const std::vector<CapturedFrame>&)>& done,
                              int timeout_ms) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done(frames_); });
}

void DaemonThread::RunOnLoop(const std::function<void()>& work) {
  std::promise<void> done;
  loop_->Post([&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

daemon::Daemon& DaemonThread::daemon(std::size_t index) { return *loop_->daemons.at(index); }

void DaemonThread::RunOnDaemon(std::size_t index, const std::function<void(daemon::Daemon&)>& work) {
  RunOnLoop([&] { work(*loop_->daemons.at(index)); });
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "prid-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

daemon::SpanConfig SimSpan(int span, daemon::NodeType node, daemon::SwitchVariant variant) {
  daemon::SpanConfig c;
  c.span = span;
  c.name = "span" + std::to_string(span);
  c.driver = daemon::Driver::kSim;
  c.node = node;
  c.switch_variant = variant;
  const bool e1 = variant == daemon::SwitchVariant::kEuroIsdnE1 || variant == daemon::SwitchVariant::kQsig;
  c.bchannels_text = e1 ? "1-15,17-31" : "1-23";
  c.bchannels = *daemon::ParseChannelList(c.bchannels_text);
  c.peer = "builtin";
  return c;
}

daemon::DaemonConfig ConfigWith(const std::string& socket, std::vector<daemon::SpanConfig> spans) {
  daemon::DaemonConfig c;
  c.socket_path = socket;
  c.spans = std::move(spans);
  return c;
}

}  // namespace prid::testing
