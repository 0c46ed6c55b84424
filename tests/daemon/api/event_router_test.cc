// Tests of daemon/api/event_router: who gets each event (the holders the
// model names, the line holders of a span, matching subscribers — and no
// one else), that the event log keeps every event under the seq it was
// sent with, and replay on events.subscribe {since}; through a fake outbox.
#include "daemon/api/event_router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>
#include <set>
#include <utility>

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

// Who sees a call's events, as the test sets it: handles and monitor lines.
class FakeAudience : public EventAudience {
 public:
  bool SeesCall(ClientId client, int span, CallId call) const override {
    return handles.count({client, call}) != 0 || monitors.count({client, span}) != 0;
  }
  std::set<std::pair<ClientId, CallId>> handles;
  std::set<std::pair<ClientId, int>> monitors;
};

class EventRouterTest : public ::testing::Test {
 protected:
  void CallState(const Call& call, std::vector<ClientId> holders) {
    router_.CallStateChanged(call, HandleState::kDialing, HandleState::kConnected, holders, std::nullopt);
  }
  void SpanUp(int span, std::vector<ClientId> holders) {
    router_.SpanStateChanged(span, std::move(holders), "up", "down", {});
  }

  FakeOutbox outbox_;
  FakeAudience audience_;
  EventRouter router_{outbox_, audience_, 16, "test-instance"};
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
  audience_.monitors = {{kCarol, 1}};
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
  audience_.monitors = {{kBob, 1}, {kBob, 2}};
  auto last = router_.Subscribe(kBob, 1, {.span = 1, .call = std::nullopt});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 3u);
  ASSERT_EQ(outbox_.sent().size(), 1u) << "seq 2 is on span 2";
  EXPECT_EQ(outbox_.sent()[0].client, kBob);
  EXPECT_EQ(outbox_.sent()[0].seq, 3u);
}

TEST_F(EventRouterTest, SubscribeSinceAnOverwrittenEventNamesTheOldestKept) {
  EventRouter small(outbox_, audience_, 2);
  for (CallId id = 1; id <= 3; ++id) {
    small.CallStateChanged(CallOnSpan(id, 1), HandleState::kDialing, HandleState::kConnected, {kAlice},
                           std::nullopt);
  }
  outbox_.Forget();
  auto last = small.Subscribe(kBob, 0, {});
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().reason, SubscribeRefusal::Reason::kOverwritten);
  EXPECT_EQ(last.error().oldest, 2u);
  EXPECT_EQ(last.error().last, 3u);
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

// --- privacy: a call's events reach only its audience (API.md "Events") ---

TEST_F(EventRouterTest, ASubscriberWithNoHandleAndNoMonitorLineGetsNoCallEvents) {
  ASSERT_TRUE(router_.Subscribe(kDave, std::nullopt, {}).ok());
  CallState(CallOnSpan(7, 1), {kAlice});
  router_.CallOffered(CallOnSpan(7, 1), Handle(kAlice, Privilege::kOwner));
  EXPECT_THAT(outbox_.SentTo(kDave), IsEmpty()) << "Alice's numbers are hers";
  SpanUp(1, {});
  EXPECT_EQ(outbox_.SentTo(kDave).size(), 1u) << "span events are everyone's";
}

TEST_F(EventRouterTest, ASubscriberHoldingAHandleGetsThatCallsEventsOnly) {
  audience_.handles = {{kDave, 8}};
  ASSERT_TRUE(router_.Subscribe(kDave, std::nullopt, {}).ok());
  CallState(CallOnSpan(7, 1), {kAlice});
  CallState(CallOnSpan(8, 1), {kAlice});
  const std::vector<SentLine> to_dave = outbox_.SentTo(kDave);
  ASSERT_EQ(to_dave.size(), 1u);
  EXPECT_EQ(to_dave[0].Json()["params"]["call"], 8);
}

TEST_F(EventRouterTest, AMonitorLineSeesEveryCallOfItsSpanAndNoOther) {
  audience_.monitors = {{kDave, 1}};
  ASSERT_TRUE(router_.Subscribe(kDave, std::nullopt, {}).ok());
  CallState(CallOnSpan(7, 1), {kAlice});
  router_.CallOffered(CallOnSpan(7, 1), Handle(kAlice, Privilege::kOwner));
  CallState(CallOnSpan(9, 2), {kAlice});
  const std::vector<SentLine> to_dave = outbox_.SentTo(kDave);
  ASSERT_EQ(to_dave.size(), 2u);
  EXPECT_EQ(to_dave[0].Json()["params"]["type"], "call.state");
  EXPECT_EQ(to_dave[1].Json()["params"]["type"], "call.new");
  EXPECT_EQ(to_dave[1].Json()["params"]["call"], 7);
}

