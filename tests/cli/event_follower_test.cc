// Tests for `prictl events --follow` across cut-offs, lost connections and
// daemon restarts (cli/event_follower.h), one fake daemon per connection.
#include "cli/event_follower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "cli/app.h"
#include "tests/cli/fake_connection.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::FakeDaemon;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kEventsLostCode = static_cast<int>(ipc::ErrorCode::kEventsLost);

json SpanState(int seq) {
  return {{"seq", seq}, {"time", "t"}, {"type", "span.state"}, {"span", 1}, {"state", "up"}, {"previous", "down"}};
}

std::string Line(int seq) { return "event " + std::to_string(seq) + " span.state span=1 up ← down\n"; }

json LostNotice(const char* reason, int last_seq) {
  return {{"type", "events.lost"}, {"reason", reason}, {"last_seq", last_seq}};
}

FakeDaemon::Reply EventsLost(const char* reason, const char* instance, int oldest, int last) {
  ipc::RpcError error = FakeDaemon::Error(kEventsLostCode, "EventsLost", "cannot replay");
  error.data = {{"reason", reason}, {"instance", instance}, {"oldest", oldest}, {"last", last}};
  return base::MakeUnexpected(error);
}

class FollowTest : public ::testing::Test {
 protected:
  // The daemon behind the next connection: answers events.subscribe with
  // `reply` (or what `subscribe` says) and then sends `events`; closes when
  // they run out.
  std::shared_ptr<FakeDaemon> AddConnection(
      std::function<FakeDaemon::Reply(const json& params, FakeDaemon& daemon)> subscribe) {
    auto daemon = std::make_shared<FakeDaemon>();
    daemon->close_when_drained = true;
    FakeDaemon* raw = daemon.get();  // the handler lives in the daemon it points to
    daemon->handler = [raw, subscribe](const std::string& method, const json& params) -> FakeDaemon::Reply {
      if (method == "events.subscribe") return subscribe(params, *raw);
      return json::object();
    };
    daemons_.push_back(daemon);
    return daemon;
  }

  int Run(const std::vector<std::string>& args) {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    Environment env;
    env.prid_socket = "/test.sock";
    env.connect = [this](const std::string&) -> base::Result<std::unique_ptr<Connection>> {
      const bool refuse = next_ > 0 && refuse_next_ > 0;  // never the first connection
      if (refuse || next_ == daemons_.size()) {
        if (refuse) --refuse_next_;
        ++refused_;
        return base::Fail("cannot connect to /test.sock: No such file or directory");
      }
      return std::unique_ptr<Connection>(std::make_unique<testing::FakeConnection>(daemons_[next_++]));
    };
    env.retry_pause = [this](milliseconds pause) {
      pauses_.push_back(pause);
      return pauses_.size() <= pauses_allowed_;
    };
    int code = Main(args, in, out, err, env);
    out_ = out.str();
    err_ = err.str();
    return code;
  }

  std::vector<std::shared_ptr<FakeDaemon>> daemons_;
  std::size_t next_ = 0;
  int refuse_next_ = 0;  // reconnections refused before the next daemon answers
  int refused_ = 0;
  std::size_t pauses_allowed_ = 0;  // then the pause gives up, ending the run
  std::vector<milliseconds> pauses_;
  std::string out_;
  std::string err_;
};

TEST_F(FollowTest, CutOffResumesFromTheLastSeqWithTheInstanceAndPrintsNothingTwice) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(1));
    d.QueueEvent(SpanState(2));
    d.QueueEvent(LostNotice("client too slow", 2));
    return json{{"seq", 2}, {"instance", "a"}};
  });
  auto second = AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(2));  // sent again: skipped
    d.QueueEvent(SpanState(3));
    return json{{"seq", 3}, {"instance", "a"}};
  });
  EXPECT_EQ(Run({"events", "--follow", "--since", "0", "--span", "1"}), 2);
  EXPECT_EQ(out_, Line(1) + Line(2) + Line(3));
  ASSERT_EQ(second->requests.size(), 1u);
  EXPECT_EQ(second->requests[0].second, json({{"since", 2}, {"instance", "a"}, {"span", 1}}));
  EXPECT_THAT(err_, HasSubstr("prictl: cut off by prid (client too slow) after seq 2; reconnecting with since 2\n"));
  EXPECT_THAT(err_, HasSubstr("prictl: connection to prid lost after seq 3; reconnecting with since 3\n"));
  EXPECT_THAT(err_, Not(HasSubstr("events.lost")));
}

