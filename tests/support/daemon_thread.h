// Runs one or more in-process prid daemons on a libev loop in a background
// thread, capturing every D-channel frame they send and receive. Tests talk
// to them through their real Unix sockets.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/time_format.h"
#include "dahdi-glue/conference_mixer.h"
#include "daemon/config/config.h"
#include "q931/pcap_writer.h"
#include "tests/support/temp_dir.h"  // TempDir, for the tests that start daemons

namespace prid::daemon {
class Daemon;
}
namespace prid::dahdi_glue {
class DahdiSystem;
}

namespace prid::testing {

struct CapturedFrame {
  int daemon = 0;  // index into the configs
  int span = 0;
  q931::FrameDirection direction = q931::FrameDirection::kSent;
  std::vector<std::uint8_t> bytes;
  base::WallTime time;
};

class DaemonThread {
 public:
  // Starts every daemon; check started() / error() before use.
  // `dahdi`: the system calls of dahdi spans (a fake kernel); null: real
  // ones. `mixer`: conference media for every span (see DaemonOptions).
  // Both must outlive this.
  explicit DaemonThread(std::vector<daemon::DaemonConfig> configs,
                        dahdi_glue::DahdiSystem* dahdi = nullptr,
                        dahdi_glue::ConferenceMixer* mixer = nullptr);
  ~DaemonThread();

  bool started() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  std::vector<CapturedFrame> Frames() const;
  // Waits until `done(frames)` holds, up to timeout_ms; false on timeout.
  bool WaitFrames(const std::function<bool(const std::vector<CapturedFrame>&)>& done, int timeout_ms) const;
  // Runs `work` on the loop thread and waits for it.
  void RunOnLoop(const std::function<void()>& work);
  // The daemon of configs[index]; use it on the loop thread only (RunOnLoop).
  daemon::Daemon& daemon(std::size_t index);
  // Runs `work` on daemon `index` on the loop thread and waits for it.
  void RunOnDaemon(std::size_t index, const std::function<void(daemon::Daemon&)>& work);

 private:
  struct Loop;
  std::unique_ptr<Loop> loop_;  // a LoopThread and the daemons on it
  std::string error_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<CapturedFrame> frames_;
};

// A sim span with the built-in far end.
daemon::SpanConfig SimSpan(int span, daemon::NodeType node = daemon::NodeType::kCpe,
                           daemon::SwitchVariant variant = daemon::SwitchVariant::kEuroIsdnE1);
daemon::DaemonConfig ConfigWith(const std::string& socket, std::vector<daemon::SpanConfig> spans);

}  // namespace prid::testing
