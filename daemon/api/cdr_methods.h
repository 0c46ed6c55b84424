// cdr.status (API.md "Call detail records"): the writer's spool and stores.
#pragma once

#include "cdr/writer.h"
#include "daemon/api/method_table.h"

namespace prid::daemon {

// `writer` nullptr: CDRs are off ({enabled: false}).
MethodResult CdrStatusMethod(const cdr::Writer* writer);

}  // namespace prid::daemon
