// Tests of daemon/event_log: seq numbering, wrap-around and replay bounds.
#include "daemon/api/event_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace prid::daemon {
namespace {

LoggedEvent Event(const std::string& text, int span = 0, std::uint64_t call = 0) {
  LoggedEvent event;
  event.span = span;
  event.call = call;
  event.line = std::make_shared<const std::string>(text + "\n");
  return event;
}

// The seqs ForEachSince visits, or {0} when it reports events lost.
std::vector<std::uint64_t> SeqsSince(const EventLog& log, std::uint64_t since) {
  std::vector<std::uint64_t> seqs;
  if (!log.ForEachSince(since, [&](const LoggedEvent& e) { seqs.push_back(e.seq); })) return {0};
  return seqs;
}

std::vector<std::uint64_t> Seqs(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t s = first; s <= last; ++s) seqs.push_back(s);
  return seqs;
}

void AppendN(EventLog& log, int n) {
  for (int i = 0; i < n; ++i) log.Append(Event("e"));
}

TEST(EventLogTest, FreshLogIsEmpty) {
  EventLog log(4);
  EXPECT_EQ(log.next_seq(), 1u);
  EXPECT_EQ(log.oldest_seq(), 0u);
  EXPECT_EQ(log.last_seq(), 0u);
  EXPECT_EQ(log.size(), 0u);
  EXPECT_EQ(log.capacity(), 4u);
}

TEST(EventLogTest, BytesCountTheStoredLinesOnlyAcrossOverwrites) {
  EventLog log(2);
  log.Append(Event("aaaa"));  // 5 bytes with the newline
  log.Append(Event("bb"));    // 3
  EXPECT_EQ(log.bytes(), 8u);
  log.Append(Event("c"));  // overwrites "aaaa": 3 + 2
  EXPECT_EQ(log.bytes(), 5u);
  log.Append(Event("dddddd"));  // overwrites "bb": 2 + 7
  EXPECT_EQ(log.bytes(), 9u);
}

TEST(EventLogTest, SeqStartsAtOneAndGrowsByOne) {
  EventLog log(4);
  EXPECT_EQ(log.Append(Event("a")), 1u);
  EXPECT_EQ(log.Append(Event("b")), 2u);
  EXPECT_EQ(log.next_seq(), 3u);
  EXPECT_EQ(log.oldest_seq(), 1u);
  EXPECT_EQ(log.last_seq(), 2u);
  EXPECT_EQ(log.size(), 2u);
}

TEST(EventLogTest, AppendOverridesTheSeqItCarries) {
  EventLog log(4);
  LoggedEvent event = Event("a");
  event.seq = 99;
  EXPECT_EQ(log.Append(std::move(event)), 1u);
  EXPECT_EQ(SeqsSince(log, 0), (std::vector<std::uint64_t>{1}));
}

TEST(EventLogTest, StoredEventKeepsItsFields) {
  EventLog log(4);
  LoggedEvent event = Event("{\"x\":1}", 3, 42);
  event.recipients = {7, 8};
  log.Append(std::move(event));
  int visits = 0;
  EXPECT_TRUE(log.ForEachSince(0, [&](const LoggedEvent& e) {
    ++visits;
    EXPECT_EQ(e.seq, 1u);
    EXPECT_EQ(e.span, 3);
    EXPECT_EQ(e.call, 42u);
    EXPECT_EQ(e.recipients, (std::vector<std::uint64_t>{7, 8}));
    ASSERT_NE(e.line, nullptr);
    EXPECT_EQ(*e.line, "{\"x\":1}\n");
  }));
  EXPECT_EQ(visits, 1);
}

TEST(EventLogTest, WrapAroundKeepsTheNewestCapacityEvents) {
  EventLog log(4);
  for (int i = 1; i <= 10; ++i) log.Append(Event("e" + std::to_string(i)));
  EXPECT_EQ(log.size(), 4u);
  EXPECT_EQ(log.oldest_seq(), 7u);
  EXPECT_EQ(log.last_seq(), 10u);
  EXPECT_EQ(log.next_seq(), 11u);
  std::vector<std::string> lines;
  EXPECT_TRUE(log.ForEachSince(6, [&](const LoggedEvent& e) { lines.push_back(*e.line); }));
  EXPECT_EQ(lines, (std::vector<std::string>{"e7\n", "e8\n", "e9\n", "e10\n"}));
}

