// Tests of `prictl trace` against a fake daemon: the subscription it asks
// for, the readable and JSON views of `trace` notifications, --count,
// --call stopping after the call's RELEASE COMPLETE, --q931, --oneline,
// --ladder, and the pcap file that a failed trace does not leave behind.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cli/app.h"
#include "q931/trace_reader.h"
#include "tests/cli/fake_connection.h"
#include "tests/support/temp_dir.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json Trace(const char* dir, const char* hex) {
  return {{"jsonrpc", "2.0"},
          {"method", "trace"},
          {"params", {{"span", 1}, {"dir", dir}, {"time", "t"}, {"hex", hex}}}};
}

class PrictlTraceTest : public ::testing::Test {
 protected:
  int Run(const std::vector<std::string>& args) {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    Environment env;
    env.connect = [this](const std::string&) -> base::Result<std::unique_ptr<Connection>> {
      return std::unique_ptr<Connection>(std::make_unique<testing::FakeConnection>(daemon_));
    };
    const int code = Main(args, in, out, err, env);
    out_ = out.str();
    err_ = err.str();
    return code;
  }
  std::shared_ptr<testing::FakeDaemon> daemon_ = std::make_shared<testing::FakeDaemon>();
  std::string out_;
  std::string err_;
};

TEST_F(PrictlTraceTest, CallTraceShowsDecodedFramesAndStopsAfterReleaseComplete) {
  daemon_->notifications.push_back(Trace("tx", "000104020802000145080280907e03046f6b"));
  daemon_->notifications.push_back(Trace("rx", "020105040802800145"));
  daemon_->notifications.push_back(Trace("tx", "00010604080200015a"));
  daemon_->notifications.push_back(Trace("rx", "0001015d"));  // after the end: not read
  EXPECT_EQ(Run({"trace", "--call", "7"}), 0) << err_;
  ASSERT_FALSE(daemon_->requests.empty());
  EXPECT_EQ(daemon_->requests[0].first, "trace.subscribe");
  EXPECT_EQ(daemon_->requests[0].second, (json{{"call", 7}}));
  EXPECT_EQ(daemon_->requests.back().first, "trace.unsubscribe");
  EXPECT_THAT(out_, HasSubstr("Q.931 DISCONNECT (0x45)"));
  EXPECT_THAT(out_, HasSubstr("cause_name=\"normal_clearing\""));
  EXPECT_THAT(out_, HasSubstr("text=\"ok\""));
  EXPECT_THAT(out_, HasSubstr("Q.931 RELEASE COMPLETE (0x5a)"));
  EXPECT_THAT(out_, Not(HasSubstr("RR")));
  EXPECT_EQ(daemon_->notifications.size(), 1u);
}

