// Tests of call flows and their comparison: what matters (sender, type,
// cause, UUI, channel, numbers, progress) is compared; call reference
// values, LAPD counters and timing are not.
#include "q931/call_flow.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "q931/lapd.h"
#include "q931/message.h"
#include "q931/trace_reader.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::TracesDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<TraceRecord> Cisco() {
  auto records = ReadTraceFile(TracesDir() + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng");
  EXPECT_TRUE(records.ok()) << (records.ok() ? "" : records.error());
  return records.ok() ? *records : std::vector<TraceRecord>{};
}

// Applies `change` to the decoded message of record `index` and re-encodes it.
void Rewrite(std::vector<TraceRecord>& records, std::size_t index,
             const std::function<void(Message&)>& change) {
  auto m = DecodeMessage(records[index].frame);
  ASSERT_TRUE(m.ok());
  change(*m);
  records[index].frame = EncodeMessage(*m);
}

TEST(CallFlowTest, CiscoCallFlowNamesSidesCallAndFields) {
  ASSERT_FALSE(TracesDir().empty());
  const auto flow = CallFlow(Cisco());
  ASSERT_EQ(flow.size(), 8u);
  EXPECT_EQ(DescribeFlowMessage(flow[0]), "N->U call 1 SETUP chan=1 called=1001 calling=3333 pi=3");
  EXPECT_EQ(DescribeFlowMessage(flow[1]), "U->N call 1 CALL PROCEEDING chan=1");
  EXPECT_EQ(DescribeFlowMessage(flow[5]), "N->U call 1 DISCONNECT cause=16");
}

TEST(CallFlowTest, ATraceMatchesItselfAndItsOtherFormats) {
  ASSERT_FALSE(TracesDir().empty());
  auto listing = ReadTraceFile(TracesDir() + "/derived/cisco-mgcp-pri-backhaul-call.q931.txt");
  ASSERT_TRUE(listing.ok());
  const auto result = CompareFlows(CallFlow(Cisco()), CallFlow(*listing));
  EXPECT_TRUE(result.same()) << result.side_by_side;
}

TEST(CallFlowTest, CallReferenceValuesDoNotMatter) {
  auto renumbered = Cisco();
  for (std::size_t i = 0; i < renumbered.size(); ++i) {
    Rewrite(renumbered, i, [](Message& m) { m.call_reference.value = 0x15; });
  }
  EXPECT_TRUE(CompareFlows(CallFlow(Cisco()), CallFlow(renumbered)).same());
}

TEST(CallFlowTest, LapdCountersDoNotMatter) {
  ASSERT_FALSE(TracesDir().empty());
  auto records = ReadTraceFile(TracesDir() + "/derived/sangoma-wanpipe-lapd-trace.lapd203.pcap");
  ASSERT_TRUE(records.ok());
  auto shifted = *records;
  for (auto& r : shifted) {
    auto h = DecodeLapdHeader(r.frame);
    if (!h || h->format == LapdFormat::kUnnumbered) continue;
    h->ns = static_cast<std::uint8_t>((h->ns + 5) & 0x7F);
    h->nr = static_cast<std::uint8_t>((h->nr + 9) & 0x7F);
    const auto header = EncodeLapdHeader(*h);
    std::copy(header.begin(), header.end(), r.frame.begin());
  }
  EXPECT_TRUE(CompareFlows(CallFlow(*records), CallFlow(shifted)).same());
}

TEST(CallFlowTest, ADifferentCauseIsADifference) {
  auto changed = Cisco();
  Rewrite(changed, 5, [](Message& m) { SetCauseValue(m, 17); });
  const auto result = CompareFlows(CallFlow(Cisco()), CallFlow(changed));
  EXPECT_THAT(result.differences, ElementsAre("message 6: cause 16 expected, 17 seen"));
  EXPECT_THAT(result.side_by_side, HasSubstr("!   6 N->U call 1 DISCONNECT cause=16"));
  EXPECT_THAT(result.side_by_side, HasSubstr("| N->U call 1 DISCONNECT cause=17"));
}

