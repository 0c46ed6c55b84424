// NFAS with a backup D-channel, prid against prid set up the same way
// (docs/design.md "NFAS"). Each daemon has NFAS group 1: span 1 carries
// the primary D-channel (interface 0), span 2 the backup D-channel
// (interface 1, a line of its own), span 3 only B-channels (interface 2).
// Cutting the primary's line moves the active calls to the backup without
// dropping them; with both lines cut, T309 clears them.
#include <gtest/gtest.h>

#include <utility>

#include "daemon/daemon.h"
#include "q931/ie.h"
#include "q931/lapd.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

constexpr int kPrimary = 1;
constexpr int kBackup = 2;
constexpr int kMember = 3;

class NfasBackupTest : public ::testing::TestWithParam<VariantAndNode> {
 protected:
  void SetUp() override {
    const auto [variant, node] = GetParam();
    const daemon::NodeType far = node == daemon::NodeType::kCpe ? daemon::NodeType::kNetwork : daemon::NodeType::kCpe;
    daemons_ = std::make_unique<DaemonThread>(
        std::vector{ConfigWith(dir_.File("a.sock"), Group(variant, node, "listen")),
                    ConfigWith(dir_.File("b.sock"), Group(variant, far, "connect"))});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    a_ = std::make_unique<ApiClient>(dir_.File("a.sock"));
    b_ = std::make_unique<ApiClient>(dir_.File("b.sock"));
    a_->Ok("events.subscribe", {{"since", 0}});
    for (int span = 1; span <= 3; ++span) {
      ASSERT_TRUE(a_->WaitEvent([&](const json& e) { return IsSpanState(e, span, "up"); })) << "A span " << span;
      ASSERT_TRUE(WaitSpanUp(dir_.File("b.sock"), span)) << "B span " << span;
      a_->Ok("line.open", {{"span", span}});
      b_->Ok("line.open", {{"span", span}});
    }
    // Both D-channels established on both sides: the backup's first
    // SABME/UA has crossed its line.
    for (int daemon = 0; daemon < 2; ++daemon) {
      ASSERT_TRUE(daemons_->WaitFrames(
          [&](const std::vector<CapturedFrame>& frames) { return DataLinkUps(frames, daemon, kBackup) >= 1; },
          kWaitMs))
          << "daemon " << daemon << "'s backup D-channel";
    }
  }

  void TearDown() override {
    a_.reset();
    b_.reset();
    const auto frames = daemons_->Frames();
    for (int span : {kPrimary, kBackup}) {
      const std::string pcap = dir_.File("a" + std::to_string(span) + ".pcap");
      ASSERT_TRUE(WritePcap(pcap, frames, 0, span, false));
      CheckResult check = RunQ931Check(pcap);
      EXPECT_EQ(check.exit_code, 0) << "span " << span << "'s D-channel: " << check.output;
    }
  }

  std::vector<daemon::SpanConfig> Group(daemon::SwitchVariant variant, daemon::NodeType node,
                                        const std::string& end) {
    std::vector<daemon::SpanConfig> group;
    for (int n = 1; n <= 3; ++n) {
      const daemon::NfasDchannel dchannel = n == kPrimary  ? daemon::NfasDchannel::kPrimary
                                            : n == kBackup ? daemon::NfasDchannel::kBackup
                                                           : daemon::NfasDchannel::kNone;
      daemon::SpanConfig s = NfasTestSpan(n, node, variant, dchannel);
      if (n != kMember) (end == "listen" ? s.listen : s.connect) = dir_.File(n == kPrimary ? "primary.seq" : "backup.seq");
      group.push_back(std::move(s));
    }
    return group;
  }

  // How often daemon `daemon`'s span `span` D-channel sent or received a UA
  // (a data link established, by either end's SABME).
  static std::size_t DataLinkUps(const std::vector<CapturedFrame>& frames, int daemon, int span) {
    std::size_t n = 0;
    for (const CapturedFrame& f : frames) {
      if (f.daemon != daemon || f.span != span) continue;
      auto header = q931::DecodeLapdHeader(f.bytes);
      if (header.ok() && header->format == q931::LapdFormat::kUnnumbered && header->control == q931::lapd::kUa) ++n;
    }
    return n;
  }

  std::vector<WireMessage> SentByA(int span, std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, span), FrameDirection::kSent, type);
  }

  // A call from `from` on `span` that `to` answered: the two call ids.
  static std::pair<std::uint64_t, std::uint64_t> ConnectedCall(ApiClient& from, ApiClient& to, int span) {
    const std::uint64_t made = from.Ok("call.make", {{"span", span}, {"number", "100"}})["call"];
    auto offered = to.WaitNew();
    EXPECT_TRUE(offered) << "span " << span;
    if (!offered) return {made, 0};
    EXPECT_EQ((*offered)["span"], span);
    const std::uint64_t answered = (*offered)["call"];
    to.Ok("call.answer", {{"call", answered}});
    EXPECT_TRUE(from.WaitState(made, "connected")) << "span " << span;
    return {made, answered};
  }

  // A drops `call` with UUI; B's owner gets it and drops `other`.
  void DropWithUui(std::uint64_t call, std::uint64_t other, const std::string& hex) {
    a_->Ok("call.drop", {{"call", call}, {"uui", {{"hex", hex}, {"pd", 4}}}});
    auto disconnected = b_->WaitState(other, "disconnected");
    ASSERT_TRUE(disconnected);
    EXPECT_EQ((*disconnected)["uui"]["hex"], hex);
    b_->Ok("call.drop", {{"call", other}});
    ASSERT_TRUE(a_->WaitState(call, "idle"));
  }

  void Cut(int span, bool cut) {
    daemons_->RunOnDaemon(0, [&](daemon::Daemon& d) { ASSERT_TRUE(d.spans().at(span)->SetLinkCut(cut).ok()); });
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> a_;
  std::unique_ptr<ApiClient> b_;
};

