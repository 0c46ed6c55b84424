// `prictl stats`: stats.get's reply for people — the daemon's counters,
// then per span its D-channel, Q.921, Q.931 and call statistics.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>

namespace prid::cli {

// stats.get's result as "key  value" lines and tables (Q.921 frames, Q.931
// messages and clearings by cause, requests by method); types and methods
// with nothing counted are left out. Missing fields show as "-".
void WriteStats(std::ostream& out, const nlohmann::json& stats);
// One span of stats.get's "spans" the same way (`prictl span N` under its
// span.list entry): the Q.921 state first, then the counters.
void WriteSpanStats(std::ostream& out, const nlohmann::json& span);

}  // namespace prid::cli