TEST(CallFlowTest, UserUserBytesAreCompared) {
  auto changed = Cisco();
  Rewrite(changed, 5, [](Message& m) { SetUserUser(m, UserUser{4, {'o', 'k'}}); });
  const auto result = CompareFlows(CallFlow(Cisco()), CallFlow(changed));
  EXPECT_THAT(result.differences, ElementsAre("message 6: uui - expected, 04:6f6b seen"));
}

TEST(CallFlowTest, MissingAndExtraMessagesAreDifferences) {
  auto shorter = Cisco();
  shorter.pop_back();
  const auto missing = CompareFlows(CallFlow(Cisco()), CallFlow(shorter));
  EXPECT_THAT(missing.differences, ElementsAre("message 8: missing: N->U call 1 RELEASE COMPLETE"));
  const auto extra = CompareFlows(CallFlow(shorter), CallFlow(Cisco()));
  EXPECT_THAT(extra.differences,
              ElementsAre("message 8: not expected: N->U call 1 RELEASE COMPLETE"));
}

TEST(CallFlowTest, ADifferentSenderOrTypeIsADifference) {
  auto changed = Cisco();
  changed[2].sent_by_network = true;  // ALERTING from the network side
  Rewrite(changed, 3, [](Message& m) { m.message_type = msg::kProgress; });
  const auto result = CompareFlows(CallFlow(Cisco()), CallFlow(changed));
  EXPECT_THAT(result.differences,
              ::testing::Contains("message 3: sender user expected, network seen"));
  EXPECT_THAT(result.differences,
              ::testing::Contains("message 4: type CONNECT expected, PROGRESS seen"));
}

// The ladder (prictl trace --ladder): the columns of the comparison, the
// user side's messages on the left, the network side's on the right.
TEST(CallFlowTest, TheLadderPutsEachSideInItsColumnOfTheComparisonsRows) {
  ASSERT_FALSE(TracesDir().empty());
  const auto flow = CallFlow(Cisco());
  ASSERT_GE(flow.size(), 2u);
  ASSERT_TRUE(flow[0].by_network && *flow[0].by_network);
  const std::string setup = FlowLadderRow(1, flow[0]);
  EXPECT_EQ(setup, FlowColumns(1, false, "", "<- " + DescribeFlowFields(flow[0])));
  EXPECT_EQ(setup, fmt::format("    1 {:<60} | <- call 1 SETUP chan=1 called=1001 calling=3333 pi=3\n", ""));
  FlowMessage from_user = flow[0];
  from_user.by_network = false;
  EXPECT_EQ(FlowLadderRow(2, from_user), fmt::format("    2 {:<60} | \n", "call 1 SETUP chan=1 called=1001 calling=3333 pi=3 ->"));
  EXPECT_EQ(FlowLadderHeader(), fmt::format("      {:<60} | network side\n", "user side"));
  // The comparison draws the same rows.
  const auto same = CompareFlows(flow, flow);
  EXPECT_THAT(same.side_by_side, HasSubstr(FlowColumns(1, false, DescribeFlowMessage(flow[0]), DescribeFlowMessage(flow[0]))));
}

TEST(CallFlowTest, DescribeFlowMessageIsTheSideThenTheFields) {
  ASSERT_FALSE(TracesDir().empty());
  const auto flow = CallFlow(Cisco());
  ASSERT_FALSE(flow.empty());
  EXPECT_EQ(DescribeFlowFields(flow[0]), "call 1 SETUP chan=1 called=1001 calling=3333 pi=3");
  EXPECT_EQ(DescribeFlowMessage(flow[0]), "N->U " + DescribeFlowFields(flow[0]));
}

}  // namespace
}  // namespace prid::q931
