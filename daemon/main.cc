// prid's main: command line, configuration, signals, the loop.
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <ev++.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "base/log.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "prid_build_config.h"

namespace {

using prid::base::LogLevel;

struct Signals {
  explicit Signals(ev::loop_ref loop) : term(loop), interrupt(loop) {
    term.set<Signals, &Signals::Stop>(this);
    interrupt.set<Signals, &Signals::Stop>(this);
    term.start(SIGTERM);
    interrupt.start(SIGINT);
  }
  void Stop(ev::sig& watcher, int) {
    PRID_LOG_NOTICE("signal {}: stopping", watcher.signum);
    sd_notify(0, "STOPPING=1");
    watcher.loop.break_loop(ev::ALL);
  }
  ev::sig term;
  ev::sig interrupt;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prid: ISDN PRI signalling daemon"};
  std::string config_path;
  std::string socket_path;
  std::string log_level;
  bool check_config = false;
  bool version = false;
  app.add_option("-c,--config", config_path, "configuration file (default: " PRID_DEFAULT_CONFIG
                                             " if present, else the embedded default)");
  app.add_option("--socket", socket_path, "API socket path (overrides the config; also PRID_SOCKET)");
  app.add_option("--log-level", log_level, "error, warning, notice, info or debug");
  app.add_flag("--check-config", check_config, "validate the configuration and exit");
  app.add_flag("--version", version, "print the version and exit");
  CLI11_PARSE(app, argc, argv);

  if (version) {
    std::cout << "prid " << PRID_VERSION << "\n";
    return 0;
  }

  prid::daemon::DaemonConfig config;
  std::string source = "embedded default";
  if (config_path.empty() && std::filesystem::exists(PRID_DEFAULT_CONFIG)) config_path = PRID_DEFAULT_CONFIG;
  if (!config_path.empty()) {
    auto loaded = prid::daemon::LoadConfigFile(config_path);
    if (!loaded.ok()) {
      std::cerr << "prid: " << loaded.error() << "\n";
      return 1;
    }
    config = std::move(*loaded);
    source = config_path;
  } else {
    config = prid::daemon::EmbeddedDefaultConfig();
  }
  if (check_config) {
    std::cout << source << ": ok (" << config.spans.size() << " span(s))\n";
    return 0;
  }

  LogLevel level = LogLevel::kNotice;
  const std::string& level_name = log_level.empty() ? config.log_level : log_level;
  if (!prid::base::ParseLogLevel(level_name, &level)) {
    std::cerr << "prid: unknown log level '" << level_name << "' (error, warning, notice, info, debug)\n";
    return 2;
  }
  prid::base::SetLogLevel(level);

  if (socket_path.empty()) {
    if (const char* env = std::getenv("PRID_SOCKET"); env && *env) socket_path = env;
  }

  ::signal(SIGPIPE, SIG_IGN);
  ev::default_loop loop;
  Signals signals(loop);
  prid::daemon::Daemon daemon(loop, std::move(config), {socket_path, -1});
  if (auto ok = daemon.Start(); !ok.ok()) {
    PRID_LOG_ERROR("{}", ok.message());
    return 1;
  }
  PRID_LOG_NOTICE("prid {} running ({})", PRID_VERSION, source);
  sd_notifyf(0, "READY=1\nSTATUS=%zu span(s) configured", daemon.span_count());
  loop.run(0);
  return 0;
}
