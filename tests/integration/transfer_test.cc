// call.transfer end to end: explicit call transfer of two answered calls
// against the built-in far end, a real libpri of the opposite node type
// with transfer enabled, on every switch variant and node type. Where
// libpri has it (euroisdn E1/T1, asked for by the user side: ETSI ECT,
// EN 300 369-1) the ROSE invokes are decoded from the wire — an
// EctLinkIdRequest on the first call, the network's link id in its
// result, an ExplicitEctExecute with that link id on the second — the
// network clears both calls and every holder sees both go idle with
// origin transfer; a network that refuses leaves both up, and each holder
// gets a refused "transfer" call.state. Every capture must decode cleanly
// in Wireshark (q931-check). Elsewhere: OperationUnavailable naming the
// variant and side, and nothing on the wire.
#include <gtest/gtest.h>

#include <optional>
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
using q931::BerElements;
using q931::RoseComponent;
using q931::RoseComponentIn;
namespace msg = q931::msg;
using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;

bool Transfers(const Variant& v) {
  auto [variant, node] = v;
  return node == daemon::NodeType::kCpe &&
         (variant == daemon::SwitchVariant::kEuroIsdnE1 || variant == daemon::SwitchVariant::kEuroIsdnT1);
}

// ETSI ECT operations are global values: OID {itu-t(0) identified-
// organization(4) etsi(0) 369 operations-and-errors(1) n} (EN 300 369-1
// annex: ExplicitEctExecute 1, EctLinkIdRequest 4).
std::vector<std::uint8_t> EctOperation(std::uint8_t n) { return {0x04, 0x00, 0x82, 0x71, 0x01, n}; }

class TransferTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override { Start(10.0); }
  void Start(double release_timeout_s) {
    auto [variant, node] = GetParam();
    owner_.reset();
    monitor_.reset();
    daemons_.reset();
    daemon::SpanConfig span = SimSpan(1, node, variant);
    span.release_timeout_s = release_timeout_s;
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(Socket(), {span})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(Socket(), 1));
    owner_ = std::make_unique<ApiClient>(Socket());
    owner_->Ok("line.open", {{"span", 1}});
    monitor_ = std::make_unique<ApiClient>(Socket());
    monitor_->Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  }
  void TearDown() override {
    if (!daemons_) return;
    const std::string pcap = dir_.File("transfer.pcap");
    ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, std::get<1>(GetParam()) == daemon::NodeType::kNetwork));
    CheckResult check = RunQ931Check(pcap, {"--facility", "etsi"});
    EXPECT_EQ(check.exit_code, 0) << check.output;
  }
  std::string Socket() const { return dir_.File("prid.sock"); }
  // An incoming call the owner answered.
  std::uint64_t AnsweredIncoming() {
    owner_->Ok("sim.call", {{"span", 1}, {"number", "2001"}, {"calling", "5550123"}});
    auto offered = owner_->WaitNew();
    EXPECT_TRUE(offered);
    EXPECT_TRUE(monitor_->WaitNew());
    if (!offered) return 0;
    const std::uint64_t call = (*offered)["call"];
    owner_->Ok("call.answer", {{"call", call}});
    EXPECT_TRUE(owner_->WaitState(call, "connected"));
    return call;
  }
  // An outgoing call the far end answered.
  std::uint64_t ConnectedOutgoing(const std::string& bearer = "speech") {
    const std::uint64_t call = owner_->Ok("call.make", {{"number", "3001"}, {"bearer", bearer}})["call"];
    EXPECT_TRUE(owner_->WaitState(call, "connected"));
    EXPECT_TRUE(monitor_->WaitState(call, "connected"));
    return call;
  }
  std::vector<WireMessage> Messages(FrameDirection direction, std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), direction, type);
  }
  void DropBoth(std::uint64_t a, std::uint64_t b) {
    for (std::uint64_t call : {a, b}) {
      owner_->Ok("call.drop", {{"call", call}});
      ASSERT_TRUE(owner_->WaitState(call, "idle"));
    }
  }
  // Where the variant or side has no transfer: refused, nothing sent, both stay.
  void ExpectUnavailable(std::uint64_t a, std::uint64_t b) {
    auto refused = owner_->Call("call.transfer", {{"call", a}, {"to_call", b}});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().name, "OperationUnavailable");
    EXPECT_NE(refused.error().message.find(std::string(daemon::SwitchVariantName(std::get<0>(GetParam())))),
              std::string::npos)
        << refused.error().message;
    EXPECT_TRUE(Messages(FrameDirection::kSent, msg::kFacility).empty());
    EXPECT_EQ(owner_->Ok("call.info", {{"call", a}})["state"], "connected");
    DropBoth(a, b);
  }
  // The idle call.state of both calls, in the order they come.
  static std::vector<json> WaitIdle(ApiClient& holder, std::uint64_t a, std::uint64_t b) {
    std::vector<json> idle;
    while (idle.size() < 2) {
      auto e = holder.WaitEvent([&](const json& e) {
        return e["type"] == "call.state" && e["state"] == "idle" && (e["call"] == a || e["call"] == b);
      });
      EXPECT_TRUE(e) << "calls " << a << " and " << b << " did not both go idle";
      if (!e) break;
      idle.push_back(*e);
    }
    if (idle.size() == 2) {
      EXPECT_NE(idle[0]["call"], idle[1]["call"]);
    }
    return idle;
  }
  // Both calls went idle for both holders with origin transfer and the
  // far end's cause (16); the far end cleared both, prid sent no DISCONNECT.
  void ExpectTransferred(std::uint64_t a, std::uint64_t b) {
    for (ApiClient* holder : {owner_.get(), monitor_.get()}) {
      for (const json& idle : WaitIdle(*holder, a, b)) {
        EXPECT_EQ(idle["origin"], "transfer") << idle.dump();
        EXPECT_EQ(idle["cause"], 16) << idle.dump();
      }
    }
    for (std::uint64_t call : {a, b}) EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["origin"], "transfer");
    EXPECT_EQ(Messages(FrameDirection::kReceived, msg::kDisconnect).size(), 2u);
    EXPECT_TRUE(Messages(FrameDirection::kSent, msg::kDisconnect).empty()) << "the network clears a transferred call";
    EXPECT_EQ(Messages(FrameDirection::kSent, msg::kRelease).size(), 2u);
  }
  // The invokes prid sent (EctLinkIdRequest on the first call, then
  // ExplicitEctExecute with the network's link id on the other).
  void ExpectEctInvokes() {
    auto sent = Messages(FrameDirection::kSent, msg::kFacility);
    ASSERT_EQ(sent.size(), 2u);
    std::vector<RoseComponent> invokes;
    for (const WireMessage& m : sent) {
      const q931::InformationElement* ie = q931::FindIe(m.message, 0x1c);
      ASSERT_NE(ie, nullptr) << "no Facility IE";
      auto invoke = RoseComponentIn(ie->contents, 0xa1);
      ASSERT_TRUE(invoke) << "no ROSE invoke in the Facility IE";
      invokes.push_back(*invoke);
    }
    EXPECT_EQ(invokes[0].Element(0x06), EctOperation(4)) << "EctLinkIdRequest";
    EXPECT_EQ(invokes[1].Element(0x06), EctOperation(1)) << "ExplicitEctExecute";
    EXPECT_NE(sent[0].call_reference, sent[1].call_reference) << "one invoke on each call";
    // The network's result on the first call carries the link id.
    auto received = Messages(FrameDirection::kReceived, msg::kFacility);
    ASSERT_EQ(received.size(), 1u);
    // The same call: its value, the flag the other way round.
    EXPECT_EQ(received[0].call_reference.value, sent[0].call_reference.value);
    EXPECT_NE(received[0].call_reference.flag, sent[0].call_reference.flag);
    const q931::InformationElement* ie = q931::FindIe(received[0].message, 0x1c);
    ASSERT_NE(ie, nullptr);
    auto result = RoseComponentIn(ie->contents, 0xa2);
    ASSERT_TRUE(result) << "no ROSE return result";
    // Its SEQUENCE {operation, result}: the result is the link id.
    auto sequence = result->Element(0x30);
    ASSERT_TRUE(sequence) << "no result in the return result";
    const RoseComponent operation_and_result{0x30, BerElements(*sequence)};
    EXPECT_EQ(operation_and_result.Element(0x06), EctOperation(4));
    auto link_id = operation_and_result.Element(0x02);
    ASSERT_TRUE(link_id) << "no link id in the result";
    // ExplicitEctExecute's argument is the link id itself (an INTEGER
    // after the invoke id).
    EXPECT_EQ(invokes[1].Element(0x02, 1), link_id);
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> owner_;
  std::unique_ptr<ApiClient> monitor_;
};

TEST_P(TransferTest, TransferJoinsTwoCallsAndTheNetworkClearsBoth) {
  const std::uint64_t in = AnsweredIncoming();
  const std::uint64_t out = ConnectedOutgoing();
  if (!Transfers(GetParam())) return ExpectUnavailable(in, out);
  owner_->Ok("call.transfer", {{"call", in}, {"to_call", out}});
  ExpectTransferred(in, out);
  ExpectEctInvokes();
  // Both B-channels are free again, and the span places calls.
  const std::uint64_t next = ConnectedOutgoing();
  owner_->Ok("call.drop", {{"call", next}});
  ASSERT_TRUE(owner_->WaitState(next, "idle"));
  for (std::uint64_t call : {in, out, next}) owner_->Ok("call.deallocate", {{"call", call}});
}

