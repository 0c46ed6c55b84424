// NFAS: several T1 spans signalled on one D-channel, prid against prid
// set up the same way (docs/design.md "NFAS"). Daemon A has NFAS group 1:
// span 1 carries the D-channel (interface 0), spans 2 and 3 are interfaces
// 1 and 2 without a D-channel. Daemon B has the same group and span 4,
// interface 3, which A does not have. Every call's B-channel is named with
// its interface on the primary's D-channel, on every T1 variant, prid as
// cpe and as network.
#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "daemon/daemon.h"
#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

class NfasTest : public ::testing::TestWithParam<VariantAndNode> {
 protected:
  void SetUp() override {
    const auto [variant, node] = GetParam();
    const daemon::NodeType far = node == daemon::NodeType::kCpe ? daemon::NodeType::kNetwork : daemon::NodeType::kCpe;
    daemons_ = std::make_unique<DaemonThread>(
        std::vector{ConfigWith(dir_.File("a.sock"), Group(variant, node, 3, "listen")),
                    ConfigWith(dir_.File("b.sock"), Group(variant, far, 4, "connect"))});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    a_ = std::make_unique<ApiClient>(dir_.File("a.sock"));
    b_ = std::make_unique<ApiClient>(dir_.File("b.sock"));
    a_->Ok("events.subscribe", {{"since", 0}});
    for (int span = 1; span <= 3; ++span) {
      ASSERT_TRUE(a_->WaitEvent([&](const json& e) { return IsSpanState(e, span, "up"); })) << "A span " << span;
      a_->Ok("line.open", {{"span", span}});
    }
    ASSERT_TRUE(WaitSpanUp(dir_.File("b.sock"), 4));
    for (int span = 1; span <= 4; ++span) b_->Ok("line.open", {{"span", span}});
  }

  void TearDown() override {
    a_.reset();
    b_.reset();
    const auto frames = daemons_->Frames();
    ASSERT_TRUE(WritePcap(dir_.File("a.pcap"), frames, 0, 1, false));
    CheckResult check = RunQ931Check(dir_.File("a.pcap"));
    EXPECT_EQ(check.exit_code, 0) << check.output;
  }

  // Spans 1…`spans` of NFAS group 1, span 1 its primary with the socket.
  std::vector<daemon::SpanConfig> Group(daemon::SwitchVariant variant, daemon::NodeType node, int spans,
                                        const std::string& end) {
    std::vector<daemon::SpanConfig> group;
    for (int n = 1; n <= spans; ++n) {
      daemon::SpanConfig s =
          NfasTestSpan(n, node, variant, n == 1 ? daemon::NfasDchannel::kPrimary : daemon::NfasDchannel::kNone);
      if (n == 1) (end == "listen" ? s.listen : s.connect) = dir_.File("dchannel.seq");
      group.push_back(std::move(s));
    }
    return group;
  }

  std::vector<WireMessage> SentByA(std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, type);
  }

  // A call from A on `span` (channel 0: prid's choice) that B answered:
  // A's call id and B's.
  std::pair<std::uint64_t, std::uint64_t> ConnectedCall(int span, int channel = 0) {
    json params = {{"span", span}, {"number", "100"}};
    if (channel != 0) params["channel"] = channel;
    const std::uint64_t made = a_->Ok("call.make", params)["call"];
    auto offered = b_->WaitNew();
    EXPECT_TRUE(offered) << "span " << span;
    if (!offered) return {made, 0};
    const std::uint64_t answered = (*offered)["call"];
    b_->Ok("call.answer", {{"call", answered}});
    EXPECT_TRUE(a_->WaitState(made, "connected")) << "span " << span;
    return {made, answered};
  }

  // `from` drops `call`; the far end's owner drops `other` on its DISCONNECT.
  static void DropBoth(ApiClient& from, std::uint64_t call, ApiClient& to, std::uint64_t other) {
    from.Ok("call.drop", {{"call", call}});
    ASSERT_TRUE(to.WaitState(other, "disconnected"));
    to.Ok("call.drop", {{"call", other}});
    ASSERT_TRUE(from.WaitState(call, "idle"));
  }

  void Cut(bool cut) {
    daemons_->RunOnDaemon(0, [cut](daemon::Daemon& d) { ASSERT_TRUE(d.spans().at(1)->SetLinkCut(cut).ok()); });
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> a_;
  std::unique_ptr<ApiClient> b_;
};

