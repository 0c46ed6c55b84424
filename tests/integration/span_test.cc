// Span-level behaviour with real libpri far ends: the dahdi driver on a
// fake card wired to another prid, alarms, link loss and recovery, RESTART
// both ways, SERVICE, channel retry after glare, configuration errors.
#include <dahdi/user.h>
#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"
#include "tests/support/fake_dahdi_kernel.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

// A client subscribed to every event of the daemon from the start.
std::unique_ptr<ApiClient> Watcher(const std::string& socket) {
  auto c = std::make_unique<ApiClient>(socket);
  c->Ok("events.subscribe", {{"since", 0}});
  c->Ok("line.open", {{"span", 1}});
  return c;
}

json SpanEntry(ApiClient& client, int span) {
  for (const json& s : client.Ok("span.list")) {
    if (s["span"] == span) return s;
  }
  return json();
}

// --- the dahdi driver ----------------------------------------------------

class DahdiSpanTest : public ::testing::Test {
 protected:
  // DAHDI span 1 (an E1, D-channel 16) patched to a prid network side.
  void SetUp() override {
    kernel_.AddSpan(1, 1, 31, 16);
    daemon::SpanConfig far = SimSpan(1, daemon::NodeType::kNetwork);
    far.peer.clear();
    far.listen = dir_.File("card.seq");
    far_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("far.sock"), {far})});
    ASSERT_TRUE(far_->started()) << far_->error();
    ASSERT_TRUE(kernel_.PatchToSocket(16, dir_.File("card.seq")));
  }

  daemon::SpanConfig DahdiConfig() {
    daemon::SpanConfig c = SimSpan(1, daemon::NodeType::kCpe);
    c.peer.clear();
    c.driver = daemon::Driver::kDahdi;
    c.dchannel = 16;
    return c;
  }

  // Starts prid on the card; when it started, waits until the far end too
  // has its link up (its first SABME went nowhere: it listened alone).
  void StartNear(daemon::SpanConfig config) {
    near_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("near.sock"), {config})},
                                           &kernel_);
    if (near_->started()) {
      ASSERT_TRUE(WaitSpanUp(dir_.File("far.sock"), 1));
    }
  }

  // Starts prid on a card its span cannot start on: prid runs, the span is
  // in state error; its reason.
  std::string StartNearInError(daemon::SpanConfig config) {
    near_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("near.sock"), {config})},
                                           &kernel_);
    EXPECT_TRUE(near_->started()) << near_->error();
    ApiClient client(dir_.File("near.sock"));
    const json spans = client.Ok("span.list");
    EXPECT_EQ(spans.size(), 1u);
    if (spans.size() != 1) return "";
    EXPECT_EQ(spans[0]["state"], "error");
    return spans[0].value("reason", "");
  }

  TempDir dir_;
  FakeDahdiKernel kernel_;
  std::unique_ptr<DaemonThread> far_;
  std::unique_ptr<DaemonThread> near_;
};

TEST_F(DahdiSpanTest, CallCrossesTheCardAndIsDropped) {
  StartNear(DahdiConfig());
  ASSERT_TRUE(near_->started()) << near_->error();
  ASSERT_TRUE(WaitSpanUp(dir_.File("near.sock"), 1));
  ApiClient far(dir_.File("far.sock"));
  far.Ok("line.open", {{"span", 1}});
  ApiClient near(dir_.File("near.sock"));
  near.Ok("line.open", {{"span", 1}});
  auto made = near.Ok("call.make", {{"number", "100"}, {"uui", {{"text", "over dahdi"}}}});
  auto offered = far.WaitNew();
  ASSERT_TRUE(offered);
  EXPECT_EQ((*offered)["uui_received"]["text"], "over dahdi");
  far.Ok("call.answer", {{"call", (*offered)["call"]}});
  ASSERT_TRUE(near.WaitState(made["call"], "connected"));
  near.Ok("call.drop", {{"call", made["call"]}, {"cause", 16}});
  // The far end's owner releases after the DISCONNECT (API.md "Drop").
  ASSERT_TRUE(far.WaitState((*offered)["call"], "disconnected"));
  far.Ok("call.drop", {{"call", (*offered)["call"]}});
  ASSERT_TRUE(near.WaitState(made["call"], "idle"));

  json span = SpanEntry(near, 1);
  EXPECT_EQ(span["driver"], "dahdi");
  EXPECT_EQ(span["dchannel"], 16);
  EXPECT_EQ(span["state"], "up");
  EXPECT_EQ(span["dchannel_state"], "up");
  EXPECT_EQ(span["bchannels"].size(), 30u);
  // The driver set the card up as chan_dahdi does.
  auto specify = kernel_.IoctlsOf(DAHDI_SPECIFY);
  ASSERT_FALSE(specify.empty());
  EXPECT_EQ(specify[0].int_argument, 16);
  ASSERT_TRUE(kernel_.BufferInfoOf(16).has_value());
}

