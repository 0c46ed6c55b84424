// Renders prid's replies (stats.get, daemon.status, span.list) as the
// Prometheus text exposition format.
#include "cli/metrics_exposition.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace prid::cli {
namespace {

using nlohmann::json;
using Labels = std::vector<std::pair<std::string_view, std::string>>;

const json kNull;

// object[key], or null when object is not an object or has no such key.
const json& At(const json& object, const char* key) {
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// A double as the text format writes it (Go's ParseFloat reads it back).
std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// A JSON number as written, integers exactly; nullopt for anything else.
std::optional<std::string> NumberText(const json& value) {
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number_float()) return FormatDouble(value.get<double>());
  return std::nullopt;
}

std::optional<double> NumberValue(const json& value) {
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

// A label value from a JSON scalar: strings as they are, numbers as written.
std::string LabelText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (auto number = NumberText(value)) return *number;
  return "";
}

// Now minus an age, to the millisecond: "when it happened" as a Unix time
// that does not wobble in its last digits from scrape to scrape.
std::string TimestampBefore(double now_s, double age_s) {
  return FormatDouble(std::round((now_s - age_s) * 1000.0) / 1000.0);
}

struct Family {
  std::string_view name;
  std::string_view type;
  std::string_view help;
  std::string samples;  // the sample lines so far
};

// The families of one exposition, written in the order they were declared.
class Exposition {
 public:
  Family& Declare(std::string_view name, std::string_view type, std::string_view help) {
    return families_.emplace_back(Family{name, type, help, {}});
  }

  std::string Text() const {
    std::string text;
    for (const Family& family : families_) {
      if (family.samples.empty()) continue;
      text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, family.help, family.name, family.type);
      text += family.samples;
    }
    return text;
  }

 private:
  std::deque<Family> families_;  // a deque: Declare's references stay valid
};

// One sample line: the family's name (plus `suffix`: _sum, _count), labels, value.
void Sample(Family& family, std::string_view suffix, const Labels& labels, std::string_view value) {
  std::string& line = family.samples;
  line += family.name;
  line += suffix;
  if (!labels.empty()) {
    line += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) line += ',';
      line += fmt::format("{}=\"{}\"", labels[i].first, EscapeLabelValue(labels[i].second));
    }
    line += '}';
  }
  line += ' ';
  line += value;
  line += '\n';
}

void Sample(Family& family, const Labels& labels, std::string_view value) { Sample(family, "", labels, value); }

// A sample of the JSON number at `value`; nothing when it is not a number.
void NumberSample(Family& family, const Labels& labels, const json& value) {
  if (auto text = NumberText(value)) Sample(family, labels, *text);
}

Labels With(Labels labels, std::string_view name, std::string value) {
  labels.emplace_back(name, std::move(value));
  return labels;
}

void RenderStatus(Exposition& out, const json& status) {
  auto& info = out.Declare("prid_build_info", "gauge", "prid's version (daemon.status version) as a label; always 1");
  auto& uptime = out.Declare("prid_uptime_seconds", "gauge", "Seconds since prid started (daemon.status uptime_s)");
  auto& spans = out.Declare("prid_spans", "gauge", "Spans configured");
  auto& active = out.Declare("prid_calls_active", "gauge", "Calls not yet idle");
  auto& records = out.Declare("prid_call_records", "gauge", "Call records held, idle ones not yet deallocated included");
  auto& clients = out.Declare("prid_clients", "gauge", "Clients connected to prid's socket");
  auto& events = out.Declare("prid_events_total", "counter", "Events prid has logged (daemon.status events.last_seq)");
  auto& buffered = out.Declare("prid_event_buffer_events", "gauge", "Events held in the replay buffer");
  auto& buffer_bytes = out.Declare("prid_event_buffer_bytes", "gauge", "Size of the event lines in the replay buffer");

  if (const json& version = At(status, "version"); version.is_string()) {
    Sample(info, {{"version", version.get<std::string>()}}, "1");
  }
  NumberSample(uptime, {}, At(status, "uptime_s"));
  NumberSample(spans, {}, At(status, "spans"));
  NumberSample(active, {}, At(At(status, "calls"), "active"));
  NumberSample(records, {}, At(At(status, "calls"), "records"));
  NumberSample(clients, {}, At(status, "clients"));
  const json& log = At(status, "events");
  NumberSample(events, {}, At(log, "last_seq"));
  NumberSample(buffered, {}, At(log, "buffered"));
  NumberSample(buffer_bytes, {}, At(log, "bytes"));
}