TEST_P(NfasBackupTest, ThePrimarysFailureMovesTheCallsToTheBackupWithoutDroppingThem) {
  std::pair<std::uint64_t, std::uint64_t> calls[4];
  for (int span = 1; span <= 3; ++span) {
    calls[span] = ConnectedCall(*a_, *b_, span);
    ASSERT_NE(calls[span].second, 0u);
  }
  EXPECT_TRUE(SentByA(kBackup, msg::kSetup).empty()) << "calls go on the primary while it is up";

  // Each active call is moved: a STATUS on the backup's D-channel.
  Cut(kPrimary, true);
  ASSERT_TRUE(WaitWire(*daemons_, 0, kBackup, FrameDirection::kSent, msg::kStatus, 3));
  ASSERT_TRUE(WaitWire(*daemons_, 0, kBackup, FrameDirection::kReceived, msg::kStatus, 3));
  json listed = ListAll(*a_, "span.list", "span");
  for (const json& span : listed) EXPECT_EQ(span["state"], "up") << span["span"];
  EXPECT_EQ(listed[0]["nfas"], json({{"group", 1}, {"interface", 0}, {"dchannel", "primary"}, {"link", "down"}}));
  EXPECT_EQ(listed[1]["nfas"], json({{"group", 1}, {"interface", 1}, {"dchannel", "backup"}, {"link", "up"}}));
  EXPECT_FALSE(listed[2]["nfas"].contains("link"));

  // The group goes on over the backup: a drop with UUI, a new call each way
  // (the primary's interface 0 named in the SETUP), on every interface.
  DropWithUui(calls[kMember].first, calls[kMember].second, "6d656d626572");
  auto disconnects = SentByA(kBackup, msg::kDisconnect);
  ASSERT_EQ(disconnects.size(), 1u);
  auto placed = ConnectedCall(*a_, *b_, kPrimary);
  auto setups = SentByA(kBackup, msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  EXPECT_EQ(InterfaceAndChannel(setups[0]).first, 0);
  auto received = ConnectedCall(*b_, *a_, kMember);
  EXPECT_EQ(Find(Q931Messages(daemons_->Frames(), 0, kBackup), FrameDirection::kReceived, msg::kSetup).size(), 1u);

  // The calls made before the cut are still up: they drop with UUI over the backup.
  DropWithUui(calls[kPrimary].first, calls[kPrimary].second, "7072696d617279");
  DropWithUui(calls[kBackup].first, calls[kBackup].second, "6261636b7570");
  DropWithUui(placed.first, placed.second, "706c61636564");
  b_->Ok("call.drop", {{"call", received.first}});
  ASSERT_TRUE(a_->WaitState(received.second, "disconnected"));
  a_->Ok("call.drop", {{"call", received.second}});
  ASSERT_TRUE(b_->WaitState(received.first, "idle"));
  EXPECT_EQ(SentByA(kBackup, msg::kDisconnect).size(), 4u);

  // The primary comes back: new calls go on it again.
  const std::size_t ups = DataLinkUps(daemons_->Frames(), 0, kPrimary);
  Cut(kPrimary, false);
  ASSERT_TRUE(daemons_->WaitFrames(
      [&](const std::vector<CapturedFrame>& frames) { return DataLinkUps(frames, 0, kPrimary) > ups; }, kWaitMs));
  const std::size_t primary_setups = SentByA(kPrimary, msg::kSetup).size();
  auto again = ConnectedCall(*a_, *b_, kBackup);
  EXPECT_EQ(SentByA(kPrimary, msg::kSetup).size(), primary_setups + 1);
  DropWithUui(again.first, again.second, "616761696e");
}

TEST_P(NfasBackupTest, WithNeitherDChannelUpT309ClearsTheCalls) {
  const auto [made, answered] = ConnectedCall(*a_, *b_, kMember);
  ASSERT_NE(answered, 0u);
  Cut(kPrimary, true);
  Cut(kBackup, true);
  for (int span = 1; span <= 3; ++span) {
    ASSERT_TRUE(a_->WaitEvent([&](const json& e) { return IsSpanState(e, span, "down"); })) << "span " << span;
  }
  EXPECT_EQ(a_->ErrorName("call.make", {{"span", kMember}, {"number", "101"}}), "SpanDown");
  auto idle = a_->WaitState(made, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 27);
  EXPECT_EQ((*idle)["origin"], "local");
  EXPECT_EQ(a_->Ok("call.info", {{"call", made}})["state"], "idle") << "the record stays until deallocated";

  // One line back is enough for the whole group.
  Cut(kBackup, false);
  for (int span = 1; span <= 3; ++span) {
    ASSERT_TRUE(a_->WaitEvent([&](const json& e) { return IsSpanState(e, span, "up"); })) << "span " << span;
  }
  auto again = ConnectedCall(*a_, *b_, kPrimary);
  ASSERT_NE(again.second, 0u);
  EXPECT_EQ(InterfaceAndChannel(SentByA(kBackup, msg::kSetup).back()).first, 0);
  DropWithUui(again.first, again.second, "6f6e65");
}

bool IsNfasVariant(daemon::SwitchVariant v) { return daemon::IsT1Variant(v); }

INSTANTIATE_TEST_SUITE_P(T1Variants, NfasBackupTest, WithEveryNode(VariantsWhere(IsNfasVariant)),
                         VariantAndNodeName);

}  // namespace
}  // namespace prid::testing
