// A first start of the real prid: the compiled default config path, the
// packaged template (no spans), a group that does not exist, and a span
// that cannot start while the others run.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "prid_build_config.h"
#include "tests/e2e/e2e_daemon.h"
#include "tests/e2e/e2e_env.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace prid::testing {
namespace {

using nlohmann::json;

TEST(FirstStart, DefaultConfigIsAbsoluteAndShownByHelp) {
  const std::string path = PRID_DEFAULT_CONFIG;
  EXPECT_EQ(path.front(), '/') << path;
  EXPECT_TRUE(path.ends_with("/prid/prid.conf")) << path;
  ProcessResult r = RunProcess({Env("PRID_BIN"), "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(default: " + path + " if present"), std::string::npos) << r.out;
}

TEST(FirstStart, CheckConfigRefusesAGroupThatDoesNotExist) {
  TempDir dir;
  std::ofstream(dir.File("prid.conf")) << "[daemon]\nlog_level = \"info\"\nsupervisor_group = \"prid-e2e-no-such-group\"\n"
                                       << "[[span]]\nspan = 1\npeer = \"builtin\"\n";
  ProcessResult r = RunProcess({Env("PRID_BIN"), "--check-config", dir.File("prid.conf")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir.File("prid.conf") +
                       ":3: [daemon]: key 'supervisor_group': group 'prid-e2e-no-such-group' does not exist"),
            std::string::npos)
      << r.err;
}

// The file the package installs as /etc/prid/prid.conf: prid runs with it,
// the socket answers and there is no span.
TEST(FirstStart, PackagedTemplateRunsTheSocketWithNoSpans) {
  const std::string config = Env("PRID_TEMPLATE_CONFIG");
  ASSERT_FALSE(config.empty()) << "PRID_TEMPLATE_CONFIG is not set (tests/e2e/meson.build sets it)";
  ProcessResult check = RunProcess({Env("PRID_BIN"), "--check-config", config});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, config + ": ok (0 span(s))\n");

  TempDir dir;
  const std::string socket = dir.File("prid.sock");
  ChildProcess prid({Env("PRID_BIN"), "-c", config, "--socket", socket}, dir.File("prid.log"));
  std::unique_ptr<ApiClient> client;
  for (int attempt = 0; attempt < 200 && !client; ++attempt) {
    auto probe = std::make_unique<ApiClient>(socket);
    if (probe->connected()) {
      client = std::move(probe);
    } else {
      // Not listening yet: wait for the daemon's next log line.
      RunProcess({"/usr/bin/timeout", "0.05", "/usr/bin/tail", "-f", dir.File("prid.log")});
    }
  }
  ASSERT_TRUE(client) << ReadWholeFile(dir.File("prid.log"));
  EXPECT_EQ(client->Ok("daemon.status")["spans"], 0);
  EXPECT_EQ(client->Ok("span.list"), json::array());
  client.reset();
  EXPECT_EQ(prid.Terminate(), 0);
  EXPECT_NE(ReadWholeFile(dir.File("prid.log")).find("no [[span]] configured"), std::string::npos)
      << ReadWholeFile(dir.File("prid.log"));
}

class ReloadChecksGroups : public E2eDaemonTest {};

// A group that is gone is refused at reload as at start, and nothing changes.
TEST_F(ReloadChecksGroups, ReloadRefusesAGroupThatDoesNotExist) {
  const std::string span = "[[span]]\nspan = 1\npeer = \"builtin\"\n";
  ASSERT_TRUE(StartPrid("", span)) << Log();
  std::ofstream(dir_.File("prid.conf")) << "[daemon]\nsocket = \"" << socket_ << "\"\n"
                                        << "socket_group = \"prid-no-such-group\"\n"
                                        << span << "[[span]]\nspan = 2\npeer = \"builtin\"\n";
  auto refused = Prictl({"reload"});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("group 'prid-no-such-group' does not exist"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("prid.conf:3:"), std::string::npos) << refused.err;
  ApiClient client(socket_);
  EXPECT_EQ(client.Ok("span.list").size(), 1u) << "a refused reload changes nothing";
}

class SpanThatCannotStart : public E2eDaemonTest {};

TEST_F(SpanThatCannotStart, DahdiSpanWithoutDeviceIsInErrorWhileTheSimSpanTakesCalls) {
  struct stat st {};
  if (::stat("/dev/dahdi/channel", &st) == 0) GTEST_SKIP() << "this host has DAHDI: the device is not missing";
  ASSERT_TRUE(StartPrid("", "[[span]]\nspan = 1\npeer = \"builtin\"\n"
                            "[[span]]\nspan = 2\nname = \"card\"\ndriver = \"dahdi\"\ndchannel = 16\n"))
      << "prid did not come up with span 1; its log:\n"
      << Log();

  ApiClient client(socket_);
  ASSERT_TRUE(client.connected()) << client.connect_error();
  const json spans = client.Ok("span.list");
  ASSERT_EQ(spans.size(), 2u) << spans.dump();
  EXPECT_EQ(spans[0]["state"], "up");
  EXPECT_FALSE(spans[0].contains("reason"));
  EXPECT_EQ(spans[1]["state"], "error");
  const std::string reason = spans[1].value("reason", "");
  EXPECT_NE(reason.find("/dev/dahdi/channel"), std::string::npos) << reason;
  EXPECT_NE(reason.find("dahdi_cfg"), std::string::npos) << reason;
  EXPECT_NE(reason.find("/etc/dahdi/system.conf"), std::string::npos) << reason;

  // The event a client replaying from the start sees.
  ASSERT_TRUE(client.Call("events.subscribe", {{"since", 0}, {"span", 2}}).ok());
  auto event = client.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "error"; });
  ASSERT_TRUE(event) << "no span.state error for span 2";
  EXPECT_EQ((*event)["reason"], reason);

  // span 2 refuses calls; span 1 takes them.
  EXPECT_EQ(client.ErrorName("call.make", {{"span", 2}, {"number", "5551234"}}), "SpanDown");
  auto call = Prictl({"run", "-"}, "open 1\ncall 5551234\nwait connected\ndrop $CALL\nwait idle\n");
  EXPECT_EQ(call.exit_code, 0) << call.out << call.err;

  auto listed = Prictl({"spans"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("error"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("span 2: " + reason), std::string::npos) << listed.out;
  EXPECT_NE(Log().find("span 2: cannot start"), std::string::npos) << Log();
}

}  // namespace
}  // namespace prid::testing
