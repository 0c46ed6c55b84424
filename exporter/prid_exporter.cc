// prid-exporter: serves prid's metrics to Prometheus over HTTP (GET
// /metrics), querying prid's socket afresh on every scrape. prid itself
// stays on its Unix socket only.
#include <signal.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include "cli/client_connection.h"
#include "cli/command_line.h"
#include "cli/metrics.h"
#include "exporter/http_server.h"
#include "exporter/listen_address.h"
#include "exporter/metrics_endpoint.h"
#include "prid_build_config.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitCannotListen = 1;

}  // namespace

int main(int argc, char** argv) {
  // A scraper that hangs up mid-reply is libmicrohttpd's to handle, not a death.
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app("Serves prid's counters and state to Prometheus: GET /metrics over HTTP", "prid-exporter");
  std::string listen(prid::exporter::kDefaultListen);
  std::string socket = prid::cli::DefaultSocketPath(std::getenv("PRID_SOCKET"));
  app.add_option("--listen", listen, "HOST:PORT to serve on (default 127.0.0.1:9817; [::1]:PORT for IPv6)")
      ->option_text("ADDR");
  app.add_option("--socket", socket, "prid's socket (default $PRID_SOCKET, else /run/prid/prid.sock)")
      ->option_text("PATH");
  app.set_version_flag("--version", std::string("prid-exporter ") + PRID_VERSION, "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Error& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  auto address = prid::exporter::ParseListenAddress(listen);
  if (!address) {
    std::cerr << "prid-exporter: " << address.error() << '\n';
    return kExitUsage;
  }

  // SIGINT and SIGTERM are taken by sigwait below; blocked first so that
  // libmicrohttpd's thread inherits the mask and never takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  prid::exporter::MetricsEndpoint endpoint(
      [&socket] { return prid::cli::ScrapePrid(prid::cli::ConnectToPrid, socket); }, std::cerr);
  auto server = prid::exporter::HttpServer::Start(
      *address, [&endpoint](std::string_view method, std::string_view path) { return endpoint.Handle(method, path); });
  if (!server) {
    std::cerr << "prid-exporter: " << server.error() << '\n';
    return kExitCannotListen;
  }
  // One line once the socket is bound: the port chosen for :0, and a sign
  // for whoever waits for the exporter to be up.
  std::cout << "prid-exporter: serving http://" << address->text.substr(0, address->text.rfind(':')) << ':'
            << (*server)->port() << prid::exporter::kMetricsPath << " for prid at " << socket << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  return 0;
}
