// Overlap dialling both ways (docs/api.md "Overlap dialling"), between two
// prid daemons back to back over a sim span — each side a real libpri, of
// opposite node types, the sender cpe or network — on every switch
// variant: call.make {overlap} sends a SETUP without Sending complete and
// stays dialing through SETUP ACKNOWLEDGE, call.dial sends INFORMATION
// with the digits (and Sending complete), keypad facility after the
// answer; the span with overlap = true acknowledges the SETUP, offers the
// call collecting and passes the digits on as call.digits. The IEs are
// checked in the captured frames and every capture must decode cleanly in
// Wireshark (q931-check). Variants without overlap answer
// OperationUnavailable naming themselves.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "daemon/config/config.h"
#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;
namespace ie = q931::ie;

constexpr int kSender = 0;    // daemon index: makes the calls
constexpr int kReceiver = 1;  // daemon index: the overlap span

using Variant = std::tuple<daemon::SwitchVariant, daemon::NodeType>;  // the sender's node

bool HasSendingComplete(const q931::Message& m) {
  for (const q931::InformationElement& e : m.ies) {
    if (e.codeset == 0 && e.single_octet && e.id == ie::kSendingComplete) return true;
  }
  return false;
}

// The digits of the message's Called party number ("" when it has none).
std::string CalledDigits(const q931::Message& m) {
  const q931::InformationElement* called = q931::FindIe(m, ie::kCalledPartyNumber);
  if (called == nullptr) return "";
  auto number = q931::DecodePartyNumber(ie::kCalledPartyNumber, called->contents);
  return number.ok() ? number->digits : "";
}

std::string KeypadDigits(const q931::Message& m) {
  const q931::InformationElement* keypad = q931::FindIe(m, ie::kKeypadFacility);
  return keypad == nullptr ? "" : std::string(keypad->contents.begin(), keypad->contents.end());
}

class OverlapTest : public ::testing::TestWithParam<Variant> {
 protected:
  daemon::SwitchVariant variant() const { return std::get<0>(GetParam()); }
  daemon::NodeType sender_node() const { return std::get<1>(GetParam()); }
  bool overlap_variant() const { return daemon::VariantHasOverlap(variant()); }

  // The receiver's span has overlap = `receiver_overlap`.
  void Start(bool receiver_overlap) {
    const daemon::NodeType other =
        sender_node() == daemon::NodeType::kCpe ? daemon::NodeType::kNetwork : daemon::NodeType::kCpe;
    daemon::SpanConfig a = SimSpan(1, sender_node(), variant());
    a.peer.clear();
    a.listen = dir_.File("span1.seq");
    daemon::SpanConfig b = SimSpan(1, other, variant());
    b.peer.clear();
    b.connect = dir_.File("span1.seq");
    b.overlap = receiver_overlap;
    daemons_ = std::make_unique<DaemonThread>(std::vector{ConfigWith(dir_.File("a.sock"), {a}),
                                                          ConfigWith(dir_.File("b.sock"), {b})});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    ASSERT_TRUE(WaitSpanUp(dir_.File("a.sock"), 1));
    ASSERT_TRUE(WaitSpanUp(dir_.File("b.sock"), 1));
    sender_ = std::make_unique<ApiClient>(dir_.File("a.sock"));
    receiver_ = std::make_unique<ApiClient>(dir_.File("b.sock"));
    sender_->Ok("line.open", {{"span", 1}});
    receiver_->Ok("line.open", {{"span", 1}});
  }

  void TearDown() override {
    if (!daemons_) return;
    sender_.reset();
    receiver_.reset();
    const auto frames = daemons_->Frames();
    const bool sender_network = sender_node() == daemon::NodeType::kNetwork;
    ASSERT_TRUE(WritePcap(dir_.File("a.pcap"), frames, kSender, 1, sender_network));
    ASSERT_TRUE(WritePcap(dir_.File("b.pcap"), frames, kReceiver, 1, !sender_network));
    std::vector<std::string> args;
    if (variant() != daemon::SwitchVariant::kQsig) args = {"--facility", "etsi"};
    for (const char* name : {"a.pcap", "b.pcap"}) {
      CheckResult check = RunQ931Check(dir_.File(name), args);
      EXPECT_EQ(check.exit_code, 0) << name << ":\n" << check.output;
    }
  }