TEST_F(DahdiSpanTest, AlarmTakesTheSpanDownAndItsClearingRestartsTheChannels) {
  daemon::SpanConfig config = DahdiConfig();
  config.bchannels_text = "1-3";
  config.bchannels = {1, 2, 3};
  config.restart = true;
  // A RESTART sent before the far end's own SABME was answered is lost
  // (Q.921 re-establishes the link): T316 sends it again.
  config.t316_s = 0.3;
  config.n316 = 10;
  StartNear(config);
  ASSERT_TRUE(near_->started()) << near_->error();
  auto near = Watcher(dir_.File("near.sock"));
  ASSERT_TRUE(near->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
  // The start-up RESTART of each B-channel, acknowledged.
  ASSERT_TRUE(WaitWire(*near_, 0, 1, FrameDirection::kReceived, msg::kRestartAcknowledge, 3));
  for (int ch = 1; ch <= 3; ++ch) {
    ASSERT_TRUE(near->WaitEvent([ch](const json& e) {
      return e["type"] == "span.channel" && e["channel"] == ch && e["state"] == "idle";
    }));
  }

  kernel_.SetSpanAlarms(1, DAHDI_ALARM_RED);
  kernel_.QueueEvent(16, DAHDI_EVENT_ALARM);
  auto alarm = near->WaitEvent([](const json& e) { return IsSpanState(e, 1, "alarm"); });
  ASSERT_TRUE(alarm);
  EXPECT_EQ((*alarm)["previous"], "up");
  EXPECT_EQ((*alarm)["alarms"], json::array({"red"}));
  EXPECT_EQ(near->ErrorName("call.make", {{"number", "100"}}), "SpanDown");
  json span = SpanEntry(*near, 1);
  EXPECT_EQ(span["state"], "alarm");
  EXPECT_EQ(span["alarms"], json::array({"red"}));

  kernel_.SetSpanAlarms(1, 0);
  kernel_.QueueEvent(16, DAHDI_EVENT_NOALARM);
  // Down while Q.921 starts afresh, up once the far end answered.
  auto cleared = near->WaitEvent([](const json& e) { return IsSpanState(e, 1, "down"); });
  ASSERT_TRUE(cleared);
  EXPECT_EQ((*cleared)["previous"], "alarm");
  auto back = near->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); });
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)["previous"], "down");
  // Every channel restarted again after the alarm cleared.
  ASSERT_TRUE(WaitWire(*near_, 0, 1, FrameDirection::kReceived, msg::kRestartAcknowledge, 6));
  for (int ch = 1; ch <= 3; ++ch) {
    ASSERT_TRUE(near->WaitEvent([ch](const json& e) {
      return e["type"] == "span.channel" && e["channel"] == ch && e["state"] == "idle";
    }));
  }
}

TEST_F(DahdiSpanTest, RefusesADChannelThatIsNotHdlc) {
  kernel_.SetSignalling(16, DAHDI_SIG_CLEAR);
  const std::string reason = StartNearInError(DahdiConfig());
  EXPECT_EQ(reason.rfind("D-channel 16: signalling is not HDLC with FCS", 0), 0u) << reason;
}

TEST_F(DahdiSpanTest, RefusesBChannelsTheSpanDoesNotHave) {
  kernel_.SetSignalling(5, DAHDI_SIG_HDLCFCS);
  const std::string reason = StartNearInError(DahdiConfig());
  EXPECT_NE(reason.find("B-channel 5 (DAHDI channel 5) is not a clear channel"), std::string::npos) << reason;
}

