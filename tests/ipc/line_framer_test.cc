// Tests of LineFramer: lines across and within reads, the length bound.
#include "ipc/line_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace prid::ipc {
namespace {

class LineFramerTest : public ::testing::Test {
 protected:
  LineFramer::FeedResult Feed(LineFramer& framer, std::string_view bytes) {
    return framer.Feed(bytes, [this](std::string_view line) {
      lines_.emplace_back(line);
      return lines_.size() != stop_after_;
    });
  }

  std::vector<std::string> lines_;
  std::size_t stop_after_ = 0;  // 0: never stop
};

TEST_F(LineFramerTest, OneLine) {
  LineFramer framer(100);
  EXPECT_EQ(Feed(framer, "hello\n"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(lines_, (std::vector<std::string>{"hello"}));
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST_F(LineFramerTest, SeveralLinesInOneFeed) {
  LineFramer framer(100);
  EXPECT_EQ(Feed(framer, "a\nbb\nccc\n"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(lines_, (std::vector<std::string>{"a", "bb", "ccc"}));
}

TEST_F(LineFramerTest, LineSplitOverFeeds) {
  LineFramer framer(100);
  EXPECT_EQ(Feed(framer, "{\"jso"), LineFramer::FeedResult::kOk);
  EXPECT_TRUE(lines_.empty());
  EXPECT_EQ(framer.buffered_bytes(), 5u);
  EXPECT_EQ(Feed(framer, "nrpc\":"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(Feed(framer, "1}\nnext"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(lines_, (std::vector<std::string>{"{\"jsonrpc\":1}"}));
  EXPECT_EQ(framer.buffered_bytes(), 4u);
  EXPECT_EQ(Feed(framer, "\n"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(lines_.back(), "next");
}

TEST_F(LineFramerTest, ByteByByte) {
  LineFramer framer(100);
  for (char c : std::string("ab\ncd\n")) {
    EXPECT_EQ(Feed(framer, std::string_view(&c, 1)), LineFramer::FeedResult::kOk);
  }
  EXPECT_EQ(lines_, (std::vector<std::string>{"ab", "cd"}));
}

TEST_F(LineFramerTest, EmptyLinesAreLines) {
  LineFramer framer(100);
  EXPECT_EQ(Feed(framer, "\n\nx\n"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(lines_, (std::vector<std::string>{"", "", "x"}));
}

TEST_F(LineFramerTest, LineOfExactlyMaxBytesIsAccepted) {
  LineFramer framer(8);
  EXPECT_EQ(Feed(framer, "12345678\n"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(lines_, (std::vector<std::string>{"12345678"}));
}

TEST_F(LineFramerTest, LineOfExactlyMaxBytesSplitOverFeedsIsAccepted) {
  LineFramer framer(8);
  EXPECT_EQ(Feed(framer, "1234"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(Feed(framer, "5678"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(framer.buffered_bytes(), 8u);
  EXPECT_EQ(Feed(framer, "\n"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(lines_, (std::vector<std::string>{"12345678"}));
}

TEST_F(LineFramerTest, LineOneByteOverMaxIsTooLong) {
  LineFramer framer(8);
  EXPECT_EQ(Feed(framer, "ok\n123456789\nlater\n"), LineFramer::FeedResult::kLineTooLong);
  EXPECT_EQ(lines_, (std::vector<std::string>{"ok"}));
  EXPECT_TRUE(framer.stopped());
}

TEST_F(LineFramerTest, TooLongIsReportedBeforeTheNewlineArrives) {
  LineFramer framer(8);
  EXPECT_EQ(Feed(framer, "12345"), LineFramer::FeedResult::kOk);
  EXPECT_EQ(Feed(framer, "6789"), LineFramer::FeedResult::kLineTooLong);
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST_F(LineFramerTest, NeverBuffersMoreThanMax) {
  LineFramer framer(8);
  EXPECT_EQ(Feed(framer, std::string(1000, 'x')), LineFramer::FeedResult::kLineTooLong);
  EXPECT_LE(framer.buffered_bytes(), 8u);
}

TEST_F(LineFramerTest, StoppedFramerIgnoresInput) {
  LineFramer framer(8);
  EXPECT_EQ(Feed(framer, "123456789"), LineFramer::FeedResult::kLineTooLong);
  EXPECT_EQ(Feed(framer, "ok\n"), LineFramer::FeedResult::kLineTooLong);
  EXPECT_TRUE(lines_.empty());
}

TEST_F(LineFramerTest, SinkReturningFalseStopsFraming) {
  LineFramer framer(100);
  stop_after_ = 2;
  EXPECT_EQ(Feed(framer, "a\nb\nc\n"), LineFramer::FeedResult::kStopped);
  EXPECT_EQ(lines_, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Feed(framer, "d\n"), LineFramer::FeedResult::kStopped);
  EXPECT_EQ(lines_.size(), 2u);
}

}  // namespace
}  // namespace prid::ipc
