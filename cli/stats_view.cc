// `prictl stats`: stats.get for people.
#include "cli/stats_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/table.h"

namespace prid::cli {
namespace {

using nlohmann::json;

// The Q.921 frame types a link always has a row for; the others only when counted.
constexpr const char* kQ921Rows[] = {"I", "RR", "RNR", "REJ", "SABME", "DISC", "UA", "DM", "FRMR"};

const json& At(const json& j, const char* key) {
  static const json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

std::string Count(const json& j) { return j.is_number() ? std::to_string(j.get<std::uint64_t>()) : "-"; }

std::string Seconds(const json& j) {
  if (!j.is_number()) return "-";
  return fmt::format("{:.3f} s", j.get<double>());
}

std::string Ratio(const json& j) { return j.is_number() ? fmt::format("{:.3f}", j.get<double>()) : "-"; }

void Line(std::ostream& out, const std::string& key, const std::string& value) {
  out << fmt::format("  {:<22}{}\n", key, value);
}

bool Counted(const json& j) { return j.is_number() && j.get<std::uint64_t>() != 0; }

void WriteInOut(std::ostream& out, const char* header, const json& in, const json& outgoing,
                const std::vector<std::string>& always) {
  Table table({header, "IN", "OUT"});
  std::vector<std::string> keys = always;
  if (in.is_object()) {
    for (const auto& [key, value] : in.items()) {
      const bool listed = std::find(keys.begin(), keys.end(), key) != keys.end();
      if (!listed && (Counted(value) || Counted(At(outgoing, key.c_str())))) keys.push_back(key);
    }
  }
  if (keys.empty()) return;
  for (const std::string& key : keys) table.AddRow({key, Count(At(in, key.c_str())), Count(At(outgoing, key.c_str()))});
  table.Write(out);
}

void WriteSpan(std::ostream& out, const json& span) {
  out << fmt::format("span {} ({})\n", Count(At(span, "span")),
                     At(span, "name").is_string() ? At(span, "name").get<std::string>() : "-");
  const json& d = At(span, "dchannel");
  Line(out, "D-channel frames", fmt::format("in {}  out {}", Count(At(d, "frames_in")), Count(At(d, "frames_out"))));
  Line(out, "D-channel octets", fmt::format("in {}  out {}", Count(At(d, "octets_in")), Count(At(d, "octets_out"))));
  Line(out, "D-channel errors",
       fmt::format("bad FCS {}  abort {}  overrun {}  read errors {}", Count(At(d, "bad_fcs")),
                   Count(At(d, "abort")), Count(At(d, "overrun")), Count(At(d, "read_errors"))));
  Line(out, "alarms seen", Count(At(span, "alarms_seen")));
  const json& q921 = At(span, "q921");
  if (At(q921, "state").is_string()) Line(out, "Q.921 state", At(q921, "state").get<std::string>());
  const json& since = At(q921, "since_last_reset_s");
  Line(out, "link resets",
       fmt::format("{} (last {})", Count(At(q921, "link_resets")), since.is_number() ? Seconds(since) + " ago" : "never"));
  Line(out, "T200 retransmissions", Count(At(q921, "t200_retransmissions")));
  const json& calls = At(span, "calls");
  Line(out, "calls",
       fmt::format("offered {}  placed {}  answered in {} / out {}  ended {}", Count(At(calls, "offered")),
                   Count(At(calls, "placed")), Count(At(calls, "answered_in")), Count(At(calls, "answered_out")),
                   Count(At(calls, "ended"))));
  Line(out, "ASR / NER", fmt::format("{} / {}", Ratio(At(calls, "asr")), Ratio(At(calls, "ner"))));
  const json& pdd = At(calls, "post_dial_delay_s");
  Line(out, "post-dial delay",
       fmt::format("mean {}  p95 {}  ({} samples)", Seconds(At(pdd, "mean")), Seconds(At(pdd, "p95")),
                   Count(At(pdd, "samples"))));
  const json& hold = At(calls, "hold_time_s");
  Line(out, "hold time", fmt::format("mean {}  ({} samples)", Seconds(At(hold, "mean")), Count(At(hold, "samples"))));
  out << '\n';
  WriteInOut(out, "Q.921", At(q921, "in"), At(q921, "out"), {std::begin(kQ921Rows), std::end(kQ921Rows)});
  out << '\n';
  const json& q931 = At(span, "q931");
  WriteInOut(out, "Q.931", At(q931, "in"), At(q931, "out"), {});
  const json& clearings = At(calls, "clearings");
  if (clearings.is_array() && !clearings.empty()) {
    out << '\n';
    Table table({"CAUSE", "NAME", "ORIGIN", "COUNT"});
    for (const json& c : clearings) {
      table.AddRow({Count(At(c, "cause")), At(c, "cause_name").is_string() ? At(c, "cause_name").get<std::string>() : "-",
                    At(c, "origin").is_string() ? At(c, "origin").get<std::string>() : "-", Count(At(c, "count"))});
    }
    table.Write(out);
  }
}

}  // namespace

void WriteSpanStats(std::ostream& out, const json& span) { WriteSpan(out, span); }

void WriteStats(std::ostream& out, const json& stats) {
  const json& daemon = At(stats, "daemon");
  out << "daemon\n";
  Line(out, "counting for", Seconds(At(stats, "since_s")));
  Line(out, "clients", fmt::format("{} now  {} total  {} cut off", Count(At(daemon, "clients_now")),
                                   Count(At(daemon, "clients_total")), Count(At(daemon, "clients_cut_off"))));
  Line(out, "events sent", Count(At(daemon, "events_sent")));
  const json& rpc = At(daemon, "rpc");
  Table requests({"METHOD", "REQUESTS", "ERRORS"});
  bool any = false;
  if (rpc.is_object()) {
    for (const auto& [method, count] : rpc.items()) {
      if (!Counted(At(count, "requests"))) continue;
      requests.AddRow({method, Count(At(count, "requests")), Count(At(count, "errors"))});
      any = true;
    }
  }
  if (Counted(At(daemon, "rpc_unknown"))) {
    requests.AddRow({"(no such method)", Count(At(daemon, "rpc_unknown")), Count(At(daemon, "rpc_unknown"))});
    any = true;
  }
  if (any) {
    out << '\n';
    requests.Write(out);
  }
  const json& spans = At(stats, "spans");
  if (!spans.is_array()) return;
  for (const json& span : spans) {
    out << '\n';
    WriteSpan(out, span);
  }
}

}  // namespace prid::cli
