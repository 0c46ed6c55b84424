// stats.get and stats.reset (API.md "Statistics"): the daemon's counters
// (daemon/stats) with what their owners hold now — the clients connected,
// cut-offs and events sent, each span's name and card counters.
#pragma once

#include <optional>
#include <vector>

#include "daemon/api/method_table.h"
#include "daemon/stats/statistics.h"

namespace prid::daemon {

// The spans stats.get shows, ascending; `only`: that one alone.
std::vector<SpanIdentity> StatsSpans(const SpanMap& spans, const Span* only = nullptr);
// stats.get {span?}: `span` an optional kSpan.
MethodResult StatsGetMethod(const Statistics& stats, const DaemonGauges& gauges, const SpanMap& spans,
                            const Args& args);
// stats.reset {}: the caller has checked the supervisor privilege.
MethodResult StatsResetMethod(Statistics& stats, const DaemonGauges& gauges, const SpanMap& spans);

}  // namespace prid::daemon