TEST_F(DahdiSpanTest, MissingDeviceIsAnErrorNamingWhatToCheck) {
  kernel_.SetDeviceMissing(true);
  const std::string reason = StartNearInError(DahdiConfig());
  EXPECT_EQ(reason.rfind("D-channel 16: open /dev/dahdi/channel: No such file or directory; ", 0), 0u) << reason;
  for (const char* hint : {"DAHDI kernel modules", "dahdi_cfg", "channel 16", "/etc/dahdi/system.conf"}) {
    EXPECT_NE(reason.find(hint), std::string::npos) << hint << " in " << reason;
  }
}

TEST_F(DahdiSpanTest, RestartWithoutAcknowledgeIsSentN316TimesThenGivenUp) {
  // The far end's RESTART ACKNOWLEDGE never arrives: its message type is
  // garbled on the way (Q.921 still carries the frame, so the link stays).
  kernel_.SetReceiveFilter(16, [](FakeDahdiKernel::Bytes& frame) {
    const bool i_frame = frame.size() > 6 && (frame[2] & 0x01) == 0 && frame[4] == q931::kPdQ931;
    if (!i_frame) return;
    const std::size_t type_at = 6 + (frame[5] & 0x0f);
    if (type_at < frame.size() && frame[type_at] == msg::kRestartAcknowledge) frame[type_at] = 0x00;
  });
  daemon::SpanConfig config = DahdiConfig();
  config.t316_s = 0.2;
  config.n316 = 2;
  StartNear(config);
  ASSERT_TRUE(near_->started()) << near_->error();
  auto near = Watcher(dir_.File("near.sock"));
  ASSERT_TRUE(near->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
  near->Ok("span.restart", {{"span", 1}, {"channel", 4}});
  ASSERT_TRUE(near->WaitEvent([](const json& e) {
    return e["type"] == "span.channel" && e["channel"] == 4 && e["state"] == "restarting";
  }));
  ASSERT_TRUE(near->WaitEvent([](const json& e) {
    return e["type"] == "span.channel" && e["channel"] == 4 && e["state"] == "idle";
  }));
  EXPECT_EQ(SpanEntry(*near, 1)["restart_failures"], 1);
  EXPECT_EQ(Find(Q931Messages(near_->Frames(), 0, 1), FrameDirection::kSent, msg::kRestart).size(), 2u);
  EXPECT_EQ(SpanEntry(*near, 1)["state"], "up");
}

// --- link loss and recovery (sim line cut) --------------------------------

class LinkLossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon::SpanConfig span = SimSpan(1);
    // Fast Q.921 so that a lost link is noticed in about a second.
    span.t203_s = 0.3;
    span.t200_s = 0.2;
    span.t309_s = t309_s_;
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("prid.sock"), {span})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    client_ = Watcher(dir_.File("prid.sock"));
    ASSERT_TRUE(client_->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
  }

  void Cut(bool cut) {
    daemons_->RunOnDaemon(0, [cut](daemon::Daemon& d) {
      ASSERT_TRUE(d.spans().at(1)->SetLinkCut(cut).ok());
    });
  }

  std::size_t WireCalls() {
    std::size_t n = 0;
    daemons_->RunOnDaemon(0, [&](daemon::Daemon& d) { n = d.spans().at(1)->wire_calls(); });
    return n;
  }

  double t309_s_ = 30.0;
  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(LinkLossTest, ShortCutKeepsConnectedCalls) {
  auto made = client_->Ok("call.make", {{"number", "100"}});
  ASSERT_TRUE(client_->WaitState(made["call"], "connected"));
  Cut(true);
  ASSERT_TRUE(client_->WaitEvent([](const json& e) { return IsSpanState(e, 1, "down"); }));
  EXPECT_EQ(client_->ErrorName("call.make", {{"number", "101"}}), "SpanDown");
  Cut(false);
  ASSERT_TRUE(client_->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
  // T309 (30 s here) kept the call: it is still connected and clears normally.
  EXPECT_EQ(client_->Ok("call.info", {{"call", made["call"]}})["state"], "connected");
  client_->Ok("call.drop", {{"call", made["call"]}});
  ASSERT_TRUE(client_->WaitState(made["call"], "idle"));
  EXPECT_EQ(WireCalls(), 0u);
}

class LongLinkLossTest : public LinkLossTest {
 protected:
  void SetUp() override {
    t309_s_ = 0.5;
    LinkLossTest::SetUp();
  }
};

TEST_F(LongLinkLossTest, LongCutClearsEveryCallWithEvents) {
  auto connected = client_->Ok("call.make", {{"number", "100"}});
  ASSERT_TRUE(client_->WaitState(connected["call"], "connected"));
  client_->Ok("sim.policy", {{"span", 1}, {"on_setup", "ignore"}});
  auto dialing = client_->Ok("call.make", {{"number", "101"}});
  Cut(true);
  ASSERT_TRUE(client_->WaitEvent([](const json& e) { return IsSpanState(e, 1, "down"); }));
  // The unanswered call goes at once, the connected one when T309 expires;
  // both with cause 27 (destination out of order) and origin local: the
  // link failed, the far end sent nothing (issue 14).
  auto idle_dialing = client_->WaitState(dialing["call"], "idle");
  ASSERT_TRUE(idle_dialing);
  EXPECT_EQ((*idle_dialing)["cause"], 27);
  EXPECT_EQ((*idle_dialing)["origin"], "local");
  auto idle_connected = client_->WaitState(connected["call"], "idle");
  ASSERT_TRUE(idle_connected);
  EXPECT_EQ((*idle_connected)["cause"], 27);
  EXPECT_EQ((*idle_connected)["origin"], "local");
  EXPECT_EQ(WireCalls(), 0u);

  Cut(false);
  ASSERT_TRUE(client_->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
  client_->Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}});
  auto again = client_->Ok("call.make", {{"number", "102"}});
  ASSERT_TRUE(client_->WaitState(again["call"], "connected"));
  for (const json& id : {connected["call"], dialing["call"]}) client_->Ok("call.deallocate", {{"call", id}});
  client_->Ok("call.drop", {{"call", again["call"]}});
  ASSERT_TRUE(client_->WaitState(again["call"], "idle"));
  client_->Ok("call.deallocate", {{"call", again["call"]}});
  EXPECT_EQ(client_->Ok("daemon.status")["calls"]["records"], 0);
  EXPECT_EQ(WireCalls(), 0u);
}