TEST_F(EventRouterTest, ASubscriptionToAllCallsSeesCallsBeyondItsAudience) {
  // A supervisor's events.subscribe {all: true}: no handle, no monitor line.
  ASSERT_TRUE(router_.Subscribe(kDave, std::nullopt, {.span = std::nullopt, .call = std::nullopt, .all_calls = true})
                  .ok());
  CallState(CallOnSpan(7, 1), {kAlice});
  router_.CallOffered(CallOnSpan(9, 2), Handle(kAlice, Privilege::kOwner));
  const std::vector<SentLine> to_dave = outbox_.SentTo(kDave);
  ASSERT_EQ(to_dave.size(), 2u);
  EXPECT_EQ(to_dave[0].Json()["params"]["call"], 7);
  EXPECT_EQ(to_dave[1].Json()["params"]["call"], 9);
  // Its filter still narrows it.
  ASSERT_TRUE(router_.Subscribe(kCarol, std::nullopt, {.span = 2, .call = std::nullopt, .all_calls = true}).ok());
  CallState(CallOnSpan(7, 1), {kAlice});
  EXPECT_THAT(outbox_.SentTo(kCarol), IsEmpty());
}

TEST_F(EventRouterTest, ReplayShowsAPlainClientNoCallEvents) {
  CallState(CallOnSpan(7, 1), {kAlice});
  router_.CallOffered(CallOnSpan(7, 1), Handle(kAlice, Privilege::kOwner));
  SpanUp(1, {});
  outbox_.Forget();
  auto last = router_.Subscribe(kDave, 0, {});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 3u);
  const std::vector<SentLine> to_dave = outbox_.SentTo(kDave);
  ASSERT_EQ(to_dave.size(), 1u);
  EXPECT_EQ(to_dave[0].Json()["params"]["type"], "span.state");
}

TEST_F(EventRouterTest, ReplayAppliesTheAudienceAsOfTheSubscribe) {
  // A monitor's connection went away; the calls went on without it.
  CallState(CallOnSpan(7, 1), {kAlice});
  CallState(CallOnSpan(8, 2), {kAlice});
  CallState(CallOnSpan(9, 1), {kAlice});
  outbox_.Forget();
  // It reconnects as Dave and reopens its monitor line on span 1.
  audience_.monitors = {{kDave, 1}};
  auto last = router_.Subscribe(kDave, 0, {});
  ASSERT_TRUE(last.ok());
  std::vector<std::uint64_t> seqs;
  for (const SentLine& s : outbox_.SentTo(kDave)) seqs.push_back(s.seq);
  EXPECT_THAT(seqs, ElementsAre(1u, 3u)) << "span 1's calls, not span 2's";
}

TEST_F(EventRouterTest, ReplayGivesAClientWhatWasAddressedToIt) {
  CallState(CallOnSpan(7, 1), {kAlice});
  outbox_.Forget();
  // Alice has deallocated since, but she was sent seq 1 herself.
  ASSERT_TRUE(router_.Subscribe(kAlice, 0, {}).ok());
  EXPECT_EQ(outbox_.SentTo(kAlice).size(), 1u);
}

// --- restarts: since belongs to an instance ---

TEST_F(EventRouterTest, TheInstanceIsTheOneGivenAndNewIdsDiffer) {
  EXPECT_EQ(router_.instance(), "test-instance");
  const std::string a = NewInstanceId();
  const std::string b = NewInstanceId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
}

TEST_F(EventRouterTest, SinceOfAnotherInstanceIsRefusedAsRestarted) {
  SpanUp(1, {});
  SpanUp(1, {});
  auto r = router_.Subscribe(kDave, 1, {}, "an-earlier-start");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, SubscribeRefusal::Reason::kOtherInstance);
  EXPECT_EQ(r.error().oldest, 1u);
  EXPECT_EQ(r.error().last, 2u);
  EXPECT_EQ(SubscribeRefusalName(r.error().reason), "restarted");
  outbox_.Forget();
  SpanUp(1, {});
  EXPECT_THAT(outbox_.SentTo(kDave), IsEmpty()) << "not subscribed";
}

TEST_F(EventRouterTest, SinceOfThisInstanceReplays) {
  SpanUp(1, {});
  SpanUp(1, {});
  outbox_.Forget();
  auto r = router_.Subscribe(kDave, 1, {}, "test-instance");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2u);
  ASSERT_EQ(outbox_.SentTo(kDave).size(), 1u);
  EXPECT_EQ(outbox_.SentTo(kDave)[0].seq, 2u);
}

