// prictl: prid's command-line client (see app.h; this only wires the process).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "cli/app.h"
#include "cli/client_connection.h"

namespace {

// events --follow ends on Ctrl-C or SIGTERM, its normal way out: exit 0.
// Every event is flushed as it is printed, so nothing is left to write.
void EndFollowingOnInterrupt() {
  struct sigaction action {};
  action.sa_handler = [](int) { ::_exit(0); };
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM}) {
    struct sigaction previous {};
    // A shell that started us in the background ignores SIGINT for us: keep that.
    if (::sigaction(signal_number, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN) {
      continue;
    }
    ::sigaction(signal_number, &action, nullptr);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A closed socket or stdout pipe is reported as an error, not a silent death.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  prid::cli::Environment env;
  env.prid_socket = std::getenv("PRID_SOCKET");
  env.connect = prid::cli::ConnectToPrid;
  // Paced by a timer: this waits for a daemon that is not there.
  env.retry_pause = [](std::chrono::milliseconds pause) {
    std::this_thread::sleep_for(pause);
    return true;
  };
  env.following = EndFollowingOnInterrupt;
  env.interrupts = prid::cli::CatchInterrupts;
  return prid::cli::Main(args, std::cin, std::cout, std::cerr, env);
}
