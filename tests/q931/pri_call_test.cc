// PriCall and PriCallTable against a real libpri far end: two PriLinks (user
// side and network side) joined by an in-memory D-channel that the test
// pumps by hand; every frame a side sends is decoded to check the Q.931.
#include "q931/pri_call.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "q931/frame.h"
#include "q931/message.h"
#include "q931/q850.h"
#include "tests/support/memory_dchannel.h"

namespace prid::q931 {
namespace {

using Frame = std::vector<std::uint8_t>;

// Q.932 message types q931/message.h does not name.
constexpr std::uint8_t kHoldAcknowledge = 0x28;
constexpr std::uint8_t kRetrieveReject = 0x37;

using Wire = prid::test::MemoryDChannel;

class Events : public PriLinkObserver {
 public:
  void OnPriEvent(const pri_event& event) override {
    events.push_back(event);
    // PriLink::ClearingReceived as the span asks it: while the event is delivered.
    if (link && IsHangup(event.e)) hangups.push_back({event.e, link->ClearingReceived(event.hangup.cref)});
  }
  void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> next) override { deadline = next; }
  void OnFrame(FrameDirection, std::span<const std::uint8_t>) override {}
  static bool IsHangup(int e) {
    return e == PRI_EVENT_HANGUP || e == PRI_EVENT_HANGUP_REQ || e == PRI_EVENT_HANGUP_ACK;
  }
  struct Hangup {
    int event = 0;
    bool clearing_received = false;
  };
  const PriLink* link = nullptr;
  std::vector<pri_event> events;
  std::vector<Hangup> hangups;
  std::optional<std::chrono::system_clock::time_point> deadline;
};

class RecordingSink : public base::LogSink {
 public:
  void Write(base::LogLevel level, std::string_view line, const base::LogFields&) override {
    if (level == base::LogLevel::kError) errors.emplace_back(line);
  }
  std::vector<std::string> errors;
};

// The numbers of a SETUP ("" calling: none).
SetupParties Numbers(const std::string& called, const std::string& calling) {
  SetupParties parties;
  parties.called.digits = called;
  if (!calling.empty()) parties.calling = Party{calling};
  return parties;
}

UserUser Uui(const std::string& text) { return UserUser{kUuiPdIa5, {text.begin(), text.end()}}; }

class PriCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prid::test::MemoryDChannel::Connect(user_wire_, net_wire_);
    auto user = PriLink::Create({"user", PRI_CPE, PRI_SWITCH_EUROISDN_E1, /*hold=*/true}, user_wire_, user_events_);
    auto net = PriLink::Create({"net", PRI_NETWORK, PRI_SWITCH_EUROISDN_E1, /*hold=*/true}, net_wire_, net_events_);
    ASSERT_TRUE(user.ok()) << user.error();
    ASSERT_TRUE(net.ok()) << net.error();
    user_ = std::move(*user);
    net_ = std::move(*net);
    user_events_.link = user_.get();
    net_events_.link = net_.get();
    // Q.921 comes up by SABME / UA alone; libpri's T200 may be needed once.
    for (int i = 0; i < 5 && !(Up(user_events_) && Up(net_events_)); ++i) {
      Pump();
      if (!(Up(user_events_) && Up(net_events_))) {
        user_->RunTimers();
        net_->RunTimers();
      }
    }
    ASSERT_TRUE(Up(user_events_) && Up(net_events_)) << "the D-channel did not come up";
    user_events_.events.clear();
    net_events_.events.clear();
    user_events_.hangups.clear();
    net_events_.hangups.clear();
    user_wire_.sent.clear();
    net_wire_.sent.clear();
  }

  static bool Up(const Events& e) {
    for (const pri_event& ev : e.events) {
      if (ev.e == PRI_EVENT_DCHAN_UP) return true;
    }
    return false;
  }

  // Hands every waiting frame to its link until both ends are quiet.
  void Pump() {
    for (int i = 0; i < 100 && (!user_wire_.inbound.empty() || !net_wire_.inbound.empty()); ++i) {
      if (!user_wire_.inbound.empty()) user_->ProcessInput();
      if (!net_wire_.inbound.empty()) net_->ProcessInput();
    }
  }

  // The first event of `type` since the last Take, removed from the list.
  static std::optional<pri_event> Take(Events& e, int type) {
    for (auto it = e.events.begin(); it != e.events.end(); ++it) {
      if (it->e == type) {
        pri_event event = *it;
        e.events.erase(it);
        return event;
      }
    }
    return std::nullopt;
  }

  // The Q.931 messages in `frames` (LAPD-only frames left out).
  static std::vector<Message> Messages(const std::vector<Frame>& frames) {
    std::vector<Message> out;
    for (const Frame& f : frames) {
      auto decoded = DecodeFrame(f);
      if (decoded.ok() && decoded->q931) out.push_back(*decoded->q931);
    }
    return out;
  }
  static std::vector<std::uint8_t> Types(const std::vector<Frame>& frames) {
    std::vector<std::uint8_t> types;
    for (const Message& m : Messages(frames)) types.push_back(m.message_type);
    return types;
  }

  // The user side places a call on channel 1; the network sees it offered.
  PriCall& PlaceFromUser(PriCall** offered) {
    auto placed = user_->calls().Place({1, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, Numbers("100", "200"), std::nullopt});
    EXPECT_TRUE(placed.ok()) << (placed.ok() ? "" : placed.error());
    Pump();
    auto ring = Take(net_events_, PRI_EVENT_RING);
    EXPECT_TRUE(ring.has_value());
    *offered = &net_->calls().Offered(ring->ring, ring->ring.channel & 0xff);
    return **placed;
  }

  // A call placed by the user side and answered by the network.
  void Connect(PriCall** user_call, PriCall** net_call) {
    *user_call = &PlaceFromUser(net_call);
    ASSERT_TRUE((*net_call)->Proceed().ok());
    ASSERT_TRUE((*net_call)->Answer(std::nullopt, false).ok());
    Pump();
    ASSERT_TRUE(Take(user_events_, PRI_EVENT_PROCEEDING).has_value());
    (*user_call)->NoteProceeding();
    ASSERT_TRUE(Take(user_events_, PRI_EVENT_ANSWER).has_value());
    (*user_call)->NoteAnswered();
    user_wire_.sent.clear();
    net_wire_.sent.clear();
  }

  Wire user_wire_, net_wire_;
  Events user_events_, net_events_;
  std::unique_ptr<PriLink> user_, net_;
};

