// The Prometheus exposition of prid's replies, line for line.
#include "cli/metrics_exposition.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace prid::cli {
namespace {

using nlohmann::json;

constexpr double kNow = 1764745000.0;

const char* const kStatus = R"({"version":"0.1.0","api":1,"pid":4242,"uptime_s":120,"spans":1,
  "calls":{"active":2,"records":3},"clients":4,"instance":"abc",
  "events":{"last_seq":57,"buffered":57,"bytes":9000}})";

const char* const kSpans = R"([{"span":1,"name":"trunk \"A\"","driver":"sim","node":"cpe","switch":"euroisdn_e1",
  "state":"up","dchannel_state":"up","alarms":[],"uui_max":128,"appearance":"single","hunt":"ascending",
  "restart_failures":0,
  "bchannels":[{"channel":1,"state":"busy","service":"in"},{"channel":2,"state":"idle","service":"in"},
               {"channel":3,"state":"idle","service":"in"}]}])";

const char* const kStats = R"({"since_s":100.5,
  "daemon":{"clients_now":4,"clients_total":9,"clients_cut_off":1,"events_sent":300,
            "rpc":{"call.make":{"requests":5,"errors":1},"daemon.status":{"requests":7,"errors":0}}},
  "spans":[{"span":1,"name":"trunk \"A\"",
    "dchannel":{"frames_in":40,"frames_out":42,"octets_in":800,"octets_out":900,"bad_fcs":2,"abort":0,
                "overrun":0,"read_errors":0},
    "alarms_seen":0,
    "q921":{"in":{"I":20,"RR":18,"SABME":0,"UA":1},"out":{"I":22,"RR":19,"SABME":1},
            "t200_retransmissions":3,"link_resets":1,"since_last_reset_s":60.25},
    "q931":{"in":{"CONNECT":4,"SETUP":1},"out":{"DISCONNECT":3,"SETUP":5}},
    "calls":{"offered":1,"placed":5,"answered_in":1,"answered_out":4,
             "clearings":[{"cause":16,"cause_name":"normal_clearing","origin":"local","count":3},
                          {"cause":17,"cause_name":"user_busy","origin":"remote","count":1}],
             "asr":0.8333333333333334,"ner":1.0,
             "post_dial_delay_s":{"mean":0.25,"p95":0.5,"samples":4},
             "hold_time_s":{"mean":12.5,"samples":4}}}]})";

