// Renders what prid reports about itself (stats.get, daemon.status and
// span.list replies) in the Prometheus text exposition format 0.0.4: a pure
// function of the replies, no I/O.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace prid::cli {

// The Content-Type of RenderExposition's output.
inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// The replies of one scrape. A null member is a reply that did not come: a
// daemon without stats.get gives the status and span metrics only; a daemon
// that cannot be reached gives only `prid_up 0`.
struct MetricsSnapshot {
  bool up = false;                            // daemon.status answered
  nlohmann::json status;                      // daemon.status's result
  nlohmann::json spans;                       // span.list's entries, every page
  nlohmann::json stats;                       // stats.get's result
  nlohmann::json cdr;                         // cdr.status's result (null: a prid without it)
  double now_s = 0;                           // Unix time of the scrape
};

// The exposition: every family with its HELP and TYPE, in a fixed order;
// a family with no sample is left out. Fields missing from a reply (an
// older or newer prid) leave out their samples, never fail. Times the
// replies give as ages (uptime_s, since_s) become Unix timestamps against
// now_s, Prometheus' convention for "when did it happen".
std::string RenderExposition(const MetricsSnapshot& snapshot);

// A label value as the text format wants it: \ " and newline escaped.
std::string EscapeLabelValue(std::string_view value);

}  // namespace prid::cli
