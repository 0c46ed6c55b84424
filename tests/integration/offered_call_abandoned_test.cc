// A caller that gives up before its call is answered: the far end's
// DISCONNECT, RELEASE or RELEASE COMPLETE reaches the owner of the offered
// (or alerted) call as call.state with the far end's cause, UUI and origin
// remote, and the record and the B-channel go. libpri clears an offered call
// it has sent nothing for on a DISCONNECT or RELEASE COMPLETE without an
// event of its own (q931/pri_link.h). Two prid daemons back to back over a
// sim span, either one calling, every switch variant.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

// The switch variant and the caller's node type (the callee has the other).
using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;

// How the caller's drop clears the call on the wire (PriCall::Clear, before
// CONNECT): the message follows from the cause.
struct Clearing {
  int cause;
  std::uint8_t message;
  const char* name;
};
constexpr Clearing kClearings[] = {
    {16, msg::kDisconnect, "DISCONNECT"},
    {6, msg::kRelease, "RELEASE"},  // channel unacceptable
    {81, msg::kReleaseComplete, "RELEASE COMPLETE"},  // invalid call reference
};

constexpr int kCaller = 0;  // daemon index
constexpr int kCallee = 1;

class OfferedCallAbandonedTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    const auto [variant, caller_node] = GetParam();
    const daemon::NodeType callee_node =
        caller_node == daemon::NodeType::kCpe ? daemon::NodeType::kNetwork : daemon::NodeType::kCpe;
    daemon::SpanConfig caller = SimSpan(1, caller_node, variant);
    caller.peer.clear();
    caller.listen = dir_.File("span1.seq");
    daemon::SpanConfig callee = SimSpan(1, callee_node, variant);
    callee.peer.clear();
    callee.connect = dir_.File("span1.seq");
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("caller.sock"), {caller}),
                                                          ConfigWith(dir_.File("callee.sock"), {callee})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(dir_.File("caller.sock"), 1));
    ASSERT_TRUE(WaitSpanUp(dir_.File("callee.sock"), 1));
    caller_ = std::make_unique<ApiClient>(dir_.File("caller.sock"));
    callee_ = std::make_unique<ApiClient>(dir_.File("callee.sock"));
    caller_->Ok("line.open", {{"span", 1}});
    callee_->Ok("line.open", {{"span", 1}});
  }

  void TearDown() override {
    caller_.reset();
    callee_.reset();
    if (!daemons_) return;
    const auto [variant, caller_node] = GetParam();
    std::vector<std::string> args;
    if (variant != daemon::SwitchVariant::kQsig) args = {"--facility", "etsi"};
    const auto frames = daemons_->Frames();
    for (int d : {kCaller, kCallee}) {
      const bool network = (d == kCaller) == (caller_node == daemon::NodeType::kNetwork);
      const std::string pcap = dir_.File(d == kCaller ? "caller.pcap" : "callee.pcap");
      ASSERT_TRUE(WritePcap(pcap, frames, d, 1, network));
      CheckResult check = RunQ931Check(pcap, args);
      EXPECT_EQ(check.exit_code, 0) << pcap << ":\n" << check.output;
    }
  }

  std::vector<WireMessage> CalleeReceived(std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), kCallee, 1), FrameDirection::kReceived, type);
  }

  // The states of `call`'s call.state events `client` received so far.
  static std::vector<std::string> StatesOf(ApiClient& client, std::uint64_t call) {
    std::vector<std::string> states;
    for (const json& e : client.AllEvents()) {
      if (e["type"] == "call.state" && e["call"] == call) states.push_back(e["state"].get<std::string>());
    }
    return states;
  }

  // The caller places a call, the callee's owner is offered it (and alerts
  // it when `alerted`), then the caller drops it as `clearing` says.
  void Abandon(const Clearing& clearing, bool alerted) {
    SCOPED_TRACE(std::string(clearing.name) + (alerted ? " of an alerted call" : " of an offered call"));
    const std::size_t received_before = CalleeReceived(clearing.message).size();
    auto made = caller_->Ok("call.make", {{"number", "5551000"}});
    const std::uint64_t out = made["call"];
    auto offered = callee_->WaitNew();
    ASSERT_TRUE(offered);
    const std::uint64_t in = (*offered)["call"];
    const int channel = (*offered)["channel"];
    if (alerted) {
      callee_->Ok("call.alert", {{"call", in}});
      ASSERT_TRUE(callee_->WaitState(in, "accepted"));
      ASSERT_TRUE(caller_->WaitState(out, "ringback"));
    }

    caller_->Ok("call.drop", {{"call", out}, {"cause", clearing.cause}, {"uui", {{"text", "gave up"}}}});
    // Every call.state the owner gets for the call.
    std::vector<std::string> expected;
    if (alerted) expected.push_back("accepted");
    std::optional<json> cleared;
    if (alerted && clearing.message == msg::kDisconnect) {
      // The far end's DISCONNECT of a call that is on: the owner releases.
      cleared = callee_->WaitState(in, "disconnected");
      ASSERT_TRUE(cleared) << "the owner never heard of the far end's " << clearing.name;
      EXPECT_EQ((*cleared)["previous"], "accepted");
      callee_->Ok("call.drop", {{"call", in}});
      ASSERT_TRUE(callee_->WaitState(in, "idle"));
      expected.push_back("disconnected");
    } else {
      cleared = callee_->WaitState(in, "idle");
      ASSERT_TRUE(cleared) << "the owner never heard of the far end's " << clearing.name;
      EXPECT_EQ((*cleared)["previous"], alerted ? "accepted" : "offering");
    }
    EXPECT_EQ((*cleared)["cause"], clearing.cause);
    EXPECT_EQ((*cleared)["origin"], "remote");
    EXPECT_EQ((*cleared)["uui"]["text"], "gave up");
    auto caller_idle = caller_->WaitState(out, "idle");
    ASSERT_TRUE(caller_idle);
    EXPECT_EQ((*caller_idle)["origin"], "local");

    // What the caller's drop put on the wire, as the callee received it.
    auto received = CalleeReceived(clearing.message);
    ASSERT_EQ(received.size(), received_before + 1);
    EXPECT_EQ(received.back().cause, clearing.cause);

    // The B-channel is free at once; the records go with their handles.
    for (const json& span : callee_->Ok("span.list")) {
      for (const json& bchannel : span["bchannels"]) {
        if (bchannel["channel"] == channel) {
          EXPECT_EQ(bchannel["state"], "idle") << bchannel;
        }
      }
    }
    EXPECT_EQ(callee_->Ok("call.info", {{"call", in}})["state"], "idle");
    callee_->Ok("call.deallocate", {{"call", in}});
    caller_->Ok("call.deallocate", {{"call", out}});
    EXPECT_EQ(callee_->Ok("daemon.status")["calls"]["records"], 0);
    EXPECT_EQ(caller_->Ok("daemon.status")["calls"]["records"], 0);
    expected.push_back("idle");
    EXPECT_EQ(StatesOf(*callee_, in), expected);
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> caller_;
  std::unique_ptr<ApiClient> callee_;
};