TEST_P(TransferTest, TransferOfAHeldCall) {
  const std::uint64_t held = ConnectedOutgoing();
  const std::uint64_t other = AnsweredIncoming();
  if (!Transfers(GetParam())) return ExpectUnavailable(held, other);
  owner_->Ok("call.hold", {{"call", held}});
  ASSERT_TRUE(owner_->WaitState(held, "onhold"));
  owner_->Ok("call.transfer", {{"call", held}, {"to_call", other}});
  ExpectTransferred(held, other);
}

// A network that refuses the transfer (a ROSE error) keeps both calls:
// after release_timeout each holder gets a refused "transfer" call.state,
// cause 102, and the calls go on.
TEST_P(TransferTest, TransferTheNetworkRefusesLeavesBothCalls) {
  if (!Transfers(GetParam())) {
    EXPECT_EQ(owner_->ErrorName("sim.policy", {{"span", 1}, {"on_transfer", "sideways"}}), "InvalidParams");
    return;
  }
  Start(0.5);
  owner_->Ok("sim.policy", {{"span", 1}, {"on_transfer", "refuse"}});
  const std::uint64_t a = ConnectedOutgoing();
  const std::uint64_t b = ConnectedOutgoing();
  owner_->Ok("call.transfer", {{"call", a}, {"to_call", b}});
  for (std::uint64_t call : {a, b}) {
    for (ApiClient* holder : {owner_.get(), monitor_.get()}) {
      auto refused = holder->WaitEvent([call](const json& e) {
        return e["type"] == "call.state" && e["call"] == call && e.value("refused", "") == "transfer";
      });
      ASSERT_TRUE(refused) << "call " << call;
      EXPECT_EQ((*refused)["state"], "connected");
      EXPECT_EQ((*refused)["previous"], "connected");
      EXPECT_EQ((*refused)["cause"], 102);
    }
    EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["state"], "connected");
  }
  EXPECT_TRUE(Messages(FrameDirection::kReceived, msg::kDisconnect).empty());
  // The refusal was the far end's FACILITY (a ROSE error) on the second call.
  EXPECT_EQ(Messages(FrameDirection::kReceived, msg::kFacility).size(), 2u) << "link id result, then the error";
  // The calls are as before: a new transfer may be asked, and drops work.
  owner_->Ok("sim.policy", {{"span", 1}, {"on_transfer", "accept"}});
  owner_->Ok("call.transfer", {{"call", a}, {"to_call", b}});
  for (const json& idle : WaitIdle(*owner_, a, b)) EXPECT_EQ(idle["origin"], "transfer");
}

TEST_P(TransferTest, TransferRefusesWrongCallsAndStates) {
  const std::uint64_t a = ConnectedOutgoing();
  EXPECT_EQ(owner_->ErrorName("call.transfer", {{"call", a}, {"to_call", a}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("call.transfer", {{"call", a}, {"to_call", 999}}), "InvalidCallHandle");
  EXPECT_EQ(owner_->ErrorName("call.transfer", {{"call", a}}), "InvalidParams");
  EXPECT_EQ(monitor_->ErrorName("call.transfer", {{"call", a}, {"to_call", a + 1}}), "NotOwner");
  // An offered call is not answered yet.
  owner_->Ok("sim.call", {{"span", 1}, {"number", "2001"}});
  auto offered = owner_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t ringing = (*offered)["call"];
  EXPECT_EQ(owner_->ErrorName("call.transfer", {{"call", a}, {"to_call", ringing}}), "InvalidCallState");
  owner_->Ok("call.drop", {{"call", ringing}});
  ASSERT_TRUE(owner_->WaitState(ringing, "idle"));
  // Calls of different bearers are not joined.
  const std::uint64_t data = ConnectedOutgoing("digital");
  EXPECT_EQ(owner_->ErrorName("call.transfer", {{"call", a}, {"to_call", data}}), "InvalidParams");
  EXPECT_TRUE(Messages(FrameDirection::kSent, msg::kFacility).empty());
  if (Transfers(GetParam())) {
    // While one is pending, neither call takes another.
    owner_->Ok("sim.policy", {{"span", 1}, {"on_transfer", "refuse"}});
    const std::uint64_t b = ConnectedOutgoing();
    owner_->Ok("call.transfer", {{"call", a}, {"to_call", b}});
    EXPECT_EQ(owner_->ErrorName("call.transfer", {{"call", b}, {"to_call", a}}), "InvalidCallState");
    owner_->Ok("call.drop", {{"call", b}});
    ASSERT_TRUE(owner_->WaitState(b, "idle"));
  }
  DropBoth(a, data);
}

INSTANTIATE_TEST_SUITE_P(AllVariants, TransferTest, EveryVariantAndNode(), VariantAndNodeName);

}  // namespace
}  // namespace prid::testing
