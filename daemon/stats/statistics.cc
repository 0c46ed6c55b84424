// prid's counters and statistics, and stats.get's JSON.
#include "daemon/stats/statistics.h"

#include <chrono>

#include "q931/names.h"

namespace prid::daemon {
namespace {

using json = nlohmann::json;

double Seconds(base::WallTime from, base::WallTime to) {
  return std::chrono::duration<double>(to - from).count();
}

json OrNull(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

// A counter its owner keeps from its own start, less its value at the last
// reset (a restarted owner — a span reloaded — starts again below it).
std::uint64_t Since(std::uint64_t now, std::uint64_t baseline) { return now >= baseline ? now - baseline : now; }

DahdiErrorCounts ErrorsOf(const dahdi_glue::DahdiDChannelCounters* c) {
  if (c == nullptr) return {};
  return {c->bad_fcs, c->abort, c->overrun, c->read_errors};
}

json Q921Json(const DirectionCounts& counts) {
  json out = json::object();
  for (std::size_t t = 0; t < kQ921Types; ++t) out[std::string(Q921TypeName(static_cast<Q921Type>(t)))] = counts.q921[t];
  return out;
}

// Every message type Q.931 names, 0 or not (a scraper sees a fixed set),
// and "other" for the rest.
json Q931Json(const DirectionCounts& counts) {
  json out = json::object();
  std::uint64_t other = 0;
  for (int t = 0; t < 256; ++t) {
    const std::string_view key = Q931MessageKey(static_cast<std::uint8_t>(t));
    if (key == "other") {
      other += counts.q931[t];
      continue;
    }
    out[std::string(key)] = counts.q931[t];
  }
  out["other"] = other;
  return out;
}

json CallsJson(const CallCounters& c) {
  json clearings = json::array();
  for (const auto& [key, count] : c.clearings()) {
    clearings.push_back({{"cause", key.first},
                         {"cause_name", q931::CauseName(key.first)},
                         {"origin", OriginName(key.second)},
                         {"count", count}});
  }
  const BoundedSample& pdd = c.post_dial_delay();
  return {{"offered", c.offered()},
          {"placed", c.placed()},
          {"answered_in", c.answered_in()},
          {"answered_out", c.answered_out()},
          {"ended", c.ended()},
          {"clearings", std::move(clearings)},
          {"asr", OrNull(c.Asr())},
          {"ner", OrNull(c.Ner())},
          {"post_dial_delay_s", {{"mean", OrNull(pdd.Mean())}, {"p95", OrNull(pdd.P95())}, {"samples", pdd.size()}}},
          {"hold_time_s", {{"mean", OrNull(c.MeanHoldTime())}, {"samples", c.hold_time_samples()}}}};
}

}  // namespace

Statistics::Statistics(Clock clock) : clock_(std::move(clock)), since_(clock_()) {}

void Statistics::KnowMethods(const std::vector<std::string_view>& names) {
  for (std::string_view name : names) rpc_.try_emplace(std::string(name));
}

void Statistics::Request(std::string_view method, bool ok) {
  auto it = rpc_.find(method);
  if (it == rpc_.end()) {
    ++rpc_unknown_;
    return;
  }
  ++it->second.requests;
  if (!ok) ++it->second.errors;
}

const SpanStatistics* Statistics::Find(int span) const {
  auto it = spans_.find(span);
  return it == spans_.end() ? nullptr : &it->second;
}

void Statistics::Reset(const DaemonGauges& gauges, const std::vector<SpanIdentity>& spans) {
  since_ = clock_();
  for (auto& [number, span] : spans_) {
    span.link.Reset();  // keeps its sequence state and its last establishment
    span.calls.Reset();
    span.alarms_seen = 0;
    span.dahdi_baseline = {};
  }
  for (const SpanIdentity& identity : spans) For(identity.span).dahdi_baseline = ErrorsOf(identity.dahdi);
  clients_total_ = 0;
  cut_off_baseline_ = gauges.clients_cut_off;
  events_baseline_ = gauges.events_sent;
  for (auto& [name, count] : rpc_) count = {};
  rpc_unknown_ = 0;
}

json Statistics::SpanJson(const SpanIdentity& identity, base::WallTime now) const {
  static const SpanStatistics kNothingYet;
  const SpanStatistics* found = Find(identity.span);
  const SpanStatistics& s = found ? *found : kNothingYet;
  const DahdiErrorCounts errors = ErrorsOf(identity.dahdi);
  const LinkCounters& link = s.link;
  const auto established = link.last_establishment();
  return {{"span", identity.span},
          {"name", identity.name},
          {"dchannel",
           {{"frames_in", link.in().frames},
            {"frames_out", link.out().frames},
            {"octets_in", link.in().octets},
            {"octets_out", link.out().octets},
            {"bad_fcs", Since(errors.bad_fcs, s.dahdi_baseline.bad_fcs)},
            {"abort", Since(errors.abort, s.dahdi_baseline.abort)},
            {"overrun", Since(errors.overrun, s.dahdi_baseline.overrun)},
            {"read_errors", Since(errors.read_errors, s.dahdi_baseline.read_errors)}}},
          {"alarms_seen", s.alarms_seen},
          {"q921",
           {{"state", std::string(Q921StateName(link.State(identity.dchannel_up)))},
            {"in", Q921Json(link.in())},
            {"out", Q921Json(link.out())},
            {"t200_retransmissions", link.t200_retransmissions()},
            {"link_resets", link.link_resets()},
            {"since_last_reset_s", established ? json(Seconds(*established, now)) : json(nullptr)}}},
          {"q931", {{"in", Q931Json(link.in())}, {"out", Q931Json(link.out())}}},
          {"calls", CallsJson(s.calls)}};
}

json Statistics::ToJson(const DaemonGauges& gauges, const std::vector<SpanIdentity>& spans) const {
  const base::WallTime now = clock_();
  json rpc = json::object();
  for (const auto& [name, count] : rpc_) rpc[name] = {{"requests", count.requests}, {"errors", count.errors}};
  json span_list = json::array();
  for (const SpanIdentity& identity : spans) span_list.push_back(SpanJson(identity, now));
  return {{"since_s", Seconds(since_, now)},
          {"daemon",
           {{"clients_now", gauges.clients_now},
            {"clients_total", clients_total_},
            {"clients_cut_off", Since(gauges.clients_cut_off, cut_off_baseline_)},
            {"events_sent", Since(gauges.events_sent, events_baseline_)},
            {"rpc", std::move(rpc)},
            {"rpc_unknown", rpc_unknown_}}},
          {"spans", std::move(span_list)}};
}

}  // namespace prid::daemon