  std::vector<WireMessage> Messages(int daemon, FrameDirection direction, std::uint8_t type) {
    return Find(Q931Messages(daemons_->Frames(), daemon, 1), direction, type);
  }
  bool WaitSent(int daemon, std::uint8_t type, std::size_t count = 1) {
    return WaitWire(*daemons_, daemon, 1, FrameDirection::kSent, type, count);
  }
  std::optional<json> WaitDigits(std::uint64_t call) {
    return receiver_->WaitEvent([call](const json& e) { return e["type"] == "call.digits" && e["call"] == call; });
  }
  // The sender clears; the receiver's owner releases once it is disconnected.
  void DropBoth(std::uint64_t sent, std::uint64_t received) {
    sender_->Ok("call.drop", {{"call", sent}});
    EXPECT_TRUE(receiver_->WaitState(received, "disconnected"));
    receiver_->Ok("call.drop", {{"call", received}});
    EXPECT_TRUE(receiver_->WaitState(received, "idle"));
    EXPECT_TRUE(sender_->WaitState(sent, "idle"));
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> sender_;
  std::unique_ptr<ApiClient> receiver_;
};

// The variants with overlap dialling (daemon::VariantHasOverlap), and the others.
class OverlapVariantTest : public OverlapTest {};
class NoOverlapVariantTest : public OverlapTest {};

TEST_P(OverlapVariantTest, DigitsGoInInformationUntilTheFarEndProceedsThenAsKeypad) {
  Start(/*receiver_overlap=*/true);
  EXPECT_EQ(receiver_->Ok("span.list")[0]["overlap"], true) << "span.list shows the option";
  EXPECT_EQ(sender_->Ok("span.list")[0]["overlap"], false);
  const std::uint64_t sent = sender_->Ok("call.make", {{"number", "12"}, {"overlap", true}})["call"];

  // The SETUP without Sending complete is acknowledged; the call is offered collecting.
  auto offered = receiver_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t received = (*offered)["call"];
  EXPECT_EQ((*offered)["state"], "collecting");
  EXPECT_EQ((*offered)["called"], "12");
  auto setups = Messages(kSender, FrameDirection::kSent, msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  EXPECT_FALSE(HasSendingComplete(setups[0].message));
  EXPECT_EQ(CalledDigits(setups[0].message), "12");
  ASSERT_TRUE(WaitWire(*daemons_, kSender, 1, FrameDirection::kReceived, msg::kSetupAcknowledge));
  EXPECT_EQ(Messages(kReceiver, FrameDirection::kSent, msg::kSetupAcknowledge).size(), 1u);
  EXPECT_EQ(sender_->Ok("call.info", {{"call", sent}})["state"], "dialing") << "SETUP ACKNOWLEDGE keeps it dialing";

  // INFORMATION with the digits, the last with Sending complete.
  sender_->Ok("call.dial", {{"call", sent}, {"digits", "34"}});
  auto first = WaitDigits(received);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["digits"], "34");
  EXPECT_EQ((*first)["called"], "1234");
  EXPECT_EQ((*first)["complete"], false);
  sender_->Ok("call.dial", {{"call", sent}, {"digits", "56"}, {"complete", true}});
  auto last = WaitDigits(received);
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)["digits"], "56");
  EXPECT_EQ((*last)["called"], "123456");
  EXPECT_EQ((*last)["complete"], true);
  auto information = Messages(kSender, FrameDirection::kSent, msg::kInformation);
  ASSERT_EQ(information.size(), 2u);
  EXPECT_EQ(CalledDigits(information[0].message), "34");
  EXPECT_FALSE(HasSendingComplete(information[0].message));
  EXPECT_EQ(CalledDigits(information[1].message), "56");
  EXPECT_TRUE(HasSendingComplete(information[1].message));
  EXPECT_EQ(receiver_->Ok("call.info", {{"call", received}})["called"], "123456");
  EXPECT_EQ(sender_->Ok("call.info", {{"call", sent}})["called"], "123456");

  // The receiver's CALL PROCEEDING ends the collecting and the dialing.
  receiver_->Ok("call.proceed", {{"call", received}});
  ASSERT_TRUE(receiver_->WaitState(received, "offering"));
  ASSERT_TRUE(sender_->WaitState(sent, "proceeding"));
  EXPECT_EQ(sender_->ErrorName("call.dial", {{"call", sent}, {"digits", "7"}}), "InvalidCallState");
  receiver_->Ok("call.answer", {{"call", received}});
  ASSERT_TRUE(sender_->WaitState(sent, "connected"));
  ASSERT_TRUE(receiver_->WaitState(received, "connected"));

  // After the answer: keypad facility (TAPI lineDial).
  sender_->Ok("call.dial", {{"call", sent}, {"digits", "*1#"}});
  ASSERT_TRUE(WaitSent(kSender, msg::kInformation, 3));
  information = Messages(kSender, FrameDirection::kSent, msg::kInformation);
  EXPECT_EQ(KeypadDigits(information[2].message), "*1#");
  EXPECT_EQ(CalledDigits(information[2].message), "");
  EXPECT_FALSE(HasSendingComplete(information[2].message));
  // The answering side's too: as the user side its call waits in Connect
  // request, libpri reporting no CONNECT ACKNOWLEDGE, and takes keypad there.
  receiver_->Ok("call.dial", {{"call", received}, {"digits", "9"}});
  ASSERT_TRUE(WaitSent(kReceiver, msg::kInformation, 1));
  EXPECT_EQ(KeypadDigits(Messages(kReceiver, FrameDirection::kSent, msg::kInformation)[0].message), "9");
  DropBoth(sent, received);
}

