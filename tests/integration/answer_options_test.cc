// The answers to an incoming call beyond call.alert and call.answer as they
// were: taking another B-channel than the one a preferred SETUP offered
// (call.proceed / call.alert / call.answer `channel`, Q.931 5.1.2 and
// 5.2.3.1), CALL PROCEEDING on its own (call.proceed) and PROGRESS with any
// progress indicators (call.progress). On a sim span against the built-in
// far end, a real libpri of the opposite node type, both ways round; the
// Q.931 on the wire is decoded and checked IE by IE, and every capture must
// decode cleanly in Wireshark (q931-check).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"
#include "tests/support/api_client.h"
#include "tests/support/daemon_thread.h"
#include "tests/support/wire.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

// The channel a message names, and whether exclusively.
struct NamedChannel {
  int channel = 0;
  bool exclusive = false;
};
std::optional<NamedChannel> ChannelIn(const q931::Message& m) {
  const q931::InformationElement* ci = q931::FindIe(m, q931::ie::kChannelIdentification);
  if (ci == nullptr) return std::nullopt;
  auto decoded = q931::DecodeChannelId(ci->contents);
  if (!decoded || decoded->channels.size() != 1) return std::nullopt;
  return NamedChannel{decoded->channels[0], decoded->exclusive};
}

// Every progress description of the message, in wire order.
std::vector<int> ProgressIn(const q931::Message& m) {
  std::vector<int> out;
  for (const q931::InformationElement& e : m.ies) {
    if (e.codeset != 0 || e.id != q931::ie::kProgressIndicator) continue;
    if (auto p = q931::DecodeProgress(e.contents)) out.push_back(p->description);
  }
  return out;
}

class AnswerOptionsTest : public ::testing::TestWithParam<daemon::NodeType> {
 protected:
  void SetUp() override {
    daemons_ = std::make_unique<DaemonThread>(
        std::vector{ConfigWith(dir_.File("prid.sock"), {SimSpan(1, GetParam())})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    owner_ = std::make_unique<ApiClient>(dir_.File("prid.sock"));
    ASSERT_TRUE(owner_->connected()) << owner_->connect_error();
    ASSERT_TRUE(WaitSpanUp(dir_.File("prid.sock"), 1));
    owner_->Ok("line.open", {{"span", 1}});
  }

  void TearDown() override {
    if (!daemons_) return;
    owner_.reset();
    const std::string pcap = dir_.File("capture.pcap");
    ASSERT_TRUE(WritePcap(pcap, daemons_->Frames(), 0, 1, GetParam() == daemon::NodeType::kNetwork));
    CheckResult check = RunQ931Check(pcap);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    daemons_.reset();
  }

  std::vector<WireMessage> Sent(std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), 0, 1), FrameDirection::kSent, type);
  }
  bool WaitSent(std::uint8_t type, std::size_t count = 1) {
    return WaitWire(*daemons_, 0, 1, FrameDirection::kSent, type, count);
  }

  // The far end's SETUP, its channel preferred or exclusive; the offered
  // call's id and channel.
  std::pair<std::uint64_t, int> Offered(bool preferred) {
    owner_->Ok("sim.call", {{"span", 1}, {"number", "1000"}, {"calling", "2000"}, {"preferred", preferred}});
    auto offered = owner_->WaitNew();
    EXPECT_TRUE(offered.has_value());
    if (!offered) return {0, 0};
    return {(*offered)["call"].get<std::uint64_t>(), (*offered)["channel"].get<int>()};
  }

  // The B-channel span.list shows `call` on (0: none).
  int ChannelHolding(std::uint64_t call) {
    const json spans = owner_->Ok("span.list", json::object());
    for (const json& b : spans[0]["bchannels"]) {
      if (b.value("call", std::uint64_t{0}) == call) return b["channel"].get<int>();
    }
    return 0;
  }

  void Drop(std::uint64_t call) {
    owner_->Ok("call.drop", {{"call", call}});
    EXPECT_TRUE(owner_->WaitState(call, "idle"));
    owner_->Ok("call.deallocate", {{"call", call}});
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> owner_;
};