TEST_F(FollowTest, RestartedDaemonIsFollowedFromItsFirstEvent) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(4));
    d.QueueEvent(SpanState(5));
    return json{{"seq", 5}, {"instance", "a"}};
  });
  auto refused = AddConnection(
      [](const json&, FakeDaemon&) -> FakeDaemon::Reply { return EventsLost("restarted", "b", 1, 2); });
  auto restarted = AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(1));
    d.QueueEvent(SpanState(2));
    return json{{"seq", 2}, {"instance", "b"}};
  });
  EXPECT_EQ(Run({"events", "--follow", "--since", "3"}), 2);
  EXPECT_EQ(out_, Line(4) + Line(5) + Line(1) + Line(2));
  ASSERT_EQ(refused->requests.size(), 1u);
  EXPECT_EQ(refused->requests[0].second, json({{"since", 5}, {"instance", "a"}}));
  // Subscribed again at once, on a new connection: no pause.
  ASSERT_EQ(restarted->requests.size(), 1u);
  EXPECT_EQ(restarted->requests[0].second, json({{"since", 0}, {"instance", "b"}}));
  EXPECT_THAT(pauses_, ElementsAre(milliseconds(100)));
  EXPECT_THAT(err_, HasSubstr("prictl: prid restarted (instance b, was a): the events of the old start after seq "
                              "5 are lost"));
}

TEST_F(FollowTest, AheadIsARestartToo) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(9));
    return json{{"seq", 9}, {"instance", "a"}};
  });
  AddConnection([](const json&, FakeDaemon&) -> FakeDaemon::Reply { return EventsLost("ahead", "b", 1, 1); });
  auto next = AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(1));
    return json{{"seq", 1}, {"instance", "b"}};
  });
  EXPECT_EQ(Run({"events", "--follow", "--since", "8"}), 2);
  EXPECT_EQ(out_, Line(9) + Line(1));
  ASSERT_EQ(next->requests.size(), 1u);
  EXPECT_EQ(next->requests[0].second, json({{"since", 0}, {"instance", "b"}}));
  EXPECT_THAT(err_, HasSubstr("prictl: prid restarted (instance b, was a)"));
}

TEST_F(FollowTest, OverwrittenSaysHowManyEventsWereLostAndGoesOnFromTheOldest) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(10));
    d.QueueEvent(LostNotice("overwritten", 10));
    return json{{"seq", 12}, {"instance", "a"}};
  });
  AddConnection(
      [](const json&, FakeDaemon&) -> FakeDaemon::Reply { return EventsLost("overwritten", "a", 15, 20); });
  auto next = AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(15));
    return json{{"seq", 20}, {"instance", "a"}};
  });
  EXPECT_EQ(Run({"events", "--follow", "--since", "9"}), 2);
  EXPECT_EQ(out_, Line(10) + Line(15));
  ASSERT_EQ(next->requests.size(), 1u);
  EXPECT_EQ(next->requests[0].second, json({{"since", 14}, {"instance", "a"}}));
  EXPECT_THAT(err_, HasSubstr("prictl: cut off by prid (overwritten) after seq 10; reconnecting with since 10\n"));
  EXPECT_THAT(err_, HasSubstr("prictl: 4 events after seq 10 were overwritten"));
}

TEST_F(FollowTest, AbsentDaemonIsRetriedWithADoublingPauseCappedAtTwoSeconds) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(1));
    return json{{"seq", 1}, {"instance", "a"}};
  });
  pauses_allowed_ = 7;
  EXPECT_EQ(Run({"events", "--follow"}), 2);
  EXPECT_THAT(pauses_, ElementsAre(milliseconds(100), milliseconds(200), milliseconds(400), milliseconds(800),
                                   milliseconds(1600), milliseconds(2000), milliseconds(2000), milliseconds(2000)));
  EXPECT_EQ(refused_, 8);
  EXPECT_THAT(err_, HasSubstr("prictl: connection to prid at /test.sock closed while following events"));
}

TEST_F(FollowTest, DaemonBackAfterRefusalsIsResubscribedAndThePauseStartsAgain) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(1));
    return json{{"seq", 1}, {"instance", "a"}};
  });
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(2));
    return json{{"seq", 2}, {"instance", "a"}};
  });
  refuse_next_ = 2;
  pauses_allowed_ = 2;
  EXPECT_EQ(Run({"events", "--follow"}), 2);
  EXPECT_EQ(out_, Line(1) + Line(2));
  // Two refused: 100, 200; then subscribed; lost again, the first retry
  // refused: 100 again, which gives up.
  EXPECT_THAT(pauses_, ElementsAre(milliseconds(100), milliseconds(200), milliseconds(100)));
}

