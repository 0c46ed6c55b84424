// Tests of daemon/session_model beyond two parties: conferences (create,
// add, remove, drop of all, participant drop, far-end drop inside), bridged
// appearances (station drop, join, last-station drop, far-end drop) and
// hold (HOLD/RETRIEVE and their rejects), against a recording span port.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/session/session_model.h"
#include "q931/q850.h"
#include "tests/support/fake_span_port.h"
#include "tests/support/fake_timers.h"
#include "tests/support/recording_event_sink.h"

namespace prid::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using testing::FakeSpanPort;
using testing::FakeTimerFactory;
using testing::PortRequest;
using testing::RecordingEventSink;
using testing::StateEvent;

using S = CallState;
using H = HandleState;
namespace q850 = q931::cause;
using K = PortRequest::Kind;

constexpr int kSpan = 1;         // single appearance, hold available
constexpr int kBridgedSpan = 2;  // party line
constexpr int kNoHoldSpan = 3;   // a North American variant: no HOLD

constexpr ClientId kAlice = 1;
constexpr ClientId kBob = 2;
constexpr ClientId kCarol = 3;
constexpr ClientId kMonty = 4;  // monitor

q931::UserUser Ia5(std::string_view text) {
  return {q931::kUuiPdIa5, std::vector<std::uint8_t>(text.begin(), text.end())};
}

template <typename T>
bool Failed(const ModelResult<T>& result, ModelErrorKind kind) {
  return !result.ok() && result.error().kind == kind;
}

SpanSettings Settings(int span, Appearance appearance, bool hold) {
  SpanSettings s;
  s.span = span;
  s.appearance = appearance;
  s.uui_max = 32;
  s.hold = hold;
  return s;
}

class PartyTest : public ::testing::Test {
 protected:
  PartyTest() {
    model_.AddSpan(Settings(kSpan, Appearance::kSingle, true), &port_);
    model_.AddSpan(Settings(kBridgedSpan, Appearance::kBridged, true), &bridged_port_);
    model_.AddSpan(Settings(kNoHoldSpan, Appearance::kSingle, false), &no_hold_port_);
  }

  // kAlice's outgoing call on `span`, answered by the far end.
  CallId Connected(int span = kSpan, ClientId maker = kAlice) {
    MakeCallRequest request;
    request.span = span;
    request.parties.called.digits = "600" + std::to_string(++made_);
    auto id = model_.Make(maker, request);
    EXPECT_TRUE(id.ok());
    model_.Answered(*id, std::nullopt);
    EXPECT_EQ(StateOf(*id), S::kConnected);
    return *id;
  }

  CallId Offer(int span) {
    IncomingCallInfo info;
    info.channel = 3;
    info.parties.called.digits = "4000";
    return model_.IncomingCall(span, info, [](CallId) {});
  }

  void OpenMonitorOnSpan() { ASSERT_TRUE(model_.OpenLine(kMonty, kSpan, Privilege::kMonitor).ok()); }

  CallState StateOf(CallId id) const {
    const Call* call = model_.Find(id);
    return call ? call->state() : S::kIdle;
  }
  HandleState HandleOf(ClientId client, CallId id) const {
    auto view = model_.Info(client, id);
    return view.ok() ? view->state() : H::kIdle;
  }
  std::vector<StateEvent> EventsTo(ClientId client) const {
    std::vector<StateEvent> out;
    for (const StateEvent& e : events_.states()) {
      if (std::find(e.recipients.begin(), e.recipients.end(), client) != e.recipients.end()) out.push_back(e);
    }
    return out;
  }
  void DeallocateAll(ClientId client) {
    for (const CallView& view : model_.List(client, std::nullopt)) {
      EXPECT_TRUE(model_.Deallocate(client, view.call->id).ok());
    }
  }
  void ExpectNothingLeft() {
    EXPECT_EQ(model_.record_count(), 0u);
    EXPECT_EQ(model_.handle_count(), 0u);
  }

