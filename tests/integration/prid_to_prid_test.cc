// Two prid daemons back to back over a sim span (listen/connect), one cpe
// and one network: UUI that libpri itself cannot carry (more than 35
// octets, discriminator 0, NUL bytes) crosses byte for byte both ways.
#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// 128 octets with NULs and every kind of byte.
std::string LongBinary() {
  std::string s;
  for (int i = 0; i < 128; ++i) s.push_back(static_cast<char>((i * 37) & 0xff));
  s[0] = '\0';
  s[64] = '\0';
  return s;
}

class PridToPridTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon::SpanConfig a = SimSpan(1, daemon::NodeType::kCpe);
    a.peer.clear();
    a.listen = dir_.File("span1.seq");
    daemon::SpanConfig b = SimSpan(1, daemon::NodeType::kNetwork);
    b.peer.clear();
    b.connect = dir_.File("span1.seq");
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("a.sock"), {a}),
                                                          ConfigWith(dir_.File("b.sock"), {b})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(dir_.File("a.sock"), 1));
    ASSERT_TRUE(WaitSpanUp(dir_.File("b.sock"), 1));
    cpe_ = std::make_unique<ApiClient>(dir_.File("a.sock"));
    net_ = std::make_unique<ApiClient>(dir_.File("b.sock"));
    cpe_->Ok("line.open", {{"span", 1}});
    net_->Ok("line.open", {{"span", 1}});
  }

  void TearDown() override {
    cpe_.reset();
    net_.reset();
    const auto frames = daemons_->Frames();
    ASSERT_TRUE(WritePcap(dir_.File("a.pcap"), frames, 0, 1, false));
    ASSERT_TRUE(WritePcap(dir_.File("b.pcap"), frames, 1, 1, true));
    for (const char* name : {"a.pcap", "b.pcap"}) {
      CheckResult check = RunQ931Check(dir_.File(name));
      EXPECT_EQ(check.exit_code, 0) << name << ":\n" << check.output;
    }
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> cpe_;
  std::unique_ptr<ApiClient> net_;
};

TEST_F(PridToPridTest, UuiLibpriCannotCarryCrossesByteForByte) {
  const std::string setup_uui = LongBinary();
  auto made = cpe_->Ok("call.make", {{"number", "100"}, {"uui", {{"hex", Hex(setup_uui)}, {"pd", 0}}}});
  const std::uint64_t a_call = made["call"];
  auto offered = net_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t b_call = (*offered)["call"];
  EXPECT_EQ((*offered)["uui_received"]["pd"], 0);
  EXPECT_EQ((*offered)["uui_received"]["hex"], Hex(setup_uui));

  const std::string answer_uui("answer\0with\0nul", 15);
  net_->Ok("call.answer", {{"call", b_call}, {"uui", {{"hex", Hex(answer_uui)}, {"pd", 4}}}});
  auto connected = cpe_->WaitState(a_call, "connected");
  ASSERT_TRUE(connected);
  EXPECT_EQ((*connected)["uui"]["hex"], Hex(answer_uui));
  EXPECT_FALSE((*connected)["uui"].contains("text")) << "NUL bytes are not IA5 text";

  const std::string drop_uui(100, '\x7f');
  cpe_->Ok("call.drop", {{"call", a_call}, {"cause", 16}, {"uui", {{"hex", Hex(drop_uui)}, {"pd", 0x40}}}});
  auto disconnected = net_->WaitState(b_call, "disconnected");
  ASSERT_TRUE(disconnected);
  EXPECT_EQ((*disconnected)["cause"], 16);
  EXPECT_EQ((*disconnected)["origin"], "remote");
  EXPECT_EQ((*disconnected)["uui"]["pd"], 0x40);
  EXPECT_EQ((*disconnected)["uui"]["hex"], Hex(drop_uui));

  const std::string release_uui = LongBinary().substr(0, 90);
  net_->Ok("call.drop", {{"call", b_call}, {"uui", {{"hex", Hex(release_uui)}, {"pd", 0}}}});
  ASSERT_TRUE(net_->WaitState(b_call, "idle"));
  auto idle = cpe_->WaitState(a_call, "idle");
  ASSERT_TRUE(idle);
  auto info = cpe_->Ok("call.info", {{"call", a_call}});
  EXPECT_EQ(info["uui_received"]["hex"], Hex(release_uui)) << "the RELEASE's UUI reaches the dropper";

  // On the wire, as each side sent it.
  auto a_wire = Q931Messages(daemons_->Frames(), 0, 1);
  auto b_wire = Q931Messages(daemons_->Frames(), 1, 1);
  ASSERT_EQ(Find(a_wire, FrameDirection::kSent, msg::kSetup).size(), 1u);
  EXPECT_EQ(Find(a_wire, FrameDirection::kSent, msg::kSetup)[0].uui, Uui(0, setup_uui));
  EXPECT_EQ(Find(b_wire, FrameDirection::kSent, msg::kConnect)[0].uui, Uui(4, answer_uui));
  EXPECT_EQ(Find(a_wire, FrameDirection::kSent, msg::kDisconnect)[0].uui, Uui(0x40, drop_uui));
  EXPECT_EQ(Find(b_wire, FrameDirection::kSent, msg::kRelease)[0].uui, Uui(0, release_uui));
}