void RenderSpanList(Exposition& out, const json& spans) {
  auto& info = out.Declare("prid_span_info", "gauge", "A configured span's name, driver, node and switch as labels; always 1");
  auto& up = out.Declare("prid_span_up", "gauge", "1 when the span is up (Q.921 multiple frame operation), else 0");
  auto& alarm = out.Declare("prid_span_alarm", "gauge", "1 for each alarm the span's card reports now");
  auto& bchannels = out.Declare("prid_span_bchannels", "gauge", "B-channels by state");
  auto& restart_failures = out.Declare("prid_span_restart_failures_total", "counter",
                                       "B-channels given up on after N316 RESTARTs without acknowledge");
  if (!spans.is_array()) return;
  for (const json& span : spans) {
    const Labels labels{{"span", LabelText(At(span, "span"))}};
    Sample(info,
           With(With(With(With(labels, "name", LabelText(At(span, "name"))), "driver", LabelText(At(span, "driver"))),
                     "node", LabelText(At(span, "node"))),
                "switch", LabelText(At(span, "switch"))),
           "1");
    if (const json& state = At(span, "state"); state.is_string()) {
      Sample(up, labels, state == "up" ? "1" : "0");
    }
    if (const json& alarms = At(span, "alarms"); alarms.is_array()) {
      for (const json& name : alarms) Sample(alarm, With(labels, "alarm", LabelText(name)), "1");
    }
    if (const json& channels = At(span, "bchannels"); channels.is_array()) {
      std::map<std::string, int> by_state;
      for (const json& channel : channels) ++by_state[LabelText(At(channel, "state"))];
      for (const auto& [state, count] : by_state) {
        Sample(bchannels, With(labels, "state", state), std::to_string(count));
      }
    }
    NumberSample(restart_failures, labels, At(span, "restart_failures"));
  }
}

// A summary of what the JSON gives as {mean, samples[, p95]}: _sum is
// mean × samples; the 0.95 quantile is NaN with no sample, as client
// libraries write an empty summary.
void SummarySamples(Family& family, const Labels& labels, const json& summary, bool has_p95) {
  const auto count = NumberValue(At(summary, "samples"));
  if (!count) return;
  const auto mean = NumberValue(At(summary, "mean"));
  if (has_p95) {
    const auto p95 = NumberValue(At(summary, "p95"));
    Sample(family, With(labels, "quantile", "0.95"), p95 ? FormatDouble(*p95) : "NaN");
  }
  if (mean) {
    Sample(family, "_sum", labels, FormatDouble(*mean * *count));
  } else if (*count == 0) {
    Sample(family, "_sum", labels, "0");
  }
  Sample(family, "_count", labels, *NumberText(At(summary, "samples")));
}

// Each {key: count} of `counts` as a sample labelled `label`="key".
void CountsByName(Family& family, const Labels& labels, std::string_view label, const json& counts) {
  if (!counts.is_object()) return;
  for (const auto& [name, count] : counts.items()) NumberSample(family, With(labels, label, name), count);
}