  int made_ = 0;
  RecordingEventSink events_;
  FakeTimerFactory timers_;
  FakeSpanPort port_;
  FakeSpanPort bridged_port_;
  FakeSpanPort no_hold_port_;
  SessionModel model_{events_, timers_};
};

// ---------------------------------------------------------------------------
// Conferences

TEST_F(PartyTest, CreateConferencesConnectedCallsAndJoinsTheirMedia) {
  const CallId a = Connected(), b = Connected(), c = Connected();
  auto conference = model_.ConferenceCreate(kAlice, {a, b, c});
  ASSERT_TRUE(conference.ok());
  EXPECT_NE(*conference, a);

  for (CallId id : {a, b, c}) {
    EXPECT_EQ(StateOf(id), S::kConferenced);
    EXPECT_EQ(model_.Find(id)->conference, *conference);
  }
  const Call* conf = model_.Find(*conference);
  ASSERT_NE(conf, nullptr);
  EXPECT_TRUE(conf->is_conference);
  EXPECT_EQ(conf->state(), S::kConnected);
  EXPECT_THAT(conf->participants, ElementsAre(a, b, c));
  auto joins = port_.Requests(K::kJoinConference);
  ASSERT_THAT(joins, SizeIs(3));
  for (const PortRequest& r : joins) EXPECT_EQ(r.conference, conf->conference_number);
  EXPECT_GT(conf->conference_number, 0);
}

TEST_F(PartyTest, TwoConferencesGetDifferentMediaConferences) {
  auto first = model_.ConferenceCreate(kAlice, {Connected(), Connected()});
  auto second = model_.ConferenceCreate(kAlice, {Connected()});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(model_.Find(*first)->conference_number, model_.Find(*second)->conference_number);
}

TEST_F(PartyTest, DropConferenceDropsEveryParticipantWithCauseAndUuiThenTheConference) {
  OpenMonitorOnSpan();
  const CallId a = Connected(), b = Connected(), c = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a, b, c});
  events_.Forget();

  ASSERT_TRUE(model_.Drop(kAlice, conf, q850::kNormalUnspecified, Ia5("bye all")).ok());
  auto clears = port_.Clears();
  ASSERT_THAT(clears, SizeIs(3));
  for (const PortRequest& r : clears) {
    EXPECT_EQ(r.cause, q850::kNormalUnspecified);
    EXPECT_EQ(r.uui, Ia5("bye all"));
  }
  EXPECT_THAT(port_.Requests(K::kLeaveConference), SizeIs(3));
  EXPECT_EQ(StateOf(conf), S::kConnected) << "the conference ends with its last participant";
  EXPECT_TRUE(Failed(model_.Drop(kAlice, conf, std::nullopt, std::nullopt), ModelErrorKind::kInvalidCallState));

  for (CallId id : {a, b, c}) model_.WireCleared(id, q850::kNormalUnspecified, std::nullopt, false);

  // Participants, then the conference; each event to every holder.
  std::vector<CallId> order;
  for (const StateEvent& e : events_.states()) {
    EXPECT_EQ(e.state, H::kIdle);
    order.push_back(e.call);
  }
  EXPECT_THAT(order, ElementsAre(a, b, c, conf));
  for (CallId id : {a, b, c}) {
    EXPECT_THAT(events_.StatesOf(id)[0].recipients, UnorderedElementsAre(kAlice, kMonty));
  }
  EXPECT_THAT(events_.StatesOf(conf)[0].recipients, ElementsAre(kAlice));
  EXPECT_EQ(events_.StatesOf(conf)[0].cause, q850::kNormalUnspecified);
  DeallocateAll(kAlice);
  DeallocateAll(kMonty);
  ExpectNothingLeft();
}

TEST_F(PartyTest, ConferenceDropChecksUuiForEveryParticipantBeforeSendingAnything) {
  const CallId conf = *model_.ConferenceCreate(kAlice, {Connected(), Connected()});
  q931::UserUser too_big{0, std::vector<std::uint8_t>(33, 0x55)};
  EXPECT_TRUE(Failed(model_.Drop(kAlice, conf, std::nullopt, too_big), ModelErrorKind::kUserUserInfoTooBig));
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(StateOf(conf), S::kConnected);
}

