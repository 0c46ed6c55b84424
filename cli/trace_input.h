// The trace files prictl's offline commands read (decode, compare,
// replay): what the reader had to leave out is said once, the same way,
// whichever command read the file.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "base/expected.h"
#include "q931/trace_record.h"

namespace prid::cli {

// The file's records; each warning a reader attached to one of them
// ("line 3: unknown IE name 'Foo' (IE left out)") goes to `err` as
// "prictl: FILE: warning: …".
base::Result<std::vector<q931::TraceRecord>> ReadTraceInput(const std::string& path, std::ostream& err);

}  // namespace prid::cli
