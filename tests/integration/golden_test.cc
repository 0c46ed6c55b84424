// The golden libpri-vs-libpri traces in tests/traces/golden (see its
// README): each decodes cleanly in Wireshark, holds the drop it was made
// for with its exact cause and UUI, and prid, recorded again, still makes
// the same call flow (call reference values, LAPD counters and timing
// aside). When prid's behaviour changes on purpose, record them again.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "q931/call_flow.h"
#include "q931/message.h"
#include "q931/names.h"
#include "q931/trace_reader.h"
#include "tests/support/golden_calls.h"
#include "tests/support/wire.h"

namespace prid::testing {
namespace {

std::string GoldenDir() {
  const char* dir = std::getenv("PRID_GOLDEN_DIR");
  return dir == nullptr ? std::string() : std::string(dir);
}

// The call flow of a pcap, or a failure naming the file.
::testing::AssertionResult ReadFlow(const std::string& path, std::vector<q931::FlowMessage>* flow) {
  auto records = q931::ReadTraceFile(path);
  if (!records.ok()) return ::testing::AssertionFailure() << records.error();
  *flow = q931::CallFlow(*records);
  if (flow->empty()) return ::testing::AssertionFailure() << path << " holds no Q.931 message";
  return ::testing::AssertionSuccess();
}

std::string Describe(const std::vector<q931::FlowMessage>& flow) {
  std::string out;
  for (const auto& m : flow) out += "  " + q931::DescribeFlowMessage(m) + "\n";
  return out;
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(GoldenDir().empty()) << "PRID_GOLDEN_DIR is not set (tests/integration/meson.build sets it)";
  }
  std::string GoldenFile() const { return GoldenDir() + "/" + GetParam().RelativePath(); }
};

TEST_P(GoldenTest, FilePassesQ931Check) {
  // Wireshark decodes a FACILITY's ROSE operations by the variant's tables.
  std::vector<std::string> args = {"--quiet"};
  const daemon::SwitchVariant v = GetParam().variant;
  if (v == daemon::SwitchVariant::kQsig) args.insert(args.end(), {"--facility", "qsig"});
  if (v == daemon::SwitchVariant::kEuroIsdnE1 || v == daemon::SwitchVariant::kEuroIsdnT1) {
    args.insert(args.end(), {"--facility", "etsi"});
  }
  CheckResult check = RunQ931Check(GoldenFile(), args);
  EXPECT_EQ(check.exit_code, 0) << GoldenFile() << ":\n" << check.output;
}

TEST_P(GoldenTest, FileHoldsTheDropWithItsCauseAndExactUui) {
  std::vector<q931::FlowMessage> flow;
  ASSERT_TRUE(ReadFlow(GoldenFile(), &flow));
  auto it = flow.begin();
  for (const ExpectedMessage& want : ExpectedDrop(GetParam().path)) {
    it = std::find_if(it, flow.end(), [&](const q931::FlowMessage& m) {
      return m.type == want.type && m.by_network == want.by_network;
    });
    ASSERT_NE(it, flow.end()) << "no " << (want.by_network ? "N->U " : "U->N ")
                              << q931::MessageName(q931::kPdQ931, want.type)
                              << " in " << GoldenFile() << ":\n" << Describe(flow);
    EXPECT_EQ(it->cause, want.cause) << q931::DescribeFlowMessage(*it);
    EXPECT_EQ(it->uui, want.uui) << q931::DescribeFlowMessage(*it);
    ++it;
  }
}

// flows.txt (the listing the README points to) says what the file holds.
TEST_P(GoldenTest, FlowsListingMatchesTheFile) {
  std::vector<q931::FlowMessage> flow;
  ASSERT_TRUE(ReadFlow(GoldenFile(), &flow));
  std::ifstream in(GoldenDir() + "/flows.txt", std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << GoldenDir() << "/flows.txt";
  std::stringstream listing;
  listing << in.rdbuf();
  const std::string wanted = DescribeGoldenFlow(GetParam(), flow);
  // The section: the file's name on a line of its own, then its messages.
  const std::string text = "\n" + listing.str();
  const std::size_t at = text.find("\n" + GetParam().RelativePath() + "\n");
  ASSERT_NE(at, std::string::npos) << GetParam().RelativePath() << " is not in flows.txt";
  std::size_t end = at + 1;
  do {
    end = text.find('\n', end) + 1;
  } while (end != 0 && end < text.size() && text[end] == ' ');
  const std::string section = text.substr(at + 1, (end == 0 ? text.size() : end) - at - 1);
  EXPECT_EQ(section, wanted);
}

TEST_P(GoldenTest, PridStillMakesTheSameCallFlow) {
  std::vector<q931::FlowMessage> golden;
  ASSERT_TRUE(ReadFlow(GoldenFile(), &golden));
  TempDir scratch;
  auto frames = RecordGoldenCall(GetParam(), scratch.path());
  ASSERT_TRUE(frames.ok()) << frames.error();
  const std::string again = scratch.File("again.pcap");
  ASSERT_TRUE(WriteGoldenPcap(again, *frames));
  std::vector<q931::FlowMessage> seen;
  ASSERT_TRUE(ReadFlow(again, &seen));
  q931::FlowComparison comparison = q931::CompareFlows(golden, seen);
  std::string differences;
  for (const std::string& d : comparison.differences) differences += "  " + d + "\n";
  EXPECT_TRUE(comparison.same()) << GoldenFile() << " (expected) and prid now (seen) differ:\n"
                                 << differences << comparison.side_by_side;
}

std::string CaseName(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.Name();
  for (char& c : name) {
    if (c == '/' || c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllVariantsAndDropPaths, GoldenTest, ::testing::ValuesIn(GoldenCases()), CaseName);

// The regression test above is only as good as CompareFlows' eye for the
// UUI: a drop whose UUI lost one byte is a difference.
TEST(GoldenComparisonTest, ChangedDropUuiIsADifference) {
  const GoldenCase local_drop{daemon::SwitchVariant::kEuroIsdnE1, DropPath::kLocalDrop};
  std::vector<q931::FlowMessage> golden;
  ASSERT_TRUE(ReadFlow(GoldenDir() + "/" + local_drop.RelativePath(), &golden));
  std::vector<q931::FlowMessage> changed = golden;
  auto disconnect = std::find_if(changed.begin(), changed.end(),
                                 [](const q931::FlowMessage& m) { return m.type == q931::msg::kDisconnect; });
  ASSERT_NE(disconnect, changed.end());
  ASSERT_TRUE(disconnect->uui.has_value());
  disconnect->uui->info.pop_back();
  q931::FlowComparison comparison = q931::CompareFlows(golden, changed);
  ASSERT_FALSE(comparison.same());
  EXPECT_NE(comparison.side_by_side.find('!'), std::string::npos) << comparison.side_by_side;
}

}  // namespace
}  // namespace prid::testing
