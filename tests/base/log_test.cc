// Tests of base/log: priority prefixes, journald fields, the journald
// stream check and the threshold.
#include "base/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace prid::base {
namespace {

struct Recorded {
  LogLevel level;
  std::string line;
  LogFields fields;
};

class RecordingSink : public LogSink {
 public:
  void Write(LogLevel level, std::string_view line, const LogFields& fields) override {
    lines.push_back({level, std::string(line), fields});
  }
  std::vector<Recorded> lines;
};

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = GetLogLevel();
    SetLogSink(&sink_);
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetLogLevel(saved_);
  }
  RecordingSink sink_;
  LogLevel saved_ = LogLevel::kNotice;
};

TEST(StderrLine, CarriesTheSdDaemonPriorityPrefix) {
  EXPECT_EQ(StderrLine(LogLevel::kError, "boom"), "<3>boom\n");
  EXPECT_EQ(StderrLine(LogLevel::kDebug, "detail"), "<7>detail\n");
}

TEST(JournalFields, CarrySpanCallAndCauseWhenSet) {
  LogFields fields;
  fields.span = 2;
  fields.call = 17;
  fields.cause = 16;
  EXPECT_EQ(JournalFields(LogLevel::kNotice, "span 2: call 17 idle", fields),
            (std::vector<std::string>{"MESSAGE=span 2: call 17 idle", "PRIORITY=5", "SYSLOG_IDENTIFIER=prid",
                                      "SPAN=2", "CALL=17", "CAUSE=16"}));
  EXPECT_EQ(JournalFields(LogLevel::kWarning, "plain", {}),
            (std::vector<std::string>{"MESSAGE=plain", "PRIORITY=4", "SYSLOG_IDENTIFIER=prid"}));
}

TEST(JournalFields, CarryExtraFieldsInTheirOrderAfterTheFixedOnes) {
  LogFields fields = LogFields::Call(1, 7, 17);
  fields.Add("DIRECTION", "out").Add("CALLED", "1001").Add("CALLING", "");
  EXPECT_EQ(JournalFields(LogLevel::kNotice, "ended", fields),
            (std::vector<std::string>{"MESSAGE=ended", "PRIORITY=5", "SYSLOG_IDENTIFIER=prid", "SPAN=1", "CALL=7",
                                      "CAUSE=17", "DIRECTION=out", "CALLED=1001", "CALLING="}));
}

TEST(IsJournalStream, MatchesOnlyTheDeviceAndInodeOfTheFd) {
  char path[] = "/tmp/prid-log-test-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  struct stat st;
  ASSERT_EQ(::fstat(fd, &st), 0);
  const std::string same = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  EXPECT_TRUE(IsJournalStream(same.c_str(), fd));
  EXPECT_FALSE(IsJournalStream(other.c_str(), fd));
  EXPECT_FALSE(IsJournalStream("garbage", fd));
  EXPECT_FALSE(IsJournalStream("", fd));
  EXPECT_FALSE(IsJournalStream(nullptr, fd));
  ::close(fd);
  ::unlink(path);
}

TEST_F(LogTest, ThresholdDropsLessSevereLines) {
  SetLogLevel(LogLevel::kNotice);
  PRID_LOG_INFO("not shown {}", 1);
  PRID_LOG_NOTICE("shown {}", 2);
  ASSERT_EQ(sink_.lines.size(), 1u);
  EXPECT_EQ(sink_.lines[0].line, "shown 2");
  EXPECT_EQ(sink_.lines[0].level, LogLevel::kNotice);
}

TEST_F(LogTest, StructuredFieldsReachTheSink) {
  SetLogLevel(LogLevel::kDebug);
  PRID_LOGF(kInfo, LogFields::Call(3, 9, 21), "span {}: call {} rejected", 3, 9);
  ASSERT_EQ(sink_.lines.size(), 1u);
  EXPECT_EQ(sink_.lines[0].line, "span 3: call 9 rejected");
  EXPECT_EQ(sink_.lines[0].fields.span, 3);
  EXPECT_EQ(sink_.lines[0].fields.call, 9u);
  EXPECT_EQ(sink_.lines[0].fields.cause, 21);
}

}  // namespace
}  // namespace prid::base