MetricsSnapshot Fixture() {
  MetricsSnapshot snapshot;
  snapshot.up = true;
  snapshot.status = json::parse(kStatus);
  snapshot.spans = json::parse(kSpans);
  snapshot.stats = json::parse(kStats);
  snapshot.now_s = kNow;
  return snapshot;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Only the sample lines (no # HELP / # TYPE).
std::vector<std::string> Samples(const std::string& text) {
  std::vector<std::string> samples;
  for (const std::string& line : Lines(text)) {
    if (!line.starts_with("#")) samples.push_back(line);
  }
  return samples;
}

TEST(MetricsExposition, RendersEveryFamilyOfTheRepliesExactly) {
  const std::string expected = R"(# HELP prid_up 1 when prid answered this scrape, 0 when it could not be reached
# TYPE prid_up gauge
prid_up 1
# HELP prid_build_info prid's version (daemon.status version) as a label; always 1
# TYPE prid_build_info gauge
prid_build_info{version="0.1.0"} 1
# HELP prid_uptime_seconds Seconds since prid started (daemon.status uptime_s)
# TYPE prid_uptime_seconds gauge
prid_uptime_seconds 120
# HELP prid_spans Spans configured
# TYPE prid_spans gauge
prid_spans 1
# HELP prid_calls_active Calls not yet idle
# TYPE prid_calls_active gauge
prid_calls_active 2
# HELP prid_call_records Call records held, idle ones not yet deallocated included
# TYPE prid_call_records gauge
prid_call_records 3
# HELP prid_clients Clients connected to prid's socket
# TYPE prid_clients gauge
prid_clients 4
# HELP prid_events_total Events prid has logged (daemon.status events.last_seq)
# TYPE prid_events_total counter
prid_events_total 57
# HELP prid_event_buffer_events Events held in the replay buffer
# TYPE prid_event_buffer_events gauge
prid_event_buffer_events 57
# HELP prid_event_buffer_bytes Size of the event lines in the replay buffer
# TYPE prid_event_buffer_bytes gauge
prid_event_buffer_bytes 9000
# HELP prid_span_info A configured span's name, driver, node and switch as labels; always 1
# TYPE prid_span_info gauge
prid_span_info{span="1",name="trunk \"A\"",driver="sim",node="cpe",switch="euroisdn_e1"} 1
# HELP prid_span_up 1 when the span is up (Q.921 multiple frame operation), else 0
# TYPE prid_span_up gauge
prid_span_up{span="1"} 1
# HELP prid_span_bchannels B-channels by state
# TYPE prid_span_bchannels gauge
prid_span_bchannels{span="1",state="busy"} 1
prid_span_bchannels{span="1",state="idle"} 2
# HELP prid_span_restart_failures_total B-channels given up on after N316 RESTARTs without acknowledge
# TYPE prid_span_restart_failures_total counter
prid_span_restart_failures_total{span="1"} 0
# HELP prid_stats_start_time_seconds Unix time from which prid's counters count (stats.get since_s before the scrape)
# TYPE prid_stats_start_time_seconds gauge
prid_stats_start_time_seconds 1764744899.5
# HELP prid_clients_connected_total Clients that connected to prid's socket
# TYPE prid_clients_connected_total counter
prid_clients_connected_total 9
# HELP prid_clients_cut_off_total Clients prid cut off (their queue passed its bound)
# TYPE prid_clients_cut_off_total counter
prid_clients_cut_off_total 1
# HELP prid_events_sent_total Event lines sent to clients
# TYPE prid_events_sent_total counter
prid_events_sent_total 300
# HELP prid_rpc_requests_total Requests by method
# TYPE prid_rpc_requests_total counter
prid_rpc_requests_total{method="call.make"} 5
prid_rpc_requests_total{method="daemon.status"} 7
# HELP prid_rpc_errors_total Requests answered with an error, by method
# TYPE prid_rpc_errors_total counter
prid_rpc_errors_total{method="call.make"} 1
prid_rpc_errors_total{method="daemon.status"} 0
# HELP prid_dchannel_frames_total D-channel frames received (in) and sent (out)
# TYPE prid_dchannel_frames_total counter
prid_dchannel_frames_total{span="1",direction="in"} 40
prid_dchannel_frames_total{span="1",direction="out"} 42
# HELP prid_dchannel_bytes_total D-channel octets received (in) and sent (out)
# TYPE prid_dchannel_bytes_total counter
prid_dchannel_bytes_total{span="1",direction="in"} 800
prid_dchannel_bytes_total{span="1",direction="out"} 900
# HELP prid_dchannel_errors_total D-channel receive errors by kind: bad_fcs, abort, overrun, read_errors
# TYPE prid_dchannel_errors_total counter
prid_dchannel_errors_total{span="1",kind="bad_fcs"} 2
prid_dchannel_errors_total{span="1",kind="abort"} 0
prid_dchannel_errors_total{span="1",kind="overrun"} 0
prid_dchannel_errors_total{span="1",kind="read_errors"} 0
# HELP prid_span_alarms_total Span alarms the card reported
# TYPE prid_span_alarms_total counter
prid_span_alarms_total{span="1"} 0
# HELP prid_q921_frames_total Q.921 frames by direction and type (I, RR, SABME…)
# TYPE prid_q921_frames_total counter
prid_q921_frames_total{span="1",direction="in",type="I"} 20
prid_q921_frames_total{span="1",direction="in",type="RR"} 18
prid_q921_frames_total{span="1",direction="in",type="SABME"} 0
prid_q921_frames_total{span="1",direction="in",type="UA"} 1
prid_q921_frames_total{span="1",direction="out",type="I"} 22
prid_q921_frames_total{span="1",direction="out",type="RR"} 19
prid_q921_frames_total{span="1",direction="out",type="SABME"} 1
# HELP prid_q921_t200_retransmissions_total Q.921 frames sent again when T200 expired
# TYPE prid_q921_t200_retransmissions_total counter
prid_q921_t200_retransmissions_total{span="1"} 3
# HELP prid_q921_link_resets_total Q.921 data link resets (re-establishments)
# TYPE prid_q921_link_resets_total counter
prid_q921_link_resets_total{span="1"} 1
# HELP prid_q921_last_link_reset_timestamp_seconds Unix time of the last Q.921 data link reset
# TYPE prid_q921_last_link_reset_timestamp_seconds gauge
prid_q921_last_link_reset_timestamp_seconds{span="1"} 1764744939.75
# HELP prid_q931_messages_total Q.931 messages by direction and message type
# TYPE prid_q931_messages_total counter
prid_q931_messages_total{span="1",direction="in",message="CONNECT"} 4
prid_q931_messages_total{span="1",direction="in",message="SETUP"} 1
prid_q931_messages_total{span="1",direction="out",message="DISCONNECT"} 3
prid_q931_messages_total{span="1",direction="out",message="SETUP"} 5
# HELP prid_calls_attempted_total Calls offered to prid (in) and placed by it (out)
# TYPE prid_calls_attempted_total counter
prid_calls_attempted_total{span="1",direction="in"} 1
prid_calls_attempted_total{span="1",direction="out"} 5
# HELP prid_calls_answered_total Calls answered, by direction
# TYPE prid_calls_answered_total counter
prid_calls_answered_total{span="1",direction="in"} 1
prid_calls_answered_total{span="1",direction="out"} 4
# HELP prid_call_clearings_total Calls cleared, by Q.850 cause and origin (local: prid, remote: the far end)
# TYPE prid_call_clearings_total counter
prid_call_clearings_total{span="1",cause="16",cause_name="normal_clearing",origin="local"} 3
prid_call_clearings_total{span="1",cause="17",cause_name="user_busy",origin="remote"} 1
# HELP prid_calls_asr_ratio Answer-seizure ratio: calls answered per call attempted
# TYPE prid_calls_asr_ratio gauge
prid_calls_asr_ratio{span="1"} 0.8333333333333334
# HELP prid_calls_ner_ratio Network effectiveness ratio: calls answered or refused by the user per call attempted
# TYPE prid_calls_ner_ratio gauge
prid_calls_ner_ratio{span="1"} 1
# HELP prid_post_dial_delay_seconds Post-dial delay: SETUP sent to ALERTING or CONNECT
# TYPE prid_post_dial_delay_seconds summary
prid_post_dial_delay_seconds{span="1",quantile="0.95"} 0.5
prid_post_dial_delay_seconds_sum{span="1"} 1
prid_post_dial_delay_seconds_count{span="1"} 4
# HELP prid_call_hold_seconds Call hold time: answer to clearing
# TYPE prid_call_hold_seconds summary
prid_call_hold_seconds_sum{span="1"} 50
prid_call_hold_seconds_count{span="1"} 4
)";
  EXPECT_EQ(RenderExposition(Fixture()), expected);
}

TEST(MetricsExposition, UnreachablePridIsUpZeroAndNothingElse) {
  MetricsSnapshot down;
  down.status = json::parse(kStatus);  // ignored: up is what counts
  EXPECT_EQ(RenderExposition(down),
            "# HELP prid_up 1 when prid answered this scrape, 0 when it could not be reached\n"
            "# TYPE prid_up gauge\n"
            "prid_up 0\n");
}

TEST(MetricsExposition, PridWithoutStatsGivesStatusAndSpanFamiliesOnly) {
  MetricsSnapshot snapshot = Fixture();
  snapshot.stats = nullptr;
  const std::string text = RenderExposition(snapshot);
  EXPECT_NE(text.find("\nprid_calls_active 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nprid_span_up{span=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("prid_dchannel"), std::string::npos) << text;
  EXPECT_EQ(text.find("prid_rpc_requests_total"), std::string::npos) << text;
}

TEST(MetricsExposition, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)" "\n" "d"), R"(a\\b\"c\nd)");
  EXPECT_EQ(EscapeLabelValue("plain é"), "plain é");

  MetricsSnapshot snapshot;
  snapshot.up = true;
  snapshot.spans = json::parse(R"([{"span":2,"name":"x\\y\n\"z\"","driver":"dahdi","node":"network",
                                   "switch":"ni2","state":"alarm","alarms":["red","blue"]}])");
  EXPECT_EQ(Samples(RenderExposition(snapshot)),
            (std::vector<std::string>{
                "prid_up 1",
                R"(prid_span_info{span="2",name="x\\y\n\"z\"",driver="dahdi",node="network",switch="ni2"} 1)",
                R"(prid_span_up{span="2"} 0)",
                R"(prid_span_alarm{span="2",alarm="red"} 1)",
                R"(prid_span_alarm{span="2",alarm="blue"} 1)",
            }));
}