TEST_F(PrictlTraceTest, JsonLinesAndCount) {
  daemon_->notifications.push_back(Trace("rx", "0001015d"));
  daemon_->notifications.push_back(Trace("tx", "0201015d"));
  daemon_->notifications.push_back(Trace("tx", "0201015d"));
  EXPECT_EQ(Run({"--json", "trace", "--span", "1", "--count", "2"}), 0) << err_;
  EXPECT_EQ(daemon_->requests[0].second, (json{{"span", 1}}));
  std::istringstream lines(out_);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(json::parse(line)["span"], 1);
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST_F(PrictlTraceTest, RefusedSubscriptionExits1WithTheReason) {
  daemon_->handler = [](const std::string&, const json&) -> testing::FakeDaemon::Reply {
    return base::MakeUnexpected(testing::FakeDaemon::Error(1, "InvalidCallHandle", "no call 9"));
  };
  EXPECT_EQ(Run({"trace", "--call", "9"}), 1);
  EXPECT_THAT(err_, HasSubstr("trace.subscribe: no call 9"));
}

// A call of ours (the user side) with call id 7, as prid's notifications
// carry it: SETUP, CALL PROCEEDING, an RR, DISCONNECT, RELEASE COMPLETE.
json CallFrame(const char* dir, const char* hex, const char* time, bool with_call = true) {
  json t = Trace(dir, hex);
  t["params"]["time"] = time;
  if (with_call) t["params"]["call"] = 7;
  return t;
}
constexpr const char* kSetup = "00010000" "08020001 05" "04038090a3" "1803a98381" "6c050081313030"
                               "7004813230 30" "7e03046869";
constexpr const char* kProceeding = "02010202" "08028001 02" "1803a98381";
constexpr const char* kRr = "02010104";
constexpr const char* kDisconnect = "02010402" "08028001 45" "08028090";
constexpr const char* kReleaseComplete = "00010406" "08020001 5a";

json Unspaced(json notification) {
  std::string hex = notification["params"]["hex"];
  std::erase(hex, ' ');
  notification["params"]["hex"] = hex;
  return notification;
}

void QueueCall(testing::FakeDaemon& daemon) {
  daemon.notifications.push_back(Unspaced(CallFrame("tx", kSetup, "2026-12-04T18:31:02.123Z")));
  daemon.notifications.push_back(Unspaced(CallFrame("rx", kProceeding, "2026-12-04T18:31:02.140Z")));
  daemon.notifications.push_back(Unspaced(CallFrame("rx", kRr, "2026-12-04T18:31:02.141Z", false)));
  daemon.notifications.push_back(Unspaced(CallFrame("rx", kDisconnect, "2026-12-04T18:31:09.000Z")));
  daemon.notifications.push_back(Unspaced(CallFrame("tx", kReleaseComplete, "2026-12-04T18:31:09.010Z")));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(PrictlTraceTest, Q931LeavesOutTheSupervisoryFrames) {
  QueueCall(*daemon_);
  EXPECT_EQ(Run({"trace", "--call", "7", "--q931"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("Q.931 SETUP"));
  EXPECT_THAT(out_, HasSubstr("Q.931 RELEASE COMPLETE"));
  EXPECT_THAT(out_, Not(HasSubstr("Q.921 RR")));
}

TEST_F(PrictlTraceTest, OneLinePerFrameWithTimeDirectionAndTheFieldsThatMatter) {
  QueueCall(*daemon_);
  EXPECT_EQ(Run({"trace", "--call", "7", "--oneline"}), 0) << err_;
  const auto lines = Lines(out_);
  ASSERT_EQ(lines.size(), 5u) << out_;
  EXPECT_EQ(lines[0], "18:31:02.123 tx U->N call 7 SETUP uui=04:6869 chan=1 called=200 calling=100");
  EXPECT_EQ(lines[1], "18:31:02.140 rx N->U call 7 CALL PROCEEDING chan=1");
  EXPECT_EQ(lines[2], "18:31:02.141 rx Q.921 RR N(R)=2");
  EXPECT_EQ(lines[3], "18:31:09.000 rx N->U call 7 DISCONNECT cause=16");
  EXPECT_EQ(lines[4], "18:31:09.010 tx U->N call 7 RELEASE COMPLETE");
}

TEST_F(PrictlTraceTest, OneLineWithQ931HasTheMessagesOnly) {
  QueueCall(*daemon_);
  EXPECT_EQ(Run({"trace", "--call", "7", "--oneline", "--q931"}), 0) << err_;
  EXPECT_EQ(Lines(out_).size(), 4u) << out_;
  EXPECT_THAT(out_, Not(HasSubstr("RR")));
}

TEST_F(PrictlTraceTest, LadderPutsEachSidesMessagesInItsColumn) {
  QueueCall(*daemon_);
  EXPECT_EQ(Run({"trace", "--call", "7", "--ladder"}), 0) << err_;
  const auto lines = Lines(out_);
  ASSERT_EQ(lines.size(), 5u) << "a header and the four Q.931 messages:\n" << out_;
  EXPECT_THAT(lines[0], HasSubstr("user side"));
  EXPECT_THAT(lines[0], HasSubstr("| network side"));
  // The same two columns as prictl compare: "! NNN <60 wide> | …".
  EXPECT_EQ(lines[1], fmt::format("    1 {:<60} | ", "call 7 SETUP uui=04:6869 chan=1 called=200 calling=100 ->"));
  EXPECT_EQ(lines[2], fmt::format("    2 {:<60} | <- call 7 CALL PROCEEDING chan=1", ""));
  EXPECT_EQ(lines[3], fmt::format("    3 {:<60} | <- call 7 DISCONNECT cause=16", ""));
  EXPECT_EQ(lines[4], fmt::format("    4 {:<60} | ", "call 7 RELEASE COMPLETE ->"));
}

TEST_F(PrictlTraceTest, OneLineAndLadderAreNotForJsonNorPcap) {
  EXPECT_EQ(Run({"--json", "trace", "--oneline"}), 2);
  EXPECT_THAT(err_, HasSubstr("--json"));
  EXPECT_EQ(Run({"trace", "--oneline", "--ladder"}), 2);
  EXPECT_EQ(Run({"trace", "--ladder", "--pcap", "x.pcap"}), 2);
  EXPECT_FALSE(std::filesystem::exists("x.pcap"));
}

TEST_F(PrictlTraceTest, ARefusedTraceLeavesNoPcapFile) {
  prid::testing::TempDir dir;
  const std::string pcap = dir.File("call.pcap");
  daemon_->handler = [](const std::string& method, const json&) -> testing::FakeDaemon::Reply {
    if (method != "trace.subscribe") return json::array();
    return base::MakeUnexpected(testing::FakeDaemon::Error(1, "InvalidCallHandle", "no call 9"));
  };
  EXPECT_EQ(Run({"trace", "--call", "9", "--pcap", pcap}), 1);
  EXPECT_THAT(err_, HasSubstr("no call 9"));
  EXPECT_FALSE(std::filesystem::exists(pcap));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST_F(PrictlTraceTest, ATraceThatEndsBeforeItsFirstFrameLeavesNoPcapFile) {
  prid::testing::TempDir dir;
  const std::string pcap = dir.File("call.pcap");
  EXPECT_EQ(Run({"trace", "--call", "7", "--pcap", pcap}), 2);  // prid closes at once
  EXPECT_THAT(err_, HasSubstr("prid closed the connection"));
  EXPECT_FALSE(std::filesystem::exists(pcap));
}

TEST_F(PrictlTraceTest, APcapTraceKeepsTheTimesPridStamped) {
  prid::testing::TempDir dir;
  const std::string pcap = dir.File("call.pcap");
  QueueCall(*daemon_);
  EXPECT_EQ(Run({"trace", "--call", "7", "--q931", "--pcap", pcap}), 0) << err_;
  auto records = q931::ReadTraceFile(pcap);
  ASSERT_TRUE(records) << records.error();
  ASSERT_EQ(records->size(), 4u) << "no RR with --q931";
  ASSERT_TRUE((*records)[0].time);
  EXPECT_EQ(base::FormatRfc3339(*(*records)[0].time), "2026-12-04T18:31:02.123Z");
  EXPECT_EQ(base::FormatRfc3339(*(*records)[3].time), "2026-12-04T18:31:09.010Z");
}

}  // namespace
}  // namespace prid::cli
