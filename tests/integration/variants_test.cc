// Every switch variant, both node types: a call placed, answered and
// dropped with UUI against a libpri far end of the opposite node type.
#include <gtest/gtest.h>

#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using q931::FrameDirection;
namespace msg = q931::msg;

using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;

class VariantTest : public ::testing::TestWithParam<Variant> {};

TEST_P(VariantTest, CallIsAnsweredAndDroppedWithUui) {
  auto [variant, node] = GetParam();
  TempDir dir;
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), {SimSpan(1, node, variant)})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  ASSERT_TRUE(WaitSpanUp(dir.File("prid.sock"), 1));
  ApiClient client(dir.File("prid.sock"));
  client.Ok("line.open", {{"span", 1}});
  auto made = client.Ok("call.make", {{"number", "5551000"}, {"calling", "5552000"}});
  const std::uint64_t call = made["call"];
  ASSERT_TRUE(client.WaitState(call, "connected"));
  client.Ok("call.drop", {{"call", call}, {"uui", {{"text", "variant test"}}}});
  ASSERT_TRUE(client.WaitState(call, "idle"));
  auto sent = Find(Q931Messages(daemons.Frames(), 0, 1), FrameDirection::kSent, msg::kDisconnect);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].cause, 16);
  EXPECT_EQ(sent[0].uui, Uui(4, "variant test"));

  // And the other way: an incoming call rejected while offered.
  client.Ok("sim.call", {{"span", 1}, {"number", "100"}});
  auto offered = client.WaitNew();
  ASSERT_TRUE(offered);
  client.Ok("call.drop", {{"call", (*offered)["call"]}, {"uui", {{"text", "no"}}}});
  ASSERT_TRUE(client.WaitState((*offered)["call"], "idle"));
  ASSERT_TRUE(WaitWire(daemons, 0, 1, FrameDirection::kSent, msg::kReleaseComplete, 2));
  auto rejected = Find(Q931Messages(daemons.Frames(), 0, 1), FrameDirection::kSent, msg::kReleaseComplete);
  EXPECT_EQ(rejected.back().cause, 21);
  EXPECT_EQ(rejected.back().uui, Uui(4, "no"));

  const std::string pcap = dir.File("variant.pcap");
  ASSERT_TRUE(WritePcap(pcap, daemons.Frames(), 0, 1, node == daemon::NodeType::kNetwork));
  std::vector<std::string> args;
  if (variant != daemon::SwitchVariant::kQsig) args = {"--facility", "etsi"};
  CheckResult check = RunQ931Check(pcap, args);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantTest, EveryVariantAndNode(), VariantAndNodeName);

}  // namespace
}  // namespace prid::testing