TEST(CallStateNames, EveryStateHasTheSpecsNameAndNumber) {
  EXPECT_EQ(CallStateName(CallState::kNull), "Null");
  EXPECT_EQ(CallStateName(CallState::kCallInitiated), "Call initiated");
  EXPECT_EQ(CallStateName(CallState::kOverlapSending), "Overlap sending");
  EXPECT_EQ(CallStateName(CallState::kOutgoingCallProceeding), "Outgoing call proceeding");
  EXPECT_EQ(CallStateName(CallState::kCallDelivered), "Call delivered");
  EXPECT_EQ(CallStateName(CallState::kCallPresent), "Call present");
  EXPECT_EQ(CallStateName(CallState::kCallReceived), "Call received");
  EXPECT_EQ(CallStateName(CallState::kConnectRequest), "Connect request");
  EXPECT_EQ(CallStateName(CallState::kIncomingCallProceeding), "Incoming call proceeding");
  EXPECT_EQ(CallStateName(CallState::kActive), "Active");
  EXPECT_EQ(CallStateName(CallState::kDisconnectRequest), "Disconnect request");
  EXPECT_EQ(CallStateName(CallState::kDisconnectIndication), "Disconnect indication");
  EXPECT_EQ(CallStateName(CallState::kReleaseRequest), "Release request");
  EXPECT_EQ(CallStateName(CallState::kOverlapReceiving), "Overlap receiving");
  const int numbers[] = {0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 19, 25};
  for (int i = 0; i < kCallStateCount; ++i) {
    EXPECT_EQ(CallStateNumber(static_cast<CallState>(i)), numbers[i]) << i;
  }
  EXPECT_EQ(HoldStateName(HoldState::kIdle), "Idle");
  EXPECT_EQ(HoldStateName(HoldState::kHoldRequest), "Hold request");
  EXPECT_EQ(HoldStateName(HoldState::kHoldIndication), "Hold indication");
  EXPECT_EQ(HoldStateName(HoldState::kCallHeld), "Call held");
  EXPECT_EQ(HoldStateName(HoldState::kRetrieveRequest), "Retrieve request");
  EXPECT_EQ(HoldStateName(HoldState::kRetrieveIndication), "Retrieve indication");
}

