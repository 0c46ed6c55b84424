// Tests of `prictl stats`: its command line (stats.get with and without a
// span, --reset as stats.reset) and the table for people.
#include "cli/stats_view.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/command_line.h"

namespace prid::cli {
namespace {

using nlohmann::json;

Command Parsed(const std::vector<std::string>& args, Grammar grammar = Grammar::kCommandLine) {
  std::ostringstream out;
  std::ostringstream err;
  ParseOutcome outcome = ParseCommandLine(args, grammar, "/default.sock", out, err);
  EXPECT_TRUE(outcome.invocation.has_value()) << err.str();
  return outcome.invocation ? outcome.invocation->command : Command{};
}

TEST(StatsCommand, AllSpansOrOne) {
  Command all = Parsed({"stats"});
  EXPECT_EQ(all.request.method, "stats.get");
  EXPECT_EQ(all.request.params, json::object());
  EXPECT_EQ(all.view, View::kStats);
  Command one = Parsed({"stats", "2"});
  EXPECT_EQ(one.request.params, json({{"span", 2}}));
  EXPECT_EQ(Parsed({"stats", "1"}, Grammar::kScript).request.method, "stats.get") << "in run scripts too";
}

TEST(StatsCommand, ResetSendsStatsReset) {
  Command reset = Parsed({"stats", "--reset"});
  EXPECT_EQ(reset.request.method, "stats.reset");
  EXPECT_EQ(reset.request.params, json::object());
  EXPECT_EQ(reset.view, View::kNone);
}

TEST(StatsCommand, SpanZeroIsAUsageError) {
  std::ostringstream out;
  std::ostringstream err;
  ParseOutcome outcome = ParseCommandLine({"stats", "0"}, Grammar::kCommandLine, "/default.sock", out, err);
  EXPECT_FALSE(outcome.invocation.has_value());
  EXPECT_EQ(outcome.exit_code, 2);
}

TEST(StatsView, ShowsTheDaemonTheSpanAndWhatWasCounted) {
  const json stats = json::parse(R"({"since_s":12.5,
    "daemon":{"clients_now":1,"clients_total":4,"clients_cut_off":0,"events_sent":30,
              "rpc":{"call.make":{"requests":6,"errors":1},"call.hold":{"requests":0,"errors":0}},"rpc_unknown":0},
    "spans":[{"span":1,"name":"trunk-a",
      "dchannel":{"frames_in":40,"frames_out":42,"octets_in":400,"octets_out":420,"bad_fcs":2,"abort":0,"overrun":0,"read_errors":0},
      "alarms_seen":1,
      "q921":{"in":{"I":18,"RR":20,"RNR":0,"REJ":0,"SABME":1,"DISC":0,"UA":1,"DM":0,"FRMR":0,"UI":0,"XID":0,"other":0},
              "out":{"I":17,"RR":21,"RNR":0,"REJ":0,"SABME":1,"DISC":0,"UA":1,"DM":0,"FRMR":0,"UI":0,"XID":0,"other":1},
              "t200_retransmissions":3,"link_resets":1,"since_last_reset_s":10.0},
      "q931":{"in":{"SETUP":0,"CONNECT":3,"HOLD":0,"other":0},"out":{"SETUP":6,"CONNECT":0,"HOLD":0,"other":0}},
      "calls":{"offered":0,"placed":6,"answered_in":0,"answered_out":3,"ended":6,
               "clearings":[{"cause":17,"cause_name":"user_busy","origin":"remote","count":2}],
               "asr":0.5,"ner":1.0,"post_dial_delay_s":{"mean":0.25,"p95":0.5,"samples":3},
               "hold_time_s":{"mean":null,"samples":0}}}]})");
  std::ostringstream out;
  WriteStats(out, stats);
  const std::string text = out.str();
  for (const char* expected : {"counting for          12.500 s", "1 now  4 total  0 cut off", "call.make  6         1",
                               "span 1 (trunk-a)", "in 40  out 42", "bad FCS 2", "alarms seen           1",
                               "link resets           1 (last 10.000 s ago)", "T200 retransmissions  3",
                               "placed 6  answered in 0 / out 3  ended 6", "ASR / NER             0.500 / 1.000",
                               "mean 0.250 s  p95 0.500 s  (3 samples)", "hold time             mean -  (0 samples)",
                               "SABME  1   1", "other  0   1", "SETUP    0   6", "CONNECT  3   0",
                               "17     user_busy  remote  2"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "no '" << expected << "' in:\n" << text;
  }
  EXPECT_EQ(text.find("call.hold"), std::string::npos) << "methods never asked are left out:\n" << text;
  EXPECT_EQ(text.find("HOLD"), std::string::npos) << "messages never counted are left out:\n" << text;
  EXPECT_EQ(text.find("XID"), std::string::npos) << text;
}

TEST(StatsView, ToleratesAReplyWithoutFields) {
  std::ostringstream out;
  WriteStats(out, json::object());
  EXPECT_NE(out.str().find("counting for          -"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace prid::cli