TEST(MetricsExposition, SummariesWithoutSamplesHaveNaNQuantileAndZeroSum) {
  MetricsSnapshot snapshot;
  snapshot.up = true;
  snapshot.stats = json::parse(R"({"spans":[{"span":1,"calls":{"asr":null,"ner":null,
      "post_dial_delay_s":{"mean":null,"p95":null,"samples":0},"hold_time_s":{"mean":null,"samples":0}},
      "q921":{"since_last_reset_s":null}}]})");
  EXPECT_EQ(Samples(RenderExposition(snapshot)), (std::vector<std::string>{
                                                     "prid_up 1",
                                                     R"(prid_post_dial_delay_seconds{span="1",quantile="0.95"} NaN)",
                                                     R"(prid_post_dial_delay_seconds_sum{span="1"} 0)",
                                                     R"(prid_post_dial_delay_seconds_count{span="1"} 0)",
                                                     R"(prid_call_hold_seconds_sum{span="1"} 0)",
                                                     R"(prid_call_hold_seconds_count{span="1"} 0)",
                                                 }));
}

TEST(MetricsExposition, FieldsOfTheWrongTypeOrUnknownAreLeftOut) {
  MetricsSnapshot snapshot;
  snapshot.up = true;
  snapshot.status = json::parse(R"({"uptime_s":"soon","calls":[],"clients":3,"new_field":{"x":1}})");
  snapshot.stats = json::parse(R"({"since_s":null,"daemon":{"rpc":{"x":{"requests":"many","errors":2}}},
                                   "spans":{"not":"an array"}})");
  EXPECT_EQ(Samples(RenderExposition(snapshot)), (std::vector<std::string>{
                                                     "prid_up 1",
                                                     "prid_clients 3",
                                                     R"(prid_rpc_errors_total{method="x"} 2)",
                                                 }));
}

TEST(MetricsExposition, EveryFamilyHasHelpThenTypeBeforeItsSamples) {
  const std::vector<std::string> lines = Lines(RenderExposition(Fixture()));
  std::string family;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with("# HELP ")) {
      family = lines[i].substr(7, lines[i].find(' ', 7) - 7);
      ASSERT_LT(i + 1, lines.size());
      EXPECT_TRUE(lines[i + 1].starts_with("# TYPE " + family + " ")) << lines[i + 1];
      continue;
    }
    if (lines[i].starts_with("#")) continue;
    EXPECT_TRUE(lines[i].starts_with(family)) << lines[i] << " outside its family " << family;
  }
}

}  // namespace
}  // namespace prid::cli
