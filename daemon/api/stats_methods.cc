// stats.get and stats.reset.
#include "daemon/api/stats_methods.h"

#include <fmt/format.h>

#include "daemon/line/span.h"

namespace prid::daemon {
namespace {

SpanIdentity IdentityOf(int number, const Span& span) {
  const std::string& name = span.config().name;
  return {number, name.empty() ? fmt::format("span{}", number) : name, span.dahdi_counters(),
          span.link_up()};
}

}  // namespace

std::vector<SpanIdentity> StatsSpans(const SpanMap& spans, const Span* only) {
  std::vector<SpanIdentity> out;
  for (const auto& [number, span] : spans) {
    if (only == nullptr || span.get() == only) out.push_back(IdentityOf(number, *span));
  }
  return out;
}

MethodResult StatsGetMethod(const Statistics& stats, const DaemonGauges& gauges, const SpanMap& spans,
                            const Args& args) {
  return stats.ToJson(gauges, StatsSpans(spans, args.OptionalSpanOf("span")));
}

MethodResult StatsResetMethod(Statistics& stats, const DaemonGauges& gauges, const SpanMap& spans) {
  stats.Reset(gauges, StatsSpans(spans));
  return nlohmann::json::object();
}

}  // namespace prid::daemon