TEST_F(PartyTest, DropOneParticipantLeavesTheRestOfTheConference) {
  const CallId a = Connected(), b = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a, b});
  ASSERT_TRUE(model_.Drop(kAlice, a, std::nullopt, Ia5("just me")).ok());
  ASSERT_THAT(port_.Clears(), SizeIs(1));
  EXPECT_EQ(port_.Clears()[0].call, a);
  EXPECT_EQ(port_.Clears()[0].cause, q850::kNormalClearing);
  model_.WireCleared(a, q850::kNormalClearing, std::nullopt, false);

  EXPECT_EQ(StateOf(a), S::kIdle);
  EXPECT_EQ(model_.Find(a)->conference, 0u);
  EXPECT_EQ(StateOf(b), S::kConferenced);
  EXPECT_EQ(StateOf(conf), S::kConnected);
  EXPECT_THAT(model_.Find(conf)->participants, ElementsAre(b));
}

TEST_F(PartyTest, FarEndDropInsideConferenceTouchesNoOtherParticipant) {
  const CallId a = Connected(), b = Connected(), c = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a, b, c});
  events_.Forget();
  port_.ForgetRequests();

  model_.RemoteDisconnect(b, q850::kNormalClearing, Ia5("far bye"));
  EXPECT_EQ(StateOf(b), S::kDisconnected);
  ASSERT_THAT(port_.Requests(K::kLeaveConference), SizeIs(1));
  EXPECT_EQ(port_.Requests(K::kLeaveConference)[0].call, b);
  timers_.FireAll();  // release_timeout: the daemon releases it
  model_.WireCleared(b, q850::kNormalClearing, std::nullopt, true);

  EXPECT_EQ(StateOf(b), S::kIdle);
  EXPECT_EQ(StateOf(a), S::kConferenced);
  EXPECT_EQ(StateOf(c), S::kConferenced);
  for (const StateEvent& e : events_.states()) EXPECT_EQ(e.call, b);
  EXPECT_THAT(model_.Find(conf)->participants, ElementsAre(a, c));
}

TEST_F(PartyTest, RemoveReturnsParticipantToConnectedAndEmptyConferenceGoesIdle) {
  const CallId a = Connected(), b = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a, b});
  ASSERT_TRUE(model_.ConferenceRemove(kAlice, conf, a).ok());
  EXPECT_EQ(StateOf(a), S::kConnected);
  EXPECT_EQ(model_.Find(a)->conference, 0u);
  EXPECT_EQ(StateOf(conf), S::kConnected);
  ASSERT_TRUE(model_.ConferenceRemove(kAlice, conf, b).ok());
  EXPECT_EQ(StateOf(b), S::kConnected);
  EXPECT_EQ(StateOf(conf), S::kIdle);
  EXPECT_THAT(port_.Requests(K::kLeaveConference), SizeIs(2));
  // Its number is free again.
  auto next = model_.ConferenceCreate(kAlice, {a});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(model_.Find(*next)->conference_number, model_.Find(conf)->conference_number);
}

TEST_F(PartyTest, AddConnectedCallJoinsAtOnceAndHeldCallAfterRetrieve) {
  const CallId a = Connected(), b = Connected(), held = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a});
  ASSERT_TRUE(model_.ConferenceAdd(kAlice, conf, b).ok());
  EXPECT_EQ(StateOf(b), S::kConferenced);

  ASSERT_TRUE(model_.Hold(kAlice, held).ok());
  model_.HoldAcknowledged(held);
  ASSERT_EQ(StateOf(held), S::kOnHold);
  ASSERT_TRUE(model_.ConferenceAdd(kAlice, conf, held).ok());
  EXPECT_THAT(port_.Requests(K::kRetrieve), SizeIs(1));
  EXPECT_EQ(StateOf(held), S::kOnHold);
  model_.RetrieveAcknowledged(held);
  EXPECT_EQ(StateOf(held), S::kConferenced);
  EXPECT_THAT(model_.Find(conf)->participants, ElementsAre(a, b, held));
}

