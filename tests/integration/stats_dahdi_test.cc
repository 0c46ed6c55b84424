// stats.get on a dahdi span: the card's D-channel error events (bad FCS,
// abort, overrun) and the span's alarms as the daemon counts them, over a
// fake card patched to a real libpri far end (another prid), and their
// reset by stats.reset.
#include <dahdi/user.h>
#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "tests/integration/fixture.h"
#include "tests/support/fake_dahdi_kernel.h"

namespace prid::testing {
namespace {

using nlohmann::json;

TEST(StatsDahdiTest, CardErrorsAndAlarmsAreCountedAndReset) {
  TempDir dir;
  FakeDahdiKernel kernel;
  kernel.AddSpan(1, 1, 31, 16);
  daemon::SpanConfig far = SimSpan(1, daemon::NodeType::kNetwork);
  far.peer.clear();
  far.listen = dir.File("card.seq");
  DaemonThread far_daemon({ConfigWith(dir.File("far.sock"), {far})});
  ASSERT_TRUE(far_daemon.started()) << far_daemon.error();
  ASSERT_TRUE(kernel.PatchToSocket(16, dir.File("card.seq")));
  daemon::SpanConfig near = SimSpan(1, daemon::NodeType::kCpe);
  near.peer.clear();
  near.driver = daemon::Driver::kDahdi;
  near.dchannel = 16;
  DaemonThread near_daemon({ConfigWith(dir.File("near.sock"), {near})}, &kernel);
  ASSERT_TRUE(near_daemon.started()) << near_daemon.error();
  ASSERT_TRUE(WaitSpanUp(dir.File("near.sock"), 1));
  ASSERT_TRUE(WaitSpanUp(dir.File("far.sock"), 1));

  ApiClient client(dir.File("near.sock"));  // root: a supervisor
  client.Ok("events.subscribe", {});
  client.Ok("stats.reset");
  kernel.QueueEvent(16, DAHDI_EVENT_BADFCS);
  kernel.QueueEvent(16, DAHDI_EVENT_BADFCS);
  kernel.QueueEvent(16, DAHDI_EVENT_ABORT);
  kernel.QueueEvent(16, DAHDI_EVENT_OVERRUN);
  // The alarm comes after them on the same channel: once the span reports
  // it, the events before it have been read.
  kernel.SetSpanAlarms(1, DAHDI_ALARM_RED);
  kernel.QueueEvent(16, DAHDI_EVENT_ALARM);
  ASSERT_TRUE(client.WaitEvent([](const json& e) { return IsSpanState(e, 1, "alarm"); }));
  kernel.SetSpanAlarms(1, 0);
  kernel.QueueEvent(16, DAHDI_EVENT_NOALARM);
  ASSERT_TRUE(client.WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));

  json stats = client.Ok("stats.get", {{"span", 1}});
  ASSERT_EQ(stats["spans"].size(), 1u) << stats;
  json span = stats["spans"][0];
  EXPECT_EQ(span["dchannel"]["bad_fcs"], 2) << span["dchannel"];
  EXPECT_EQ(span["dchannel"]["abort"], 1);
  EXPECT_EQ(span["dchannel"]["overrun"], 1);
  EXPECT_EQ(span["dchannel"]["read_errors"], 0);
  EXPECT_EQ(span["alarms_seen"], 1);
  EXPECT_GE(span["q921"]["link_resets"].get<int>(), 1) << "the link came up again after the alarm";
  EXPECT_LT(span["q921"]["since_last_reset_s"].get<double>(), stats["since_s"].get<double>());
  EXPECT_EQ(span["q921"]["state"], "multiple_frame_established");

  // span.list: the alarm and its clearing, with their times, and the timers.
  json entry = client.Ok("span.list")[0];
  ASSERT_EQ(entry["alarm_history"].size(), 2u) << entry["alarm_history"];
  EXPECT_EQ(entry["alarm_history"][0]["alarms"], json::array({"red"}));
  EXPECT_EQ(entry["alarm_history"][1]["alarms"], json::array()) << "cleared";
  EXPECT_LE(entry["alarm_history"][0]["time"].get<std::string>(), entry["alarm_history"][1]["time"].get<std::string>());
  EXPECT_EQ(entry["timers"]["t200"], near.t200_s);
  EXPECT_EQ(entry["timers"]["t203"], near.t203_s);

  client.Ok("stats.reset");
  kernel.QueueEvent(16, DAHDI_EVENT_BADFCS);
  kernel.SetSpanAlarms(1, DAHDI_ALARM_YELLOW);
  kernel.QueueEvent(16, DAHDI_EVENT_ALARM);
  ASSERT_TRUE(client.WaitEvent([](const json& e) { return IsSpanState(e, 1, "alarm"); }));
  span = client.Ok("stats.get")["spans"][0];
  EXPECT_EQ(span["q921"]["state"], "tei_assigned") << "the card in alarm: libpri took the link down";
  EXPECT_EQ(span["dchannel"]["bad_fcs"], 1) << "the card's count less its value at the reset";
  EXPECT_EQ(span["dchannel"]["abort"], 0);
  EXPECT_EQ(span["alarms_seen"], 1);
}

}  // namespace
}  // namespace prid::testing
