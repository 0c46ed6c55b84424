// One scrape of prid for Prometheus: daemon.status, span.list, stats.get, cdr.status.
#include "cli/metrics.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "cli/json_fields.h"
#include "cli/outcome.h"

namespace prid::cli {
namespace {

using nlohmann::json;

// span.list's page bound (API.md "Paging").
constexpr int kSpanPage = 8;

std::string Problem(std::string_view method, const ipc::RpcError& error) {
  return fmt::format("{}: {}: {}", method, error.name, error.message);
}

bool Is(const ipc::RpcError& error, ipc::ErrorCode code) { return error.code == static_cast<int>(code); }

// Every span entry, page after page.
json ListSpans(Connection& connection, std::vector<std::string>& problems) {
  json spans = json::array();
  int after = 0;
  for (;;) {
    auto page = connection.Call("span.list", {{"after", after}, {"limit", kSpanPage}});
    if (!page) {
      problems.push_back(Problem("span.list", page.error()));
      return spans;
    }
    if (!page->is_array()) return spans;
    for (const json& span : *page) spans.push_back(span);
    if (page->size() < static_cast<std::size_t>(kSpanPage)) return spans;
    auto last = IntField(page->back(), "span");
    if (!last || *last <= after) return spans;  // a page that does not move on would loop
    after = static_cast<int>(*last);
  }
}

// stats.get; when the whole reply passes the line bound, the daemon part
// of one span's reply and every span's own entry.
json GetStats(Connection& connection, const json& spans, std::vector<std::string>& problems) {
  auto stats = connection.Call("stats.get", json::object());
  if (stats) return std::move(*stats);
  if (Is(stats.error(), ipc::ErrorCode::kMethodNotFound)) return nullptr;  // a prid from before stats.get
  if (!Is(stats.error(), ipc::ErrorCode::kResultTooLarge)) {
    problems.push_back(Problem("stats.get", stats.error()));
    return nullptr;
  }
  json merged;
  for (const json& span : spans) {
    auto number = IntField(span, "span");
    if (!number) continue;
    auto one = connection.Call("stats.get", {{"span", *number}});
    if (!one) {
      problems.push_back(Problem(fmt::format("stats.get span {}", *number), one.error()));
      continue;
    }
    if (merged.is_null()) {
      merged = *one;
      merged["spans"] = json::array();
    }
    if (const auto it = one->find("spans"); it != one->end() && it->is_array()) {
      for (const json& entry : *it) merged["spans"].push_back(entry);
    }
  }
  return merged;
}

}  // namespace

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

MetricsQuery QueryMetrics(Connection& connection, double now_s) {
  MetricsQuery query;
  query.snapshot.now_s = now_s;
  auto status = connection.Call("daemon.status", json::object());
  if (!status) {
    query.problems.push_back(Problem("daemon.status", status.error()));
    return query;
  }
  query.snapshot.up = true;
  query.snapshot.status = std::move(*status);
  query.snapshot.spans = ListSpans(connection, query.problems);
  query.snapshot.stats = GetStats(connection, query.snapshot.spans, query.problems);
  auto cdr = connection.Call("cdr.status", json::object());
  if (cdr) {
    query.snapshot.cdr = std::move(*cdr);
  } else if (!Is(cdr.error(), ipc::ErrorCode::kMethodNotFound)) {  // a prid from before CDRs
    query.problems.push_back(Problem("cdr.status", cdr.error()));
  }
  return query;
}

MetricsQuery ScrapePrid(const Connector& connect, const std::string& socket_path) {
  auto connection = connect(socket_path);
  if (!connection) {
    MetricsQuery down;
    down.snapshot.now_s = UnixNow();
    const std::string& reason = connection.error();
    down.problems.push_back(reason.find(socket_path) != std::string::npos
                                ? reason
                                : fmt::format("cannot connect to prid at {}: {}", socket_path, reason));
    return down;
  }
  return QueryMetrics(**connection, UnixNow());
}

json MetricsJson(const MetricsQuery& query) {
  const MetricsSnapshot& s = query.snapshot;
  return json{{"up", s.up},        {"now", s.now_s}, {"status", s.status}, {"spans", s.spans},
              {"stats", s.stats},  {"cdr", s.cdr},   {"problems", query.problems}};
}

int RunMetrics(const Connector& connect, const std::string& socket_path, bool as_json, std::ostream& out,
               std::ostream& err) {
  MetricsQuery query = ScrapePrid(connect, socket_path);
  if (as_json) {
    out << MetricsJson(query).dump() << '\n' << std::flush;
  } else {
    out << RenderExposition(query.snapshot) << std::flush;
  }
  for (const std::string& problem : query.problems) err << "prictl: " << problem << '\n';
  if (!query.snapshot.up) return kExitTransport;
  return query.problems.empty() ? kExitOk : kExitError;
}

}  // namespace prid::cli
