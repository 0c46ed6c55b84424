// In-process daemons on a background libev loop, for integration tests.
#include "tests/support/daemon_thread.h"

#include <signal.h>

#include <chrono>

#include "daemon/daemon.h"
#include "tests/support/loop_thread.h"

namespace prid::testing {

// The daemons live on the loop thread: created, used and destroyed there.
struct DaemonThread::Loop {
  LoopThread thread;
  std::vector<std::unique_ptr<daemon::Daemon>> daemons;
};

DaemonThread::DaemonThread(std::vector<daemon::DaemonConfig> configs, dahdi_glue::DahdiSystem* dahdi,
                           dahdi_glue::ConferenceMixer* mixer)
    : loop_(std::make_unique<Loop>()) {
  ::signal(SIGPIPE, SIG_IGN);
  error_ = loop_->thread.Run([this, &configs, dahdi, mixer] {
    Loop& l = *loop_;
    std::string error;
    for (std::size_t i = 0; i < configs.size() && error.empty(); ++i) {
      daemon::DaemonOptions options;
      options.conference_mixer = mixer;
      options.dahdi_system = dahdi;
      auto d = std::make_unique<daemon::Daemon>(l.thread.loop(), configs[i], options);
      const int index = static_cast<int>(i);
      d->SetFrameTap([this, index](int span, q931::FrameDirection dir, std::span<const std::uint8_t> frame) {
        std::lock_guard lock(mutex_);
        frames_.push_back({index, span, dir, {frame.begin(), frame.end()}, std::chrono::system_clock::now()});
        changed_.notify_all();
      });
      if (auto ok = d->Start(); !ok.ok()) error = ok.message();
      l.daemons.push_back(std::move(d));
    }
    // A daemon that failed to start, and those before it, go at once.
    if (!error.empty()) l.daemons.clear();
    return error;
  });
}

DaemonThread::~DaemonThread() {
  loop_->thread.Run([this] { loop_->daemons.clear(); });
  loop_.reset();  // stops the loop and joins its thread
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

void DaemonThread::RunOnLoop(const std::function<void()>& work) { loop_->thread.Run(work); }

daemon::Daemon& DaemonThread::daemon(std::size_t index) { return *loop_->daemons.at(index); }

void DaemonThread::RunOnDaemon(std::size_t index, const std::function<void(daemon::Daemon&)>& work) {
  RunOnLoop([&] { work(*loop_->daemons.at(index)); });
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
