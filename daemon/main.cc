// prid's main: command line, configuration, socket activation, the loop.
#include <signal.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <ev++.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "base/log.h"
#include "daemon/config/config.h"
#include "daemon/service.h"
#include "daemon/service_notifier.h"
#include "prid_build_config.h"

namespace {

using prid::base::LogLevel;

// The API socket systemd passed (prid.socket), or -1 when prid is to bind
// its own. More than one fd, or one that is not a listening Unix stream
// socket, is a unit configuration error.
prid::base::Result<int> InheritedListenFd() {
  const int n = sd_listen_fds(/*unset_environment=*/1);
  if (n < 0) return prid::base::Fail(fmt::format("sd_listen_fds: {}", std::string_view(strerror(-n))));
  if (n == 0) return -1;
  if (n > 1) return prid::base::Fail(fmt::format("systemd passed {} sockets; prid.socket should pass one", n));
  if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, /*listening=*/1, nullptr, 0) <= 0) {
    return prid::base::Fail("the socket systemd passed is not a listening Unix stream socket");
  }
  return SD_LISTEN_FDS_START;
}

// prid(8), EXIT STATUS: 1 a configuration or start-up error, 2 bad usage.
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// What was wrong with the command line CLI11 refused, for people: the first
// argument that names no option ("unknown option '--bogus'"), else CLI11's
// own words.
std::string UsageProblem(const CLI::App& app, int argc, char** argv, const CLI::Error& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') return fmt::format("unexpected argument '{}': prid takes options only", arg);
    const std::string name = arg.substr(0, arg.find('='));
    const CLI::Option* option = nullptr;
    for (const CLI::Option* candidate : app.get_options()) {
      if (!candidate->get_positional() && candidate->check_name(name)) option = candidate;
    }
    if (option == nullptr) return fmt::format("unknown option '{}'", name);
    if (name.size() != arg.size()) continue;  // --name=value
    if (option->get_expected_min() > 0 && i + 1 == argc) return fmt::format("{} needs a value", name);
    // Its value (--check-config's is optional: a next word that is no option).
    if (option->get_expected_min() > 0 || (option->get_expected_max() > 0 && i + 1 < argc && argv[i + 1][0] != '-')) {
      ++i;
    }
  }
  return error.what();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prid: ISDN PRI signalling daemon"};
  std::string config_path;
  std::string socket_path;
  std::string log_level;
  std::string check_config_path;
  bool version = false;
  app.add_option("-c,--config", config_path, "configuration file (default: " PRID_DEFAULT_CONFIG
                                             " if present, else the embedded default)");
  app.add_option("--socket", socket_path, "API socket path (overrides the config; also PRID_SOCKET)");
  app.add_option("--log-level", log_level, "error, warning, notice, info or debug");
  auto* check_config =
      app.add_option("--check-config", check_config_path,
                     "validate the configuration (FILE, else -c's, else the default) and exit")
          ->expected(0, 1)
          ->type_name("[FILE]");
  app.add_flag("--version", version, "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Error& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "prid: " << UsageProblem(app, argc, argv, e) << "; prid --help lists the options\n";
    return kExitUsage;
  }

  if (version) {
    std::cout << "prid " << PRID_VERSION << "\n";
    return 0;
  }

  if (!check_config_path.empty()) config_path = check_config_path;
  prid::daemon::DaemonConfig config;
  std::string source = "embedded default";
  if (config_path.empty() && std::filesystem::exists(PRID_DEFAULT_CONFIG)) config_path = PRID_DEFAULT_CONFIG;
  if (!config_path.empty()) {
    auto loaded = prid::daemon::LoadConfigFile(config_path, prid::daemon::kDaemonParseOptions);
    if (!loaded.ok()) {
      std::cerr << "prid: " << loaded.error() << "\n";
      return kExitError;
    }
    config = std::move(*loaded);
    source = config_path;
  } else {
    config = prid::daemon::EmbeddedDefaultConfig();
  }
  if (check_config->count() > 0) {
    std::cout << source << ": ok (" << config.spans.size() << " span(s))\n";
    return 0;
  }

  LogLevel level = LogLevel::kNotice;
  const std::string& level_name = log_level.empty() ? config.log_level : log_level;
  if (!prid::base::ParseLogLevel(level_name, &level)) {
    std::cerr << "prid: unknown log level '" << level_name << "' (error, warning, notice, info, debug)\n";
    return kExitUsage;
  }
  prid::base::SetLogLevel(level);

  if (socket_path.empty()) {
    if (const char* env = std::getenv("PRID_SOCKET"); env && *env) socket_path = env;
  }
  auto listen_fd = InheritedListenFd();
  if (!listen_fd.ok()) {
    PRID_LOG_ERROR("{}", listen_fd.error());
    return kExitError;
  }

  ::signal(SIGPIPE, SIG_IGN);
  // A file past its size limit fails its write (EFBIG), as a full disk does,
  // rather than killing prid: the CDR spool refuses the record and calls go on.
  ::signal(SIGXFSZ, SIG_IGN);
  ev::default_loop loop;
  prid::daemon::SdNotifier notifier;
  prid::daemon::ServiceOptions options;
  if (source != "embedded default") options.config_path = config_path;
  options.log_level_fixed = !log_level.empty();
  prid::daemon::Service service(loop, std::move(config), {socket_path, *listen_fd}, options, notifier);
  if (auto ok = service.Start(); !ok.ok()) {
    PRID_LOG_ERROR("{}", ok.message());
    return kExitError;
  }
  PRID_LOG_NOTICE("prid {} running ({}){}", PRID_VERSION, source,
                  *listen_fd >= 0 ? ", socket from systemd" : "");
  loop.run(0);
  PRID_LOG_NOTICE("prid stopped");
  return 0;
}
