// Tests of one client's output queue: order, partial writes, the seq of
// the last line written, held lines, the bound and the slow-reader cut-off
// with its events.lost notice.
#include "ipc/client_queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace prid::ipc {
namespace {

using nlohmann::json;

SharedLine L(const std::string& text) { return std::make_shared<const std::string>(text); }

// Everything the queue would write now, concatenated.
std::string UnwrittenText(const ClientQueue& queue) {
  std::string_view pieces[16];
  std::size_t count = queue.Unwritten(pieces);
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text += pieces[i];
  return text;
}

TEST(ClientQueueTest, PushedLinesAreOfferedInOrder) {
  ClientQueue queue(100);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.Push(L("a\n"), 0), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.Push(L("bb\n"), 0), ClientQueue::PushResult::kQueued);
  EXPECT_FALSE(queue.empty());
  EXPECT_EQ(UnwrittenText(queue), "a\nbb\n");
  EXPECT_EQ(queue.queued_bytes(), 5u);
  EXPECT_EQ(queue.pending_bytes(), 5u);
}

TEST(ClientQueueTest, UnwrittenFillsAtMostTheGivenViews) {
  ClientQueue queue(100);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(queue.Push(L("x\n"), 0), ClientQueue::PushResult::kQueued);
  std::string_view pieces[3];
  EXPECT_EQ(queue.Unwritten(pieces), 3u);
}

TEST(ClientQueueTest, PartlyWrittenLineOffersItsRest) {
  ClientQueue queue(100);
  ASSERT_EQ(queue.Push(L("hello\n"), 1), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Push(L("next\n"), 2), ClientQueue::PushResult::kQueued);
  queue.Consume(2);
  EXPECT_EQ(UnwrittenText(queue), "llo\nnext\n");
  EXPECT_EQ(queue.queued_bytes(), 9u);
  EXPECT_EQ(queue.last_written_seq(), 0u) << "no line is fully written yet";
}

TEST(ClientQueueTest, LastWrittenSeqIsThatOfTheLastFullyWrittenLine) {
  ClientQueue queue(100);
  ASSERT_EQ(queue.Push(L("one\n"), 7), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Push(L("reply\n"), 0), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Push(L("two\n"), 8), ClientQueue::PushResult::kQueued);
  queue.Consume(4 + 6);  // "one\n" and the reply, which carries no seq
  EXPECT_EQ(queue.last_written_seq(), 7u);
  queue.Consume(4);
  EXPECT_EQ(queue.last_written_seq(), 8u);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.queued_bytes(), 0u);
}

TEST(ClientQueueTest, LineBiggerThanTheBoundGoesToAnEmptyQueue) {
  ClientQueue queue(4);
  EXPECT_EQ(queue.Push(L("much too long\n"), 1), ClientQueue::PushResult::kQueued);
  EXPECT_FALSE(queue.cut_off());
}

TEST(ClientQueueTest, LineThatFillsTheBoundExactlyIsQueued) {
  ClientQueue queue(10);
  ASSERT_EQ(queue.Push(L("12345\n"), 1), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.Push(L("123\n"), 2), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.pending_bytes(), 10u);
  EXPECT_FALSE(queue.cut_off());
}

TEST(ClientQueueTest, LinePassingTheBoundCutsOffAndTheNoticeIsAllThatIsLeft) {
  ClientQueue queue(10);
  ASSERT_EQ(queue.Push(L("ev-1\n"), 1), ClientQueue::PushResult::kQueued);
  queue.Consume(5);
  ASSERT_EQ(queue.Push(L("ev-2\n"), 2), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Push(L("ev-3\n"), 3), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.Push(L("ev-4\n"), 4), ClientQueue::PushResult::kCutOff);
  EXPECT_TRUE(queue.cut_off());
  EXPECT_EQ(queue.dropped_bytes(), 10u);
  EXPECT_EQ(queue.lost_after_seq(), 1u);

  std::string text = UnwrittenText(queue);
  EXPECT_EQ(text, *MakeEventsLostLine(1));
  json notice = json::parse(text);
  EXPECT_EQ(notice["method"], "event");
  EXPECT_EQ(notice["params"]["type"], "events.lost");
  EXPECT_EQ(notice["params"]["reason"], "client too slow");
  EXPECT_EQ(notice["params"]["last_seq"], 1);
  EXPECT_EQ(queue.queued_bytes(), text.size());
}

