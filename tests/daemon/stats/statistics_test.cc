// Tests of Statistics: stats.get's JSON shape and values, per span and per
// daemon, the owners' counters less their value at the last reset, and
// stats.reset.
#include "daemon/stats/statistics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "base/hex.h"
#include "q931/q850.h"

namespace prid::daemon {
namespace {

using nlohmann::json;
using q931::FrameDirection;
using std::chrono::seconds;

std::vector<std::uint8_t> Hex(std::string_view hex) { return *base::FromHex(hex); }

class StatisticsTest : public ::testing::Test {
 protected:
  void Frame(int span, FrameDirection d, std::string_view hex) {
    const auto frame = Hex(hex);
    stats_.Frame(span, d, frame);
  }
  std::vector<SpanIdentity> Spans() { return {{1, "trunk-a", nullptr}, {2, "trunk-b", &card_}}; }

  base::WallTime now_ = base::WallTime(seconds(5000));
  Statistics stats_{[this] { return now_; }};
  dahdi_glue::DahdiDChannelCounters card_;
};

TEST_F(StatisticsTest, AFreshDaemonShowsEveryFieldAtZero) {
  stats_.KnowMethods({"call.make", "stats.get"});
  now_ += seconds(7);
  const json j = stats_.ToJson({3, 0, 0}, {{1, "trunk-a", nullptr}});
  EXPECT_DOUBLE_EQ(j["since_s"].get<double>(), 7.0);
  EXPECT_EQ(j["daemon"], json::parse(R"({"clients_now":3,"clients_total":0,"clients_cut_off":0,"events_sent":0,
      "rpc":{"call.make":{"requests":0,"errors":0},"stats.get":{"requests":0,"errors":0}},"rpc_unknown":0})"));
  ASSERT_EQ(j["spans"].size(), 1u);
  const json& s = j["spans"][0];
  EXPECT_EQ(s["span"], 1);
  EXPECT_EQ(s["name"], "trunk-a");
  EXPECT_EQ(s["dchannel"], json::parse(R"({"frames_in":0,"frames_out":0,"octets_in":0,"octets_out":0,
      "bad_fcs":0,"abort":0,"overrun":0,"read_errors":0})"));
  EXPECT_EQ(s["alarms_seen"], 0);
  const json zero_q921 = json::parse(
      R"({"I":0,"RR":0,"RNR":0,"REJ":0,"SABME":0,"DISC":0,"UA":0,"DM":0,"FRMR":0,"UI":0,"XID":0,"other":0})");
  EXPECT_EQ(s["q921"]["in"], zero_q921);
  EXPECT_EQ(s["q921"]["out"], zero_q921);
  EXPECT_EQ(s["q921"]["t200_retransmissions"], 0);
  EXPECT_EQ(s["q921"]["link_resets"], 0);
  EXPECT_TRUE(s["q921"]["since_last_reset_s"].is_null());
  for (const char* name : {"SETUP", "CALL_PROCEEDING", "ALERTING", "CONNECT", "CONNECT_ACKNOWLEDGE", "PROGRESS",
                           "DISCONNECT", "RELEASE", "RELEASE_COMPLETE", "STATUS", "STATUS_ENQUIRY", "FACILITY",
                           "INFORMATION", "NOTIFY", "RESTART", "RESTART_ACKNOWLEDGE", "HOLD", "HOLD_ACKNOWLEDGE",
                           "HOLD_REJECT", "RETRIEVE", "RETRIEVE_ACKNOWLEDGE", "RETRIEVE_REJECT", "other"}) {
    EXPECT_EQ(s["q931"]["in"][name], 0) << name;
    EXPECT_EQ(s["q931"]["out"][name], 0) << name;
  }
  EXPECT_EQ(s["calls"], json::parse(R"({"offered":0,"placed":0,"answered_in":0,"answered_out":0,"ended":0,
      "clearings":[],"asr":null,"ner":null,"post_dial_delay_s":{"mean":null,"p95":null,"samples":0},
      "hold_time_s":{"mean":null,"samples":0}})"));
}

TEST_F(StatisticsTest, CountsPerSpanAndShowsOnlyTheSpansAsked) {
  Frame(1, FrameDirection::kSent, "00017f");
  now_ += seconds(2);
  Frame(1, FrameDirection::kReceived, "000173");
  Frame(1, FrameDirection::kSent, "0001000008010105");  // SETUP
  Frame(2, FrameDirection::kReceived, "0001000008010105");
  stats_.AlarmEntered(2);
  now_ += seconds(3);

  const json j = stats_.ToJson({}, Spans());
  ASSERT_EQ(j["spans"].size(), 2u);
  const json& a = j["spans"][0];
  EXPECT_EQ(a["dchannel"]["frames_out"], 2);
  EXPECT_EQ(a["dchannel"]["octets_out"], 11);
  EXPECT_EQ(a["dchannel"]["frames_in"], 1);
  EXPECT_EQ(a["q921"]["out"]["SABME"], 1);
  EXPECT_EQ(a["q921"]["out"]["I"], 1);
  EXPECT_EQ(a["q921"]["in"]["UA"], 1);
  EXPECT_EQ(a["q921"]["link_resets"], 1);
  EXPECT_DOUBLE_EQ(a["q921"]["since_last_reset_s"].get<double>(), 3.0);
  EXPECT_EQ(a["q931"]["out"]["SETUP"], 1);
  EXPECT_EQ(a["q931"]["in"]["SETUP"], 0);
  EXPECT_EQ(a["alarms_seen"], 0);
  const json& b = j["spans"][1];
  EXPECT_EQ(b["q931"]["in"]["SETUP"], 1);
  EXPECT_EQ(b["alarms_seen"], 1);

  const json only = stats_.ToJson({}, {Spans()[1]});
  ASSERT_EQ(only["spans"].size(), 1u);
  EXPECT_EQ(only["spans"][0]["span"], 2);
}

TEST_F(StatisticsTest, CardCountersAndOwnersCountersAreShownSinceTheLastReset) {
  card_.bad_fcs = 5;
  card_.abort = 2;
  card_.overrun = 1;
  card_.read_errors = 4;
  json j = stats_.ToJson({1, 2, 10}, Spans());
  EXPECT_EQ(j["spans"][1]["dchannel"]["bad_fcs"], 5);
  EXPECT_EQ(j["spans"][1]["dchannel"]["abort"], 2);
  EXPECT_EQ(j["spans"][1]["dchannel"]["overrun"], 1);
  EXPECT_EQ(j["spans"][1]["dchannel"]["read_errors"], 4);
  EXPECT_EQ(j["daemon"]["clients_cut_off"], 2);
  EXPECT_EQ(j["daemon"]["events_sent"], 10);

  stats_.Reset({1, 2, 10}, Spans());
  card_.bad_fcs = 8;
  j = stats_.ToJson({1, 3, 25}, Spans());
  EXPECT_EQ(j["spans"][1]["dchannel"]["bad_fcs"], 3);
  EXPECT_EQ(j["spans"][1]["dchannel"]["abort"], 0);
  EXPECT_EQ(j["daemon"]["clients_cut_off"], 1);
  EXPECT_EQ(j["daemon"]["events_sent"], 15);
  EXPECT_EQ(j["daemon"]["clients_now"], 1) << "a gauge, not a count";
}

TEST_F(StatisticsTest, RequestsAreCountedByMethodAndUnknownOnesApart) {
  stats_.KnowMethods({"call.make", "call.drop"});
  stats_.Request("call.make", true);
  stats_.Request("call.make", false);
  stats_.Request("call.drop", true);
  stats_.Request("no.such.method", false);
  stats_.ClientOpened();
  stats_.ClientOpened();
  const json j = stats_.ToJson({}, {});
  EXPECT_EQ(j["daemon"]["rpc"], json::parse(R"({"call.make":{"requests":2,"errors":1},
      "call.drop":{"requests":1,"errors":0}})"));
  EXPECT_EQ(j["daemon"]["rpc_unknown"], 1);
  EXPECT_EQ(j["daemon"]["clients_total"], 2);
}

TEST_F(StatisticsTest, ClearingsCarryTheirCauseNameAndOrigin) {
  Call call;
  call.direction = Direction::kOut;
  call.cause = q931::cause::kUserBusy;
  call.origin = Origin::kRemote;
  stats_.Calls(1).Began(call);
  stats_.Calls(1).Cleared(call);
  const json j = stats_.ToJson({}, Spans());
  EXPECT_EQ(j["spans"][0]["calls"]["clearings"],
            json::parse(R"([{"cause":17,"cause_name":"user_busy","origin":"remote","count":1}])"));
  EXPECT_DOUBLE_EQ(j["spans"][0]["calls"]["asr"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["spans"][0]["calls"]["ner"].get<double>(), 1.0);
}

TEST_F(StatisticsTest, ResetZeroesEveryCountAndRestartsSince) {
  stats_.KnowMethods({"call.make"});
  stats_.Request("call.make", true);
  stats_.ClientOpened();
  Frame(1, FrameDirection::kSent, "00017f");
  Frame(1, FrameDirection::kReceived, "000173");
  stats_.AlarmEntered(1);
  Call call;
  stats_.Calls(1).Began(call);
  stats_.Calls(1).Cleared(call);
  now_ += seconds(100);
  stats_.Reset({}, Spans());
  now_ += seconds(4);

  const json j = stats_.ToJson({}, Spans());
  EXPECT_DOUBLE_EQ(j["since_s"].get<double>(), 4.0);
  EXPECT_EQ(j["daemon"]["rpc"]["call.make"]["requests"], 0);
  EXPECT_EQ(j["daemon"]["clients_total"], 0);
  const json& s = j["spans"][0];
  EXPECT_EQ(s["dchannel"]["frames_out"], 0);
  EXPECT_EQ(s["q921"]["out"]["SABME"], 0);
  EXPECT_EQ(s["q921"]["link_resets"], 0);
  EXPECT_DOUBLE_EQ(s["q921"]["since_last_reset_s"].get<double>(), 104.0) << "the link's age survives";
  EXPECT_EQ(s["alarms_seen"], 0);
  EXPECT_EQ(s["calls"]["placed"], 0);
  EXPECT_EQ(s["calls"]["clearings"], json::array());
}

}  // namespace
}  // namespace prid::daemon
