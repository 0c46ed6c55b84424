// End to end: `prictl replay` as its own process against the real prid
// binary, whose sim span listens for the replayer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/daemon_thread.h"
#include "tests/support/process.h"

namespace prid::testing {
namespace {

class ReplayEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("PRID_BIN").empty()) << "PRID_BIN is not set (tests/e2e/meson.build sets it)";
    ASSERT_FALSE(Env("PRID_TRACES_DIR").empty()) << "PRID_TRACES_DIR is not set";
    socket_ = dir_.File("prid.sock");
    std::ofstream(dir_.File("prid.conf"))
        << "[daemon]\nsocket = \"" << socket_ << "\"\n\n"
        << "[[span]]\nspan = 1\nswitch = \"ni2\"\nnode = \"cpe\"\nlisten = \"" << dir_.File("span1.link")
        << "\"\n";
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{Env("PRID_BIN"), "-c", dir_.File("prid.conf")}, dir_.File("prid.log"));
    ASSERT_TRUE(WaitListening()) << "prid did not come up; its log:\n" << Log();
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_EQ(daemon_->Terminate(), 0) << Log();
    }
  }

  // The socket accepts (the span stays down until the replayer connects).
  bool WaitListening() {
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (ApiClient(socket_).connected()) return true;
      RunProcess({"/usr/bin/timeout", "0.05", "/usr/bin/tail", "-f", dir_.File("prid.log")});
    }
    return false;
  }

  std::string Log() { return ReadWholeFile(dir_.File("prid.log")); }

  ProcessResult Prictl(std::vector<std::string> args) {
    args.insert(args.begin(), {Env("PRICTL_BIN"), "--socket", socket_});
    return RunProcess(args);
  }

  TempDir dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> daemon_;
};

TEST_F(ReplayEndToEnd, CiscoCaptureReplaysTwiceOnTheSameDaemon) {
  // Twice: the second replayer takes over the span's link from the first.
  for (int round = 0; round < 2; ++round) {
    auto r = Prictl({"replay", Env("PRID_TRACES_DIR") + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng"});
    EXPECT_EQ(r.exit_code, 0) << "round " << round << "\n" << r.out << r.err << Log();
    EXPECT_NE(r.out.find("replay: 8 message(s), 0 difference(s)"), std::string::npos) << r.out;
  }
  ApiClient check(socket_);
  ASSERT_TRUE(check.connected());
  EXPECT_EQ(check.Ok("call.list", nlohmann::json::object()).size(), 0u);
}

TEST_F(ReplayEndToEnd, UnreadableTraceIsAUsageError) {
  auto r = Prictl({"replay", dir_.File("no-such.pcap")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-such.pcap"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prid::testing