// --- RESTART ----------------------------------------------------------------

class RestartTest : public ::testing::Test {
 protected:
  // prid cpe (daemon 0) back to back with prid network (daemon 1).
  void Start(daemon::SwitchVariant variant = daemon::SwitchVariant::kEuroIsdnE1) {
    daemon::SpanConfig a = SimSpan(1, daemon::NodeType::kCpe, variant);
    a.peer.clear();
    a.listen = dir_.File("span1.seq");
    a.bchannels_text = "1-4";
    a.bchannels = {1, 2, 3, 4};
    daemon::SpanConfig b = a;
    b.listen.clear();
    b.connect = dir_.File("span1.seq");
    b.node = daemon::NodeType::kNetwork;
    Adjust(a, b);
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("a.sock"), {a}),
                                                          ConfigWith(dir_.File("b.sock"), {b})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    a_ = Watcher(dir_.File("a.sock"));
    b_ = Watcher(dir_.File("b.sock"));
    ASSERT_TRUE(a_->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
    ASSERT_TRUE(b_->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
  }
  virtual void Adjust(daemon::SpanConfig&, daemon::SpanConfig&) {}

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> a_;
  std::unique_ptr<ApiClient> b_;
};

TEST_F(RestartTest, SpanRestartOfABusyChannelClearsItsCallOnBothEnds) {
  Start();
  auto made = a_->Ok("call.make", {{"number", "100"}});
  auto offered = b_->WaitNew();
  ASSERT_TRUE(offered);
  b_->Ok("call.answer", {{"call", (*offered)["call"]}});
  ASSERT_TRUE(a_->WaitState(made["call"], "connected"));
  const int channel = a_->Ok("call.info", {{"call", made["call"]}})["channel"];

  a_->Ok("span.restart", {{"span", 1}, {"channel", channel}});
  auto ours = a_->WaitState(made["call"], "idle");
  ASSERT_TRUE(ours);
  EXPECT_EQ((*ours)["cause"], 41);
  // The far end got RESTART: libpri acknowledged it, prid cleared the call.
  auto theirs = b_->WaitState((*offered)["call"], "idle");
  ASSERT_TRUE(theirs);
  EXPECT_EQ((*theirs)["cause"], 41);
  EXPECT_EQ((*theirs)["origin"], "remote");
  ASSERT_TRUE(a_->WaitEvent([&](const json& e) {
    return e["type"] == "span.channel" && e["channel"] == channel && e["state"] == "idle" &&
           e["previous"] == "restarting";
  }));
  ASSERT_TRUE(WaitWire(*daemons_, 0, 1, FrameDirection::kReceived, msg::kRestartAcknowledge, 1));
  // The channel is usable again.
  auto again = a_->Ok("call.make", {{"number", "101"}, {"channel", channel}});
  ASSERT_TRUE(b_->WaitNew());
  EXPECT_EQ(a_->Ok("call.info", {{"call", again["call"]}})["channel"], channel);
}

TEST_F(RestartTest, SpanRestartOfTheInterfaceRestartsEveryChannelInTurn) {
  Start();
  a_->Ok("span.restart", {{"span", 1}});
  ASSERT_TRUE(WaitWire(*daemons_, 0, 1, FrameDirection::kReceived, msg::kRestartAcknowledge, 4));
  auto sent = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kRestart);
  EXPECT_EQ(sent.size(), 4u);
  for (int ch = 1; ch <= 4; ++ch) {
    ASSERT_TRUE(a_->WaitEvent([&](const json& e) {
      return e["type"] == "span.channel" && e["channel"] == ch && e["state"] == "idle";
    })) << ch;
  }
  const json span = SpanEntry(*a_, 1);  // kept: the loop reads into it
  for (const json& ch : span["bchannels"]) EXPECT_EQ(ch["state"], "idle");
}