TEST_P(AnswerOptionsTest, AlertOnAnotherChannelOfAPreferredOfferNamesItOnTheWire) {
  auto [call, offered] = Offered(/*preferred=*/true);
  ASSERT_NE(call, 0u);
  const int other = offered + 2;
  owner_->Ok("call.alert", {{"call", call}, {"channel", other}});
  auto accepted = owner_->WaitState(call, "accepted");
  ASSERT_TRUE(accepted);
  EXPECT_EQ((*accepted)["channel"], other);
  ASSERT_TRUE(WaitSent(msg::kAlerting));
  // libpri's CALL PROCEEDING ahead of the ALERTING names the channel
  // taken, exclusively: the first answer fixes it (Q.931 5.2.3.1).
  auto proceeding = Sent(msg::kCallProceeding);
  ASSERT_EQ(proceeding.size(), 1u);
  auto named = ChannelIn(proceeding[0].message);
  ASSERT_TRUE(named);
  EXPECT_EQ(named->channel, other);
  EXPECT_TRUE(named->exclusive);
  if (auto alerting = ChannelIn(Sent(msg::kAlerting)[0].message)) {
    EXPECT_EQ(alerting->channel, other);
  }
  EXPECT_EQ(ChannelHolding(call), other);
  EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["channel"], other);

  owner_->Ok("call.answer", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "connected"));
  ASSERT_TRUE(WaitSent(msg::kConnect));
  if (auto connect = ChannelIn(Sent(msg::kConnect)[0].message)) {
    EXPECT_EQ(connect->channel, other);
  }
  Drop(call);
  EXPECT_EQ(ChannelHolding(call), 0);
}

TEST_P(AnswerOptionsTest, AnswerOnAnotherChannelNamesItInTheConnect) {
  auto [call, offered] = Offered(/*preferred=*/true);
  ASSERT_NE(call, 0u);
  const int other = offered + 1;
  owner_->Ok("call.answer", {{"call", call}, {"channel", other}});
  auto connected = owner_->WaitState(call, "connected");
  ASSERT_TRUE(connected);
  EXPECT_EQ((*connected)["channel"], other);
  ASSERT_TRUE(WaitSent(msg::kConnect));
  auto named = ChannelIn(Sent(msg::kConnect)[0].message);
  ASSERT_TRUE(named);
  EXPECT_EQ(named->channel, other);
  EXPECT_EQ(ChannelHolding(call), other);
  Drop(call);
}

TEST_P(AnswerOptionsTest, ChannelThatCannotBeTakenIsInvalidParamsAndNothingIsSent) {
  auto [busy_call, busy_channel] = Offered(/*preferred=*/false);
  ASSERT_NE(busy_call, 0u);
  auto [call, offered] = Offered(/*preferred=*/true);
  ASSERT_NE(call, 0u);
  auto refusal = [&](const std::string& method, json params) {
    params["call"] = call;
    auto r = owner_->Call(method, params);
    EXPECT_FALSE(r.ok()) << method << " " << params.dump();
    return r.ok() ? std::string() : r.error().name + ": " + r.error().message;
  };
  EXPECT_EQ(refusal("call.alert", {{"channel", 16}}), "InvalidParams: channel 16: not a B-channel of span 1");
  EXPECT_EQ(refusal("call.answer", {{"channel", busy_channel}}),
            fmt::format("InvalidParams: channel {}: span 1's channel is busy", busy_channel));
  EXPECT_EQ(refusal("call.alert", {{"channel", 32}}).substr(0, 40), "InvalidParams: parameter 'channel' must ");
  // The exclusive offer: its channel or none.
  auto exclusive = owner_->Call("call.alert", {{"call", busy_call}, {"channel", offered + 5}});
  ASSERT_FALSE(exclusive.ok());
  EXPECT_EQ(exclusive.error().name, "InvalidParams");
  EXPECT_EQ(exclusive.error().message, fmt::format("channel {}: call {}'s SETUP asked for channel {} exclusively",
                                                   offered + 5, busy_call, busy_channel));
  EXPECT_TRUE(Sent(msg::kAlerting).empty());
  EXPECT_TRUE(Sent(msg::kConnect).empty());
  EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["state"], "offering");

  // Once CALL PROCEEDING named the channel it is fixed; the same one is no change.
  owner_->Ok("call.proceed", {{"call", call}});
  ASSERT_TRUE(WaitSent(msg::kCallProceeding));
  EXPECT_EQ(refusal("call.alert", {{"channel", offered + 5}}),
            fmt::format("InvalidParams: channel {}: call {} has channel {} since its first answer", offered + 5,
                        call, offered));
  owner_->Ok("call.alert", {{"call", call}, {"channel", offered}});
  ASSERT_TRUE(owner_->WaitState(call, "accepted"));
  Drop(call);
  Drop(busy_call);
}

