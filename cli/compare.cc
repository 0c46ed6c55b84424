// Offline call-flow comparison for prictl.
#include "cli/compare.h"

#include "cli/outcome.h"
#include "cli/trace_input.h"
#include "q931/call_flow.h"

namespace prid::cli {

int RunCompare(const Command& command, std::ostream& out, std::ostream& err) {
  auto expected = ReadTraceInput(command.trace_file, err);
  if (!expected) {
    err << "prictl: " << expected.error() << '\n';
    return kExitUsage;
  }
  auto seen = ReadTraceInput(command.other_trace_file, err);
  if (!seen) {
    err << "prictl: " << seen.error() << '\n';
    return kExitUsage;
  }
  const auto result = q931::CompareFlows(q931::CallFlow(*expected), q931::CallFlow(*seen));
  out << result.side_by_side;
  for (const auto& d : result.differences) out << "difference: " << d << '\n';
  out << (result.same() ? "same call flow\n"
                        : std::to_string(result.differences.size()) + " difference(s)\n");
  return result.same() ? kExitOk : kExitError;
}

}  // namespace prid::cli
