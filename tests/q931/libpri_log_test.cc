// libpri's own messages (pri_set_message / pri_set_error are global) reach
// prid's logger with the name of the span whose struct pri spoke.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/log.h"
#include "q931/pri_link.h"

namespace prid::q931 {
namespace {

class RecordingSink : public base::LogSink {
 public:
  void Write(base::LogLevel, std::string_view line, const base::LogFields&) override {
    lines.emplace_back(line);
  }
  std::vector<std::string> lines;
};

// Hands libpri one frame, then nothing.
class OneFrameIo : public FrameIo {
 public:
  int ReadFrame(std::span<std::uint8_t> buffer) override {
    if (frame.empty()) return 0;
    std::copy(frame.begin(), frame.end(), buffer.begin());
    int n = static_cast<int>(frame.size());
    frame.clear();
    return n;
  }
  bool WriteFrame(std::span<const std::uint8_t>) override { return true; }
  std::vector<std::uint8_t> frame;
};

class NullObserver : public PriLinkObserver {
 public:
  void OnPriEvent(const pri_event&) override {}
  void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point>) override {}
  void OnFrame(FrameDirection, std::span<const std::uint8_t>) override {}
};

TEST(LibpriLogging, MessagesCarryTheSpanName) {
  RecordingSink sink;
  const base::LogLevel saved = base::GetLogLevel();
  base::SetLogSink(&sink);
  base::SetLogLevel(base::LogLevel::kDebug);
  {
    OneFrameIo io;
    NullObserver observer;
    auto link = PriLink::Create({"east-pri", PRI_CPE, PRI_SWITCH_EUROISDN_E1}, io, observer);
    ASSERT_TRUE(link.ok()) << link.error();
    // Q.921 dumps make libpri print each frame it receives.
    pri_set_debug((*link)->raw(), PRI_DEBUG_Q921_DUMP);
    io.frame = {0x02, 0x01, 0x73};  // UA, SAPI 0, TEI 0
    (*link)->ProcessInput();
  }
  base::SetLogSink(nullptr);
  base::SetLogLevel(saved);
  ASSERT_FALSE(sink.lines.empty()) << "libpri said nothing";
  for (const std::string& line : sink.lines) {
    EXPECT_EQ(line.rfind("east-pri: libpri: ", 0), 0u) << line;
  }
}

}  // namespace
}  // namespace prid::q931
