// prictl: prid's command-line client (see app.h; this only wires the process).
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/client_connection.h"

int main(int argc, char** argv) {
  // A closed socket or stdout pipe is reported as an error, not a silent death.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  prid::cli::Environment env;
  env.prid_socket = std::getenv("PRID_SOCKET");
  env.connect = prid::cli::ConnectToPrid;
  return prid::cli::Main(args, std::cin, std::cout, std::cerr, env);
}