TEST_P(OfferedCallAbandonedTest, TheCallersClearingReachesTheOwnerAndFreesTheCall) {
  for (bool alerted : {false, true}) {
    for (const Clearing& clearing : kClearings) {
      Abandon(clearing, alerted);
      if (HasFatalFailure()) return;
    }
  }
}

// The other way round, the same silence of libpri: the owner clears an
// alerted call with RELEASE (cause 6), and the caller's RELEASE COMPLETE
// ends it.
TEST_P(OfferedCallAbandonedTest, OwnersReleaseOfAnAlertedCallEndsOnTheCallersReleaseComplete) {
  auto made = caller_->Ok("call.make", {{"number", "5551000"}});
  const std::uint64_t out = made["call"];
  auto offered = callee_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t in = (*offered)["call"];
  callee_->Ok("call.alert", {{"call", in}});
  ASSERT_TRUE(caller_->WaitState(out, "ringback"));
  callee_->Ok("call.drop", {{"call", in}, {"cause", 6}});
  auto caller_idle = caller_->WaitState(out, "idle");
  ASSERT_TRUE(caller_idle);
  EXPECT_EQ((*caller_idle)["cause"], 6);
  EXPECT_EQ((*caller_idle)["origin"], "remote");
  auto idle = callee_->WaitState(in, "idle");
  ASSERT_TRUE(idle) << "the caller's RELEASE COMPLETE never ended the call";
  EXPECT_EQ((*idle)["cause"], 6);
  EXPECT_EQ((*idle)["origin"], "local");
  ASSERT_EQ(Find(Q931Messages(daemons_->Frames(), kCallee, 1), FrameDirection::kSent, msg::kRelease).size(), 1u);
  EXPECT_EQ(CalleeReceived(msg::kReleaseComplete).size(), 1u);
  callee_->Ok("call.deallocate", {{"call", in}});
  caller_->Ok("call.deallocate", {{"call", out}});
  EXPECT_EQ(callee_->Ok("daemon.status")["calls"]["records"], 0);
  EXPECT_EQ(caller_->Ok("daemon.status")["calls"]["records"], 0);
}

INSTANTIATE_TEST_SUITE_P(AllVariants, OfferedCallAbandonedTest, EveryVariantAndNode(), [](const auto& info) {
  return VariantAndNodeName(info) + "_calls";
});

}  // namespace
}  // namespace prid::testing
