// call.redirect end to end: call rerouting of an incoming call against the
// built-in far end, a real libpri of the opposite node type with rerouting
// enabled, on every switch variant. Where libpri has it (euroisdn E1/T1:
// ETSI CallRerouting; qsig: Q.SIG CallRerouting) the FACILITY's ROSE invoke
// is decoded from the wire — operation, rerouting reason, the deflected-to
// number — the far end clears the call and every holder sees it go idle
// with origin redirect; every capture must decode cleanly in Wireshark
// (q931-check). Elsewhere: OperationUnavailable naming the variant and
// nothing on the wire.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"
#include "q931/rose.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
using q931::RoseComponentIn;
namespace msg = q931::msg;
using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;

bool Reroutes(daemon::SwitchVariant v) {
  return v == daemon::SwitchVariant::kEuroIsdnE1 || v == daemon::SwitchVariant::kEuroIsdnT1 ||
         v == daemon::SwitchVariant::kQsig;
}

// The ROSE invoke of a Facility IE's contents (X.880 / Q.932 8.2): its
// operation value (a local INTEGER, after the invoke id) and its
// argument's octets.
struct Invoke {
  int operation = -1;
  std::vector<std::uint8_t> argument;
};
std::optional<Invoke> InvokeIn(const std::vector<std::uint8_t>& facility) {
  auto component = RoseComponentIn(facility, 0xa1);
  if (!component) return std::nullopt;
  Invoke invoke;
  if (auto operation = component->Element(0x02, 1)) {
    invoke.operation = 0;
    for (std::uint8_t octet : *operation) invoke.operation = invoke.operation << 8 | octet;
  }
  if (auto argument = component->Element(0x30)) invoke.argument = *argument;
  return invoke;
}
bool Contains(const std::vector<std::uint8_t>& haystack, const std::string& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

class RedirectTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    auto [variant, node] = GetParam();
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(Socket(), {SimSpan(1, node, variant)})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(Socket(), 1));
    owner_ = std::make_unique<ApiClient>(Socket());
    owner_->Ok("line.open", {{"span", 1}});
    monitor_ = std::make_unique<ApiClient>(Socket());
    monitor_->Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  }
  void TearDown() override {
    if (!daemons_) return;
    auto [variant, node] = GetParam();
    const std::string pcap = dir_.File("redirect.pcap");
    ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, node == daemon::NodeType::kNetwork));
    CheckResult check = RunQ931Check(pcap, {"--facility", variant == daemon::SwitchVariant::kQsig ? "qsig" : "etsi"});
    EXPECT_EQ(check.exit_code, 0) << check.output;
  }
  std::string Socket() const { return dir_.File("prid.sock"); }
  std::uint64_t Offer() {
    owner_->Ok("sim.call", {{"span", 1}, {"number", "2001"}, {"calling", "5550123"}});
    auto offered = owner_->WaitNew();
    EXPECT_TRUE(offered);
    EXPECT_TRUE(monitor_->WaitNew());
    return offered ? (*offered)["call"].get<std::uint64_t>() : 0;
  }
  std::vector<WireMessage> Sent(std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, type);
  }
  // The call goes idle for both holders with cause 16 and origin redirect,
  // after the far end's DISCONNECT.
  void ExpectRedirectedEnd(std::uint64_t call) {
    for (ApiClient* holder : {owner_.get(), monitor_.get()}) {
      auto idle = holder->WaitState(call, "idle");
      ASSERT_TRUE(idle);
      EXPECT_EQ((*idle)["origin"], "redirect") << idle->dump();
      EXPECT_EQ((*idle)["cause"], 16) << idle->dump();
    }
    EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["origin"], "redirect");
    EXPECT_EQ(Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kReceived, msg::kDisconnect).size(), 1u);
    EXPECT_TRUE(Sent(msg::kDisconnect).empty()) << "the far end clears a rerouted call";
  }
  // The one FACILITY prid sent: a CallRerouting invoke (ETSI 14, Q.SIG 19)
  // whose argument starts with reroutingReason `reason` and holds `number`
// and the call's called number.
  void ExpectReroutingInvoke(int reason, const std::string& number) {
    auto facilities = Sent(msg::kFacility);
    ASSERT_EQ(facilities.size(), 1u);
    const q931::InformationElement* ie = q931::FindIe(facilities[0].message, 0x1c);
    ASSERT_NE(ie, nullptr) << "no Facility IE";
    auto invoke = InvokeIn(ie->contents);
    ASSERT_TRUE(invoke) << "no ROSE invoke in the Facility IE";
    const bool qsig = std::get<0>(GetParam()) == daemon::SwitchVariant::kQsig;
    EXPECT_EQ(invoke->operation, qsig ? 19 : 14);
    ASSERT_GE(invoke->argument.size(), 3u);
    EXPECT_EQ(invoke->argument[0], 0x0a);  // ENUMERATED reroutingReason
    EXPECT_EQ(invoke->argument[2], reason);
    EXPECT_TRUE(Contains(invoke->argument, number)) << "deflected-to number " << number << " not in the invoke";
    // The last rerouting number: the call's called number, prid's own.
    EXPECT_TRUE(Contains(invoke->argument, "2001")) << "rerouting number not in the invoke";
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> owner_;
  std::unique_ptr<ApiClient> monitor_;
};