TEST(CallStateTable, EveryStateClearsToNullAndNothingLeavesNullButASetup) {
  for (int i = 1; i < kCallStateCount; ++i) {
    EXPECT_TRUE(CallTransitionAllowed(static_cast<CallState>(i), CallState::kNull)) << i;
  }
  EXPECT_TRUE(CallTransitionAllowed(CallState::kNull, CallState::kCallInitiated));
  EXPECT_TRUE(CallTransitionAllowed(CallState::kNull, CallState::kCallPresent));
  EXPECT_FALSE(CallTransitionAllowed(CallState::kNull, CallState::kActive));
  EXPECT_FALSE(CallTransitionAllowed(CallState::kReleaseRequest, CallState::kActive));
  EXPECT_FALSE(CallTransitionAllowed(CallState::kActive, CallState::kCallReceived));
  EXPECT_FALSE(CallTransitionAllowed(CallState::kDisconnectIndication, CallState::kDisconnectRequest));
  EXPECT_TRUE(HoldTransitionAllowed(HoldState::kIdle, HoldState::kHoldRequest));
  EXPECT_FALSE(HoldTransitionAllowed(HoldState::kIdle, HoldState::kCallHeld));
}

TEST_F(PriCallTest, RejectOfAnOfferedCallSendsReleaseCompleteWithCauseAndUuiAndFreesIt) {
  PriCall* offered = nullptr;
  PriCall& placed = PlaceFromUser(&offered);
  EXPECT_EQ(offered->state(), CallState::kCallPresent);
  EXPECT_EQ(offered->direction(), CallDirection::kIncoming);
  EXPECT_EQ(placed.state(), CallState::kCallInitiated);
  q931_call* raw = offered->call();
  const int cref = offered->cref();

  auto after = offered->Clear(cause::kCallRejected, Uui("busy here"));
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(*after, CallAfter::kFreed);
  EXPECT_EQ(net_->calls().Find(raw), nullptr);
  EXPECT_EQ(net_->calls().FindByCref(cref), nullptr);
  EXPECT_EQ(net_->calls().size(), 0u);

  const std::vector<Message> sent = Messages(net_wire_.sent);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].message_type, msg::kReleaseComplete);
  EXPECT_EQ(GetCauseValue(sent[0]), cause::kCallRejected);
  EXPECT_EQ(GetUserUser(sent[0]), Uui("busy here"));

  // The caller hears of it as PRI_EVENT_HANGUP and releases once.
  Pump();
  auto hangup = Take(user_events_, PRI_EVENT_HANGUP);
  ASSERT_TRUE(hangup.has_value());
  EXPECT_EQ(hangup->hangup.cause, cause::kCallRejected);
  PriCall* call = user_->calls().Find(hangup->hangup.call);
  ASSERT_EQ(call, &placed);
  call->NoteHangup();
  EXPECT_EQ(call->Release(cause::kCallRejected), CallAfter::kFreed);
  EXPECT_EQ(user_->calls().size(), 0u);
}