TEST_F(PartyTest, HeldCallWhoseRetrieveIsRefusedStaysOutOfTheConference) {
  const CallId a = Connected(), held = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a});
  ASSERT_TRUE(model_.Hold(kAlice, held).ok());
  model_.HoldAcknowledged(held);
  ASSERT_TRUE(model_.ConferenceAdd(kAlice, conf, held).ok());
  model_.RetrieveRejected(held, q850::kFacilityRejected);
  EXPECT_EQ(StateOf(held), S::kOnHold);
  EXPECT_EQ(model_.Find(held)->conference, 0u);
  EXPECT_THAT(model_.Find(conf)->participants, ElementsAre(a));
}

TEST_F(PartyTest, ConferenceErrors) {
  const CallId a = Connected(), b = Connected();
  const CallId offered = Offer(kSpan);  // nobody owns it: rejected at once
  (void)offered;
  ASSERT_TRUE(model_.OpenLine(kBob, kSpan, Privilege::kOwner).ok());
  const CallId ringing = Offer(kSpan);

  EXPECT_TRUE(Failed(model_.ConferenceCreate(kAlice, {}), ModelErrorKind::kInvalidParams));
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kAlice, {a, a}), ModelErrorKind::kInvalidParams));
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kAlice, {a, 999}), ModelErrorKind::kInvalidCallHandle));
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kBob, {ringing}), ModelErrorKind::kInvalidCallState));
  ASSERT_TRUE(model_.OpenLine(kMonty, kSpan, Privilege::kMonitor).ok());
  const CallId monitored = Connected();
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kMonty, {monitored}), ModelErrorKind::kNotOwner));
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kAlice, {Connected(kBridgedSpan)}),
                     ModelErrorKind::kOperationUnavailable));
  EXPECT_THAT(port_.Requests(K::kJoinConference), IsEmpty()) << "nothing joined when one call fails";

  const CallId conf = *model_.ConferenceCreate(kAlice, {a});
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kAlice, {a}), ModelErrorKind::kInvalidCallState));
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kAlice, {conf}), ModelErrorKind::kInvalidCallState));
  EXPECT_TRUE(Failed(model_.ConferenceAdd(kAlice, b, a), ModelErrorKind::kInvalidParams));
  EXPECT_TRUE(Failed(model_.ConferenceAdd(kBob, conf, b), ModelErrorKind::kInvalidCallHandle));
  EXPECT_TRUE(Failed(model_.ConferenceRemove(kAlice, conf, b), ModelErrorKind::kInvalidParams));
  EXPECT_TRUE(Failed(model_.Hold(kAlice, a), ModelErrorKind::kInvalidCallState));
  EXPECT_TRUE(Failed(model_.Hold(kAlice, conf), ModelErrorKind::kOperationUnavailable));

  port_.set_join_fails(true);
  EXPECT_TRUE(Failed(model_.ConferenceAdd(kAlice, conf, b), ModelErrorKind::kResourceUnavailable));
  EXPECT_EQ(StateOf(b), S::kConnected);
  EXPECT_TRUE(Failed(model_.ConferenceCreate(kAlice, {b}), ModelErrorKind::kResourceUnavailable));
  port_.set_join_fails(false);

  ASSERT_TRUE(model_.ConferenceRemove(kAlice, conf, a).ok());
  EXPECT_TRUE(Failed(model_.ConferenceAdd(kAlice, conf, b), ModelErrorKind::kInvalidCallState));
  EXPECT_TRUE(Failed(model_.Drop(kAlice, conf, std::nullopt, std::nullopt), ModelErrorKind::kInvalidCallState));
}

TEST_F(PartyTest, ClientGoneDropsItsConferenceAndEverythingIsFreed) {
  const CallId a = Connected(), b = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a, b});
  model_.ClientGone(kAlice);
  EXPECT_THAT(port_.Clears(), SizeIs(2));
  model_.WireCleared(a, q850::kNormalClearing, std::nullopt, false);
  model_.WireCleared(b, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(model_.Find(conf), nullptr);
  ExpectNothingLeft();
}