TEST_P(NfasTest, EachSpansCallsGoOnItsInterfaceAndDropAlone) {
  // Channel 5 of all three interfaces at once.
  std::map<int, std::uint64_t> a_calls;
  std::map<int, std::uint64_t> b_calls;
  for (int span = 1; span <= 3; ++span) {
    a_calls[span] = a_->Ok("call.make", {{"span", span}, {"number", "100"}, {"channel", 5}})["call"];
    auto offered = b_->WaitNew();
    ASSERT_TRUE(offered);
    EXPECT_EQ((*offered)["span"], span);
    EXPECT_EQ((*offered)["channel"], 5);
    b_calls[span] = (*offered)["call"];
    b_->Ok("call.answer", {{"call", b_calls[span]}});
    ASSERT_TRUE(a_->WaitState(a_calls[span], "connected"));
  }
  const auto setups = SentByA(msg::kSetup);
  ASSERT_EQ(setups.size(), 3u);
  for (int span = 1; span <= 3; ++span) {
    EXPECT_EQ(InterfaceAndChannel(setups[span - 1]), std::pair(span - 1, 5)) << "span " << span << "'s SETUP";
  }

  // Span 2's drop, with UUI, ends span 2's call only.
  a_->Ok("call.drop", {{"call", a_calls[2]}, {"cause", 16}, {"uui", {{"text", "bye"}}}});
  auto disconnected = b_->WaitState(b_calls[2], "disconnected");
  ASSERT_TRUE(disconnected);
  EXPECT_EQ((*disconnected)["origin"], "remote");
  EXPECT_EQ((*disconnected)["uui"]["text"], "bye");
  b_->Ok("call.drop", {{"call", b_calls[2]}});
  ASSERT_TRUE(a_->WaitState(a_calls[2], "idle"));
  for (int span : {1, 3}) EXPECT_EQ(a_->Ok("call.info", {{"call", a_calls[span]}})["state"], "connected");
  auto channels = a_->Ok("span.list", {{"after", 1}, {"limit", 1}})[0]["bchannels"];
  EXPECT_EQ(channels[4]["state"], "idle") << "span 2's channel 5 is free again";
  for (int span : {1, 3}) DropBoth(*a_, a_calls[span], *b_, b_calls[span]);
  for (const auto& [span, call] : a_calls) a_->Ok("call.deallocate", {{"call", call}});
  EXPECT_EQ(a_->Ok("daemon.status")["calls"]["records"], 0);
}

TEST_P(NfasTest, AMembersCallIsTracedFromTheGroupsDChannel) {
  const auto [made, answered] = ConnectedCall(3);
  ASSERT_NE(answered, 0u);
  ApiClient tracer(dir_.File("a.sock"));
  json traced = tracer.Ok("trace.subscribe", {{"call", made}});
  EXPECT_GE(traced["replayed"], 3) << "SETUP, CALL PROCEEDING or ALERTING, CONNECT";
  auto note = tracer.raw().WaitNotification(kWaitMs);
  ASSERT_TRUE(note);
  EXPECT_EQ((*note)["params"]["span"], 1) << "its frames are the D-channel's";
  EXPECT_EQ((*note)["params"]["q931"]["message"], "SETUP");
  DropBoth(*a_, made, *b_, answered);
}

TEST_P(NfasTest, FarEndCallsReachTheSpanOfTheirInterface) {
  auto made = b_->Ok("call.make", {{"span", 3}, {"number", "200"}, {"channel", 24}});
  auto offered = a_->WaitNew();
  ASSERT_TRUE(offered);
  EXPECT_EQ((*offered)["span"], 3);
  EXPECT_EQ((*offered)["channel"], 24) << "a span without a D-channel has channel 24 for calls";
  a_->Ok("call.answer", {{"call", (*offered)["call"]}});
  ASSERT_TRUE(b_->WaitState(made["call"], "connected"));
  b_->Ok("call.drop", {{"call", made["call"]}});
  ASSERT_TRUE(a_->WaitState((*offered)["call"], "disconnected"));
  a_->Ok("call.drop", {{"call", (*offered)["call"]}});
  ASSERT_TRUE(b_->WaitState(made["call"], "idle"));

  // Interface 3 is not A's: the offer is refused, cause 82.
  auto stray = b_->Ok("call.make", {{"span", 4}, {"number", "300"}});
  auto refused = b_->WaitState(stray["call"], "idle");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["cause"], 82);
  EXPECT_EQ((*refused)["origin"], "remote");
  EXPECT_FALSE(a_->WaitNew(200)) << "no span of A took it";
}