TEST_F(RestartTest, SpanRestartErrors) {
  Start();
  EXPECT_EQ(a_->ErrorName("span.restart", {{"span", 9}}), "InvalidParams");
  EXPECT_EQ(a_->ErrorName("span.restart", {{"span", 1}, {"channel", 16}}), "InvalidParams");
  EXPECT_EQ(a_->ErrorName("span.restart", {{"span", 1}, {"bogus", 1}}), "InvalidParams");
}

// --- SERVICE ----------------------------------------------------------------

TEST_F(RestartTest, ServiceOutKeepsCallsOffTheChannelAtBothEnds) {
  Start(daemon::SwitchVariant::kNi2);
  a_->Ok("span.service", {{"span", 1}, {"channel", 1}, {"service", "out"}});
  ASSERT_TRUE(a_->WaitEvent([](const json& e) {
    return e["type"] == "span.channel" && e["channel"] == 1 && e["state"] == "out_of_service";
  }));
  // The far end learnt it from SERVICE.
  ASSERT_TRUE(b_->WaitEvent([](const json& e) {
    return e["type"] == "span.channel" && e["channel"] == 1 && e["state"] == "out_of_service";
  }));
  EXPECT_EQ(a_->ErrorName("call.make", {{"number", "100"}, {"channel", 1}}), "ResourceUnavailable");
  auto made = a_->Ok("call.make", {{"number", "100"}});
  EXPECT_EQ(a_->Ok("call.info", {{"call", made["call"]}})["channel"], 2);
  auto from_b = b_->Ok("call.make", {{"number", "200"}});
  EXPECT_NE(b_->Ok("call.info", {{"call", from_b["call"]}})["channel"], 1);
  EXPECT_EQ(SpanEntry(*a_, 1)["bchannels"][0]["service"], "out");

  a_->Ok("span.service", {{"span", 1}, {"channel", 1}, {"service", "in"}});
  ASSERT_TRUE(b_->WaitEvent([](const json& e) {
    return e["type"] == "span.channel" && e["channel"] == 1 && e["state"] == "idle";
  }));
  EXPECT_EQ(SpanEntry(*a_, 1)["bchannels"][0]["service"], "in");
}

TEST_F(RestartTest, ServiceIsRefusedOnVariantsWithoutIt) {
  Start(daemon::SwitchVariant::kEuroIsdnE1);
  EXPECT_EQ(a_->ErrorName("span.service", {{"span", 1}, {"channel", 1}, {"service", "out"}}),
            "OperationUnavailable");
  EXPECT_EQ(a_->ErrorName("span.service", {{"span", 1}, {"channel", 1}, {"service", "maybe"}}),
            "InvalidParams");
}