TEST_F(PriCallTest, RefusalWithAHangupFixCauseIsReleaseCompleteAsLibpriWritesIt) {
  PriCall* offered = nullptr;
  PlaceFromUser(&offered);
  auto after = offered->Clear(cause::kRequestedChannelUnavailable, std::nullopt);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, CallAfter::kFreed);
  const std::vector<Message> sent = Messages(net_wire_.sent);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].message_type, msg::kReleaseComplete);
  EXPECT_EQ(GetCauseValue(sent[0]), cause::kRequestedChannelUnavailable);
  EXPECT_FALSE(GetUserUser(sent[0]).has_value());
}

TEST_F(PriCallTest, ClearInActiveStateSendsDisconnectWithUui) {
  PriCall *user_call = nullptr, *net_call = nullptr;
  Connect(&user_call, &net_call);
  EXPECT_EQ(user_call->state(), CallState::kActive);
  EXPECT_EQ(net_call->state(), CallState::kActive);  // the network is Active once it sent CONNECT

  auto after = user_call->Clear(cause::kNormalClearing, Uui("bye"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, CallAfter::kAlive);
  EXPECT_EQ(user_call->state(), CallState::kDisconnectRequest);
  const std::vector<Message> sent = Messages(user_wire_.sent);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].message_type, msg::kDisconnect);
  EXPECT_EQ(GetCauseValue(sent[0]), cause::kNormalClearing);
  EXPECT_EQ(GetUserUser(sent[0]), Uui("bye"));
}

TEST_F(PriCallTest, ClearAfterTheFarEndsDisconnectSendsReleaseThenOneHangupFreesBoth) {
  PriCall *user_call = nullptr, *net_call = nullptr;
  Connect(&user_call, &net_call);
  ASSERT_TRUE(user_call->Clear(cause::kNormalClearing, std::nullopt).ok());
  Pump();
  auto disconnect = Take(net_events_, PRI_EVENT_HANGUP_REQ);
  ASSERT_TRUE(disconnect.has_value());
  ASSERT_EQ(net_->calls().Find(disconnect->hangup.call), net_call);
  net_call->NoteRemoteDisconnect();
  EXPECT_EQ(net_call->state(), CallState::kDisconnectIndication);

  auto after = net_call->Clear(cause::kNormalClearing, Uui("ok"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, CallAfter::kAlive);
  EXPECT_EQ(net_call->state(), CallState::kReleaseRequest);
  std::vector<Message> sent = Messages(net_wire_.sent);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].message_type, msg::kRelease);
  EXPECT_EQ(GetUserUser(sent[0]), Uui("ok"));

  // The user side's PRI_EVENT_HANGUP: exactly one pri_hangup, RELEASE COMPLETE.
  Pump();
  auto hangup = Take(user_events_, PRI_EVENT_HANGUP);
  ASSERT_TRUE(hangup.has_value());
  user_call->NoteHangup();
  EXPECT_EQ(user_call->state(), CallState::kNull);
  EXPECT_EQ(user_call->Release(cause::kNormalClearing), CallAfter::kFreed);
  EXPECT_EQ(user_->calls().size(), 0u);
  EXPECT_EQ(Types(user_wire_.sent), (std::vector<std::uint8_t>{msg::kDisconnect, msg::kReleaseComplete}));

  // The network side's PRI_EVENT_HANGUP_ACK: libpri freed the call itself.
  Pump();
  auto ack = Take(net_events_, PRI_EVENT_HANGUP_ACK);
  ASSERT_TRUE(ack.has_value());
  PriCall* acked = net_->calls().Find(ack->hangup.call);
  ASSERT_EQ(acked, net_call);
  EXPECT_EQ(acked->NoteHangupAck(), CallAfter::kFreed);
  EXPECT_EQ(net_->calls().size(), 0u);
  // Nothing more on the wire: no second RELEASE COMPLETE from anyone.
  Pump();
  EXPECT_EQ(Types(user_wire_.sent), (std::vector<std::uint8_t>{msg::kDisconnect, msg::kReleaseComplete}));
  EXPECT_EQ(Types(net_wire_.sent), (std::vector<std::uint8_t>{msg::kRelease}));
}

