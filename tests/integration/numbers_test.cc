// Party numbers with their attributes end to end, against a libpri far end
// of the opposite node type on every switch variant: call.make's ton, npi,
// presentation and screening in the SETUP's octets and in the call record;
// the far end's SETUP (sim.call: called, calling, redirecting, subaddress)
// in call.new; a span's dialplan = "dynamic" sending "+49…" as an
// international number without the '+'.
#include <gtest/gtest.h>

#include <map>

#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;

// The party numbers of `message`, by IE id.
std::map<std::uint8_t, q931::PartyNumber> Numbers(const q931::Message& message) {
  std::map<std::uint8_t, q931::PartyNumber> numbers;
  for (const q931::InformationElement& ie : message.ies) {
    if (auto number = q931::DecodePartyNumber(ie.id, ie.contents); number.ok()) numbers[ie.id] = *number;
  }
  return numbers;
}

class NumbersTest : public ::testing::TestWithParam<Variant> {
 protected:
  void Start(daemon::SpanConfig span) {
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(Socket(), {span})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(Socket(), 1));
    client_ = std::make_unique<ApiClient>(Socket());
    client_->Ok("line.open", {{"span", 1}});
  }
  void Check(daemon::NodeType node, daemon::SwitchVariant variant) {
    const std::string pcap = dir_.File("numbers.pcap");
    ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, node == daemon::NodeType::kNetwork));
    std::vector<std::string> args;
    if (variant != daemon::SwitchVariant::kQsig) args = {"--facility", "etsi"};
    CheckResult check = RunQ931Check(pcap, args);
    EXPECT_EQ(check.exit_code, 0) << check.output;
  }
  std::string Socket() const { return dir_.File("prid.sock"); }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> client_;
};

TEST_P(NumbersTest, CallMakesAttributesGoInTheSetupOctetsAndTheRecord) {
  auto [variant, node] = GetParam();
  Start(SimSpan(1, node, variant));
  const json made = client_->Ok(
      "call.make", {{"number", {{"digits", "301234567"}, {"ton", "national"}, {"npi", "e164"}}},
                    {"calling", {{"digits", "4940555"}, {"ton", "international"}, {"npi", "e164"},
                                 {"presentation", "restricted"}, {"screening", "user_passed"}}}});
  const std::uint64_t call = made["call"];
  ASSERT_TRUE(client_->WaitState(call, "connected"));

  auto setups = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  auto numbers = Numbers(setups[0].message);
  ASSERT_TRUE(numbers.contains(q931::ie::kCalledPartyNumber));
  ASSERT_TRUE(numbers.contains(q931::ie::kCallingPartyNumber));
  const q931::PartyNumber& called = numbers[q931::ie::kCalledPartyNumber];
  EXPECT_EQ(called.type, 2);  // national
  EXPECT_EQ(called.plan, 1);  // ISDN/telephony (E.164)
  EXPECT_EQ(called.digits, "301234567");
  const q931::PartyNumber& calling = numbers[q931::ie::kCallingPartyNumber];
  EXPECT_EQ(calling.type, 1);  // international
  EXPECT_EQ(calling.plan, 1);
  EXPECT_EQ(calling.presentation, 1);  // restricted
  EXPECT_EQ(calling.screening, 1);     // user-provided, verified and passed
  EXPECT_EQ(calling.digits, "4940555");

  const json record = client_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(record["called"], "301234567");
  EXPECT_EQ(record["called_party"], json({{"digits", "301234567"}, {"ton", "national"}, {"npi", "e164"}}));
  EXPECT_EQ(record["calling_party"], json({{"digits", "4940555"},
                                           {"ton", "international"},
                                           {"npi", "e164"},
                                           {"presentation", "restricted"},
                                           {"screening", "user_passed"}}));
  client_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(client_->WaitState(call, "idle"));
  Check(node, variant);
}