TEST(ClientQueueTest, LinesAfterTheCutOffAreDropped) {
  ClientQueue queue(4);
  ASSERT_EQ(queue.Push(L("aaa\n"), 1), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Push(L("bbb\n"), 2), ClientQueue::PushResult::kCutOff);
  std::string notice = UnwrittenText(queue);
  EXPECT_EQ(queue.Push(L("c\n"), 3), ClientQueue::PushResult::kDropped);
  EXPECT_EQ(queue.Hold(L("d\n"), 4), ClientQueue::PushResult::kDropped);
  EXPECT_EQ(UnwrittenText(queue), notice);
}

TEST(ClientQueueTest, CutOffFinishesALinePartlyWrittenAndNamesItsSeq) {
  ClientQueue queue(12);
  ASSERT_EQ(queue.Push(L("event-5\n"), 5), ClientQueue::PushResult::kQueued);
  queue.Consume(3);
  ASSERT_EQ(queue.Push(L("event-6\n"), 6), ClientQueue::PushResult::kCutOff);
  EXPECT_EQ(UnwrittenText(queue), "nt-5\n" + *MakeEventsLostLine(5));
  EXPECT_EQ(queue.lost_after_seq(), 5u);
  EXPECT_EQ(queue.dropped_bytes(), 0u) << "only the rest of event-5 was queued";
}

TEST(ClientQueueTest, HeldLinesWaitUntilReleasedAfterTheReply) {
  ClientQueue queue(100);
  ASSERT_EQ(queue.Hold(L("event\n"), 1), ClientQueue::PushResult::kQueued);
  EXPECT_TRUE(queue.empty()) << "held lines are not written yet";
  EXPECT_EQ(queue.pending_bytes(), 6u);
  EXPECT_EQ(queue.queued_bytes(), 0u);
  ASSERT_EQ(queue.Push(L("reply\n"), 0), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.ReleaseHeld(), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(UnwrittenText(queue), "reply\nevent\n");
  EXPECT_EQ(queue.pending_bytes(), 12u);
}

TEST(ClientQueueTest, HeldLinesCountAgainstTheBound) {
  ClientQueue queue(10);
  ASSERT_EQ(queue.Hold(L("held-1\n"), 1), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.Hold(L("held-2\n"), 2), ClientQueue::PushResult::kCutOff);
  EXPECT_EQ(queue.dropped_bytes(), 7u);
  EXPECT_EQ(queue.lost_after_seq(), 0u);
  EXPECT_EQ(queue.ReleaseHeld(), ClientQueue::PushResult::kDropped);
  EXPECT_EQ(UnwrittenText(queue), *MakeEventsLostLine(0));
}

TEST(ClientQueueTest, ReplyPassingTheBoundWithHeldLinesCutsOffAndDropsThem) {
  ClientQueue queue(10);
  ASSERT_EQ(queue.Hold(L("held\n"), 1), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.Push(L("reply\n"), 0), ClientQueue::PushResult::kCutOff)
      << "the reply and the held line pass the bound together";
  EXPECT_EQ(queue.dropped_bytes(), 5u);
  EXPECT_EQ(queue.ReleaseHeld(), ClientQueue::PushResult::kDropped);
  EXPECT_EQ(UnwrittenText(queue), *MakeEventsLostLine(0));
}

TEST(ClientQueueTest, HeldLinesThatFitWithTheReplyAreAllReleased) {
  ClientQueue queue(10);
  ASSERT_EQ(queue.Hold(L("h1\n"), 1), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Hold(L("h2\n"), 2), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Push(L("rep\n"), 0), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(queue.ReleaseHeld(), ClientQueue::PushResult::kQueued);
  EXPECT_EQ(UnwrittenText(queue), "rep\nh1\nh2\n");
  EXPECT_FALSE(queue.cut_off());
}

TEST(ClientQueueTest, PeakIsTheMostEverPending) {
  ClientQueue queue(100);
  ASSERT_EQ(queue.Push(L("12345\n"), 0), ClientQueue::PushResult::kQueued);
  ASSERT_EQ(queue.Hold(L("123\n"), 0), ClientQueue::PushResult::kQueued);
  queue.Consume(6);
  EXPECT_EQ(queue.pending_bytes(), 4u);
  EXPECT_EQ(queue.peak_bytes(), 10u);
}

}  // namespace
}  // namespace prid::ipc