TEST_F(PriCallTest, HangupAckRemovesTheEntrySoAReusedAddressIsNotFound) {
  PriCall *user_call = nullptr, *net_call = nullptr;
  Connect(&user_call, &net_call);
  ASSERT_TRUE(net_call->Clear(cause::kNormalClearing, std::nullopt).ok());
  Pump();
  ASSERT_TRUE(Take(user_events_, PRI_EVENT_HANGUP_REQ).has_value());
  user_call->NoteRemoteDisconnect();
  ASSERT_TRUE(user_call->Clear(cause::kNormalClearing, std::nullopt).ok());
  Pump();
  ASSERT_TRUE(Take(net_events_, PRI_EVENT_HANGUP).has_value());
  net_call->NoteHangup();
  ASSERT_EQ(net_call->Release(cause::kNormalClearing), CallAfter::kFreed);
  Pump();
  auto ack = Take(user_events_, PRI_EVENT_HANGUP_ACK);
  ASSERT_TRUE(ack.has_value());
  q931_call* old_address = ack->hangup.call;
  const int old_cref = user_call->cref();
  ASSERT_EQ(user_->calls().Find(old_address), user_call);
  EXPECT_EQ(user_call->NoteHangupAck(), CallAfter::kFreed);
  EXPECT_EQ(user_->calls().Find(old_address), nullptr);
  EXPECT_EQ(user_->calls().FindByCref(old_cref), nullptr);

  // libpri hands the next call whatever address it likes, the old one
  // included: a lookup finds only the new call.
  auto next = user_->calls().Place({2, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, Numbers("101", ""), std::nullopt});
  ASSERT_TRUE(next.ok());
  PriCall* found = user_->calls().Find(old_address);
  EXPECT_TRUE(found == nullptr || found == *next);
  EXPECT_EQ(user_->calls().Find((*next)->call()), *next);
  EXPECT_EQ(user_->calls().FindByCref((*next)->cref()), *next);
  EXPECT_EQ((*next)->state(), CallState::kCallInitiated);
  EXPECT_EQ(user_->calls().size(), 1u);
}

TEST_F(PriCallTest, AnswerOnAClearedCallIsRefusedNamingBothStates) {
  PriCall* offered = nullptr;
  PriCall& placed = PlaceFromUser(&offered);
  ASSERT_TRUE(offered->Proceed().ok());
  ASSERT_TRUE(placed.Clear(cause::kNormalClearing, std::nullopt).ok());
  Pump();
  ASSERT_TRUE(Take(net_events_, PRI_EVENT_HANGUP_REQ).has_value());
  offered->NoteRemoteDisconnect();
  ASSERT_TRUE(offered->Clear(cause::kNormalClearing, std::nullopt).ok());
  ASSERT_EQ(offered->state(), CallState::kReleaseRequest);
  net_wire_.sent.clear();

  base::Status answered = offered->Answer(Uui("late"), false);
  ASSERT_FALSE(answered.ok());
  EXPECT_NE(answered.message().find("CONNECT refused in state Release request"), std::string::npos)
      << answered.message();
  EXPECT_NE(answered.message().find("Call present"), std::string::npos) << answered.message();
  EXPECT_EQ(offered->state(), CallState::kReleaseRequest);
  EXPECT_TRUE(net_wire_.sent.empty()) << "nothing may reach the wire";
}

TEST_F(PriCallTest, AnIllegalTransitionIsLoggedAtErrorAndRefused) {
  PriCall *user_call = nullptr, *net_call = nullptr;
  Connect(&user_call, &net_call);
  ASSERT_TRUE(user_call->Clear(cause::kNormalClearing, std::nullopt).ok());
  ASSERT_EQ(user_call->state(), CallState::kDisconnectRequest);

  RecordingSink sink;
  base::SetLogSink(&sink);
  user_call->NoteRinging();  // ALERTING after our DISCONNECT: not a Q.931 transition
  base::SetLogSink(nullptr);
  EXPECT_EQ(user_call->state(), CallState::kDisconnectRequest);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_NE(sink.errors[0].find("Disconnect request -> Call delivered"), std::string::npos) << sink.errors[0];
}

