// prid-exporter's one resource: GET /metrics, prid queried afresh on each
// request; every other path is 404.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/metrics.h"
#include "exporter/http_server.h"

namespace prid::exporter {

inline constexpr std::string_view kMetricsPath = "/metrics";

class MetricsEndpoint {
 public:
  // `scrape` queries prid (cli::ScrapePrid in the program). What goes wrong
  // is written to `log` when it changes, not on every scrape: a prid that
  // stays down is logged once, and once more when it answers again.
  using Scrape = std::function<cli::MetricsQuery()>;
  MetricsEndpoint(Scrape scrape, std::ostream& log) : scrape_(std::move(scrape)), log_(log) {}

  // 200 with the exposition (prid_up 0 when prid is unreachable, so the
  // scrape itself succeeds), 405 for a method other than GET or HEAD on
  // /metrics, 404 elsewhere.
  HttpReply Handle(std::string_view method, std::string_view path);

 private:
  void Note(const std::vector<std::string>& problems);

  Scrape scrape_;
  std::ostream& log_;
  std::vector<std::string> last_problems_;
};

}  // namespace prid::exporter