TEST_P(OverlapVariantTest, AlertAndAnswerEndTheCollectingToo) {
  Start(true);
  const std::uint64_t sent = sender_->Ok("call.make", {{"number", "7"}, {"overlap", true}})["call"];
  auto offered = receiver_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t received = (*offered)["call"];
  ASSERT_EQ((*offered)["state"], "collecting");
  receiver_->Ok("call.alert", {{"call", received}});
  ASSERT_TRUE(receiver_->WaitState(received, "accepted"));
  ASSERT_TRUE(sender_->WaitState(sent, "ringback"));
  receiver_->Ok("call.answer", {{"call", received}});
  ASSERT_TRUE(sender_->WaitState(sent, "connected"));
  DropBoth(sent, received);
}

TEST_P(OverlapVariantTest, DropOfACollectingCallRejectsItByDisconnect) {
  Start(true);
  const std::uint64_t sent = sender_->Ok("call.make", {{"number", ""}, {"overlap", true}})["call"];
  auto offered = receiver_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t received = (*offered)["call"];
  EXPECT_EQ((*offered)["called"], "") << "overlap sending may start with no digits";
  ASSERT_TRUE(WaitSent(kReceiver, msg::kSetupAcknowledge));
  receiver_->Ok("call.drop", {{"call", received}});
  auto ended = sender_->WaitEvent([sent](const json& e) {
    return e["type"] == "call.state" && e["call"] == sent && (e["state"] == "disconnected" || e["state"] == "idle");
  });
  ASSERT_TRUE(ended);
  EXPECT_EQ((*ended)["cause"], 21);
  auto disconnects = Messages(kReceiver, FrameDirection::kSent, msg::kDisconnect);
  ASSERT_EQ(disconnects.size(), 1u) << "SETUP ACKNOWLEDGE was sent: DISCONNECT, not RELEASE COMPLETE";
  EXPECT_EQ(disconnects[0].cause, 21);
  EXPECT_TRUE(Messages(kReceiver, FrameDirection::kSent, msg::kReleaseComplete).empty() ||
              !Messages(kReceiver, FrameDirection::kSent, msg::kRelease).empty());
  if ((*ended)["state"] != "idle") {
    sender_->Ok("call.drop", {{"call", sent}});
    EXPECT_TRUE(sender_->WaitState(sent, "idle"));
  }
  EXPECT_TRUE(receiver_->WaitState(received, "idle"));
}