TEST(EventLogTest, SinceLastVisitsNothing) {
  EventLog log(4);
  AppendN(log, 6);
  EXPECT_EQ(SeqsSince(log, 6), std::vector<std::uint64_t>{});
}

TEST(EventLogTest, SincePastLastVisitsNothing) {
  EventLog log(4);
  AppendN(log, 2);
  EXPECT_EQ(SeqsSince(log, 5), std::vector<std::uint64_t>{});
  EXPECT_EQ(SeqsSince(log, UINT64_MAX), std::vector<std::uint64_t>{});
}

TEST(EventLogTest, SinceInsideReplaysTheRest) {
  EventLog log(4);
  AppendN(log, 6);  // holds 3…6
  EXPECT_EQ(SeqsSince(log, 4), Seqs(5, 6));
}

TEST(EventLogTest, SinceOldestMinusOneReplaysAll) {
  EventLog log(4);
  AppendN(log, 6);  // holds 3…6
  EXPECT_EQ(SeqsSince(log, 2), Seqs(3, 6));
}

TEST(EventLogTest, SinceOldestMinusTwoIsLost) {
  EventLog log(4);
  AppendN(log, 6);  // holds 3…6
  int visits = 0;
  EXPECT_FALSE(log.ForEachSince(1, [&](const LoggedEvent&) { ++visits; }));
  EXPECT_EQ(visits, 0);
}

TEST(EventLogTest, SinceZeroOnFreshLog) {
  EventLog log(4);
  EXPECT_EQ(SeqsSince(log, 0), std::vector<std::uint64_t>{});
}

TEST(EventLogTest, SinceZeroBeforeWrapReplaysAll) {
  EventLog log(4);
  AppendN(log, 4);
  EXPECT_EQ(SeqsSince(log, 0), Seqs(1, 4));
}

TEST(EventLogTest, SinceZeroOnWrappedLogIsLost) {
  EventLog log(4);
  AppendN(log, 5);
  EXPECT_EQ(log.oldest_seq(), 2u);
  EXPECT_EQ(SeqsSince(log, 0), std::vector<std::uint64_t>{0});
}

TEST(EventLogTest, CapacityOneKeepsTheLastEvent) {
  EventLog log(1);
  AppendN(log, 3);
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(SeqsSince(log, 2), Seqs(3, 3));
  EXPECT_EQ(SeqsSince(log, 1), std::vector<std::uint64_t>{0});
}

TEST(EventLogTest, CapacityZeroIsTakenAsOne) {
  EventLog log(0);
  EXPECT_EQ(log.capacity(), 1u);
  AppendN(log, 2);
  EXPECT_EQ(SeqsSince(log, 1), Seqs(2, 2));
}

TEST(EventLogTest, FullSizeBufferWrapsCorrectly) {
  constexpr std::size_t kCapacity = 65536;
  EventLog log(kCapacity);
  const int total = static_cast<int>(kCapacity) + 1000;
  for (int i = 1; i <= total; ++i) log.Append(Event(std::to_string(i)));
  EXPECT_EQ(log.size(), kCapacity);
  EXPECT_EQ(log.last_seq(), static_cast<std::uint64_t>(total));
  EXPECT_EQ(log.oldest_seq(), 1001u);

  // Every stored event is the one appended under its seq, in order.
  std::uint64_t expected = 1001;
  bool in_order = true;
  EXPECT_TRUE(log.ForEachSince(1000, [&](const LoggedEvent& e) {
    in_order = in_order && e.seq == expected && *e.line == std::to_string(expected) + "\n";
    ++expected;
  }));
  EXPECT_TRUE(in_order);
  EXPECT_EQ(expected, static_cast<std::uint64_t>(total) + 1);

  EXPECT_EQ(SeqsSince(log, 999), std::vector<std::uint64_t>{0});
  EXPECT_EQ(SeqsSince(log, static_cast<std::uint64_t>(total) - 2), Seqs(total - 1, total));
}

}  // namespace
}  // namespace prid::daemon