TEST_F(EventRouterTest, SinceNewerThanTheNewestSeqIsRefusedAsAhead) {
  SpanUp(1, {});
  auto r = router_.Subscribe(kDave, 5, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, SubscribeRefusal::Reason::kAhead);
  EXPECT_EQ(r.error().last, 1u);
  EXPECT_TRUE(router_.Subscribe(kDave, 1, {}).ok()) << "the newest seq itself is fine";
  EventRouter empty(outbox_, audience_, 4);
  EXPECT_TRUE(empty.Subscribe(kDave, 0, {}).ok());
  EXPECT_FALSE(empty.Subscribe(kDave, 1, {}).ok());
}

// --- a subscriber's cursor: replay and live events queued as it reads ---

std::vector<std::uint64_t> SeqsOf(const std::vector<SentLine>& lines) {
  std::vector<std::uint64_t> seqs;
  for (const SentLine& line : lines) seqs.push_back(line.seq);
  return seqs;
}

// A router with a big buffer and a small live bound, for slow readers.
class StreamingRouterTest : public ::testing::Test {
 protected:
  void SpanUps(int n) {
    for (int i = 0; i < n; ++i) router_.SpanStateChanged(1, {}, "up", "down", {});
  }
  // The stalled client reads everything it was sent; the router queues
  // the next part. Returns how many lines that part had.
  std::size_t ReadAndPump(ClientId client) {
    const std::size_t before = outbox_.SentTo(client).size();
    outbox_.Drain(client);
    router_.Pump(client);
    return outbox_.SentTo(client).size() - before;
  }

  FakeOutbox outbox_;
  FakeAudience audience_;
  EventRouter router_{outbox_, audience_, 1u << 20, "stream", /*client_bound=*/1u << 20};
};

TEST_F(StreamingRouterTest, AReplayIsQueuedAPartAtATimeAsTheClientReads) {
  SpanUps(20000);  // ≈ 2.4 MB of events, far more than one part
  outbox_.Stall(kAlice);
  ASSERT_TRUE(router_.Subscribe(kAlice, 0, {}).ok());
  const std::size_t first = outbox_.SentTo(kAlice).size();
  EXPECT_GT(first, 0u);
  EXPECT_LT(first, 20000u) << "the whole replay was queued at once";
  std::size_t first_bytes = 0;
  for (const SentLine& line : outbox_.SentTo(kAlice)) first_bytes += line.line.size();
  EXPECT_LE(first_bytes, EventRouter::kPumpBytes + 512);
  // Reading in parts, the client gets every event once, in order.
  for (int rounds = 0; rounds < 1000 && ReadAndPump(kAlice) > 0;) ++rounds;
  std::vector<std::uint64_t> expected(20000);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(SeqsOf(outbox_.SentTo(kAlice)), expected);
}

TEST_F(StreamingRouterTest, LiveEventsDuringAReplayFollowItWithNoGapOrDuplicate) {
  SpanUps(5000);
  outbox_.Stall(kAlice);
  ASSERT_TRUE(router_.Subscribe(kAlice, 0, {}).ok());
  // Events keep coming while the replay is read; a call addressed to the
  // client too: it must come in its place, not ahead of the replay.
  for (int i = 0; i < 200; ++i) {
    SpanUps(10);
    router_.CallStateChanged(CallOnSpan(9, 1), HandleState::kDialing, HandleState::kConnected, {kAlice},
                             std::nullopt);
    ReadAndPump(kAlice);
  }
  while (ReadAndPump(kAlice) > 0) {
  }
  std::vector<std::uint64_t> expected(5000 + 200 * 11);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(SeqsOf(outbox_.SentTo(kAlice)), expected);
  // Caught up: the next event goes at once.
  outbox_.Drain(kAlice);
  SpanUps(1);
  EXPECT_EQ(outbox_.SentTo(kAlice).back().seq, expected.size() + 1);
}

TEST_F(StreamingRouterTest, AStuckSubscriberHoldsNoMoreThanOnePartQueued) {
  outbox_.Stall(kAlice);
  ASSERT_TRUE(router_.Subscribe(kAlice, std::nullopt, {}).ok());
  SpanUps(5000);  // ≈ 600 KB: below the live bound, above one part
  std::size_t queued = 0;
  for (const SentLine& line : outbox_.SentTo(kAlice)) queued += line.line.size();
  EXPECT_LE(queued, EventRouter::kPumpBytes + 512) << "the rest waits in the log, shared";
  EXPECT_FALSE(outbox_.disconnected(kAlice));
  while (ReadAndPump(kAlice) > 0) {
  }
  EXPECT_EQ(outbox_.SentTo(kAlice).size(), 5000u);
}

