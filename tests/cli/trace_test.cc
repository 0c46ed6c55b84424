// Tests of `prictl trace` against a fake daemon: the subscription it asks
// for, the readable and JSON views of `trace` notifications, --count, and
// --call stopping after the call's RELEASE COMPLETE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "cli/app.h"
#include "tests/cli/fake_connection.h"

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
    return base::MakeUnexpected(
        testing::FakeDaemon::Error(1, "InvalidCallHandle", "call 9 is not on the wire"));
  };
  EXPECT_EQ(Run({"trace", "--call", "9"}), 1);
  EXPECT_THAT(err_, HasSubstr("trace.subscribe: call 9 is not on the wire"));
}

}  // namespace
}  // namespace prid::cli