TEST_F(PartyTest, DeallocateConferenceOnlyWhenIdle) {
  const CallId a = Connected();
  const CallId conf = *model_.ConferenceCreate(kAlice, {a});
  EXPECT_TRUE(Failed(model_.Deallocate(kAlice, conf), ModelErrorKind::kInvalidCallState));
  ASSERT_TRUE(model_.Drop(kAlice, conf, std::nullopt, std::nullopt).ok());
  model_.WireCleared(a, q850::kNormalClearing, std::nullopt, false);
  DeallocateAll(kAlice);
  ExpectNothingLeft();
}

// ---------------------------------------------------------------------------
// Bridged appearances

class BridgedTest : public PartyTest {
 protected:
  void OpenStations(std::initializer_list<ClientId> stations) {
    for (ClientId s : stations) ASSERT_TRUE(model_.OpenLine(s, kBridgedSpan, Privilege::kOwner).ok());
  }
};

TEST_F(BridgedTest, AnswerPutsOneStationOnAndTheOthersInactive) {
  OpenStations({kAlice, kBob, kCarol});
  const CallId id = Offer(kBridgedSpan);
  ASSERT_TRUE(model_.Answer(kBob, id, std::nullopt).ok());
  EXPECT_EQ(StateOf(id), S::kConnected);
  EXPECT_EQ(HandleOf(kBob, id), H::kConnected);
  EXPECT_EQ(HandleOf(kAlice, id), H::kInactive);
  EXPECT_EQ(HandleOf(kCarol, id), H::kInactive);
}

TEST_F(BridgedTest, StationDropWhileOthersOnSendsNothingAndOnlyItGetsAnEvent) {
  OpenStations({kAlice, kBob, kCarol});
  const CallId id = Offer(kBridgedSpan);
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  ASSERT_TRUE(model_.Join(kBob, id).ok());
  ASSERT_TRUE(model_.Join(kCarol, id).ok());
  events_.Forget();

  ASSERT_TRUE(model_.Drop(kBob, id, std::nullopt, Ia5("bob out")).ok());
  EXPECT_THAT(bridged_port_.Clears(), IsEmpty());
  EXPECT_EQ(HandleOf(kBob, id), H::kInactive);
  EXPECT_EQ(StateOf(id), S::kConnected);
  ASSERT_THAT(events_.states(), SizeIs(1));
  EXPECT_THAT(events_.states()[0].recipients, ElementsAre(kBob));
  EXPECT_EQ(events_.states()[0].previous, H::kConnected);
  EXPECT_EQ(events_.states()[0].state, H::kInactive);
  EXPECT_TRUE(Failed(model_.Drop(kBob, id, std::nullopt, std::nullopt), ModelErrorKind::kInvalidCallState));

  ASSERT_TRUE(model_.Drop(kCarol, id, std::nullopt, std::nullopt).ok());
  EXPECT_THAT(bridged_port_.Clears(), IsEmpty());

  // Bob rejoins, then Alice and Bob leave: the last one clears the call.
  ASSERT_TRUE(model_.Join(kBob, id).ok());
  EXPECT_EQ(HandleOf(kBob, id), H::kConnected);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  EXPECT_THAT(bridged_port_.Clears(), IsEmpty());
  ASSERT_TRUE(model_.Drop(kBob, id, q850::kNormalClearing, Ia5("last")).ok());
  ASSERT_THAT(bridged_port_.Clears(), SizeIs(1));
  EXPECT_EQ(bridged_port_.Clears()[0].uui, Ia5("last"));
  events_.Forget();
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  for (ClientId s : {kAlice, kBob, kCarol}) EXPECT_EQ(HandleOf(s, id), H::kIdle);
  // Bob goes connected → idle, the inactive stations inactive → idle.
  ASSERT_THAT(events_.states(), SizeIs(2));
  EXPECT_EQ(events_.states()[0].previous, H::kConnected);
  EXPECT_THAT(events_.states()[0].recipients, ElementsAre(kBob));
  EXPECT_EQ(events_.states()[1].previous, H::kInactive);
  EXPECT_THAT(events_.states()[1].recipients, UnorderedElementsAre(kAlice, kCarol));
  for (ClientId s : {kAlice, kBob, kCarol}) DeallocateAll(s);
  ExpectNothingLeft();
}

