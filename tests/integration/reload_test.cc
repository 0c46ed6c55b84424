// Reload (docs/design.md "Configuration"): daemon.reload re-reads the file; spans
// added are started, removed ones stopped, changed ones restarted, and calls
// on unchanged spans stay connected, their wire untouched. A bad file is
// refused and the running configuration stays.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/daemon.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;
using q931::FrameDirection;
namespace msg = q931::msg;

std::string SpanTable(int span, int uui_max = 128) {
  return "[[span]]\nspan = " + std::to_string(span) + "\ndriver = \"sim\"\npeer = \"builtin\"\nuui_max = " +
         std::to_string(uui_max) + "\n";
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = dir_.File("prid.sock");
    path_ = dir_.File("prid.conf");
    WriteConfig(SpanTable(1) + SpanTable(2));
    auto config = daemon::LoadConfigFile(path_);
    ASSERT_TRUE(config.ok()) << config.error();
    daemons_ = std::make_unique<DaemonThread>(std::vector{*config});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    // As prid's Service does: re-read the file, apply it.
    daemons_->RunOnLoop([this] {
      daemon::Daemon& d = daemons_->daemon(0);
      d.SetReloader([this, &d]() -> base::Result<daemon::ReloadReport> {
        auto next = daemon::LoadConfigFile(path_);
        if (!next.ok()) return base::Fail(next.error());
        return d.Reload(std::move(*next));
      });
    });
    ASSERT_TRUE(WaitSpanUp(socket_, 1));
    ASSERT_TRUE(WaitSpanUp(socket_, 2));
  }

  void WriteConfig(const std::string& spans) {
    std::ofstream(path_) << "[daemon]\nsocket = \"" << socket_ << "\"\n\n" << spans;
  }

  // A connected outgoing call on `span` owned by `client`.
  std::uint64_t ConnectedCall(ApiClient& client, int span) {
    std::uint64_t call = client.Ok("call.make", {{"span", span}, {"number", "100"}})["call"];
    EXPECT_TRUE(client.WaitState(call, "connected")) << "call on span " << span;
    return call;
  }

  std::size_t WireMessages(int span) { return Q931Messages(daemons_->Frames(), 0, span).size(); }

  TempDir dir_;
  std::string socket_;
  std::string path_;
  std::unique_ptr<DaemonThread> daemons_;
};

TEST_F(ReloadTest, CallOnUnchangedSpanStaysConnectedWhileOtherSpansComeAndGo) {
  ApiClient keeper(socket_);
  ApiClient other(socket_);
  const std::uint64_t kept = ConnectedCall(keeper, 1);
  const std::uint64_t lost = ConnectedCall(other, 2);
  const std::size_t span1_messages = WireMessages(1);
  const std::size_t events_before = keeper.AllEvents().size();

  // Span 2 removed, span 3 added, span 1 as it was.
  WriteConfig(SpanTable(1) + SpanTable(3));
  json report = keeper.Ok("daemon.reload");
  EXPECT_EQ(report["added"], json::array({3}));
  EXPECT_EQ(report["removed"], json::array({2}));
  EXPECT_EQ(report["restarted"], json::array());
  EXPECT_EQ(report["unchanged"], json::array({1}));
  EXPECT_EQ(report["failed"], json::array());

  // The call of the removed span ended for its holder.
  EXPECT_TRUE(other.WaitState(lost, "idle"));
  ASSERT_TRUE(WaitSpanUp(socket_, 3));
  json spans = keeper.Ok("span.list");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0]["span"], 1);
  EXPECT_EQ(spans[1]["span"], 3);

  // The kept call: still connected, no event about it, nothing on span 1's
  // wire since (Q.921 keep-alives aside, which carry no Q.931).
  EXPECT_EQ(keeper.Ok("call.info", {{"call", kept}})["state"], "connected");
  const std::vector<json>& events = keeper.AllEvents();
  for (std::size_t i = events_before; i < events.size(); ++i) {
    EXPECT_FALSE(events[i]["type"] == "call.state" && events[i]["call"] == kept) << events[i].dump();
  }
  EXPECT_EQ(WireMessages(1), span1_messages);

  // And it still clears normally on the wire.
  keeper.Ok("call.drop", {{"call", kept}});
  EXPECT_TRUE(keeper.WaitState(kept, "idle"));
  EXPECT_TRUE(WaitWire(*daemons_, 0, 1, FrameDirection::kSent, msg::kDisconnect));
  // The new span carries calls too.
  ConnectedCall(keeper, 3);
}