void RenderStats(Exposition& out, const json& stats, double now_s) {
  auto& since = out.Declare("prid_stats_start_time_seconds", "gauge",
                            "Unix time from which prid's counters count (stats.get since_s before the scrape)");
  auto& connected = out.Declare("prid_clients_connected_total", "counter", "Clients that connected to prid's socket");
  auto& cut_off = out.Declare("prid_clients_cut_off_total", "counter",
                              "Clients prid cut off (their queue passed its bound)");
  auto& events_sent = out.Declare("prid_events_sent_total", "counter", "Event lines sent to clients");
  auto& rpc_requests = out.Declare("prid_rpc_requests_total", "counter", "Requests by method");
  auto& rpc_errors = out.Declare("prid_rpc_errors_total", "counter", "Requests answered with an error, by method");

  auto& frames = out.Declare("prid_dchannel_frames_total", "counter", "D-channel frames received (in) and sent (out)");
  auto& bytes = out.Declare("prid_dchannel_bytes_total", "counter", "D-channel octets received (in) and sent (out)");
  auto& errors = out.Declare("prid_dchannel_errors_total", "counter",
                             "D-channel receive errors by kind: bad_fcs, abort, overrun, read_errors");
  auto& alarms = out.Declare("prid_span_alarms_total", "counter", "Span alarms the card reported");
  auto& q921 = out.Declare("prid_q921_frames_total", "counter", "Q.921 frames by direction and type (I, RR, SABME…)");
  auto& t200 = out.Declare("prid_q921_t200_retransmissions_total", "counter", "Q.921 frames sent again when T200 expired");
  auto& resets = out.Declare("prid_q921_link_resets_total", "counter", "Q.921 data link resets (re-establishments)");
  auto& last_reset = out.Declare("prid_q921_last_link_reset_timestamp_seconds", "gauge",
                                 "Unix time of the last Q.921 data link reset");
  auto& q931 = out.Declare("prid_q931_messages_total", "counter", "Q.931 messages by direction and message type");
  auto& attempted = out.Declare("prid_calls_attempted_total", "counter",
                                "Calls offered to prid (in) and placed by it (out)");
  auto& answered = out.Declare("prid_calls_answered_total", "counter", "Calls answered, by direction");
  auto& clearings = out.Declare("prid_call_clearings_total", "counter",
                                "Calls cleared, by Q.850 cause and origin (local: prid, remote: the far end)");
  auto& asr = out.Declare("prid_calls_asr_ratio", "gauge", "Answer-seizure ratio: calls answered per call attempted");
  auto& ner = out.Declare("prid_calls_ner_ratio", "gauge",
                          "Network effectiveness ratio: calls answered or refused by the user per call attempted");
  auto& pdd = out.Declare("prid_post_dial_delay_seconds", "summary", "Post-dial delay: SETUP sent to ALERTING or CONNECT");
  auto& hold = out.Declare("prid_call_hold_seconds", "summary", "Call hold time: answer to clearing");

  if (const auto age = NumberValue(At(stats, "since_s"))) Sample(since, {}, TimestampBefore(now_s, *age));
  const json& daemon = At(stats, "daemon");
  NumberSample(connected, {}, At(daemon, "clients_total"));
  NumberSample(cut_off, {}, At(daemon, "clients_cut_off"));
  NumberSample(events_sent, {}, At(daemon, "events_sent"));
  if (const json& rpc = At(daemon, "rpc"); rpc.is_object()) {
    for (const auto& [method, counts] : rpc.items()) {
      NumberSample(rpc_requests, {{"method", method}}, At(counts, "requests"));
      NumberSample(rpc_errors, {{"method", method}}, At(counts, "errors"));
    }
  }

  const json& spans = At(stats, "spans");
  if (!spans.is_array()) return;
  for (const json& span : spans) {
    const Labels labels{{"span", LabelText(At(span, "span"))}};
    const json& dchannel = At(span, "dchannel");
    NumberSample(frames, With(labels, "direction", "in"), At(dchannel, "frames_in"));
    NumberSample(frames, With(labels, "direction", "out"), At(dchannel, "frames_out"));
    NumberSample(bytes, With(labels, "direction", "in"), At(dchannel, "octets_in"));
    NumberSample(bytes, With(labels, "direction", "out"), At(dchannel, "octets_out"));
    for (const char* kind : {"bad_fcs", "abort", "overrun", "read_errors"}) {
      NumberSample(errors, With(labels, "kind", kind), At(dchannel, kind));
    }
    NumberSample(alarms, labels, At(span, "alarms_seen"));

    const json& link = At(span, "q921");
    CountsByName(q921, With(labels, "direction", "in"), "type", At(link, "in"));
    CountsByName(q921, With(labels, "direction", "out"), "type", At(link, "out"));
    NumberSample(t200, labels, At(link, "t200_retransmissions"));
    NumberSample(resets, labels, At(link, "link_resets"));
    if (const auto age = NumberValue(At(link, "since_last_reset_s"))) {
      Sample(last_reset, labels, TimestampBefore(now_s, *age));
    }

    const json& messages = At(span, "q931");
    CountsByName(q931, With(labels, "direction", "in"), "message", At(messages, "in"));
    CountsByName(q931, With(labels, "direction", "out"), "message", At(messages, "out"));

    const json& calls = At(span, "calls");
    NumberSample(attempted, With(labels, "direction", "in"), At(calls, "offered"));
    NumberSample(attempted, With(labels, "direction", "out"), At(calls, "placed"));
    NumberSample(answered, With(labels, "direction", "in"), At(calls, "answered_in"));
    NumberSample(answered, With(labels, "direction", "out"), At(calls, "answered_out"));
    if (const json& cleared = At(calls, "clearings"); cleared.is_array()) {
      for (const json& row : cleared) {
        NumberSample(clearings,
                     With(With(With(labels, "cause", LabelText(At(row, "cause"))), "cause_name",
                               LabelText(At(row, "cause_name"))),
                          "origin", LabelText(At(row, "origin"))),
                     At(row, "count"));
      }
    }
    NumberSample(asr, labels, At(calls, "asr"));
    NumberSample(ner, labels, At(calls, "ner"));
    SummarySamples(pdd, labels, At(calls, "post_dial_delay_s"), /*has_p95=*/true);
    SummarySamples(hold, labels, At(calls, "hold_time_s"), /*has_p95=*/false);
  }
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': escaped += "\\\\"; break;
      case '"': escaped += "\\\""; break;
      case '\n': escaped += "\\n"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

// cdr.status: the writer's spool and stores (docs/cdr.md); nothing when
// CDRs are off.
void RenderCdr(Exposition& out, const json& cdr) {
  auto& records = out.Declare("prid_cdr_records_total", "counter", "Call detail records made since prid started");
  auto& bytes = out.Declare("prid_cdr_spool_bytes", "gauge", "Size of the CDR spool on disk");
  auto& max_bytes = out.Declare("prid_cdr_spool_max_bytes", "gauge", "The CDR spool's bound ([cdr] spool_max_mb)");
  auto& pending = out.Declare("prid_cdr_spool_pending_records", "gauge", "CDRs in the spool some store has not committed");
  auto& refused = out.Declare("prid_cdr_spool_refused_total", "counter",
                              "CDRs the spool could not take (its bound or a full disk); each is logged whole");
  auto& store_up = out.Declare("prid_cdr_store_up", "gauge", "1 when the CDR store's last attempt succeeded, 0 while it is retrying");
  auto& written = out.Declare("prid_cdr_store_written_total", "counter", "CDRs the store committed since prid started");
  auto& store_pending = out.Declare("prid_cdr_store_pending_records", "gauge", "CDRs in the spool the store has not committed");
  if (!cdr.is_object() || At(cdr, "enabled") != true) return;
  NumberSample(records, {}, At(cdr, "records"));
  const json& spool = At(cdr, "spool");
  NumberSample(bytes, {}, At(spool, "bytes"));
  NumberSample(max_bytes, {}, At(spool, "max_bytes"));
  NumberSample(pending, {}, At(spool, "pending"));
  NumberSample(refused, {}, At(spool, "refused"));
  if (const json& stores = At(cdr, "stores"); stores.is_array()) {
    for (const json& store : stores) {
      const Labels labels{{"store", LabelText(At(store, "kind"))}};
      if (const json& state = At(store, "state"); state.is_string()) Sample(store_up, labels, state == "ok" ? "1" : "0");
      NumberSample(written, labels, At(store, "written"));
      NumberSample(store_pending, labels, At(store, "pending"));
    }
  }
}

std::string RenderExposition(const MetricsSnapshot& snapshot) {
  Exposition out;
  auto& up = out.Declare("prid_up", "gauge", "1 when prid answered this scrape, 0 when it could not be reached");
  Sample(up, {}, snapshot.up ? "1" : "0");
  if (snapshot.up) {
    RenderStatus(out, snapshot.status);
    RenderSpanList(out, snapshot.spans);
    RenderStats(out, snapshot.stats, snapshot.now_s);
    RenderCdr(out, snapshot.cdr);
  }
  return out.Text();
}

}  // namespace prid::cli
