// Offline call-flow comparison for prictl.
#include "cli/compare.h"

#include "cli/outcome.h"
#include "q931/call_flow.h"
#include "q931/trace_reader.h"

namespace prid::cli {

int RunCompare(const Command& command, std::ostream& out, std::ostream& err) {
  auto expected = q931::ReadTraceFile(command.trace_file);
  if (!expected) {
    err << "prictl: " << expected.error() << '\n';
    return kExitUsage;
  }
  auto seen = q931::ReadTraceFile(command.other_trace_file);
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
