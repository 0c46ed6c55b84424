// Call information beyond the numbers, against a libpri far end of the
// opposite node type on every switch variant: call.make's display (the
// calling name) in the SETUP's Display IE where the variant carries one
// (else OperationUnavailable), the far end's calling name in
// call.new, its progress indicators, connected number and name, and keypad
// digits in call.indication and call.state. Each IE is read from the frames
// that crossed the wire, and every capture must decode cleanly (q931-check).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;

bool EuroIsdn(daemon::SwitchVariant v) {
  return v == daemon::SwitchVariant::kEuroIsdnE1 || v == daemon::SwitchVariant::kEuroIsdnT1;
}
daemon::NodeType Opposite(daemon::NodeType node) {
  return node == daemon::NodeType::kCpe ? daemon::NodeType::kNetwork : daemon::NodeType::kCpe;
}
// libpri 1.6 sends a name as a Display IE: not on qsig, not from euroisdn's user side.
bool SendsDisplayIe(daemon::SwitchVariant variant, daemon::NodeType sender) {
  return variant != daemon::SwitchVariant::kQsig && !(EuroIsdn(variant) && sender == daemon::NodeType::kCpe);
}

const q931::InformationElement* Ie(const q931::Message& m, std::uint8_t id) { return q931::FindIe(m, id); }

// The Display IE's characters (after the character set octet the North
// American variants put first), or nullopt.
std::optional<std::string> DisplayIn(const q931::Message& m) {
  const q931::InformationElement* ie = Ie(m, q931::ie::kDisplay);
  if (ie == nullptr) return std::nullopt;
  std::size_t i = 0;
  while (i < ie->contents.size() && (ie->contents[i] & 0x80) != 0) ++i;
  return std::string(ie->contents.begin() + static_cast<std::ptrdiff_t>(i), ie->contents.end());
}

bool FacilityHolds(const q931::Message& m, const std::string& text) {
  for (const q931::InformationElement& ie : m.ies) {
    if (ie.id != q931::ie::kFacility) continue;
    const std::string octets(ie.contents.begin(), ie.contents.end());
    if (octets.find(text) != std::string::npos) return true;
  }
  return false;
}

std::vector<int> ProgressIn(const q931::Message& m) {
  std::vector<int> out;
  for (const q931::InformationElement& e : m.ies) {
    if (e.codeset != 0 || e.id != q931::ie::kProgressIndicator) continue;
    if (auto p = q931::DecodeProgress(e.contents); p.ok()) out.push_back(p->description);
  }
  return out;
}

class CallInfoTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    auto [variant, node] = GetParam();
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(Socket(), {SimSpan(1, node, variant)})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(Socket(), 1));
    client_ = std::make_unique<ApiClient>(Socket());
    client_->Ok("line.open", {{"span", 1}});
  }
  void TearDown() override {
    if (!daemons_) return;
    client_.reset();
    auto [variant, node] = GetParam();
    const std::string pcap = dir_.File("call_info.pcap");
    ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, node == daemon::NodeType::kNetwork));
    std::vector<std::string> args;
    if (variant != daemon::SwitchVariant::kQsig) args = {"--facility", "etsi"};
    CheckResult check = RunQ931Check(pcap, args);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    daemons_.reset();
  }
  std::string Socket() const { return dir_.File("prid.sock"); }
  std::vector<WireMessage> Wire(FrameDirection direction, std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), direction, type);
  }
  std::optional<json> WaitIndication(std::uint64_t call, const std::string& message) {
    return client_->WaitEvent([&](const json& e) {
      return e["type"] == "call.indication" && e["call"] == call && e["message"] == message;
    });
  }
  void Drop(std::uint64_t call) {
    client_->Ok("call.drop", {{"call", call}});
    EXPECT_TRUE(client_->WaitState(call, "idle"));
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> client_;
};

