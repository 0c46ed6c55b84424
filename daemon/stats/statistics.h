// prid's counters and statistics (API.md stats.get, stats.reset), counted
// from the daemon's start or the last reset: per span the D-channel and its
// Q.921/Q.931 traffic (LinkCounters), the card's error counters, alarms and
// calls (CallCounters); per daemon clients, events and requests. The
// daemon feeds it from the frame tap, span state changes, the session
// model's events (CountingEventSink) and the RPC dispatch; counting is
// integer increments on what is already there.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time_format.h"
#include "dahdi-glue/dahdi_dchannel.h"
#include "daemon/stats/call_counters.h"
#include "daemon/stats/link_counters.h"

namespace prid::daemon {

struct RpcCount {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
};

// Counters whose owners keep them from their own start (the card's
// D-channel errors, the socket server's cut-offs, events queued): read
// when asked, less what they were at the last reset.
struct DahdiErrorCounts {
  std::uint64_t bad_fcs = 0;
  std::uint64_t abort = 0;
  std::uint64_t overrun = 0;
  std::uint64_t read_errors = 0;
};

struct SpanStatistics {
  LinkCounters link;
  CallCounters calls;
  std::uint64_t alarms_seen = 0;  // entries into the alarm state
  DahdiErrorCounts dahdi_baseline;
};

// What the daemon's owners say now, for stats.get.
struct DaemonGauges {
  std::uint64_t clients_now = 0;
  std::uint64_t clients_cut_off = 0;  // since the daemon started
  std::uint64_t events_sent = 0;      // since the daemon started
};

// One span as stats.get shows it; `dahdi`: its D-channel's counters (null
// for a sim span: they are 0).
struct SpanIdentity {
  int span = 0;
  std::string name;
  const dahdi_glue::DahdiDChannelCounters* dahdi = nullptr;
  bool dchannel_up = false;  // libpri's view: multiple frame established
};

class Statistics {
 public:
  using Clock = std::function<base::WallTime()>;
  explicit Statistics(Clock clock = [] { return std::chrono::system_clock::now(); });

  // --- counting --------------------------------------------------------
  void Frame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
    For(span).link.Frame(direction, frame, clock_);
  }
  void AlarmEntered(int span) { ++For(span).alarms_seen; }
  CallCounters& Calls(int span) { return For(span).calls; }
  base::WallTime Now() const { return clock_(); }
  void ClientOpened() { ++clients_total_; }
  // The methods counted by name; a request for any other counts in
  // rpc_unknown.
  void KnowMethods(const std::vector<std::string_view>& names);
  void Request(std::string_view method, bool ok);

  // stats.reset: every count to zero; the gauges' values now become their
  // baselines; `spans`: the spans whose card counters are baselined.
  void Reset(const DaemonGauges& gauges, const std::vector<SpanIdentity>& spans);

  // stats.get's result: `spans` in the order given.
  nlohmann::json ToJson(const DaemonGauges& gauges, const std::vector<SpanIdentity>& spans) const;

  const SpanStatistics* Find(int span) const;

 private:
  SpanStatistics& For(int span) { return spans_[span]; }
  nlohmann::json SpanJson(const SpanIdentity& identity, base::WallTime now) const;

  Clock clock_;
  base::WallTime since_;
  std::map<int, SpanStatistics> spans_;
  std::uint64_t clients_total_ = 0;
  std::uint64_t cut_off_baseline_ = 0;
  std::uint64_t events_baseline_ = 0;
  std::map<std::string, RpcCount, std::less<>> rpc_;
  std::uint64_t rpc_unknown_ = 0;
};

}  // namespace prid::daemon