TEST_F(BridgedTest, OutgoingCallAppearsInactiveAtTheOtherStations) {
  OpenStations({kAlice, kBob});
  const CallId id = Connected(kBridgedSpan, kAlice);
  EXPECT_EQ(HandleOf(kBob, id), H::kInactive);
  auto offers = events_.OffersOf(id);
  ASSERT_THAT(offers, SizeIs(1));
  EXPECT_EQ(offers[0].client, kBob);
  EXPECT_EQ(offers[0].handle_state, H::kInactive);
  // The maker alone on the call: its drop clears it.
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  EXPECT_THAT(bridged_port_.Clears(), SizeIs(1));
}

TEST_F(BridgedTest, FarEndDropReachesEveryStation) {
  OpenStations({kAlice, kBob, kCarol});
  const CallId id = Offer(kBridgedSpan);
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  ASSERT_TRUE(model_.Join(kBob, id).ok());
  events_.Forget();
  model_.RemoteDisconnect(id, q850::kNormalClearing, std::nullopt);
  for (ClientId s : {kAlice, kBob, kCarol}) {
    EXPECT_EQ(HandleOf(s, id), H::kDisconnected);
    EXPECT_THAT(EventsTo(s), SizeIs(1));
  }
  // Any station's drop now releases it.
  ASSERT_TRUE(model_.Drop(kCarol, id, std::nullopt, std::nullopt).ok());
  EXPECT_THAT(bridged_port_.Clears(), SizeIs(1));
}

// Issue 14: the station that left sees the end the last one caused, with
// the clearing's cause and origin, and the record goes with both handles.
TEST_F(BridgedTest, LastStationsDropReachesTheStationThatLeftAndBothDeallocationsFreeIt) {
  OpenStations({kAlice, kBob});
  const CallId id = Offer(kBridgedSpan);
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  ASSERT_TRUE(model_.Join(kBob, id).ok());
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, std::nullopt).ok());
  ASSERT_EQ(HandleOf(kAlice, id), H::kInactive);
  ASSERT_TRUE(model_.Drop(kBob, id, std::nullopt, std::nullopt).ok());
  ASSERT_THAT(bridged_port_.Clears(), SizeIs(1));
  events_.Forget();
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  ASSERT_THAT(EventsTo(kAlice), SizeIs(1));
  EXPECT_EQ(EventsTo(kAlice)[0].previous, H::kInactive);
  EXPECT_EQ(EventsTo(kAlice)[0].state, H::kIdle);
  EXPECT_EQ(EventsTo(kAlice)[0].cause, q850::kNormalClearing);
  EXPECT_EQ(EventsTo(kAlice)[0].origin, Origin::kLocal);
  ASSERT_THAT(EventsTo(kBob), SizeIs(1));
  EXPECT_EQ(EventsTo(kBob)[0].previous, H::kConnected);
  EXPECT_EQ(HandleOf(kAlice, id), H::kIdle);
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok());
  EXPECT_EQ(model_.record_count(), 1u) << "Bob still holds it";
  ASSERT_TRUE(model_.Deallocate(kBob, id).ok());
  ExpectNothingLeft();
}

