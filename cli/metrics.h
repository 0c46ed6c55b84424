// One scrape of prid for Prometheus: the requests over one connection and
// the exposition they render to. `prictl metrics` and prid-exporter share it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/connection.h"
#include "cli/metrics_exposition.h"

namespace prid::cli {

struct MetricsQuery {
  MetricsSnapshot snapshot;
  // What went wrong, one line each ("stats.get: MethodNotFound: …"); an
  // empty list means every reply came.
  std::vector<std::string> problems;
};

// daemon.status, span.list (every page), stats.get and cdr.status over
// `connection`, one after the other. A stats.get too large for one line (many spans) is
// asked again span by span; a prid without stats.get leaves stats null.
// snapshot.up is false when daemon.status did not answer.
MetricsQuery QueryMetrics(Connection& connection, double now_s);

// Connects to prid at `socket_path` and queries it; when it cannot be
// reached the snapshot is down (prid_up 0) and the problem says why.
MetricsQuery ScrapePrid(const Connector& connect, const std::string& socket_path);

// The Unix time now, in seconds.
double UnixNow();

// The scrape as one JSON object: up, now (Unix seconds), the replies it
// rendered from (status, spans, stats, cdr) and problems.
nlohmann::json MetricsJson(const MetricsQuery& query);

// `prictl metrics`: prints the exposition (with `as_json`, MetricsJson
// instead) to `out` (prid_up 0 when prid is unreachable) and each problem
// to `err`; 0 when prid answered everything, kExitTransport when it could
// not be reached, kExitError when a request failed.
int RunMetrics(const Connector& connect, const std::string& socket_path, bool as_json, std::ostream& out,
               std::ostream& err);

}  // namespace prid::cli