TEST_P(OverlapVariantTest, WithoutTheSpanOptionAnOverlapSetupIsOfferedEnBloc) {
  Start(/*receiver_overlap=*/false);
  const std::uint64_t sent = sender_->Ok("call.make", {{"number", "12"}, {"overlap", true}})["call"];
  auto offered = receiver_->WaitNew();
  ASSERT_TRUE(offered);
  EXPECT_EQ((*offered)["state"], "offering");
  EXPECT_EQ((*offered)["called"], "12");
  const std::uint64_t received = (*offered)["call"];
  receiver_->Ok("call.answer", {{"call", received}});
  ASSERT_TRUE(sender_->WaitState(sent, "connected"));
  EXPECT_TRUE(Messages(kReceiver, FrameDirection::kSent, msg::kSetupAcknowledge).empty());
  DropBoth(sent, received);
}

TEST_P(OverlapVariantTest, ARetryOnAnotherChannelCarriesTheDigitsDialledBeforeTheRefusal) {
  Start(/*receiver_overlap=*/false);
  const std::uint64_t sent = sender_->Ok("call.make", {{"number", "55"}, {"overlap", true}})["call"];
  auto first = receiver_->WaitNew();
  ASSERT_TRUE(first);
  sender_->Ok("call.dial", {{"call", sent}, {"digits", "12"}});
  ASSERT_TRUE(WaitSent(kSender, msg::kInformation));
  // The far end refuses the B-channel (Q.931 5.2.3.1): prid tries once more
  // on another, and that SETUP has the whole number dialled so far.
  receiver_->Ok("call.drop", {{"call", (*first)["call"]}, {"cause", 44}});
  auto second = receiver_->WaitNew();
  ASSERT_TRUE(second) << "no retry on another channel";
  EXPECT_EQ((*second)["called"], "5512");
  EXPECT_NE((*second)["channel"], (*first)["channel"]);
  auto setups = Messages(kSender, FrameDirection::kSent, msg::kSetup);
  ASSERT_EQ(setups.size(), 2u);
  EXPECT_EQ(CalledDigits(setups[1].message), "5512");
  EXPECT_FALSE(HasSendingComplete(setups[1].message)) << "the number was not complete yet";
  const std::uint64_t received = (*second)["call"];
  receiver_->Ok("call.answer", {{"call", received}});
  ASSERT_TRUE(sender_->WaitState(sent, "connected"));
  EXPECT_EQ(sender_->Ok("call.info", {{"call", sent}})["called"], "5512");
  DropBoth(sent, received);
}