TEST_P(AnswerOptionsTest, ProceedSendsCallProceedingOnceAndTheCallStaysOffering) {
  auto [call, offered] = Offered(/*preferred=*/false);
  ASSERT_NE(call, 0u);
  owner_->Ok("call.proceed", {{"call", call}});
  ASSERT_TRUE(WaitSent(msg::kCallProceeding));
  auto named = ChannelIn(Sent(msg::kCallProceeding)[0].message);
  ASSERT_TRUE(named);
  EXPECT_EQ(named->channel, offered);
  EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["state"], "offering");
  EXPECT_EQ(owner_->ErrorName("call.proceed", {{"call", call}}), "InvalidCallState");

  owner_->Ok("call.alert", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "accepted"));
  ASSERT_TRUE(WaitSent(msg::kAlerting));
  EXPECT_EQ(Sent(msg::kCallProceeding).size(), 1u);  // libpri sends no second one
  EXPECT_EQ(owner_->ErrorName("call.proceed", {{"call", call}}), "InvalidCallState");
  Drop(call);
}

TEST_P(AnswerOptionsTest, ProgressCarriesItsIndicatorsInOrderAndItsCause) {
  auto [call, offered] = Offered(/*preferred=*/false);
  ASSERT_NE(call, 0u);
  owner_->Ok("call.progress", {{"call", call}, {"progress", {1, 8}}});
  ASSERT_TRUE(WaitSent(msg::kProgress));
  auto progress = Sent(msg::kProgress);
  EXPECT_EQ(ProgressIn(progress[0].message), (std::vector<int>{1, 8}));
  EXPECT_FALSE(progress[0].cause);
  EXPECT_EQ(owner_->Ok("call.info", {{"call", call}})["state"], "offering");

  owner_->Ok("call.alert", {{"call", call}, {"inband", false}});
  ASSERT_TRUE(owner_->WaitState(call, "accepted"));
  // On an accepted call, with a cause (Q.850 17, user busy, as for a busy tone).
  owner_->Ok("call.progress", {{"call", call}, {"progress", json::array({2})}, {"cause", "busy"}});
  ASSERT_TRUE(WaitSent(msg::kProgress, 2));
  progress = Sent(msg::kProgress);
  EXPECT_EQ(ProgressIn(progress[1].message), (std::vector<int>{2}));
  EXPECT_EQ(progress[1].cause, 17);

  owner_->Ok("call.answer", {{"call", call}});
  ASSERT_TRUE(owner_->WaitState(call, "connected"));
  EXPECT_EQ(owner_->ErrorName("call.progress", {{"call", call}, {"progress", json::array({8})}}), "InvalidCallState");
  EXPECT_EQ(owner_->ErrorName("call.progress", {{"call", call}, {"progress", json::array()}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("call.progress", {{"call", call}, {"progress", {1, 2, 3, 8}}}), "InvalidParams");
  EXPECT_EQ(owner_->ErrorName("call.progress", {{"call", call}, {"progress", json::array({128})}}), "InvalidParams");
  EXPECT_EQ(Sent(msg::kProgress).size(), 2u);
  Drop(call);
}

TEST_P(AnswerOptionsTest, ProgressAndProceedOnACallPridPlacedAreInvalidCallState) {
  owner_->Ok("sim.policy", {{"span", 1}, {"on_setup", "alert"}});
  const std::uint64_t call = owner_->Ok("call.make", {{"number", "5551234"}})["call"];
  ASSERT_TRUE(owner_->WaitState(call, "ringback"));
  EXPECT_EQ(owner_->ErrorName("call.progress", {{"call", call}, {"progress", json::array({8})}}), "InvalidCallState");
  EXPECT_EQ(owner_->ErrorName("call.proceed", {{"call", call}}), "InvalidCallState");
  EXPECT_TRUE(Sent(msg::kProgress).empty());
  Drop(call);
}

INSTANTIATE_TEST_SUITE_P(BothSides, AnswerOptionsTest,
                         ::testing::Values(daemon::NodeType::kCpe, daemon::NodeType::kNetwork),
                         [](const auto& info) {
                           return info.param == daemon::NodeType::kCpe ? "PridCpe" : "PridNetwork";
                         });

}  // namespace
}  // namespace prid::testing