// The only station on a live call cannot walk away from it by deallocating:
// the call would stay on the wire with nobody to end it, and the inactive
// stations would never see its end (API.md: drop it first).
TEST_F(BridgedTest, OnlyStationOnTheCallCannotDeallocateItButAnInactiveOneCan) {
  OpenStations({kAlice, kBob});
  const CallId id = Offer(kBridgedSpan);
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  ASSERT_EQ(HandleOf(kBob, id), H::kInactive);
  EXPECT_TRUE(Failed(model_.Deallocate(kAlice, id), ModelErrorKind::kInvalidCallState));
  EXPECT_EQ(HandleOf(kAlice, id), H::kConnected);
  ASSERT_TRUE(model_.Join(kBob, id).ok());
  ASSERT_TRUE(model_.Deallocate(kAlice, id).ok()) << "Bob is on the call";
  EXPECT_THAT(bridged_port_.Clears(), IsEmpty());
  ASSERT_TRUE(model_.Drop(kBob, id, std::nullopt, std::nullopt).ok());
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  DeallocateAll(kBob);
  ExpectNothingLeft();
}

TEST_F(BridgedTest, JoinErrors) {
  OpenStations({kAlice, kBob});
  const CallId id = Offer(kBridgedSpan);
  EXPECT_TRUE(Failed(model_.Join(kBob, id), ModelErrorKind::kInvalidCallState)) << "offering, not inactive";
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  EXPECT_TRUE(Failed(model_.Join(kAlice, id), ModelErrorKind::kInvalidCallState)) << "already on it";
  EXPECT_TRUE(Failed(model_.Join(kCarol, id), ModelErrorKind::kInvalidCallHandle));
  ASSERT_TRUE(model_.Answer(kBob, id, std::nullopt).ok()) << "answer from inactive joins";
  EXPECT_EQ(HandleOf(kBob, id), H::kConnected);
  EXPECT_THAT(bridged_port_.Requests(K::kAnswer), SizeIs(1)) << "one CONNECT only";

  ASSERT_TRUE(model_.OpenLine(kAlice, kSpan, Privilege::kOwner).ok());
  const CallId single = Connected(kSpan);
  EXPECT_TRUE(Failed(model_.Join(kAlice, single), ModelErrorKind::kOperationUnavailable));
}

TEST_F(BridgedTest, SingleSpanEveryOwnersDropClearsTheCall) {
  ASSERT_TRUE(model_.OpenLine(kAlice, kSpan, Privilege::kOwner).ok());
  ASSERT_TRUE(model_.OpenLine(kBob, kSpan, Privilege::kOwner).ok());
  const CallId id = Offer(kSpan);
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  EXPECT_EQ(HandleOf(kBob, id), H::kConnected);
  ASSERT_TRUE(model_.Drop(kBob, id, std::nullopt, std::nullopt).ok());
  EXPECT_THAT(port_.Clears(), SizeIs(1));
}

TEST_F(BridgedTest, StationWhoseConnectionClosesLeavesTheOthersOnTheCall) {
  OpenStations({kAlice, kBob});
  const CallId id = Offer(kBridgedSpan);
  ASSERT_TRUE(model_.Answer(kAlice, id, std::nullopt).ok());
  ASSERT_TRUE(model_.Join(kBob, id).ok());
  model_.ClientGone(kAlice);
  EXPECT_THAT(bridged_port_.Clears(), IsEmpty());
  EXPECT_EQ(HandleOf(kBob, id), H::kConnected);
  model_.ClientGone(kBob);
  EXPECT_THAT(bridged_port_.Clears(), SizeIs(1));
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  ExpectNothingLeft();
}

// ---------------------------------------------------------------------------
// Hold

TEST_F(PartyTest, HoldGoesOnHoldWithTheAcknowledgeAndUnholdBack) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Hold(kAlice, id).ok());
  EXPECT_THAT(port_.Requests(K::kHold), SizeIs(1));
  EXPECT_EQ(StateOf(id), S::kConnected) << "nothing changes before HOLD ACKNOWLEDGE";
  EXPECT_TRUE(Failed(model_.Hold(kAlice, id), ModelErrorKind::kInvalidCallState)) << "HOLD pending";
  model_.HoldAcknowledged(id);
  EXPECT_EQ(StateOf(id), S::kOnHold);
  EXPECT_TRUE(Failed(model_.Hold(kAlice, id), ModelErrorKind::kInvalidCallState));

  ASSERT_TRUE(model_.Unhold(kAlice, id).ok());
  EXPECT_THAT(port_.Requests(K::kRetrieve), SizeIs(1));
  model_.RetrieveAcknowledged(id);
  EXPECT_EQ(StateOf(id), S::kConnected);
  EXPECT_TRUE(Failed(model_.Unhold(kAlice, id), ModelErrorKind::kInvalidCallState));
}

