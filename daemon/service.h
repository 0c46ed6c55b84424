// prid as a service: the Daemon plus what the process's manager sees —
// signals (SIGTERM/SIGINT stop, SIGHUP reloads), sd_notify READY / STATUS /
// RELOADING / STOPPING, and the watchdog keep-alive from the loop.
#pragma once

#include <ev++.h>

#include <memory>
#include <string>

#include "base/expected.h"
#include "daemon/config/config.h"
#include "daemon/daemon.h"
#include "daemon/service_notifier.h"

namespace prid::daemon {

struct ServiceOptions {
  std::string config_path;          // the file reloads re-read; empty: none
  bool log_level_fixed = false;     // --log-level given: reloads keep it
  std::chrono::milliseconds stop_grace{5000};  // clearing calls and flushing clients
};

class Service {
 public:
  // `notifier` must outlive the service.
  Service(ev::loop_ref loop, DaemonConfig config, DaemonOptions daemon_options, ServiceOptions options,
          ServiceNotifier& notifier);
  ~Service();

  // Starts the daemon; READY=1 once every span's D-channel transport is
  // open and the socket listens.
  base::Status Start();
  // Re-reads the file and applies it (RELOADING=1 … READY=1 around it). A
  // file that does not validate is refused and nothing changes.
  base::Result<ReloadReport> Reload();
  // SIGTERM's path: STOPPING=1, then the daemon's clean shutdown, then the
  // loop ends.
  void Stop();

  Daemon& daemon() { return *daemon_; }

 private:
  void OnStopSignal(ev::sig& watcher, int);
  void OnReloadSignal(ev::sig&, int);
  std::string StatusText() const;

  ev::loop_ref loop_;
  ServiceOptions options_;
  ServiceNotifier& notifier_;
  std::unique_ptr<Daemon> daemon_;
  Watchdog watchdog_;
  ev::sig term_;
  ev::sig interrupt_;
  ev::sig hangup_;
  bool ready_ = false;
  bool stopping_ = false;
};

}  // namespace prid::daemon