TEST_F(StreamingRouterTest, ASubscriberBehindTheLiveStreamByMoreThanItsBoundIsCutOff) {
  outbox_.Stall(kAlice);
  ASSERT_TRUE(router_.Subscribe(kAlice, std::nullopt, {}).ok());
  SpanUps(12000);  // ≈ 1.4 MB behind: past the 1 MiB bound
  ASSERT_TRUE(outbox_.disconnected(kAlice));
  EXPECT_EQ(router_.cut_off_count(), 1u) << "stats.get's clients_cut_off";
  const std::vector<SentLine> lines = outbox_.SentTo(kAlice);
  const json notice = lines.back().Json()["params"];
  EXPECT_EQ(notice["type"], "events.lost");
  EXPECT_EQ(notice["reason"], "client too slow");
  // last_seq is the last event queued to it: resuming from it loses nothing.
  EXPECT_EQ(notice["last_seq"], lines[lines.size() - 2].seq);
  const std::size_t sent = lines.size();
  SpanUps(10);
  EXPECT_EQ(outbox_.SentTo(kAlice).size(), sent) << "no more after the cut-off";
  EXPECT_TRUE(router_.Subscribe(kBob, notice["last_seq"].get<std::uint64_t>(), {}).ok());
  EXPECT_EQ(outbox_.SentTo(kBob).front().seq, notice["last_seq"].get<std::uint64_t>() + 1);
}

TEST_F(StreamingRouterTest, AReplayIsNotCutOffForBeingBehind) {
  SpanUps(30000);  // ≈ 3.6 MB to replay, three times the live bound
  outbox_.Stall(kAlice);
  ASSERT_TRUE(router_.Subscribe(kAlice, 0, {}).ok());
  SpanUps(100);
  EXPECT_FALSE(outbox_.disconnected(kAlice));
  while (ReadAndPump(kAlice) > 0) {
  }
  EXPECT_EQ(outbox_.SentTo(kAlice).size(), 30100u);
}

TEST_F(EventRouterTest, WithASmallClientBoundAReplayIsQueuedInSmallerParts) {
  EventRouter small_bound(outbox_, audience_, 1000, "small-bound", /*client_bound=*/4096);
  for (int i = 0; i < 200; ++i) small_bound.SpanStateChanged(1, {}, "up", "down", {});
  outbox_.Stall(kAlice);
  ASSERT_TRUE(small_bound.Subscribe(kAlice, 0, {}).ok());
  std::size_t queued = 0;
  for (const SentLine& line : outbox_.SentTo(kAlice)) queued += line.line.size();
  EXPECT_GT(queued, 0u);
  EXPECT_LE(queued, 1024u + 256u) << "a part must leave the queue's own bound room";
  EXPECT_FALSE(outbox_.disconnected(kAlice));
}

TEST_F(EventRouterTest, AReplayTheBufferOverwritesBeforeItIsReadIsCutOff) {
  EventRouter small(outbox_, audience_, 4, "small");
  for (int i = 0; i < 4; ++i) small.SpanStateChanged(1, {}, "up", "down", {});
  outbox_.Stall(kBob);
  ASSERT_TRUE(small.Subscribe(kBob, 0, {}).ok());
  outbox_.Stall(kCarol);
  // Carol's queue is full before she subscribes: her replay waits.
  outbox_.Send(kCarol, std::make_shared<const std::string>(std::string(EventRouter::kPumpBytes, 'x')), 0);
  ASSERT_TRUE(small.Subscribe(kCarol, 0, {}).ok());
  EXPECT_EQ(outbox_.SentTo(kCarol).size(), 1u) << "nothing of the replay yet";
  small.SpanStateChanged(1, {}, "up", "down", {});  // overwrites seq 1
  ASSERT_TRUE(outbox_.disconnected(kCarol));
  const json notice = outbox_.SentTo(kCarol).back().Json()["params"];
  EXPECT_EQ(notice["type"], "events.lost");
  EXPECT_EQ(notice["reason"], "overwritten");
  EXPECT_EQ(notice["last_seq"], 0);
  EXPECT_FALSE(outbox_.disconnected(kBob)) << "Bob had his replay queued";
}

}  // namespace
}  // namespace prid::daemon