TEST_P(RedirectTest, RedirectOfferedCallSendsCallReroutingAndTheCallEnds) {
  auto [variant, node] = GetParam();
  const std::uint64_t call = Offer();
  if (!Reroutes(variant)) {
    auto refused = owner_->Call("call.redirect", {{"call", call}, {"number", "5551234"}});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().name, "OperationUnavailable");
    EXPECT_NE(refused.error().message.find(std::string(daemon::SwitchVariantName(variant))), std::string::npos)
        << refused.error().message;
    EXPECT_TRUE(Sent(msg::kFacility).empty());
    EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["state"], "offering");
    owner_->Ok("call.drop", {{"call", call}});
    ASSERT_TRUE(owner_->WaitState(call, "idle"));
    return;
  }
  owner_->Ok("call.redirect", {{"call", call}, {"number", "5551234"}, {"reason", "busy"}});
  ExpectRedirectedEnd(call);
  ExpectReroutingInvoke(/*cfb=*/2, "5551234");
}

TEST_P(RedirectTest, RedirectAlertingCallGivesTheReasonAndNumber) {
  auto [variant, node] = GetParam();
  const std::uint64_t call = Offer();
  owner_->Ok("call.alert", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "accepted"));
  if (!Reroutes(variant)) {
    EXPECT_EQ(owner_->ErrorName("call.redirect", {{"call", call}, {"number", "4930123"}}), "OperationUnavailable");
    EXPECT_TRUE(Sent(msg::kFacility).empty());
    owner_->Ok("call.drop", {{"call", call}});
    ASSERT_TRUE(owner_->WaitState(call, "idle"));
    return;
  }
  owner_->Ok("call.redirect", {{"call", call}, {"number", "4930123"}, {"reason", "unconditional"}});
  ExpectRedirectedEnd(call);
  ExpectReroutingInvoke(/*cfu=*/1, "4930123");
}

// A far end that refuses the rerouting (a FACILITY with a ROSE return
// error) keeps the call: prid clears it itself after release_timeout.
TEST_P(RedirectTest, RedirectTheFarEndRefusesIsClearedByPridAfterReleaseTimeout) {
  auto [variant, node] = GetParam();
  if (!Reroutes(variant)) {
    EXPECT_EQ(owner_->ErrorName("sim.policy", {{"span", 1}, {"on_redirect", "sideways"}}), "InvalidParams");
    return;
  }
  // A fresh daemon whose span gives up on a far end soon.
  owner_.reset();
  monitor_.reset();
  daemons_.reset();
  daemon::SpanConfig span = SimSpan(1, node, variant);
  span.release_timeout_s = 0.5;
  daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(Socket(), {span})});
  ASSERT_TRUE(daemons_->started()) << daemons_->error();
  ASSERT_TRUE(WaitSpanUp(Socket(), 1));
  owner_ = std::make_unique<ApiClient>(Socket());
  owner_->Ok("line.open", {{"span", 1}});
  monitor_ = std::make_unique<ApiClient>(Socket());
  monitor_->Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  owner_->Ok("sim.policy", {{"span", 1}, {"on_redirect", "refuse"}});

  const std::uint64_t call = Offer();
  owner_->Ok("call.alert", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "accepted"));
  owner_->Ok("call.redirect", {{"call", call}, {"number", "5551234"}});
  for (ApiClient* holder : {owner_.get(), monitor_.get()}) {
    auto idle = holder->WaitState(call, "idle");
    ASSERT_TRUE(idle);
    EXPECT_EQ((*idle)["origin"], "redirect") << idle->dump();
    EXPECT_EQ((*idle)["cause"], 16) << idle->dump();
  }
  auto messages = Q931Messages(daemons_->Frames(), 0, 1);
  // The refusal came as the far end's FACILITY, and prid cleared the call.
  EXPECT_EQ(Find(messages, FrameDirection::kReceived, msg::kFacility).size(), 1u);
  auto disconnects = Find(messages, FrameDirection::kSent, msg::kDisconnect);
  ASSERT_EQ(disconnects.size(), 1u);
  EXPECT_EQ(disconnects[0].cause, 16);
  EXPECT_TRUE(Find(messages, FrameDirection::kReceived, msg::kDisconnect).empty());
}

TEST_P(RedirectTest, RedirectRefusesWrongStatesAndBadParams) {
  auto [variant, node] = GetParam();
  const std::uint64_t call = Offer();
  EXPECT_EQ(owner_->ErrorName("call.redirect", {{"call", call}, {"number", ""}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("call.redirect", {{"call", call}, {"number", "55A1"}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("call.redirect", {{"call", call}, {"number", "5551234"}, {"reason", "sideways"}}),
            "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("call.redirect", {{"call", 999}, {"number", "5551234"}}), "InvalidCallHandle");
  EXPECT_EQ(monitor_->ErrorName("call.redirect", {{"call", call}, {"number", "5551234"}}), "NotOwner");
  owner_->Ok("call.answer", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "connected"));
  EXPECT_EQ(owner_->ErrorName("call.redirect", {{"call", call}, {"number", "5551234"}}), "InvalidCallState");
  owner_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "idle"));
  // An outgoing call is not ours to redirect.
  const std::uint64_t out = owner_->Ok("call.make", {{"number", "3001"}})["call"];
  ASSERT_TRUE(owner_->WaitState(out, "connected"));
  EXPECT_EQ(owner_->ErrorName("call.redirect", {{"call", out}, {"number", "5551234"}}), "InvalidCallState");
  owner_->Ok("call.drop", {{"call", out}});
  ASSERT_TRUE(owner_->WaitState(out, "idle"));
  EXPECT_TRUE(Sent(msg::kFacility).empty());
  (void)variant;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, RedirectTest, EveryVariantAndNode(), VariantAndNodeName);

}  // namespace
}  // namespace prid::testing