TEST_P(OverlapVariantTest, AnEnBlocSetupWithSendingCompleteIsOfferedOnAnOverlapSpan) {
  Start(true);
  const std::uint64_t sent = sender_->Ok("call.make", {{"number", "12"}})["call"];
  auto offered = receiver_->WaitNew();
  ASSERT_TRUE(offered);
  const std::uint64_t received = (*offered)["call"];
  auto setups = Messages(kSender, FrameDirection::kSent, msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  // libpri writes Sending complete in an en-bloc SETUP on the ETSI variants
  // only: a qsig one without it is taken in overlap receiving as well.
  const bool complete = HasSendingComplete(setups[0].message);
  EXPECT_EQ(complete, variant() != daemon::SwitchVariant::kQsig);
  EXPECT_EQ((*offered)["state"], complete ? "offering" : "collecting");
  EXPECT_EQ(sender_->ErrorName("call.dial", {{"call", sent}, {"digits", "3"}}), "InvalidCallState")
      << "an en-bloc call takes no more digits";
  receiver_->Ok("call.answer", {{"call", received}});
  ASSERT_TRUE(sender_->WaitState(sent, "connected"));
  DropBoth(sent, received);
}

TEST_P(OverlapVariantTest, DialRefusesDigitsTheCalledNumberCannotHold) {
  Start(true);
  const std::uint64_t sent =
      sender_->Ok("call.make", {{"number", {{"digits", "12"}, {"npi", "e164"}}}, {"overlap", true}})["call"];
  auto offered = receiver_->WaitNew();
  ASSERT_TRUE(offered);
  auto bad = sender_->Call("call.dial", {{"call", sent}, {"digits", "3*"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, static_cast<int>(ipc::ErrorCode::kInvalidParams));
  EXPECT_NE(bad.error().message.find("digits has '*'"), std::string::npos) << bad.error().message;
  auto empty = sender_->Call("call.dial", {{"call", sent}, {"digits", ""}});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("digits is empty"), std::string::npos) << empty.error().message;
  auto too_long = sender_->Call("call.dial", {{"call", sent}, {"digits", std::string(30, '1')}});
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message.find("carries at most 31"), std::string::npos) << too_long.error().message;
  EXPECT_TRUE(Messages(kSender, FrameDirection::kSent, msg::kInformation).empty());
  DropBoth(sent, (*offered)["call"]);
}

TEST_P(NoOverlapVariantTest, VariantsWithoutOverlapAnswerOperationUnavailableNamingThemselves) {
  ASSERT_FALSE(overlap_variant());
  Start(/*receiver_overlap=*/false);
  const std::string name(daemon::SwitchVariantName(variant()));
  auto made = sender_->Call("call.make", {{"number", "12"}, {"overlap", true}});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, static_cast<int>(ipc::ErrorCode::kOperationUnavailable));
  EXPECT_NE(made.error().message.find(name), std::string::npos) << made.error().message;
  EXPECT_TRUE(Messages(kSender, FrameDirection::kSent, msg::kSetup).empty());

  // Keypad after the answer is refused the same way.
  const std::uint64_t sent = sender_->Ok("call.make", {{"number", "12"}})["call"];
  auto offered = receiver_->WaitNew();
  ASSERT_TRUE(offered);
  receiver_->Ok("call.answer", {{"call", (*offered)["call"]}});
  ASSERT_TRUE(sender_->WaitState(sent, "connected"));
  auto keypad = sender_->Call("call.dial", {{"call", sent}, {"digits", "1"}});
  ASSERT_FALSE(keypad.ok());
  EXPECT_EQ(keypad.error().code, static_cast<int>(ipc::ErrorCode::kOperationUnavailable));
  EXPECT_NE(keypad.error().message.find(name), std::string::npos) << keypad.error().message;
  EXPECT_TRUE(Messages(kSender, FrameDirection::kSent, msg::kInformation).empty());
  DropBoth(sent, (*offered)["call"]);
}

std::string VariantName(const ::testing::TestParamInfo<Variant>& info) {
  return std::string(daemon::SwitchVariantName(std::get<0>(info.param))) + "_sender_" +
         std::string(daemon::NodeTypeName(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(Overlap, OverlapVariantTest, WithEveryNode(VariantsWhere(daemon::VariantHasOverlap)),
                         VariantName);
INSTANTIATE_TEST_SUITE_P(NoOverlap, NoOverlapVariantTest,
                         WithEveryNode(VariantsWhere(daemon::VariantHasOverlap, false)), VariantName);

}  // namespace
}  // namespace prid::testing
