// prid-exporter's GET /metrics.
#include "exporter/metrics_endpoint.h"

#include "cli/metrics_exposition.h"

namespace prid::exporter {

HttpReply MetricsEndpoint::Handle(std::string_view method, std::string_view path) {
  // Prometheus sends no query string, but a person's browser may: /metrics?x.
  if (path.substr(0, path.find('?')) != kMetricsPath) {
    return HttpReply{404, "text/plain; charset=utf-8", "not found: prid-exporter serves /metrics\n", ""};
  }
  if (method != "GET" && method != "HEAD") {
    return HttpReply{405, "text/plain; charset=utf-8", "only GET and HEAD\n", "GET, HEAD"};
  }
  cli::MetricsQuery query = scrape_();
  Note(query.problems);
  return HttpReply{200, std::string(cli::kExpositionContentType), cli::RenderExposition(query.snapshot), ""};
}

void MetricsEndpoint::Note(const std::vector<std::string>& problems) {
  if (problems == last_problems_) return;
  if (problems.empty()) {
    log_ << "prid-exporter: prid answers every request again" << std::endl;
  }
  for (const std::string& problem : problems) log_ << "prid-exporter: " << problem << std::endl;
  last_problems_ = problems;
}

}  // namespace prid::exporter