TEST_P(CallInfoTest, CallMakeDisplayGoesInTheSetupAsTheVariantCarriesIt) {
  auto [variant, node] = GetParam();
  const json params = {{"number", "5551234"}, {"calling", "2000"}, {"display", "Front Desk"}};
  if (!SendsDisplayIe(variant, node)) {
    EXPECT_EQ(client_->ErrorName("call.make", params), "OperationUnavailable");
    EXPECT_TRUE(Wire(FrameDirection::kSent, msg::kSetup).empty());
    return;
  }
  const std::uint64_t call = client_->Ok("call.make", params)["call"];
  ASSERT_TRUE(client_->WaitState(call, "connected"));
  auto setups = Wire(FrameDirection::kSent, msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  const q931::Message& setup = setups[0].message;
  EXPECT_EQ(DisplayIn(setup), "Front Desk");
  if (!EuroIsdn(variant)) {
    EXPECT_EQ(Ie(setup, q931::ie::kDisplay)->contents.front(), 0xb1) << "the character set octet";
  }
  const json record = client_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(record["display_sent"], "Front Desk");
  EXPECT_FALSE(record.contains("display")) << "the far end sent none";
  Drop(call);
}

TEST_P(CallInfoTest, TheFarEndsCallingNameReachesCallNewAndTheRecord) {
  auto [variant, node] = GetParam();
  const daemon::NodeType far_end = Opposite(node);
  const json params = {{"span", 1}, {"number", "2001"}, {"calling", "5550123"}, {"display", "Alice"}};
  if (!SendsDisplayIe(variant, far_end)) {
    EXPECT_EQ(client_->ErrorName("sim.call", params), "OperationUnavailable");
    return;
  }
  client_->Ok("sim.call", params);
  auto offered = client_->WaitNew();
  ASSERT_TRUE(offered);
  EXPECT_EQ((*offered)["display"], "Alice") << offered->dump();
  auto setups = Wire(FrameDirection::kReceived, msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  EXPECT_EQ(DisplayIn(setups[0].message), "Alice");
  const std::uint64_t call = (*offered)["call"];
  EXPECT_EQ(client_->Ok("call.info", {{"call", call}})["display"], "Alice");
  Drop(call);
}

TEST_P(CallInfoTest, TheFarEndsProgressIndicatorsReachCallIndicationInWireOrder) {
  client_->Ok("sim.policy", {{"span", 1}, {"on_setup", "alert"}});
  const std::uint64_t call = client_->Ok("call.make", {{"number", "5551234"}})["call"];
  auto alerting = WaitIndication(call, "ALERTING");
  ASSERT_TRUE(alerting);
  ASSERT_TRUE(client_->WaitState(call, "ringback"));
  auto received = Wire(FrameDirection::kReceived, msg::kAlerting);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(ProgressIn(received[0].message), std::vector<int>{8}) << "in-band information available";
  EXPECT_EQ((*alerting)["progress"], json::array({8}));

  client_->Ok("sim.progress", {{"call", call}, {"progress", {1, 8}}});
  auto progress = WaitIndication(call, "PROGRESS");
  ASSERT_TRUE(progress);
  EXPECT_EQ((*progress)["progress"], json::array({1, 8}));
  auto frames = Wire(FrameDirection::kReceived, msg::kProgress);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(ProgressIn(frames[0].message), (std::vector<int>{1, 8}));
  EXPECT_EQ(client_->Ok("call.info", {{"call", call}})["state"], "ringback") << "PROGRESS changes no state";
  Drop(call);
}

TEST_P(CallInfoTest, TheFarEndsConnectedNumberAndNameReachCallState) {
  auto [variant, node] = GetParam();
  client_->Ok("sim.policy", {{"span", 1},
                             {"on_setup", "answer"},
                             {"connected", {{"digits", "5550199"}, {"ton", "national"}, {"npi", "e164"}}},
                             {"display", "Bob"}});
  const std::uint64_t call = client_->Ok("call.make", {{"number", "5550199"}})["call"];
  auto connect = WaitIndication(call, "CONNECT");
  ASSERT_TRUE(connect);
  auto connected = client_->WaitState(call, "connected");
  ASSERT_TRUE(connected);

  auto frames = Wire(FrameDirection::kReceived, msg::kConnect);
  ASSERT_EQ(frames.size(), 1u);
  const q931::InformationElement* number = Ie(frames[0].message, q931::ie::kConnectedNumber);
  ASSERT_NE(number, nullptr);
  auto decoded = q931::DecodePartyNumber(number->id, number->contents);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->digits, "5550199");
  EXPECT_EQ(decoded->type, 2);  // national
  EXPECT_EQ(decoded->plan, 1);  // E.164
  EXPECT_EQ(decoded->presentation, 0);  // allowed
  // libpri's dms100 and 4ess far end marks the number network provided.
  const bool network_screened = variant == daemon::SwitchVariant::kDms100 || variant == daemon::SwitchVariant::k4ess;
  EXPECT_EQ(decoded->screening, network_screened ? 3 : 0);
  const json party = {{"digits", "5550199"},
                      {"ton", "national"},
                      {"npi", "e164"},
                      {"presentation", "allowed"},
                      {"screening", network_screened ? "network" : "user_not_screened"}};
  EXPECT_EQ((*connect)["connected_party"], party) << connect->dump();
  EXPECT_EQ((*connected)["connected_party"], party) << connected->dump();

  // The name: a Display IE, a Q.SIG ConnectedName, or none from euroisdn's user side.
  const daemon::NodeType far_end = Opposite(node);
  if (SendsDisplayIe(variant, far_end)) {
    EXPECT_EQ(DisplayIn(frames[0].message), "Bob");
  } else if (variant == daemon::SwitchVariant::kQsig) {
    EXPECT_TRUE(FacilityHolds(frames[0].message, "Bob"));
  }
  if (SendsDisplayIe(variant, far_end) || variant == daemon::SwitchVariant::kQsig) {
    EXPECT_EQ((*connect)["display"], "Bob");
    EXPECT_EQ((*connected)["display"], "Bob");
  } else {
    EXPECT_EQ(DisplayIn(frames[0].message), std::nullopt);
    EXPECT_FALSE(connect->contains("display"));
  }
  const json record = client_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(record["connected_party"], party);
  Drop(call);
}

TEST_P(CallInfoTest, TheFarEndsKeypadDigitsReachCallIndication) {
  // The far end's call, which prid answers: the far end is then Active
  // whichever side it is (the user side's own answer would wait for a
  // CONNECT ACKNOWLEDGE libpri does not report).
  client_->Ok("sim.call", {{"span", 1}, {"number", "2001"}});
  auto offered = client_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t call = (*offered)["call"];
  client_->Ok("call.answer", {{"call", call}});
  ASSERT_TRUE(client_->WaitState(call, "connected"));
  client_->Ok("sim.keypad", {{"call", call}, {"digits", "*12#"}});
  auto keypad = WaitIndication(call, "INFORMATION");
  ASSERT_TRUE(keypad);
  EXPECT_EQ((*keypad)["keypad"], "*12#");
  auto frames = Wire(FrameDirection::kReceived, msg::kInformation);
  ASSERT_EQ(frames.size(), 1u);
  const q931::InformationElement* ie = Ie(frames[0].message, q931::ie::kKeypadFacility);
  ASSERT_NE(ie, nullptr);
  EXPECT_EQ(std::string(ie->contents.begin(), ie->contents.end()), "*12#");
  Drop(call);
}

TEST_P(CallInfoTest, CallDisplayOnACallUnderWaySendsInformationWithADisplayIe) {
  auto [variant, node] = GetParam();
  const std::uint64_t call = client_->Ok("call.make", {{"number", "5551234"}})["call"];
  ASSERT_TRUE(client_->WaitState(call, "connected"));
  const json params = {{"call", call}, {"display", "Please hold"}};
  if (!SendsDisplayIe(variant, node)) {
    EXPECT_EQ(client_->ErrorName("call.display", params), "OperationUnavailable");
    Drop(call);
    EXPECT_TRUE(Wire(FrameDirection::kSent, msg::kInformation).empty());
    return;
  }
  client_->Ok("call.display", params);
  ASSERT_TRUE(WaitWire(*daemons_, 0, 1, FrameDirection::kSent, msg::kInformation));
  auto sent = Wire(FrameDirection::kSent, msg::kInformation);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(DisplayIn(sent[0].message), "Please hold");
  Drop(call);
  EXPECT_EQ(client_->ErrorName("call.display", params), "InvalidCallState") << "not once the call is idle";
}

TEST_P(CallInfoTest, TheFarEndsDisplayTextInInformationReachesCallIndicationAndTheRecord) {
  auto [variant, node] = GetParam();
  const std::uint64_t call = client_->Ok("call.make", {{"number", "5551234"}})["call"];
  ASSERT_TRUE(client_->WaitState(call, "connected"));
  const json params = {{"call", call}, {"display", "Ahoy"}};
  if (!SendsDisplayIe(variant, Opposite(node))) {
    EXPECT_EQ(client_->ErrorName("sim.display", params), "OperationUnavailable");
    Drop(call);
    return;
  }
  client_->Ok("sim.display", params);
  auto info = WaitIndication(call, "INFORMATION");
  ASSERT_TRUE(info);
  EXPECT_EQ((*info)["display"], "Ahoy");
  EXPECT_FALSE(info->contains("keypad"));
  auto frames = Wire(FrameDirection::kReceived, msg::kInformation);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(DisplayIn(frames[0].message), "Ahoy");
  EXPECT_EQ(client_->Ok("call.info", {{"call", call}})["display"], "Ahoy");
  Drop(call);
}

INSTANTIATE_TEST_SUITE_P(AllVariants, CallInfoTest, EveryVariantAndNode(), VariantAndNodeName);

}  // namespace
}  // namespace prid::testing
