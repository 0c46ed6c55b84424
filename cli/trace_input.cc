// Trace files for prictl's offline commands.
#include "cli/trace_input.h"

#include <fmt/format.h>

#include "q931/trace_reader.h"

namespace prid::cli {

base::Result<std::vector<q931::TraceRecord>> ReadTraceInput(const std::string& path, std::ostream& err) {
  auto records = q931::ReadTraceFile(path);
  if (!records) return records;
  for (const auto& record : *records) {
    for (const auto& warning : record.warnings) err << fmt::format("prictl: {}: warning: {}\n", path, warning);
  }
  return records;
}

}  // namespace prid::cli