TEST_F(PriCallTest, ClearInNullIsRefused) {
  PriCall* offered = nullptr;
  PriCall& placed = PlaceFromUser(&offered);
  ASSERT_TRUE(offered->Clear(cause::kCallRejected, std::nullopt).ok());
  Pump();
  ASSERT_TRUE(Take(user_events_, PRI_EVENT_HANGUP).has_value());
  placed.NoteHangup();
  auto after = placed.Clear(cause::kNormalClearing, std::nullopt);
  ASSERT_FALSE(after.ok());
  EXPECT_NE(after.error().find("state Null"), std::string::npos) << after.error();
  EXPECT_EQ(placed.Release(cause::kNormalClearing), CallAfter::kFreed);
}

TEST_F(PriCallTest, HoldAndRetrieveGoThroughTheAuxiliaryStates) {
  PriCall *user_call = nullptr, *net_call = nullptr;
  Connect(&user_call, &net_call);
  ASSERT_TRUE(user_call->Hold().ok());
  EXPECT_EQ(user_call->hold_state(), HoldState::kHoldRequest);
  EXPECT_FALSE(user_call->Hold().ok()) << "one HOLD at a time";
  Pump();
  ASSERT_TRUE(Take(net_events_, PRI_EVENT_HOLD).has_value());
  net_call->NoteHoldRequested();
  ASSERT_TRUE(net_call->AcknowledgeHold().ok());
  EXPECT_EQ(net_call->hold_state(), HoldState::kCallHeld);
  Pump();
  ASSERT_TRUE(Take(user_events_, PRI_EVENT_HOLD_ACK).has_value());
  user_call->NoteHoldAcknowledged();
  EXPECT_EQ(user_call->hold_state(), HoldState::kCallHeld);

  ASSERT_TRUE(user_call->Retrieve().ok());
  EXPECT_EQ(user_call->hold_state(), HoldState::kRetrieveRequest);
  Pump();
  ASSERT_TRUE(Take(net_events_, PRI_EVENT_RETRIEVE).has_value());
  net_call->NoteRetrieveRequested();
  ASSERT_TRUE(net_call->RejectRetrieve(cause::kFacilityRejected).ok());
  EXPECT_EQ(net_call->hold_state(), HoldState::kCallHeld);
  Pump();
  auto rejected = Take(user_events_, PRI_EVENT_RETRIEVE_REJ);
  ASSERT_TRUE(rejected.has_value());
  EXPECT_EQ(rejected->retrieve_rej.cause, cause::kFacilityRejected);
  user_call->NoteRetrieveRejected();
  EXPECT_EQ(user_call->hold_state(), HoldState::kCallHeld);
  EXPECT_EQ(Types(user_wire_.sent), (std::vector<std::uint8_t>{msg::kHold, msg::kRetrieve}));
  EXPECT_EQ(Types(net_wire_.sent), (std::vector<std::uint8_t>{kHoldAcknowledge, kRetrieveReject}));
}

TEST_F(PriCallTest, DestroyFreesTheCallWithoutAMessage) {
  PriCall *user_call = nullptr, *net_call = nullptr;
  Connect(&user_call, &net_call);
  q931_call* raw = user_call->call();
  EXPECT_EQ(user_call->Destroy(), CallAfter::kFreed);
  EXPECT_EQ(user_->calls().Find(raw), nullptr);
  EXPECT_TRUE(Messages(user_wire_.sent).empty());
}

// --- whose clearing a hangup is (call.state origin) -------------------------