TEST_P(NfasTest, RestartNamesTheInterfaceAndClearsThatSpansCallOnly) {
  std::map<int, std::uint64_t> a_calls;
  std::map<int, std::uint64_t> b_calls;
  for (int span : {1, 2}) {
    a_calls[span] = a_->Ok("call.make", {{"span", span}, {"number", "100"}, {"channel", 3}})["call"];
    auto offered = b_->WaitNew();
    ASSERT_TRUE(offered);
    b_calls[span] = (*offered)["call"];
    b_->Ok("call.answer", {{"call", b_calls[span]}});
    ASSERT_TRUE(a_->WaitState(a_calls[span], "connected"));
  }
  a_->Ok("span.restart", {{"span", 2}, {"channel", 3}});
  auto idle = a_->WaitState(a_calls[2], "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 41);
  ASSERT_TRUE(WaitWire(*daemons_, 0, 1, FrameDirection::kReceived, msg::kRestartAcknowledge));
  const auto restarts = SentByA(msg::kRestart);
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_EQ(InterfaceAndChannel(restarts[0]), std::pair(1, 3));
  EXPECT_EQ(a_->Ok("call.info", {{"call", a_calls[1]}})["state"], "connected") << "span 1's channel 3 is another";
  DropBoth(*a_, a_calls[1], *b_, b_calls[1]);
}

TEST_P(NfasTest, LostDChannelTakesTheWholeGroupDownAndBack) {
  const auto [made, answered] = ConnectedCall(2);
  ASSERT_NE(answered, 0u);

  std::string error;
  daemons_->RunOnDaemon(0, [&](daemon::Daemon& d) { error = d.spans().at(2)->SetLinkCut(true).message(); });
  EXPECT_NE(error.find("span 2 has no D-channel of its own"), std::string::npos) << error;

  Cut(true);
  for (int span = 1; span <= 3; ++span) {
    ASSERT_TRUE(a_->WaitEvent([&](const json& e) { return IsSpanState(e, span, "down"); })) << "span " << span;
  }
  EXPECT_EQ(a_->ErrorName("call.make", {{"span", 3}, {"number", "101"}}), "SpanDown");
  // T309 on the group's link clears the member's call: cause 27, ours.
  auto idle = a_->WaitState(made, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 27);
  EXPECT_EQ((*idle)["origin"], "local");

  Cut(false);
  for (int span = 1; span <= 3; ++span) {
    ASSERT_TRUE(a_->WaitEvent([&](const json& e) { return IsSpanState(e, span, "up"); })) << "span " << span;
  }
  auto again = a_->Ok("call.make", {{"span", 3}, {"number", "102"}});
  auto offered_again = b_->WaitNew();
  ASSERT_TRUE(offered_again);
  EXPECT_EQ((*offered_again)["span"], 3);
  b_->Ok("call.answer", {{"call", (*offered_again)["call"]}});
  ASSERT_TRUE(a_->WaitState(again["call"], "connected"));
  DropBoth(*a_, again["call"], *b_, (*offered_again)["call"]);
}

TEST_P(NfasTest, ReloadLeavesTheGroupAsItRuns) {
  const auto [made, answered] = ConnectedCall(2);
  ASSERT_NE(answered, 0u);

  // Span 2 changed, span 3 gone, span 5 new in the group, span 9 new alone.
  const auto [variant, node] = GetParam();
  std::vector<daemon::SpanConfig> spans = Group(variant, node, 2, "listen");
  spans[1].uui_max = 64;
  daemon::SpanConfig added = spans[1];
  added.span = 5;
  added.nfas_interface = 4;
  spans.push_back(added);
  daemon::SpanConfig alone = SimSpan(9);
  spans.push_back(alone);
  daemon::ReloadReport report;
  daemons_->RunOnDaemon(0, [&](daemon::Daemon& d) { report = d.Reload(ConfigWith(dir_.File("a.sock"), spans)); });
  EXPECT_EQ(report.added, std::vector<int>{9});
  EXPECT_TRUE(report.removed.empty());
  EXPECT_TRUE(report.restarted.empty());
  EXPECT_EQ(report.pending_restart,
            (std::vector<std::string>{"span 5 (NFAS group 1)", "span 3 (NFAS group 1)", "span 2 (NFAS group 1)"}));

  // The group runs as it was: span 2's call, span 3, no span 5.
  EXPECT_EQ(a_->Ok("call.info", {{"call", made}})["state"], "connected");
  json listed = ListAll(*a_, "span.list", "span");
  std::vector<int> numbers;
  for (const json& span : listed) numbers.push_back(span["span"]);
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3, 9}));
  EXPECT_EQ(listed[1]["uui_max"], 128);
  EXPECT_EQ(listed[2]["nfas"], json({{"group", 1}, {"interface", 2}, {"dchannel", "none"}}));
  EXPECT_EQ(listed[0]["nfas"]["dchannel"], "primary");
  EXPECT_FALSE(listed[3].contains("nfas"));
  DropBoth(*a_, made, *b_, answered);
}

bool IsNfasVariant(daemon::SwitchVariant v) { return daemon::IsT1Variant(v); }

INSTANTIATE_TEST_SUITE_P(T1Variants, NfasTest, WithEveryNode(VariantsWhere(IsNfasVariant)), VariantAndNodeName);

}  // namespace
}  // namespace prid::testing