TEST_P(NumbersTest, TheFarEndsSetupAttributesReachCallNew) {
  auto [variant, node] = GetParam();
  Start(SimSpan(1, node, variant));
  client_->Ok("sim.call", {{"span", 1},
                           {"number", {{"digits", "2001"}, {"ton", "subscriber"}, {"npi", "private"}}},
                           {"calling", {{"digits", "5550123"}, {"ton", "national"}, {"npi", "e164"},
                                        {"presentation", "restricted"}, {"screening", "network"}}},
                           {"redirecting", {{"digits", "5550100"}, {"ton", "national"}, {"npi", "e164"},
                                            {"presentation", "allowed"}, {"reason", "no_reply"}, {"count", 1}}},
                           {"called_subaddress", "42"}});
  auto offered = client_->WaitNew();
  ASSERT_TRUE(offered);
  const json& e = *offered;
  EXPECT_EQ(e["called"], "2001");
  EXPECT_EQ(e["calling"], "5550123");
  EXPECT_EQ(e["called_party"], json({{"digits", "2001"}, {"ton", "subscriber"}, {"npi", "private"}}));
  EXPECT_EQ(e["calling_party"], json({{"digits", "5550123"},
                                      {"ton", "national"},
                                      {"npi", "e164"},
                                      {"presentation", "restricted"},
                                      {"screening", "network"}}));
  ASSERT_TRUE(e.contains("redirecting")) << e.dump();
  EXPECT_EQ(e["redirecting"]["digits"], "5550100");
  EXPECT_EQ(e["redirecting"]["ton"], "national");
  EXPECT_EQ(e["redirecting"]["npi"], "e164");
  EXPECT_EQ(e["redirecting"]["presentation"], "allowed");
  EXPECT_EQ(e["redirecting"]["reason"], "no_reply");
  EXPECT_EQ(e["redirecting"]["count"], 1);
  EXPECT_EQ(e["called_subaddress"], json({{"type", "nsap"}, {"hex", "3432"}, {"text", "42"}}));
  EXPECT_EQ(client_->Ok("call.info", {{"call", e["call"]}})["calling_party"], e["calling_party"]);
  client_->Ok("call.drop", {{"call", e["call"]}});
  ASSERT_TRUE(client_->WaitState(e["call"], "idle"));
  Check(node, variant);
}

TEST_P(NumbersTest, DynamicDialplanSendsAPlusNumberAsInternationalWithoutThePlus) {
  auto [variant, node] = GetParam();
  daemon::SpanConfig span = SimSpan(1, node, variant);
  span.dialplan = daemon::Dialplan::kDynamic;
  span.local_dialplan = daemon::Dialplan::kLocal;
  Start(span);
  const json entry = client_->Ok("span.list")[0];
  EXPECT_EQ(entry["dialplan"], "dynamic") << entry;
  EXPECT_EQ(entry["local_dialplan"], "local");
  const std::uint64_t call = client_->Ok("call.make", {{"number", "+4930123456"}, {"calling", "2000"}})["call"];
  ASSERT_TRUE(client_->WaitState(call, "connected"));
  auto setups = Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  auto numbers = Numbers(setups[0].message);
  EXPECT_EQ(numbers[q931::ie::kCalledPartyNumber].type, 1);  // international
  EXPECT_EQ(numbers[q931::ie::kCalledPartyNumber].plan, 1);
  EXPECT_EQ(numbers[q931::ie::kCalledPartyNumber].digits, "4930123456");
  EXPECT_EQ(numbers[q931::ie::kCallingPartyNumber].type, 4);  // subscriber (local)
  EXPECT_EQ(numbers[q931::ie::kCallingPartyNumber].digits, "2000");
  const json record = client_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(record["called"], "4930123456") << "the record keeps what was sent";
  EXPECT_EQ(record["called_party"]["ton"], "international");
  client_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(client_->WaitState(call, "idle"));
}

INSTANTIATE_TEST_SUITE_P(AllVariants, NumbersTest, EveryVariantAndNode(), VariantAndNodeName);

}  // namespace
}  // namespace prid::testing