// --- channel choice and glare ------------------------------------------------

class GlareTest : public RestartTest {
 protected:
  // The far end does not have channel 1: it refuses it with cause 44.
  void Adjust(daemon::SpanConfig&, daemon::SpanConfig& b) override {
    b.bchannels_text = "2-4";
    b.bchannels = {2, 3, 4};
  }
};

TEST_F(GlareTest, CallRefusedWithCause44IsRetriedOnAnotherChannel) {
  Start();
  auto made = a_->Ok("call.make", {{"number", "100"}});
  auto offered = b_->WaitNew();
  ASSERT_TRUE(offered);
  EXPECT_EQ((*offered)["channel"], 2);
  b_->Ok("call.answer", {{"call", (*offered)["call"]}});
  ASSERT_TRUE(a_->WaitState(made["call"], "connected"));
  EXPECT_EQ(a_->Ok("call.info", {{"call", made["call"]}})["channel"], 2);
  // The client never saw the refusal.
  for (const json& e : a_->AllEvents()) {
    if (e["type"] == "call.state" && e["call"] == made["call"]) {
      EXPECT_NE(e["state"], "idle");
    }
  }
  auto setups = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kSetup);
  EXPECT_EQ(setups.size(), 2u);
}

TEST_F(GlareTest, ExplicitChannelIsNotRetried) {
  Start();
  auto made = a_->Ok("call.make", {{"number", "100"}, {"channel", 1}});
  auto idle = a_->WaitState(made["call"], "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 44);
}

TEST_F(RestartTest, CallRefusedWithCause34IsRetriedOnceOnAnotherChannel) {
  Start();
  auto made = a_->Ok("call.make", {{"number", "100"}});
  auto first = b_->WaitNew();
  ASSERT_TRUE(first);
  // The far end has no circuit for it: RELEASE COMPLETE, cause 34.
  b_->Ok("call.drop", {{"call", (*first)["call"]}, {"cause", 34}});
  auto second = b_->WaitNew();
  ASSERT_TRUE(second) << "the call was not retried";
  EXPECT_NE((*second)["channel"], (*first)["channel"]);
  b_->Ok("call.answer", {{"call", (*second)["call"]}});
  ASSERT_TRUE(a_->WaitState(made["call"], "connected"));
  EXPECT_EQ(a_->Ok("call.info", {{"call", made["call"]}})["channel"], (*second)["channel"]);

  // Refused again after the retry: the client sees the failure.
  auto other = a_->Ok("call.make", {{"number", "101"}});
  for (int refusal = 0; refusal < 2; ++refusal) {
    auto offered = b_->WaitNew();
    ASSERT_TRUE(offered) << "refusal " << refusal;
    b_->Ok("call.drop", {{"call", (*offered)["call"]}, {"cause", 34}});
  }
  auto idle = a_->WaitState(other["call"], "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 34);
}

// The channel a SETUP asked for, from its Channel identification IE.
std::optional<int> SetupChannel(const WireMessage& setup) {
  const q931::InformationElement* ie = q931::FindIe(setup.message, q931::ie::kChannelIdentification);
  if (ie == nullptr) return std::nullopt;
  auto id = q931::DecodeChannelId(ie->contents);
  if (!id.ok() || id->channels.size() != 1) return std::nullopt;
  return id->channels[0];
}

// How networks usually refuse a channel: CALL PROCEEDING, then DISCONNECT
// with cause 34 (no circuit/channel available) or 44. The far end is the
// built-in libpri network side.
class RefusedByDisconnectTest : public ::testing::TestWithParam<int> {};

TEST_P(RefusedByDisconnectTest, CallIsRetriedOnceOnAnotherChannel) {
  const int cause = GetParam();
  TempDir dir;
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), {SimSpan(1)})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  auto client = Watcher(dir.File("prid.sock"));
  ASSERT_TRUE(client->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
  // The far end acknowledges the SETUP with CALL PROCEEDING and then waits
  // (its busy reply is far beyond the test).
  client->Ok("sim.policy", {{"span", 1}, {"on_setup", "busy"}, {"delay_ms", 600000}});
  const std::uint64_t call = client->Ok("call.make", {{"number", "100"}})["call"];
  ASSERT_TRUE(client->WaitState(call, "proceeding"));
  const int first_channel = client->Ok("call.info", {{"call", call}})["channel"];
  // The retry is answered; the first attempt is refused by DISCONNECT.
  client->Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}});
  client->Ok("sim.drop", {{"call", call}, {"cause", cause}});
  ASSERT_TRUE(client->WaitState(call, "connected")) << "the call was not retried";
  const int second_channel = client->Ok("call.info", {{"call", call}})["channel"];
  EXPECT_NE(second_channel, first_channel);
  // The client never saw the refusal.
  for (const json& e : client->AllEvents()) {
    if (e["type"] == "call.state" && e["call"] == call) {
      EXPECT_NE(e["state"], "idle") << e;
      EXPECT_NE(e["state"], "disconnected") << e;
    }
  }

  // On the wire: SETUP, CALL PROCEEDING, DISCONNECT with the cause on the
  // first channel; prid released it and sent a SETUP for the other channel.
  const auto wire = Q931Messages(daemons.Frames(), 0, 1);
  const auto setups = Find(wire, FrameDirection::kSent, msg::kSetup);
  ASSERT_EQ(setups.size(), 2u);
  EXPECT_EQ(SetupChannel(setups[0]), first_channel);
  EXPECT_EQ(SetupChannel(setups[1]), second_channel);
  EXPECT_NE(setups[0].call_reference.value, setups[1].call_reference.value);
  const auto refused_call = setups[0].call_reference.value;
  std::vector<std::uint8_t> first_attempt;
  for (const WireMessage& m : wire) {
    if (m.call_reference.value == refused_call) first_attempt.push_back(m.type);
  }
  ASSERT_GE(first_attempt.size(), 4u);
  EXPECT_EQ(first_attempt[0], msg::kSetup);
  EXPECT_EQ(first_attempt[1], msg::kCallProceeding);
  EXPECT_EQ(first_attempt[2], msg::kDisconnect);
  EXPECT_EQ(first_attempt[3], msg::kRelease);
  const auto disconnects = Find(wire, FrameDirection::kReceived, msg::kDisconnect);
  ASSERT_EQ(disconnects.size(), 1u);
  EXPECT_EQ(disconnects[0].call_reference.value, refused_call);
  EXPECT_EQ(disconnects[0].cause, cause);
  EXPECT_TRUE(Find(wire, FrameDirection::kSent, msg::kDisconnect).empty());
}

