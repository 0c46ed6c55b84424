// A fixture for end-to-end tests against one real prid: its config and log
// in a temporary directory, the daemon a child process, and prictl run on
// its socket to completion.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {

class E2eDaemonTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (daemon_) {
      EXPECT_EQ(daemon_->Terminate(), 0) << Log();
    }
  }

  // Writes prid.conf ([daemon] with the socket, then `daemon_keys`, then
  // `spans`), starts $PRID_BIN on it and waits until span 1 is up; false
  // when it did not come up.
  bool StartPrid(const std::string& daemon_keys, const std::string& spans) {
    if (Env("PRID_BIN").empty()) {
      ADD_FAILURE() << "PRID_BIN is not set (tests/e2e/meson.build sets it)";
      return false;
    }
    std::ofstream(dir_.File("prid.conf")) << "[daemon]\nsocket = \"" << socket_ << "\"\n"
                                          << daemon_keys << "\n"
                                          << spans;
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{Env("PRID_BIN"), "-c", dir_.File("prid.conf")},
                                             dir_.File("prid.log"));
    return WaitUp();
  }

  // The socket accepts and span 1 reports up (events, not sleeps: the
  // connect retries ride on the daemon's own start-up).
  bool WaitUp() {
    for (int attempt = 0; attempt < 200; ++attempt) {
      ApiClient probe(socket_);
      if (probe.connected()) {
        return probe.Call("events.subscribe", {{"since", 0}, {"span", 1}}).ok() &&
               probe.WaitEvent([](const nlohmann::json& e) { return e["type"] == "span.state" && e["state"] == "up"; });
      }
      // Not listening yet: wait for the daemon to write its first log line.
      RunProcess({"/usr/bin/timeout", "0.05", "/usr/bin/tail", "-f", dir_.File("prid.log")});
    }
    return false;
  }

  // $PRICTL_BIN on the socket with `args`, `input` on its stdin.
  ProcessResult Prictl(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {Env("PRICTL_BIN"), "--socket", socket_});
    return RunProcess(args, input);
  }

  std::string Log() { return ReadWholeFile(dir_.File("prid.log")); }

  TempDir dir_;
  const std::string socket_ = dir_.File("prid.sock");
  std::unique_ptr<ChildProcess> daemon_;
};

}  // namespace prid::testing