TEST_F(PartyTest, RefusedHoldAndRetrieveAreReportedWithTheCause) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Hold(kAlice, id).ok());
  events_.Forget();
  model_.HoldRejected(id, q850::kFacilityRejected);
  EXPECT_EQ(StateOf(id), S::kConnected);
  ASSERT_THAT(events_.states(), SizeIs(1));
  EXPECT_EQ(events_.states()[0].state, H::kConnected);
  EXPECT_EQ(events_.states()[0].previous, H::kConnected);
  EXPECT_EQ(events_.states()[0].cause, q850::kFacilityRejected);
  EXPECT_EQ(events_.states()[0].refused, "hold");
  ASSERT_TRUE(model_.Hold(kAlice, id).ok()) << "may try again";
  model_.HoldAcknowledged(id);
  ASSERT_TRUE(model_.Unhold(kAlice, id).ok());
  events_.Forget();
  model_.RetrieveRejected(id, q850::kFacilityRejected);
  EXPECT_EQ(StateOf(id), S::kOnHold);
  ASSERT_THAT(events_.states(), SizeIs(1));
  EXPECT_EQ(events_.states()[0].refused, "retrieve");
}

TEST_F(PartyTest, DropFromOnHoldClearsTheCall) {
  const CallId id = Connected();
  ASSERT_TRUE(model_.Hold(kAlice, id).ok());
  model_.HoldAcknowledged(id);
  ASSERT_TRUE(model_.Drop(kAlice, id, std::nullopt, Ia5("from hold")).ok());
  ASSERT_THAT(port_.Clears(), SizeIs(1));
  EXPECT_EQ(port_.Clears()[0].cause, q850::kNormalClearing);
  EXPECT_EQ(port_.Clears()[0].uui, Ia5("from hold"));
  model_.WireCleared(id, q850::kNormalClearing, std::nullopt, false);
  EXPECT_EQ(StateOf(id), S::kIdle);
}

TEST_F(PartyTest, FarEndHoldAndRetrieve) {
  const CallId id = Connected();
  model_.RemoteHold(id);
  EXPECT_EQ(StateOf(id), S::kOnHold);
  model_.RemoteRetrieve(id);
  EXPECT_EQ(StateOf(id), S::kConnected);
}

TEST_F(PartyTest, HoldErrors) {
  const CallId id = Connected();
  EXPECT_TRUE(Failed(model_.Hold(kAlice, 999), ModelErrorKind::kInvalidCallHandle));
  EXPECT_TRUE(Failed(model_.Unhold(kAlice, id), ModelErrorKind::kInvalidCallState));
  EXPECT_TRUE(Failed(model_.Hold(kAlice, Connected(kNoHoldSpan)), ModelErrorKind::kOperationUnavailable));
  EXPECT_TRUE(Failed(model_.Unhold(kAlice, Connected(kNoHoldSpan)), ModelErrorKind::kOperationUnavailable));
  ASSERT_TRUE(model_.OpenLine(kMonty, kSpan, Privilege::kMonitor).ok());
  const CallId watched = Connected();
  EXPECT_TRUE(Failed(model_.Hold(kMonty, watched), ModelErrorKind::kNotOwner));
  MakeCallRequest request;
  request.span = kSpan;
  request.parties.called.digits = "7000";
  const CallId dialing = *model_.Make(kAlice, request);
  EXPECT_TRUE(Failed(model_.Hold(kAlice, dialing), ModelErrorKind::kInvalidCallState));
  port_.set_hold_fails(true);
  EXPECT_TRUE(Failed(model_.Hold(kAlice, id), ModelErrorKind::kOperationUnavailable));
  EXPECT_EQ(model_.Find(id)->hold_request(), HoldRequest::kNone);
}

}  // namespace
}  // namespace prid::daemon
