// prid as a service: signals, sd_notify, watchdog, reload.
#include "daemon/service.h"

#include <signal.h>
#include <time.h>

#include <fmt/format.h>

#include "base/log.h"

namespace prid::daemon {
namespace {

std::string MonotonicUsec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return fmt::format("{}", static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000);
}

}  // namespace

Service::Service(ev::loop_ref loop, DaemonConfig config, DaemonOptions daemon_options, ServiceOptions options,
                 ServiceNotifier& notifier)
    : loop_(loop),
      options_(std::move(options)),
      notifier_(notifier),
      daemon_(std::make_unique<Daemon>(loop, std::move(config), std::move(daemon_options))),
      watchdog_(loop, notifier),
      term_(loop),
      interrupt_(loop),
      hangup_(loop) {
  term_.set<Service, &Service::OnStopSignal>(this);
  interrupt_.set<Service, &Service::OnStopSignal>(this);
  hangup_.set<Service, &Service::OnReloadSignal>(this);
  if (!options_.config_path.empty()) {
    daemon_->SetReloader([this] { return Reload(); });
  }
  daemon_->SetSpanStateListener([this] {
    if (ready_ && !stopping_) notifier_.Notify("STATUS=" + StatusText());
  });
}

Service::~Service() = default;

std::string Service::StatusText() const {
  return fmt::format("{} of {} span(s) up", daemon_->spans_up(), daemon_->span_count());
}

base::Status Service::Start() {
  term_.start(SIGTERM);
  interrupt_.start(SIGINT);
  hangup_.start(SIGHUP);
  if (auto ok = daemon_->Start(); !ok.ok()) return ok;
  if (auto interval = watchdog_.Start(); interval.count() > 0) {
    PRID_LOG_INFO("watchdog: keep-alive every {} ms", interval.count() / 1000);
  }
  ready_ = true;
  notifier_.Notify("READY=1\nSTATUS=" + StatusText());
  return base::Status::Ok();
}

base::Result<ReloadReport> Service::Reload() {
  if (options_.config_path.empty()) {
    return base::Fail("running on the embedded default: there is no configuration file to re-read");
  }
  PRID_LOG_NOTICE("reloading {}", options_.config_path);
  notifier_.Notify("RELOADING=1\nMONOTONIC_USEC=" + MonotonicUsec() + "\nSTATUS=reloading " +
                   options_.config_path);
  auto loaded = LoadConfigFile(options_.config_path, kDaemonParseOptions);
  if (!loaded.ok()) {
    PRID_LOG_ERROR("reload refused, the running configuration stays: {}", loaded.error());
    notifier_.Notify("READY=1\nSTATUS=" + StatusText() + "; last reload refused");
    return base::Fail(loaded.error());
  }
  if (!options_.log_level_fixed) {
    base::LogLevel level;
    if (base::ParseLogLevel(loaded->log_level, &level)) base::SetLogLevel(level);
  }
  ReloadReport report = daemon_->Reload(std::move(*loaded));
  PRID_LOG_NOTICE("reloaded: {} added, {} removed, {} restarted, {} unchanged, {} failed", report.added.size(),
                  report.removed.size(), report.restarted.size(), report.unchanged.size(), report.failed.size());
  notifier_.Notify("READY=1\nSTATUS=" + StatusText());
  return report;
}

void Service::Stop() {
  if (stopping_) return;
  stopping_ = true;
  notifier_.Notify("STOPPING=1\nSTATUS=stopping");
  hangup_.stop();
  daemon_->Shutdown([this] { loop_.break_loop(ev::ALL); }, options_.stop_grace);
}

void Service::OnStopSignal(ev::sig& watcher, int) {
  if (stopping_) {
    PRID_LOG_WARN("signal {} again: stopping at once", watcher.signum);
    loop_.break_loop(ev::ALL);
    return;
  }
  PRID_LOG_NOTICE("signal {}: stopping", watcher.signum);
  Stop();
}

void Service::OnReloadSignal(ev::sig&, int) {
  if (stopping_) return;
  (void)Reload();  // logged either way; the running configuration stays on failure
}

}  // namespace prid::daemon