TEST_F(PridToPridTest, OfferedCallRejectedByTheOtherPridReachesTheCallerWithUui) {
  auto made = cpe_->Ok("call.make", {{"number", "200"}});
  const std::uint64_t a_call = made["call"];
  auto offered = net_->WaitNew();
  ASSERT_TRUE(offered);
  net_->Ok("call.drop", {{"call", (*offered)["call"]}, {"uui", {{"hex", "00"}, {"pd", 0}}}});
  auto idle = cpe_->WaitState(a_call, "idle");
  ASSERT_TRUE(idle);
  EXPECT_EQ((*idle)["cause"], 21);
  EXPECT_EQ((*idle)["mode"], "reject");
  EXPECT_EQ((*idle)["origin"], "remote");
  EXPECT_EQ((*idle)["uui"]["hex"], "00");
  EXPECT_EQ((*idle)["uui"]["pd"], 0);
}

// A line that fails without an alarm and comes back (a cut sim line), with
// a call up that T309 clears: each libpri finds the loss itself (T203,
// then T200) and keeps sending SABME, in "awaiting establishment". When the
// line is back the first SABME to get through may find the other end
// there too; libpri answers it with UA but stays, dropping I-frames until
// its own next SABME resets the link the first end has just brought up. A
// SETUP sent the moment the span is up again must still get through.
// (Without PriLink's answer to that, one of the first two rounds lost it.)
TEST(PridToPridLinkTest, FirstSetupAfterASilentLineFailureGetsThrough) {
  TempDir dir;
  daemon::SpanConfig a = SimSpan(1, daemon::NodeType::kCpe);
  a.peer.clear();
  a.listen = dir.File("span1.seq");
  a.t200_s = 0.2;
  a.t203_s = 0.3;
  a.t309_s = 0.5;
  daemon::SpanConfig b = a;
  b.node = daemon::NodeType::kNetwork;
  b.listen.clear();
  b.connect = dir.File("span1.seq");
  DaemonThread daemons({ConfigWith(dir.File("a.sock"), {a}), ConfigWith(dir.File("b.sock"), {b})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  ApiClient cpe(dir.File("a.sock"));
  ApiClient net(dir.File("b.sock"));
  for (ApiClient* client : {&cpe, &net}) {
    client->Ok("events.subscribe", {{"since", 0}, {"span", 1}});
    ASSERT_TRUE(client->WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); }));
    client->Ok("line.open", {{"span", 1}});
  }
  auto cut = [&](bool on) {
    daemons.RunOnDaemon(0, [on](daemon::Daemon& d) { ASSERT_TRUE(d.spans().at(1)->SetLinkCut(on).ok()); });
  };
  // Which end's SABME comes first varies: several rounds.
  for (int round = 0; round < 6; ++round) {
    // A call up when the line fails, cleared by T309 on both ends.
    auto up = cpe.Ok("call.make", {{"number", "200"}});
    auto offered_up = net.WaitNew();
    ASSERT_TRUE(offered_up);
    net.Ok("call.answer", {{"call", (*offered_up)["call"]}});
    ASSERT_TRUE(cpe.WaitState(up["call"], "connected"));
    cut(true);
    for (ApiClient* client : {&cpe, &net}) {
      ASSERT_TRUE(client->WaitEvent([](const json& e) { return IsSpanState(e, 1, "down"); })) << "round " << round;
    }
    ASSERT_TRUE(cpe.WaitState(up["call"], "idle"));
    ASSERT_TRUE(net.WaitState((*offered_up)["call"], "idle"));
    cut(false);
    ASSERT_TRUE(cpe.WaitEvent([](const json& e) { return IsSpanState(e, 1, "up"); })) << "round " << round;
    auto made = cpe.Ok("call.make", {{"number", "300"}});
    auto offered = net.WaitNew();
    ASSERT_TRUE(offered) << "round " << round << ": the SETUP was lost";
    net.Ok("call.drop", {{"call", (*offered)["call"]}});
    auto idle = cpe.WaitState(made["call"], "idle");
    ASSERT_TRUE(idle);
    EXPECT_EQ((*idle)["cause"], 21) << "round " << round;
  }
}

}  // namespace
}  // namespace prid::testing