INSTANTIATE_TEST_SUITE_P(Causes, RefusedByDisconnectTest, ::testing::Values(34, 44),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "Cause" + std::to_string(info.param);
                         });

TEST_F(RestartTest, NoFreeChannelIsResourceUnavailable) {
  Start();
  std::vector<json> calls;
  for (int i = 0; i < 4; ++i) calls.push_back(a_->Ok("call.make", {{"number", "100"}}));
  EXPECT_EQ(a_->ErrorName("call.make", {{"number", "100"}}), "ResourceUnavailable");
}

// --- configuration errors ---------------------------------------------------

TEST(ConfigErrorTest, NetworkFacingNetworkIsReported) {
  TempDir dir;
  daemon::SpanConfig a = SimSpan(1, daemon::NodeType::kNetwork);
  a.peer.clear();
  a.listen = dir.File("span1.seq");
  daemon::SpanConfig b = a;
  b.listen.clear();
  b.connect = dir.File("span1.seq");
  DaemonThread daemons({ConfigWith(dir.File("a.sock"), {a}), ConfigWith(dir.File("b.sock"), {b})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  // libpri reports it on the side that hears the other claim the same role.
  auto wa = Watcher(dir.File("a.sock"));
  auto wb = Watcher(dir.File("b.sock"));
  auto has_error = [](const json& e) { return e["type"] == "span.state" && e.contains("error"); };
  ApiClient* watcher = wa.get();
  auto event = wa->WaitEvent(has_error);
  if (!event) {
    watcher = wb.get();
    event = wb->WaitEvent(has_error, 1000);
  }
  ASSERT_TRUE(event);
  EXPECT_NE((*event)["error"].get<std::string>().find("network"), std::string::npos) << *event;
  EXPECT_EQ((*event)["state"], "down");
  EXPECT_TRUE(SpanEntry(*watcher, 1).contains("error"));
}

}  // namespace
}  // namespace prid::testing