TEST_F(FollowTest, LiveOnlyResumesAfterTheNewestSeqOfTheFirstReply) {
  AddConnection([](const json&, FakeDaemon&) -> FakeDaemon::Reply { return json{{"seq", 40}, {"instance", "a"}}; });
  auto next = AddConnection([](const json&, FakeDaemon&) -> FakeDaemon::Reply {
    return json{{"seq", 41}, {"instance", "a"}};
  });
  EXPECT_EQ(Run({"events", "--follow"}), 2);
  EXPECT_EQ(daemons_[0]->requests[0].second, json::object());
  ASSERT_EQ(next->requests.size(), 1u);
  EXPECT_EQ(next->requests[0].second, json({{"since", 40}, {"instance", "a"}}));
}

TEST_F(FollowTest, MonitorLineIsOpenedAgainBeforeResubscribing) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(1));
    return json{{"seq", 1}, {"instance", "a"}};
  });
  auto next = AddConnection([](const json&, FakeDaemon&) -> FakeDaemon::Reply {
    return json{{"seq", 1}, {"instance", "a"}};
  });
  EXPECT_EQ(Run({"events", "--follow", "--since", "0", "--monitor", "1", "--call", "7"}), 2);
  EXPECT_THAT(next->Methods(), ElementsAre("line.open", "events.subscribe"));
  EXPECT_EQ(next->requests[0].second, json({{"span", 1}, {"privilege", "monitor"}}));
  EXPECT_EQ(next->requests[1].second, json({{"since", 1}, {"instance", "a"}, {"call", 7}}));
}

TEST_F(FollowTest, EventAddressedBeforeTheReplyDoesNotHideTheReplayBelowIt) {
  // Addressed to this client between line.open and the subscribe's reply,
  // event 3 arrives first; the replay then sends 2 and 3.
  auto daemon = AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(2));
    d.QueueEvent(SpanState(3));
    return json{{"seq", 3}, {"instance", "a"}};
  });
  FakeDaemon* raw = daemon.get();
  auto subscribe = daemon->handler;
  daemon->handler = [raw, subscribe](const std::string& method, const json& params) -> FakeDaemon::Reply {
    if (method == "line.open") raw->QueueEvent(SpanState(3));
    return subscribe(method, params);
  };
  EXPECT_EQ(Run({"events", "--follow", "--since", "1", "--monitor", "1"}), 2);
  EXPECT_EQ(out_, Line(3) + Line(2));
}

TEST_F(FollowTest, JsonPrintsTheFirstReplyOnceAndNoNoticeOnStdout) {
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(1));
    d.QueueEvent(LostNotice("client too slow", 1));
    return json{{"seq", 1}, {"instance", "a"}};
  });
  AddConnection([](const json&, FakeDaemon& d) -> FakeDaemon::Reply {
    d.QueueEvent(SpanState(2));
    return json{{"seq", 2}, {"instance", "a"}};
  });
  EXPECT_EQ(Run({"--json", "events", "--follow", "--since", "0"}), 2);
  EXPECT_EQ(out_,
            "{\"instance\":\"a\",\"seq\":1}\n" + SpanState(1).dump() + "\n" + SpanState(2).dump() + "\n");
}

TEST_F(FollowTest, FirstSubscriptionRefusedIsAnErrorAsWithoutFollow) {
  AddConnection([](const json&, FakeDaemon&) -> FakeDaemon::Reply { return EventsLost("restarted", "b", 1, 1); });
  EXPECT_EQ(Run({"events", "--follow", "--since", "5", "--instance", "a"}), 1);
  EXPECT_THAT(err_, HasSubstr("prictl: EventsLost: cannot replay"));
  EXPECT_EQ(next_, 1u);
}

TEST_F(FollowTest, MonitorLineRefusedAfterReconnectingEndsWithTheError) {
  AddConnection([](const json&, FakeDaemon&) -> FakeDaemon::Reply { return json{{"seq", 0}, {"instance", "a"}}; });
  auto next = AddConnection([](const json&, FakeDaemon&) -> FakeDaemon::Reply { return json::object(); });
  next->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    return base::MakeUnexpected(FakeDaemon::Error(static_cast<int>(ipc::ErrorCode::kInvalidParams), "InvalidParams",
                                                  "no span 1"));
  };
  EXPECT_EQ(Run({"events", "--follow", "--monitor", "1"}), 1);
  EXPECT_THAT(err_, HasSubstr("prictl: line.open after reconnecting: InvalidParams: no span 1"));
}

}  // namespace
}  // namespace prid::cli