TEST_F(ReloadTest, ChangedSpanIsRestartedAndItsCallsCleared) {
  ApiClient client(socket_);
  const std::uint64_t on_one = ConnectedCall(client, 1);
  const std::uint64_t on_two = ConnectedCall(client, 2);
  const std::uint64_t seq = client.Ok("daemon.status")["events"]["last_seq"];

  WriteConfig(SpanTable(1) + SpanTable(2, 64));
  json report = client.Ok("daemon.reload");
  EXPECT_EQ(report["restarted"], json::array({2}));
  EXPECT_EQ(report["unchanged"], json::array({1}));

  EXPECT_TRUE(client.WaitState(on_two, "idle"));
  ApiClient watcher(socket_);
  watcher.Ok("events.subscribe", {{"since", seq}, {"span", 2}});
  EXPECT_TRUE(watcher.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "down"; }));
  EXPECT_TRUE(watcher.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "up"; }));
  json spans = client.Ok("span.list");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[1]["uui_max"], 64);
  EXPECT_EQ(client.Ok("call.info", {{"call", on_one}})["state"], "connected");
}

TEST_F(ReloadTest, BadFileIsRefusedAndTheRunningConfigurationStays) {
  ApiClient client(socket_);
  const std::uint64_t call = ConnectedCall(client, 2);
  // Span 2 dropped from the file, and a key misspelt on line 9.
  WriteConfig(SpanTable(1) + "swtich = \"ni2\"\n" + SpanTable(3));
  auto refused = client.Call("daemon.reload");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().name, "OperationUnavailable");
  EXPECT_NE(refused.error().message.find(path_ + ":9:"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("key 'swtich'"), std::string::npos) << refused.error().message;

  json spans = client.Ok("span.list");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[1]["span"], 2);
  EXPECT_EQ(client.Ok("call.info", {{"call", call}})["state"], "connected");
}

TEST_F(ReloadTest, ReloadTakesNoParams) {
  ApiClient client(socket_);
  EXPECT_EQ(client.ErrorName("daemon.reload", {{"file", "/etc/passwd"}}), "InvalidParams");
}

// A span that cannot start stays listed in state error while the others
// run; every reload starts it again, so fixing its cause needs no edit.
TEST_F(ReloadTest, SpanThatCannotStartIsInErrorAndTheNextReloadRetriesIt) {
  ApiClient client(socket_);
  ASSERT_TRUE(client.Call("events.subscribe", {{"span", 3}}).ok());
  const std::string later = dir_.File("later");
  WriteConfig(SpanTable(1) + SpanTable(2) + "[[span]]\nspan = 3\nlisten = \"" + later + "/s3.sock\"\n");
  json report = client.Ok("daemon.reload");
  EXPECT_EQ(report["added"], json::array({3}));
  ASSERT_EQ(report["failed"].size(), 1u) << report.dump();
  EXPECT_NE(report["failed"][0].get<std::string>().find("cannot listen on " + later), std::string::npos) << report;

  auto event = client.WaitEvent([](const json& e) { return e["type"] == "span.state" && e["state"] == "error"; });
  ASSERT_TRUE(event);
  const std::string reason = (*event)["reason"];
  EXPECT_NE(reason.find("check that the directory of 'listen' exists"), std::string::npos) << reason;
  json spans = client.Ok("span.list");
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0]["state"], "up");
  EXPECT_EQ(spans[1]["state"], "up");
  EXPECT_EQ(spans[2]["state"], "error");
  EXPECT_EQ(spans[2]["reason"], reason);
  EXPECT_EQ(client.ErrorName("call.make", {{"span", 3}, {"number", "100"}}), "SpanDown");

  // The cause fixed, the same file again.
  ASSERT_TRUE(std::filesystem::create_directory(later));
  report = client.Ok("daemon.reload");
  EXPECT_EQ(report["restarted"], json::array({3}));
  EXPECT_EQ(report["unchanged"], json::array({1, 2}));
  EXPECT_EQ(report["failed"], json::array());
  spans = client.Ok("span.list");
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[2]["state"], "down");  // awaiting its far end on the socket
  EXPECT_FALSE(spans[2].contains("reason"));
  EXPECT_TRUE(std::filesystem::exists(later + "/s3.sock"));
}

}  // namespace
}  // namespace prid::testing
