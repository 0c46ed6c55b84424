// `prictl run`: executes a script, one command per line, over one session.
#include "cli/script_runner.h"

#include <fmt/format.h>

#include "cli/command_line.h"
#include "cli/script.h"

namespace prid::cli {
namespace {

void PrintStop(std::ostream& err, const std::string& name, int line_number,
               const std::string& line) {
  std::string text = line;
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t\r") + 1);
  err << fmt::format("prictl: stopped at {} line {}: {}\n", name, line_number, text);
}

}  // namespace

int RunScript(std::istream& input, const std::string& name, Session& session, std::ostream& out,
              std::ostream& err) {
  // No events.subscribe: prid sends this connection the events of the calls
  // it holds (and span events of the lines it opens); a subscription would
  // add every other client's calls to the script's output.
  std::string line;
  int line_number = 0;
  while (std::getline(input, line)) {
    ++line_number;
    session.Pump();
    auto words = SplitScriptLine(line, session.current_call(), session.calls());
    if (!words) {
      err << "prictl: " << words.error() << '\n';
      PrintStop(err, name, line_number, line);
      return kExitUsage;
    }
    if (words->empty()) continue;
    ParseOutcome parsed = ParseCommandLine(*words, Grammar::kScript, "", out, err);
    if (!parsed.invocation) {
      if (parsed.exit_code == kExitOk) continue;  // --help
      PrintStop(err, name, line_number, line);
      return parsed.exit_code;
    }
    if (Outcome done = session.Execute(parsed.invocation->command); !done.ok()) {
      err << "prictl: " << done.message() << '\n';
      PrintStop(err, name, line_number, line);
      return done.exit_code();
    }
  }
  session.Pump();
  return kExitOk;
}

}  // namespace prid::cli
