// prictl as a function: arguments and streams in, exit code out.
#include "cli/app.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "cli/call_follower.h"
#include "cli/chan_dahdi_import.h"
#include "cli/cdr_view.h"
#include "cli/command_line.h"
#include "cli/compare.h"
#include "cli/decode.h"
#include "cli/event_follower.h"
#include "cli/metrics.h"
#include "cli/trace.h"
#include "cli/outcome.h"
#include "cli/replay.h"
#include "cli/script_runner.h"
#include "cli/session.h"

namespace prid::cli {

int Main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
         std::ostream& err, const Environment& env) {
  ParseOutcome parsed = ParseCommandLine(args, Grammar::kCommandLine,
                                         DefaultSocketPath(env.prid_socket), out, err);
  if (!parsed.invocation) return parsed.exit_code;
  const Invocation& invocation = *parsed.invocation;
  const Command& command = invocation.command;

  // Offline decoding needs no daemon.
  if (command.action == Action::kDecode) return RunDecode(command, invocation.json, out, err);
  if (command.action == Action::kCompare) return RunCompare(command, out, err);
  if (command.action == Action::kImport) return RunImport(command, out, err);
  // Prints prid_up 0 itself when prid cannot be reached.
  if (command.action == Action::kMetrics) return RunMetrics(env.connect, invocation.socket, invocation.json, out, err);
  // Asks prid only where the records are, and not at all with --sqlite or --postgresql.
  if (command.action == Action::kCdr) {
    return RunCdr(command.cdr, invocation.json, env.connect, invocation.socket, out, err);
  }

  // Open the script first: a typo in its name needs no daemon.
  std::ifstream file;
  std::istream* script = &in;
  std::string script_name = "stdin";
  if (command.action == Action::kRun && command.script != "-") {
    file.open(command.script);
    if (!file) {
      err << "prictl: cannot open " << command.script << ": " << std::strerror(errno) << '\n';
      return kExitUsage;
    }
    script = &file;
    script_name = command.script;
  }

  auto connection = env.connect(invocation.socket);
  if (!connection) {
    // The ipc client's message usually names the socket already.
    const std::string& reason = connection.error();
    if (reason.find(invocation.socket) != std::string::npos) {
      err << "prictl: " << reason << '\n';
    } else {
      err << "prictl: cannot connect to prid at " << invocation.socket << ": " << reason << '\n';
    }
    return kExitTransport;
  }
  if (command.action == Action::kEvents && command.follow) {
    if (env.following) env.following();
    Outcome followed = FollowEvents(std::move(*connection), command,
                                    FollowOptions{invocation.socket, invocation.json, env.connect,
                                                  env.retry_pause},
                                    out, err);
    if (!followed.ok()) err << "prictl: " << followed.message() << '\n';
    return followed.exit_code();
  }
  Session session(**connection, out,
                  SessionOptions{invocation.socket, invocation.json,
                                 /*echo_events=*/command.action == Action::kRun});
  if (command.action == Action::kRun) {
    return RunScript(*script, script_name, session, out, err);
  }
  if (command.action == Action::kReplay) return RunReplay(**connection, command, out, err);
  if (command.action == Action::kCall) {
    // Caught before the call is made, so that no Ctrl-C leaves it unattended.
    std::unique_ptr<Interrupts> interrupts;
    if (env.interrupts && !command.detach) {
      auto caught = env.interrupts();
      if (caught) {
        interrupts = std::move(*caught);
      } else {
        err << "prictl: warning: " << caught.error()
            << "; Ctrl-C ends prictl at once, and prid drops the call as the connection closes\n";
      }
    }
    Outcome followed = FollowCall(session, **connection, command, interrupts.get(),
                                  CallFollowOptions{invocation.socket, invocation.json}, out, err);
    if (!followed.ok()) err << "prictl: " << followed.message() << '\n';
    return followed.exit_code();
  }
  if (command.action == Action::kTrace) {
    Outcome traced = RunTrace(**connection, command, invocation.json, out, err);
    if (!traced.ok()) err << "prictl: " << traced.message() << '\n';
    return traced.exit_code();
  }
  Outcome done = session.Execute(command);
  if (!done.ok()) err << "prictl: " << done.message() << '\n';
  return done.exit_code();
}

}  // namespace prid::cli