TEST_F(PriCallTest, HangupOnTheFarEndsReleaseCompleteIsAClearingReceived) {
  PriCall* offered = nullptr;
  PriCall& placed = PlaceFromUser(&offered);
  ASSERT_TRUE(offered->Clear(cause::kUserBusy, std::nullopt).ok());
  Pump();
  ASSERT_EQ(user_events_.hangups.size(), 1u);
  EXPECT_EQ(user_events_.hangups[0].event, PRI_EVENT_HANGUP);
  EXPECT_TRUE(user_events_.hangups[0].clearing_received);
  EXPECT_FALSE(user_->ClearingReceived(placed.cref())) << "only while the event is delivered";
  placed.NoteHangup();
  EXPECT_EQ(placed.Release(cause::kUserBusy), CallAfter::kFreed);
}

TEST_F(PriCallTest, DisconnectReleaseAndReleaseCompleteReceivedAreClearingsReceived) {
  PriCall *user_call = nullptr, *net_call = nullptr;
  Connect(&user_call, &net_call);
  ASSERT_TRUE(net_call->Clear(cause::kNormalClearing, std::nullopt).ok());
  Pump();
  ASSERT_EQ(user_events_.hangups.size(), 1u);
  EXPECT_EQ(user_events_.hangups[0].event, PRI_EVENT_HANGUP_REQ);
  EXPECT_TRUE(user_events_.hangups[0].clearing_received);
  user_call->NoteRemoteDisconnect();
  ASSERT_TRUE(user_call->Clear(cause::kNormalClearing, std::nullopt).ok());
  Pump();
  // The user side's RELEASE is the network side's PRI_EVENT_HANGUP.
  ASSERT_EQ(net_events_.hangups.size(), 1u);
  EXPECT_EQ(net_events_.hangups[0].event, PRI_EVENT_HANGUP);
  EXPECT_TRUE(net_events_.hangups[0].clearing_received);
  net_call->NoteHangup();
  ASSERT_EQ(net_call->Release(cause::kNormalClearing), CallAfter::kFreed);
  Pump();
  ASSERT_EQ(user_events_.hangups.size(), 2u);
  EXPECT_EQ(user_events_.hangups[1].event, PRI_EVENT_HANGUP_ACK);
  // A RELEASE COMPLETE answering our RELEASE is one too: whose clearing it
  // was is the span's to say (it began with a DISCONNECT received here).
  EXPECT_TRUE(user_events_.hangups[1].clearing_received);
  EXPECT_EQ(user_call->NoteHangupAck(), CallAfter::kFreed);
}

TEST_F(PriCallTest, T303ExpiringTwiceIsLibprisOwnClearingNotTheFarEnds) {
  // Q.931 5.1.1: no answer to SETUP, T303 twice; libpri clears the call
  // itself from its timers. A short T303 keeps the test quick.
  pri_set_timer(user_->raw(), PRI_TIMER_T303, 50);
  auto placed = user_->calls().Place({1, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, Numbers("100", ""), std::nullopt});
  ASSERT_TRUE(placed.ok());
  PriCall* call = *placed;
  Pump();  // the network side sees the SETUP and says nothing
  const auto give_up = std::chrono::system_clock::now() + std::chrono::seconds(5);
  while (user_events_.hangups.empty() && std::chrono::system_clock::now() < give_up) {
    // Wait for libpri's own deadline, as the daemon's timer does.
    if (user_events_.deadline) std::this_thread::sleep_until(*user_events_.deadline);
    user_->RunTimers();
    Pump();
  }
  ASSERT_EQ(user_events_.hangups.size(), 1u) << "libpri never cleared the call";
  EXPECT_EQ(user_events_.hangups[0].event, PRI_EVENT_HANGUP);
  EXPECT_FALSE(user_events_.hangups[0].clearing_received);
  auto hangup = Take(user_events_, PRI_EVENT_HANGUP);
  ASSERT_TRUE(hangup);
  EXPECT_EQ(hangup->hangup.cause, cause::kNoUserResponding) << "libpri's cause for it";
  EXPECT_EQ(Types(user_wire_.sent), (std::vector<std::uint8_t>{msg::kSetup, msg::kSetup}));
  call->NoteHangup();
  EXPECT_EQ(call->Release(cause::kNoUserResponding), CallAfter::kFreed);
}

}  // namespace
}  // namespace prid::q931
