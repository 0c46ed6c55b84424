// Tests of daemon/api/event_router: who gets each event (the holders the
// model names, the line holders of a span, matching subscribers — and no
// one else), that the event log keeps every event under the seq it was
// sent with, and replay on events.subscribe {since}; through a fake outbox.
#include "daemon/api/event_router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/daemon/api/fake_outbox.h"

namespace prid::daemon {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using testing::FakeOutbox;
using testing::SentLine;

constexpr ClientId kAlice = 1;
constexpr ClientId kBob = 2;
constexpr ClientId kCarol = 3;
constexpr ClientId kDave = 4;

Call CallOnSpan(CallId id, int span) {
  Call call;
  call.id = id;
  call.span = span;
  call.channel = 5;
  return call;
}

class EventRouterTest : public ::testing::Test {
 protected:
  void CallState(const Call& call, std::vector<ClientId> holders) {
    router_.CallStateChanged(call, HandleState::kDialing, HandleState::kConnected, holders, std::nullopt);
  }
  void SpanUp(int span, std::vector<ClientId> holders) {
    router_.SpanStateChanged(span, std::move(holders), "up", "down", {});
  }

  FakeOutbox outbox_;
  EventRouter router_{outbox_, 16};
};

TEST_F(EventRouterTest, CallStateGoesToEveryHolderAndOnlyToThem) {
  CallState(CallOnSpan(7, 1), {kAlice, kCarol});
  EXPECT_THAT(outbox_.Recipients(), UnorderedElementsAre(kAlice, kCarol));
  const json p = outbox_.sent().at(0).Json()["params"];
  EXPECT_EQ(p["type"], "call.state");
  EXPECT_EQ(p["call"], 7);
  EXPECT_EQ(p["state"], "connected");
  EXPECT_EQ(p["previous"], "dialing");
  EXPECT_EQ(outbox_.sent().at(0).line, outbox_.sent().at(1).line) << "one line, serialized once";
}

TEST_F(EventRouterTest, AHolderThatAlsoSubscribedGetsTheEventOnce) {
  ASSERT_TRUE(router_.Subscribe(kAlice, std::nullopt, {}).ok());
  CallState(CallOnSpan(7, 1), {kAlice});
  EXPECT_THAT(outbox_.Recipients(), ElementsAre(kAlice));
}

TEST_F(EventRouterTest, TheEventLogKeepsEachEventUnderTheSeqItWasSentWith) {
  CallState(CallOnSpan(7, 1), {kAlice});
  SpanUp(1, {kBob});
  ASSERT_EQ(outbox_.sent().size(), 2u);
  EXPECT_EQ(outbox_.sent()[0].seq, 1u);
  EXPECT_EQ(outbox_.sent()[1].seq, 2u);
  EXPECT_EQ(outbox_.sent()[0].Json()["params"]["seq"], 1);
  EXPECT_EQ(outbox_.sent()[1].Json()["params"]["seq"], 2);
  EXPECT_EQ(router_.log().last_seq(), 2u);
  std::vector<std::string> logged;
  ASSERT_TRUE(router_.log().ForEachSince(0, [&](const LoggedEvent& e) { logged.push_back(*e.line); }));
  EXPECT_THAT(logged, ElementsAre(outbox_.sent()[0].line, outbox_.sent()[1].line));
}

TEST_F(EventRouterTest, AnEventWithNoRecipientIsStillLogged) {
  CallState(CallOnSpan(7, 1), {});
  EXPECT_THAT(outbox_.sent(), IsEmpty());
  EXPECT_EQ(router_.log().last_seq(), 1u);
}

TEST_F(EventRouterTest, SpanStateGoesToTheLineHoldersAndMatchingSubscribers) {
  ASSERT_TRUE(router_.Subscribe(kCarol, std::nullopt, {.span = 2, .call = std::nullopt}).ok());
  ASSERT_TRUE(router_.Subscribe(kDave, std::nullopt, {}).ok());
  SpanUp(1, {kAlice});
  EXPECT_THAT(outbox_.Recipients(), UnorderedElementsAre(kAlice, kDave));
  outbox_.Forget();
  router_.ChannelStateChanged(2, {kBob}, 3, "maintenance", "idle");
  EXPECT_THAT(outbox_.Recipients(), UnorderedElementsAre(kBob, kCarol, kDave));
  EXPECT_EQ(outbox_.sent().at(0).Json()["params"]["type"], "span.channel");
}

TEST_F(EventRouterTest, ASubscriptionToOneCallGetsThatCallOnly) {
  ASSERT_TRUE(router_.Subscribe(kCarol, std::nullopt, {.span = std::nullopt, .call = 8}).ok());
  CallState(CallOnSpan(7, 1), {kAlice});
  CallState(CallOnSpan(8, 1), {kAlice});
  const std::vector<SentLine> to_carol = outbox_.SentTo(kCarol);
  ASSERT_EQ(to_carol.size(), 1u);
  EXPECT_EQ(to_carol[0].Json()["params"]["call"], 8);
}

TEST_F(EventRouterTest, SubscribeSinceReplaysTheBufferedEventsAfterIt) {
  CallState(CallOnSpan(7, 1), {kAlice});
  CallState(CallOnSpan(8, 2), {kAlice});
  CallState(CallOnSpan(9, 1), {kAlice});
  outbox_.Forget();
  auto last = router_.Subscribe(kBob, 1, {.span = 1, .call = std::nullopt});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 3u);
  ASSERT_EQ(outbox_.sent().size(), 1u) << "seq 2 is on span 2";
  EXPECT_EQ(outbox_.sent()[0].client, kBob);
  EXPECT_EQ(outbox_.sent()[0].seq, 3u);
}

TEST_F(EventRouterTest, SubscribeSinceAnOverwrittenEventNamesTheOldestKept) {
  EventRouter small(outbox_, 2);
  for (CallId id = 1; id <= 3; ++id) {
    small.CallStateChanged(CallOnSpan(id, 1), HandleState::kDialing, HandleState::kConnected, {kAlice},
                           std::nullopt);
  }
  outbox_.Forget();
  auto last = small.Subscribe(kBob, 0, {});
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error(), 2u);
  EXPECT_THAT(outbox_.sent(), IsEmpty()) << "nothing replayed, and no subscription";
  small.CallStateChanged(CallOnSpan(4, 1), HandleState::kDialing, HandleState::kConnected, {}, std::nullopt);
  EXPECT_THAT(outbox_.sent(), IsEmpty());
}

TEST_F(EventRouterTest, AClientGoneGetsNoMoreEvents) {
  ASSERT_TRUE(router_.Subscribe(kBob, std::nullopt, {}).ok());
  router_.ClientGone(kBob);
  CallState(CallOnSpan(7, 1), {kAlice});
  EXPECT_THAT(outbox_.Recipients(), ElementsAre(kAlice));
}

TEST_F(EventRouterTest, CallNewGoesToTheHandlesClient) {
  Call call = CallOnSpan(7, 1);
  Handle handle(kBob, Privilege::kMonitor);
  router_.CallOffered(call, handle);
  ASSERT_THAT(outbox_.Recipients(), ElementsAre(kBob));
  const json p = outbox_.sent()[0].Json()["params"];
  EXPECT_EQ(p["type"], "call.new");
  EXPECT_EQ(p["privilege"], "monitor");
  EXPECT_EQ(p["seq"], 1);
}

}  // namespace
}  // namespace prid::daemon
