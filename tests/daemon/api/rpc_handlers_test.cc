// Tests of daemon/api/rpc_handlers and method_table: the table refuses an
// undeclared, repeated, missing or ill-typed parameter before the handler
// runs (the handler sees nothing of it), and each method reaches the
// session model with the params it read; over the real session model with
// a fake span port, fake timers and a fake outbox.
#include "daemon/api/rpc_handlers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <simdjson.h>

#include <string>

#include "daemon/api/number_rules.h"
#include "q931/q850.h"
#include "tests/daemon/api/fake_outbox.h"
#include "tests/support/fake_span_port.h"
#include "tests/support/fake_timers.h"

namespace prid::daemon {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::FakeOutbox;
using testing::FakeSpanPort;
using testing::FakeTimerFactory;
using testing::PortRequest;

constexpr int kSpan = 1;
constexpr ipc::ClientId kAlice = 1;
constexpr ipc::ClientId kBob = 2;

// Holds the parsed request so its params view stays valid.
class Request {
 public:
  explicit Request(const json& params) : text_(params.dump()) {
    EXPECT_EQ(parser_.parse(text_).get_object().get(params_), simdjson::SUCCESS) << text_;
  }
  const ipc::Params& params() const { return params_; }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  ipc::Params params_;
};

class RpcHandlersTest : public ::testing::Test {
 protected:
  RpcHandlersTest() {
    SpanSettings settings;
    settings.span = kSpan;
    model_.AddSpan(settings, &port_);
  }

  MethodResult Call(ipc::ClientId client, std::string_view method, const json& params = json::object()) {
    Request request(params);
    return handlers_.Call(client, method, request.params());
  }
  std::string InvalidParamsMessage(ipc::ClientId client, std::string_view method, const json& params) {
    auto r = Call(client, method, params);
    EXPECT_FALSE(r.ok()) << method << " " << params.dump();
    if (r.ok()) return "";
    EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kInvalidParams)) << r.error().message;
    return r.error().message;
  }
  CallId OpenAndMake() {
    EXPECT_TRUE(Call(kAlice, "line.open", {{"span", kSpan}}).ok());
    auto made = Call(kAlice, "call.make", {{"number", "100"}});
    EXPECT_TRUE(made.ok());
    return made.ok() ? (*made)["call"].get<CallId>() : 0;
  }

  FakeOutbox outbox_;
  FakeTimerFactory timers_;
  FakeSpanPort port_;
  ModelAudience audience_{model_};  // asked only once events flow, after model_ exists
  EventRouter router_{outbox_, audience_, 64, "handlers-test"};
  SessionModel model_{router_, timers_};
  RpcHandlers::Spans spans_;  // no spans: the span.* methods find none
  TraceRouter traces_{outbox_, [](int, int) { return std::optional<CallId>{}; },
                      [this](CallId call) { return model_.Find(call) != nullptr; }};
  int reloads_ = 0;
  Statistics stats_;
  RpcHandlers handlers_{model_, spans_, router_, traces_, outbox_, stats_, [this]() -> MethodResult {
                          ++reloads_;
                          return json{{"added", json::array()}};
                        }};
};

TEST_F(RpcHandlersTest, CallMakeReachesTheSessionModelWithTheParamsRead) {
  ASSERT_TRUE(Call(kAlice, "line.open", {{"span", kSpan}}).ok());
  auto made = Call(kAlice, "call.make",
                   {{"span", kSpan},
                    {"number", "5551234"},
                    {"calling", "100"},
                    {"bearer", "digital"},
                    {"channel", 3},
                    {"uui", {{"pd", 4}, {"hex", "00fF41"}}}});
  ASSERT_TRUE(made.ok()) << made.error().message;
  const auto placed = port_.Requests(PortRequest::Kind::kPlaceCall);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].call, (*made)["call"].get<CallId>());
  EXPECT_EQ(placed[0].place.parties.called.digits, "5551234");
  ASSERT_TRUE(placed[0].place.parties.calling);
  EXPECT_EQ(placed[0].place.parties.calling->digits, "100");
  EXPECT_EQ(placed[0].place.bearer, Bearer::kDigital);
  EXPECT_EQ(placed[0].place.channel, 3);
  ASSERT_TRUE(placed[0].uui.has_value());
  EXPECT_EQ(placed[0].uui->pd, 4);
  EXPECT_THAT(placed[0].uui->info, ElementsAre(0x00, 0xff, 0x41));
}

TEST_F(RpcHandlersTest, CallDropReachesTheModelWithCauseAndUui) {
  const CallId call = OpenAndMake();
  ASSERT_TRUE(Call(kAlice, "call.drop", {{"call", call}, {"cause", "busy"}, {"uui", {{"text", "bye"}}}}).ok());
  const auto clears = port_.Clears(call);
  ASSERT_EQ(clears.size(), 1u);
  EXPECT_EQ(clears[0].cause, q931::cause::kUserBusy);
  ASSERT_TRUE(clears[0].uui.has_value());
  EXPECT_EQ(std::string(clears[0].uui->info.begin(), clears[0].uui->info.end()), "bye");
}

TEST_F(RpcHandlersTest, AnUnknownParameterIsRefusedBeforeTheHandlerRuns) {
  const CallId call = OpenAndMake();
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.drop", {{"call", call}, {"colour", "red"}}),
            "unknown parameter 'colour' (expected: call, cause, uui, supervisor)");
  EXPECT_THAT(port_.Clears(), IsEmpty());
  EXPECT_EQ(InvalidParamsMessage(kAlice, "daemon.status", {{"verbose", true}}),
            "unknown parameter 'verbose' (expected: none)");
}

TEST_F(RpcHandlersTest, AMissingRequiredParameterIsRefusedBeforeTheHandlerRuns) {
  ASSERT_TRUE(Call(kAlice, "line.open", {{"span", kSpan}}).ok());
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"calling", "100"}}), "missing parameter 'number'");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.drop", json::object()), "missing parameter 'call'");
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(RpcHandlersTest, AParameterOfTheWrongTypeIsRefusedBeforeTheHandlerRuns) {
  ASSERT_TRUE(Call(kAlice, "line.open", {{"span", kSpan}}).ok());
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"number", 5}}),
            "parameter 'number' must be a string of digits or an object {digits, ton, npi}");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"number", "1"}, {"channel", 32}}),
            "parameter 'channel' must be an integer 1…31");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"number", "1"}, {"uui", {{"hex", "0g"}}}}),
            "uui.hex has a non-hex character at position 1");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"number", "1"}, {"uui", {{"hex", "abc"}}}}),
            "uui.hex must have an even number of digits");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.alert", {{"call", 1}, {"inband", "yes"}}),
            "parameter 'inband' must be true or false");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "conference.create", {{"calls", 1}}),
            "parameter 'calls' must be an array of call ids");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "conference.create", {{"calls", {1, 0}}}),
            "parameter 'calls' must hold call ids (integers 1…9007199254740992)");
  EXPECT_THAT(port_.requests(), IsEmpty());
}

TEST_F(RpcHandlersTest, TheFirstWrongParameterInDeclaredOrderIsTheOneNamed) {
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"span", 0}, {"number", 5}}),
            "parameter 'span' must be an integer 1…255");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "span.service", {{"span", 9}, {"service", "up"}}), "no span 9")
      << "the span is looked up before the channel is read";
}

TEST_F(RpcHandlersTest, AnUnknownMethodIsMethodNotFound) {
  auto r = Call(kAlice, "call.fly");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kMethodNotFound));
  EXPECT_EQ(r.error().message, "no method 'call.fly' (see API.md)");
}

TEST_F(RpcHandlersTest, DaemonReloadTakesNoParamsAndRunsTheReloader) {
  EXPECT_EQ(InvalidParamsMessage(kAlice, "daemon.reload", {{"file", "/etc/passwd"}}), "daemon.reload takes no params");
  EXPECT_EQ(reloads_, 0);
  auto r = Call(kAlice, "daemon.reload");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(reloads_, 1);
  EXPECT_TRUE((*r)["added"].is_array());
}

TEST_F(RpcHandlersTest, DaemonStatusCountsTheOutboxsClients) {
  outbox_.set_client_count(3);
  auto r = Call(kAlice, "daemon.status");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["clients"], 3);
  EXPECT_EQ((*r)["spans"], 0);
}

TEST_F(RpcHandlersTest, DaemonStatusGivesTheEventBuffersCountAndBytes) {
  EXPECT_EQ((*Call(kAlice, "daemon.status"))["events"]["bytes"], 0);
  router_.SpanStateChanged(kSpan, {}, "up", "down", {});
  router_.SpanStateChanged(kSpan, {}, "down", "up", {});
  auto r = Call(kAlice, "daemon.status");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["events"]["buffered"], 2);
  EXPECT_EQ((*r)["events"]["bytes"], router_.log().bytes());
  EXPECT_GT((*r)["events"]["bytes"], 100 * (*r)["events"]["buffered"].get<int>()) << "lines of a JSON event";
}

TEST_F(RpcHandlersTest, TheModelAudienceIsHandleHoldersAndTheSpansMonitors) {
  constexpr ipc::ClientId kCarol = 3;
  const CallId call = OpenAndMake();
  EXPECT_TRUE(audience_.SeesCall(kAlice, kSpan, call)) << "the maker holds a handle";
  ASSERT_TRUE(Call(kBob, "line.open", {{"span", kSpan}}).ok());
  EXPECT_FALSE(audience_.SeesCall(kBob, kSpan, call)) << "an owner line alone does not show others' calls";
  ASSERT_TRUE(Call(kCarol, "line.open", {{"span", kSpan}, {"privilege", "monitor"}}).ok());
  EXPECT_TRUE(audience_.SeesCall(kCarol, kSpan, call)) << "a monitor line shows the span's calls";
  EXPECT_FALSE(audience_.SeesCall(kCarol, kSpan + 1, call + 1)) << "of its span only";
  ASSERT_TRUE(Call(kCarol, "line.close", {{"span", kSpan}}).ok());
  EXPECT_TRUE(audience_.SeesCall(kCarol, kSpan, call)) << "the monitor handle the line gave it stays";
  auto later = Call(kAlice, "call.make", {{"number", "101"}});
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(audience_.SeesCall(kCarol, kSpan, (*later)["call"].get<CallId>())) << "no line, no new handles";
}

TEST_F(RpcHandlersTest, EventsSubscribeRefusalsAreEventsLostWithTheInstance) {
  auto other = Call(kBob, "events.subscribe", {{"since", 0}, {"instance", "an-earlier-start"}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, static_cast<int>(ipc::ErrorCode::kEventsLost));
  EXPECT_EQ(other.error().data["instance"], "handlers-test");
  EXPECT_EQ(other.error().data["reason"], "restarted");
  EXPECT_NE(other.error().message.find("restarted"), std::string::npos) << other.error().message;
  auto ahead = Call(kBob, "events.subscribe", {{"since", 9}});
  ASSERT_FALSE(ahead.ok());
  EXPECT_EQ(ahead.error().data["reason"], "ahead");
  EXPECT_NE(ahead.error().message.find("since 9"), std::string::npos) << ahead.error().message;
  EXPECT_NE(ahead.error().message.find("newest event 0"), std::string::npos) << ahead.error().message;
  EXPECT_TRUE(Call(kBob, "events.subscribe", {{"since", 0}, {"instance", "handlers-test"}}).ok());
  EXPECT_EQ((*Call(kBob, "daemon.status"))["instance"], "handlers-test");
}

TEST_F(RpcHandlersTest, EventsSubscribeAndClientClosedReachTheRouter) {
  auto r = Call(kBob, "events.subscribe", {{"span", kSpan}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["seq"], 0);
  EXPECT_EQ((*r)["instance"], "handlers-test");
  const CallId call = OpenAndMake();
  // Bob monitors span 1 from now on: a monitor handle on the call already up.
  ASSERT_TRUE(Call(kBob, "line.open", {{"span", kSpan}, {"privilege", "monitor"}}).ok());
  model_.Proceeding(call);  // a call.state to Alice, and to Bob who monitors span 1
  ASSERT_EQ(outbox_.SentTo(kBob).size(), 2u);
  EXPECT_EQ(outbox_.SentTo(kBob)[0].Json()["params"]["type"], "call.new");
  EXPECT_EQ(outbox_.SentTo(kBob)[1].Json()["params"]["state"], "proceeding");
  handlers_.ClientClosed(kBob);
  outbox_.Forget();
  ASSERT_TRUE(Call(kAlice, "call.drop", {{"call", call}}).ok());
  model_.WireCleared(call, q931::cause::kNormalClearing, std::nullopt, false);
  EXPECT_THAT(outbox_.SentTo(kBob), IsEmpty());
  EXPECT_FALSE(outbox_.SentTo(kAlice).empty());
}

TEST_F(RpcHandlersTest, EveryNameParameterIsBoundedBeforeItsHandlerEchoesIt) {
  const std::string long_name(kMaxNameChars + 1, 'o');
  EXPECT_EQ(InvalidParamsMessage(kAlice, "line.open", {{"span", kSpan}, {"privilege", long_name}}),
            "parameter 'privilege' is 33 characters; at most 32");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "line.open", {{"span", kSpan}, {"privilege", std::string("owner\0", 6)}}),
            "parameter 'privilege' has a NUL (U+0000) at position 5");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.list", {{"state", long_name}}),
            "parameter 'state' is 33 characters; at most 32");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"number", "1"}, {"bearer", long_name}}),
            "parameter 'bearer' is 33 characters; at most 32");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "sim.policy", {{"span", kSpan}, {"on_setup", long_name}}),
            "parameter 'on_setup' is 33 characters; at most 32");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "sim.policy", {{"span", kSpan}, {"on_hold", long_name}}),
            "parameter 'on_hold' is 33 characters; at most 32");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "events.subscribe", {{"instance", std::string(kMaxInstanceChars + 1, 'f')}}),
            "parameter 'instance' is 65 characters; at most 64");
  EXPECT_THAT(port_.requests(), IsEmpty());
}

// The ids of one call.list page.
std::vector<CallId> Ids(const json& page) {
  std::vector<CallId> ids;
  for (const json& record : page) ids.push_back(record["call"].get<CallId>());
  return ids;
}

TEST_F(RpcHandlersTest, CallListPagesByIdWithAfterAndLimit) {
  ASSERT_TRUE(Call(kAlice, "line.open", {{"span", kSpan}}).ok());
  std::vector<CallId> made;
  for (int i = 0; i < kCallListMaxLimit + 5; ++i) {
    auto call = Call(kAlice, "call.make", {{"number", "100"}});
    ASSERT_TRUE(call.ok());
    made.push_back((*call)["call"].get<CallId>());
  }
  // Without after and limit: the first page, of the most records.
  auto first = Call(kAlice, "call.list");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), std::vector<CallId>(made.begin(), made.begin() + kCallListMaxLimit));
  // Paging by 4 from the start gets every id once, ascending; the last page is short.
  std::vector<CallId> seen;
  CallId after = 0;
  for (;;) {
    auto page = Call(kAlice, "call.list", {{"after", after}, {"limit", 4}});
    ASSERT_TRUE(page.ok());
    const auto ids = Ids(*page);
    seen.insert(seen.end(), ids.begin(), ids.end());
    if (ids.size() < 4) break;
    after = ids.back();
  }
  EXPECT_EQ(seen, made);
  // after names no call of its own: ids above it.
  auto tail = Call(kAlice, "call.list", {{"after", made[2]}, {"limit", 2}});
  ASSERT_TRUE(tail.ok());
  EXPECT_THAT(Ids(*tail), ElementsAre(made[3], made[4]));
  auto none = Call(kAlice, "call.list", {{"after", made.back()}});
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
  // Another client holds none of them.
  auto bobs = Call(kBob, "call.list", {{"limit", 1}});
  ASSERT_TRUE(bobs.ok());
  EXPECT_THAT(*bobs, IsEmpty());
}

TEST_F(RpcHandlersTest, CallListPagesWithinAState) {
  const CallId first = OpenAndMake();
  ASSERT_TRUE(Call(kBob, "line.open", {{"span", kSpan}}).ok());
  ASSERT_TRUE(Call(kBob, "call.make", {{"number", "200"}}).ok());  // not Alice's: skipped
  const CallId third = OpenAndMake();
  auto dialing = Call(kAlice, "call.list", {{"state", "dialing"}, {"after", first}, {"limit", 1}});
  ASSERT_TRUE(dialing.ok());
  EXPECT_THAT(Ids(*dialing), ElementsAre(third));
}

TEST_F(RpcHandlersTest, CallListAndSpanListLimitsAreBounded) {
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.list", {{"limit", 0}}), "parameter 'limit' must be an integer 1…12");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.list", {{"limit", kCallListMaxLimit + 1}}),
            "parameter 'limit' must be an integer 1…12");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.list", {{"after", -1}}),
            "parameter 'after' must be an integer 0…9007199254740992");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "span.list", {{"limit", kSpanListMaxLimit + 1}}),
            "parameter 'limit' must be an integer 1…8");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "span.list", {{"after", 256}}), "parameter 'after' must be an integer 0…255");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "span.list", {{"state", "up"}}),
            "unknown parameter 'state' (expected: after, limit)");
}

TEST_F(RpcHandlersTest, TraceSubscribeToACallNotOnTheWireIsInvalidCallHandle) {
  auto r = Call(kAlice, "trace.subscribe", {{"call", 5}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kInvalidCallHandle));
  EXPECT_EQ(r.error().message, "no call 5");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "trace.subscribe", {{"span", 4}}), "no span 4");
}

TEST_F(RpcHandlersTest, TraceSubscribeToAKnownCallSaysWhatItReplayed) {
  const CallId call = OpenAndMake();
  auto r = Call(kBob, "trace.subscribe", {{"call", call}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (json{{"replayed", 0}, {"dropped", 0}})) << "the fake span sends no frames";
  auto span = Call(kBob, "trace.subscribe", json::object());
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(*span, json::object());
}

// call.make's party numbers against the variant of the span in the
// handlers' map: a real span, never started, stands in for the daemon's
// (the session model still places calls through the fake port).
// Supervisors (API.md "Supervisors"): named from the peer's credentials
// when the client connects; the privilege is used only when asked for.
class SupervisorTest : public RpcHandlersTest {
 protected:
  static constexpr ipc::ClientId kSue = 3;  // root: a supervisor
  SupervisorTest() {
    handlers_.ClientOpened(kAlice, Peer(65534, 65534));
    handlers_.ClientOpened(kBob, Peer(65534, 65534));
    handlers_.ClientOpened(kSue, Peer(0, 0));
  }
  static ipc::PeerCredentials Peer(uid_t uid, gid_t gid) {
    ipc::PeerCredentials peer;
    peer.uid = uid;
    peer.gid = gid;
    return peer;
  }
  void ExpectSupervisorRefused(const MethodResult& r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kPermissionDenied)) << r.error().message;
    EXPECT_EQ(r.error().data.value("privilege", ""), "supervisor");
    EXPECT_NE(r.error().message.find("supervisor"), std::string::npos) << r.error().message;
  }
};

TEST_F(SupervisorTest, CallListAllGivesEveryCallWithItsHandlesToASupervisorOnly) {
  const CallId call = OpenAndMake();
  ExpectSupervisorRefused(Call(kBob, "call.list", {{"all", true}}));
  auto own = Call(kSue, "call.list");
  ASSERT_TRUE(own.ok());
  EXPECT_THAT(*own, IsEmpty()) << "without all, a supervisor's list is its own handles";
  auto all = Call(kSue, "call.list", {{"all", true}});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  const json& record = (*all)[0];
  EXPECT_EQ(record["call"], call);
  EXPECT_EQ(record["state"], "dialing");
  EXPECT_FALSE(record.contains("privilege")) << "the supervisor holds no handle";
  EXPECT_EQ(record["handles"],
            json::parse(R"([{"client":1,"privilege":"owner","state":"dialing"}])"));
  auto none = Call(kSue, "call.list", {{"all", true}, {"state", "connected"}});
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
}

TEST_F(SupervisorTest, CallInfoOfAnyCallForASupervisorOnly) {
  const CallId call = OpenAndMake();
  auto plain = Call(kSue, "call.info", {{"call", call}});
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, static_cast<int>(ipc::ErrorCode::kInvalidCallHandle));
  ExpectSupervisorRefused(Call(kBob, "call.info", {{"call", call}, {"supervisor", true}}));
  auto info = Call(kSue, "call.info", {{"call", call}, {"supervisor", true}});
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ((*info)["call"], call);
  EXPECT_EQ((*info)["handles"].size(), 1u);
}

TEST_F(SupervisorTest, ASupervisorDropClearsAnotherClientsCallWithItsCause) {
  const CallId call = OpenAndMake();
  ExpectSupervisorRefused(Call(kBob, "call.drop", {{"call", call}, {"supervisor", true}}));
  auto plain = Call(kSue, "call.drop", {{"call", call}});
  ASSERT_FALSE(plain.ok()) << "without supervisor: true, not its call";
  EXPECT_EQ(plain.error().code, static_cast<int>(ipc::ErrorCode::kInvalidCallHandle));
  EXPECT_THAT(port_.Clears(call), IsEmpty());
  ASSERT_TRUE(Call(kSue, "call.drop", {{"call", call}, {"supervisor", true}, {"cause", 21}, {"uui", {{"text", "op"}}}})
                  .ok());
  const auto clears = port_.Clears(call);
  ASSERT_EQ(clears.size(), 1u);
  EXPECT_EQ(clears[0].cause, q931::cause::kCallRejected);
  ASSERT_TRUE(clears[0].uui.has_value());
  EXPECT_EQ(std::string(clears[0].uui->info.begin(), clears[0].uui->info.end()), "op");
  // It holds a monitor handle now: its plain call.info works.
  auto info = Call(kSue, "call.info", {{"call", call}});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ((*info)["privilege"], "monitor");
  EXPECT_EQ((*info)["origin"], "supervisor");
}

TEST_F(SupervisorTest, EventsSubscribeAllIsForASupervisorOnly) {
  ExpectSupervisorRefused(Call(kBob, "events.subscribe", {{"all", true}}));
  EXPECT_TRUE(Call(kSue, "events.subscribe", {{"all", true}}).ok());
}

TEST_F(SupervisorTest, StatsResetIsForASupervisorOnlyAndZeroesTheCounts) {
  ASSERT_FALSE(Call(kBob, "call.info", {{"call", 99}}).ok());
  ExpectSupervisorRefused(Call(kBob, "stats.reset"));
  auto before = Call(kBob, "stats.get");
  ASSERT_TRUE(before.ok()) << "anyone may read the counters";
  EXPECT_EQ((*before)["daemon"]["rpc"]["call.info"], json::parse(R"({"requests":1,"errors":1})"));
  EXPECT_EQ((*before)["daemon"]["rpc"]["stats.reset"], json::parse(R"({"requests":1,"errors":1})"));
  EXPECT_EQ((*before)["daemon"]["clients_total"], 3);
  ASSERT_TRUE(Call(kSue, "stats.reset").ok());
  auto after = Call(kSue, "stats.get");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)["daemon"]["rpc"]["call.info"], json::parse(R"({"requests":0,"errors":0})"));
  EXPECT_EQ((*after)["daemon"]["rpc"]["stats.get"], json::parse(R"({"requests":0,"errors":0})"))
      << "the reply is counted after it is built";
  EXPECT_EQ((*after)["daemon"]["clients_total"], 0);
  EXPECT_EQ((*after)["spans"], json::array()) << "no spans here";
}

TEST_F(RpcHandlersTest, StatsGetOfASpanNotConfiguredIsRefusedAsSpanMethodsAre) {
  auto r = Call(kAlice, "stats.get", {{"span", 9}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kInvalidParams));
  EXPECT_EQ(r.error().message, "no span 9");
  auto restart = Call(kAlice, "span.restart", {{"span", 9}});
  ASSERT_FALSE(restart.ok());
  EXPECT_EQ(restart.error().message, r.error().message);
}

TEST_F(SupervisorTest, TheSupervisorGroupNamesSupervisors) {
  constexpr gid_t kOperators = 4242;
  RpcHandlers handlers{model_, spans_, router_, traces_, outbox_, stats_, [] { return MethodResult(json::object()); },
                       kOperators};
  constexpr ipc::ClientId kOp = 4;
  constexpr ipc::ClientId kOther = 5;
  ipc::PeerCredentials op = Peer(1000, 1000);
  op.groups = {27, kOperators};
  handlers.ClientOpened(kOp, op);
  handlers.ClientOpened(kOther, Peer(1001, 1001));
  Request all(json{{"all", true}});
  EXPECT_TRUE(handlers.Call(kOp, "call.list", all.params()).ok());
  ExpectSupervisorRefused(handlers.Call(kOther, "call.list", all.params()));
}

class PartyNumberTest : public RpcHandlersTest {
 protected:
  class NoObserver : public SpanObserver {
    void SpanStateChanged(const SpanStateChange&) override {}
    void ChannelStateChanged(int, int, ChannelState, ChannelState) override {}
    void SpanFrame(int, q931::FrameDirection, std::span<const std::uint8_t>) override {}
  };

  PartyNumberTest() {
    SpanConfig config;
    config.span = kSpan;
    config.switch_variant = SwitchVariant::kEuroIsdnE1;
    spans_.emplace(kSpan, std::make_unique<Span>(loop_, config, model_, observer_));
    EXPECT_TRUE(Call(kAlice, "line.open", {{"span", kSpan}}).ok());
  }
  ~PartyNumberTest() override { spans_.clear(); }  // before the loop goes

  // call.make {number, calling?} is refused with InvalidParams and places nothing.
  std::string Refused(const json& params) {
    std::string message = InvalidParamsMessage(kAlice, "call.make", params);
    EXPECT_THAT(port_.Requests(PortRequest::Kind::kPlaceCall), IsEmpty()) << params.dump();
    EXPECT_THAT(model_.List(kAlice, std::nullopt), IsEmpty()) << "no record of a refused call";
    return message;
  }

  ev::dynamic_loop loop_;
  NoObserver observer_;
};

TEST_F(PartyNumberTest, ANulInTheNumberIsRefused) {
  EXPECT_EQ(Refused({{"number", std::string("555\0" "123", 7)}}),
            "number has U+0000 at position 3; allowed: 0-9 * #");
}

TEST_F(PartyNumberTest, ALetterInTheNumberIsRefused) {
  EXPECT_EQ(Refused({{"number", "555A123"}}), "number has 'A' (U+0041) at position 3; allowed: 0-9 * #");
}

TEST_F(PartyNumberTest, ASpaceInTheCallingNumberIsRefused) {
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", "20 1"}}),
            "calling has ' ' (U+0020) at position 2; allowed: 0-9 * #");
}

TEST_F(PartyNumberTest, ANonAsciiNumberIsRefused) {
  EXPECT_EQ(Refused({{"number", "\u260e"}}), "number has '\u260e' (U+260E) at position 0; allowed: 0-9 * #");
}

TEST_F(PartyNumberTest, ANumberLongerThanTheVariantCarriesIsRefused) {
  EXPECT_EQ(Refused({{"number", std::string(40, '5')}}),
            "number is 40 digits; span 1 (euroisdn_e1) carries at most 31");
  EXPECT_EQ(Refused({{"span", kSpan}, {"number", "1"}, {"calling", std::string(65000, '2')}}),
            "calling is 65000 digits; span 1 (euroisdn_e1) carries at most 31");
}

TEST_F(PartyNumberTest, AnEmptyNumberIsRefusedAndAnEmptyCallingIsOmitted) {
  EXPECT_EQ(Refused({{"number", ""}}), "number is empty");
  ASSERT_TRUE(Call(kAlice, "call.make", {{"number", "1"}, {"calling", ""}}).ok());
  ASSERT_EQ(port_.Requests(PortRequest::Kind::kPlaceCall).size(), 1u);
  EXPECT_FALSE(port_.Requests(PortRequest::Kind::kPlaceCall)[0].place.parties.calling);
}

TEST_F(PartyNumberTest, TheLongestNumbersGoToTheSpanAsGiven) {
  const std::string number = "*#" + std::string(kLibpriMaxNumberDigits - 2, '9');
  const std::string calling(kLibpriMaxNumberDigits, '1');
  auto made = Call(kAlice, "call.make", {{"number", number}, {"calling", calling}});
  ASSERT_TRUE(made.ok()) << made.error().message;
  const auto placed = port_.Requests(PortRequest::Kind::kPlaceCall);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].place.parties.called.digits, number);
  EXPECT_EQ(placed[0].place.parties.calling.value_or(q931::Party{}).digits, calling);
}

// --- party objects: {digits, ton, npi, presentation, screening} ---

class PartyObjectTest : public PartyNumberTest {
 protected:
  // Span kSpan again, with these defaults.
  void Dialplans(Dialplan dialplan, Dialplan local_dialplan) {
    SpanConfig config;
    config.span = kSpan;
    config.dialplan = dialplan;
    config.local_dialplan = local_dialplan;
    spans_.clear();
    spans_.emplace(kSpan, std::make_unique<Span>(loop_, config, model_, observer_));
  }
  q931::SetupParties Placed(const json& params) {
    auto made = Call(kAlice, "call.make", params);
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    const auto placed = port_.Requests(PortRequest::Kind::kPlaceCall);
    if (placed.empty()) return {};
    return placed.back().place.parties;
  }
};

TEST_F(PartyObjectTest, APlainStringGoesAsUnknownAllowedNotScreened) {
  const auto parties = Placed({{"number", "5551234"}, {"calling", "100"}});
  EXPECT_EQ(parties.called, (q931::Party{"5551234", 0, 0, 0, 0}));
  ASSERT_TRUE(parties.calling);
  EXPECT_EQ(*parties.calling, (q931::Party{"100", 0, 0, 0, 0}));
}

TEST_F(PartyObjectTest, EveryAttributeGoesAsNamed) {
  const auto parties =
      Placed({{"number", {{"digits", "301234"}, {"ton", "national"}, {"npi", "e164"}}},
              {"calling", {{"digits", "4940"}, {"ton", "international"}, {"npi", "e164"},
                           {"presentation", "restricted"}, {"screening", "user_passed"}}},
              {"called_subaddress", "12AB"}, {"calling_subaddress", "7"}});
  EXPECT_EQ(parties.called, (q931::Party{"301234", 2, 1, 0, 0}));
  ASSERT_TRUE(parties.calling);
  EXPECT_EQ(*parties.calling, (q931::Party{"4940", 1, 1, 1, 1}));
  EXPECT_EQ(parties.called_subaddress, (q931::Subaddress{false, false, "12AB"}));
  EXPECT_EQ(parties.calling_subaddress, (q931::Subaddress{false, false, "7"}));
}

TEST_F(PartyObjectTest, ABadNameIsRefusedNamingTheFieldAndTheChoices) {
  EXPECT_EQ(Refused({{"number", {{"digits", "1"}, {"ton", "local"}}}}),
            "number.ton must be one of: unknown, international, national, network, subscriber, abbreviated");
  EXPECT_EQ(Refused({{"number", {{"digits", "1"}, {"npi", "isdn"}}}}),
            "number.npi must be one of: unknown, e164, x121, f69, national, private");
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", {{"digits", "2"}, {"presentation", "hidden"}}}}),
            "calling.presentation must be one of: allowed, restricted, unavailable");
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", {{"digits", "2"}, {"screening", 1}}}}),
            "calling.screening must be one of: user_not_screened, user_passed, user_failed, network");
}

TEST_F(PartyObjectTest, TheCalledNumberHasNoPresentation) {
  EXPECT_EQ(Refused({{"number", {{"digits", "1"}, {"presentation", "restricted"}}}}),
            "number has an unknown key 'presentation' (expected digits, ton, npi)");
}

TEST_F(PartyObjectTest, AnObjectNeedsDigits) {
  EXPECT_EQ(Refused({{"number", {{"ton", "national"}}}}), "number.digits is missing");
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", {{"digits", ""}}}}),
            "calling.digits is empty; leave calling out for none, or give presentation unavailable");
}

TEST_F(PartyObjectTest, UnavailableCarriesNoDigits) {
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", {{"digits", "2"}, {"presentation", "unavailable"}}}}),
            "calling has digits but presentation unavailable (which carries none)");
  const auto parties = Placed(
      {{"number", "1"}, {"calling", {{"digits", ""}, {"presentation", "unavailable"}, {"screening", "network"}}}});
  ASSERT_TRUE(parties.calling);
  EXPECT_EQ(*parties.calling, (q931::Party{"", 0, 0, 2, 3}));
}

TEST_F(PartyObjectTest, TheNumberingPlanDecidesTheDigits) {
  EXPECT_EQ(Refused({{"number", {{"digits", "12*3"}, {"npi", "e164"}}}}),
            "number has '*' (U+002A) at position 2; allowed in numbering plan e164: 0-9");
  EXPECT_EQ(
      Refused({{"number", {{"digits", std::string(16, '4')}, {"ton", "international"}, {"npi", "e164"}}}}),
            "number is 16 digits; an international E.164 number has at most 15");
  EXPECT_EQ(Placed({{"number", {{"digits", "12*3"}, {"npi", "private"}}}}).called.digits, "12*3");
}

TEST_F(PartyObjectTest, ASubaddressIsPrintableAsciiOfAtMost20) {
  EXPECT_EQ(Refused({{"number", "1"}, {"called_subaddress", std::string(21, 'a')}}),
            "called_subaddress is 21 characters; at most 20");
  EXPECT_EQ(Refused({{"number", "1"}, {"calling_subaddress", "a\tb"}}),
            "calling_subaddress has U+0009 at position 1; allowed: printable ASCII (IA5)");
  EXPECT_EQ(Refused({{"number", "1"}, {"called_subaddress", ""}}),
            "called_subaddress is empty; leave it out for none");
}

TEST_F(PartyObjectTest, TheSpansDialplansFillWhatIsNotGiven) {
  Dialplans(Dialplan::kNational, Dialplan::kLocal);
  const auto parties = Placed({{"number", "301234"}, {"calling", "55"}});
  EXPECT_EQ(parties.called, (q931::Party{"301234", 2, 1, 0, 0}));
  ASSERT_TRUE(parties.calling);
  EXPECT_EQ(*parties.calling, (q931::Party{"55", 4, 1, 0, 0}));
  // What the object names wins.
  const auto given = Placed({{"number", {{"digits", "7"}, {"ton", "subscriber"}}}});
  EXPECT_EQ(given.called, (q931::Party{"7", 4, 1, 0, 0}));
  Dialplans(Dialplan::kPrivate, Dialplan::kInternational);
  const auto other = Placed({{"number", "2001"}, {"calling", "4930"}});
  EXPECT_EQ(other.called, (q931::Party{"2001", 4, 9, 0, 0}));
  EXPECT_EQ(*other.calling, (q931::Party{"4930", 1, 1, 0, 0}));
}

TEST_F(PartyObjectTest, DynamicMakesALeadingPlusInternationalAndDropsIt) {
  Dialplans(Dialplan::kDynamic, Dialplan::kDynamic);
  EXPECT_EQ(Refused({{"number", {{"digits", "+49"}, {"ton", "national"}}}}),
            "number starts with '+' (international under dialplan dynamic) but its ton is national");
  const auto parties = Placed({{"number", "+4930123"}, {"calling", "+4940"}});
  EXPECT_EQ(parties.called, (q931::Party{"4930123", 1, 1, 0, 0}));
  EXPECT_EQ(*parties.calling, (q931::Party{"4940", 1, 1, 0, 0}));
  EXPECT_EQ(Placed({{"number", "0301234"}}).called, (q931::Party{"0301234", 0, 0, 0, 0}))
      << "no '+': unknown, the digits as given";
}

TEST_F(PartyObjectTest, APlusIsNotADigitOutsideDynamic) {
  EXPECT_EQ(Refused({{"number", "+4930"}}), "number has '+' (U+002B) at position 0; allowed: 0-9 * #");
}

// call.make's display (the calling name), on span kSpan of `variant`.
class DisplayTest : public PartyObjectTest {
 protected:
  void Variant(SwitchVariant variant, NodeType node) {
    SpanConfig config;
    config.span = kSpan;
    config.switch_variant = variant;
    config.node = node;
    spans_.clear();
    spans_.emplace(kSpan, std::make_unique<Span>(loop_, config, model_, observer_));
  }
};

TEST_F(DisplayTest, DisplayGoesToTheSpanWithTheCallingNumber) {
  Variant(SwitchVariant::kNi2, NodeType::kCpe);
  EXPECT_EQ(Placed({{"number", "5551234"}, {"calling", "100"}, {"display", "Front Desk"}}).display, "Front Desk");
  Variant(SwitchVariant::kEuroIsdnE1, NodeType::kNetwork);
  EXPECT_EQ(Placed({{"number", "5551234"}, {"calling", "100"}, {"display", "Front Desk"}}).display, "Front Desk");
}

TEST_F(DisplayTest, DisplayIsPrintableAsciiOfAtMost63) {
  Variant(SwitchVariant::kNi2, NodeType::kCpe);
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", "2"}, {"display", std::string(64, 'a')}}),
            "display is 64 characters; at most 63");
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", "2"}, {"display", "a\tb"}}),
            "display has U+0009 at position 1; allowed: printable ASCII (IA5)");
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", "2"}, {"display", "Jos\u00e9"}}),
            "display has '\u00e9' (U+00E9) at position 3; allowed: printable ASCII (IA5)");
  EXPECT_EQ(Refused({{"number", "1"}, {"calling", "2"}, {"display", ""}}), "display is empty; leave it out for none");
  EXPECT_EQ(Placed({{"number", "1"}, {"calling", "2"}, {"display", std::string(63, 'a')}}).display,
            std::string(63, 'a'));
}

TEST_F(DisplayTest, DisplayNeedsACallingNumberThatMayBePresented) {
  Variant(SwitchVariant::kNi2, NodeType::kCpe);
  EXPECT_EQ(Refused({{"number", "1"}, {"display", "Desk"}}),
            "display goes with calling: libpri sends no name without a calling number");
  EXPECT_EQ(Refused({{"number", "1"},
                     {"calling", {{"digits", "2"}, {"presentation", "restricted"}}},
                     {"display", "Desk"}}),
            "display is withheld with a calling number whose presentation is restricted; leave it out or give "
            "presentation allowed");
}

TEST_F(DisplayTest, DisplayFromEuroIsdnsUserSideOrOnQsigIsOperationUnavailable) {
  for (SwitchVariant variant : {SwitchVariant::kEuroIsdnE1, SwitchVariant::kEuroIsdnT1}) {
    Variant(variant, NodeType::kCpe);
    auto r = Call(kAlice, "call.make", {{"number", "1"}, {"calling", "2"}, {"display", "Desk"}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kOperationUnavailable));
    EXPECT_EQ(r.error().message, fmt::format("span 1 ({}, cpe): the user side sends no Display IE",
                                             SwitchVariantName(variant)));
  }
  Variant(SwitchVariant::kQsig, NodeType::kNetwork);
  auto r = Call(kAlice, "call.make", {{"number", "1"}, {"calling", "2"}, {"display", "Desk"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kOperationUnavailable));
  EXPECT_EQ(r.error().message,
            "span 1 (qsig): Q.SIG carries a calling name only as a CallingName facility, which prid does not send");
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kPlaceCall), IsEmpty());
}

TEST_F(DisplayTest, CallDisplayIsCheckedAsCallMakesAndReachesTheSpan) {
  Variant(SwitchVariant::kNi2, NodeType::kCpe);
  auto made = Call(kAlice, "call.make", {{"number", "1"}});
  ASSERT_TRUE(made.ok());
  const CallId call = (*made)["call"].get<CallId>();
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.display", {{"call", call}, {"display", std::string(64, 'a')}}),
            "display is 64 characters; at most 63");
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.display", {{"call", call}, {"display", ""}}),
            "display is empty; leave it out for none");
  EXPECT_THAT(port_.Requests(PortRequest::Kind::kDisplay), IsEmpty());
  ASSERT_TRUE(Call(kAlice, "call.display", {{"call", call}, {"display", "Please hold"}}).ok());
  const auto sent = port_.Requests(PortRequest::Kind::kDisplay);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].call, call);
  EXPECT_EQ(sent[0].digits, "Please hold");
  auto other = Call(kBob, "call.display", {{"call", call}, {"display", "x"}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, static_cast<int>(ipc::ErrorCode::kInvalidCallHandle));
}

// The table itself, with handlers of the test's own.
class MethodTableTest : public ::testing::Test {
 protected:
  MethodTableTest()
      : table_(
            {
                {"t.all",
                 {ParamSpec::Int("n", Presence::kRequired, 1, 9), ParamSpec::String("s", Presence::kOptional, 4),
                  ParamSpec::Bool("b"), ParamSpec::Choice("c", {"in", "out", "both"}), ParamSpec::Cause()},
                 [this](ipc::ClientId, const Args& args) -> MethodResult {
                   ++runs_;
                   json out = {{"n", args.Int("n")}, {"c", std::string(args.String("c"))}};
                   if (auto s = args.OptionalString("s")) out["s"] = std::string(*s);
                   if (auto b = args.OptionalBool("b")) out["b"] = *b;
                   if (auto cause = args.Cause()) out["cause"] = *cause;
                   return out;
                 }},
                {"t.span", {ParamSpec::SpanNumber("span")},
                 [this](ipc::ClientId, const Args&) -> MethodResult {
                   ++runs_;
                   return json::object();
                 }},
            },
            spans_) {}

  MethodResult Call(std::string_view method, const json& params) {
    Request request(params);
    return table_.Call(kAlice, method, request.params());
  }
  std::string Refusal(std::string_view method, const json& params) {
    auto r = Call(method, params);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
  }

  int runs_ = 0;
  SpanMap spans_;
  MethodTable table_;
};

TEST_F(MethodTableTest, TheHandlerGetsTheParamsAsRead) {
  auto r = Call("t.all", {{"n", 4}, {"c", "both"}, {"s", "x"}, {"b", false}, {"cause", "normal"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (json{{"n", 4}, {"c", "both"}, {"s", "x"}, {"b", false}, {"cause", 16}}));
  EXPECT_EQ(runs_, 1);
}

TEST_F(MethodTableTest, AbsentOptionalParamsReadAsAbsent) {
  auto r = Call("t.all", {{"n", 4}, {"c", "in"}, {"cause", nullptr}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (json{{"n", 4}, {"c", "in"}}));
}

TEST_F(MethodTableTest, EachMalformationIsRefusedAndTheHandlerNeverRuns) {
  EXPECT_EQ(Refusal("t.all", {{"n", 4}, {"c", "in"}, {"x", 1}}), "unknown parameter 'x' (expected: n, s, b, c, cause)");
  EXPECT_EQ(Refusal("t.all", {{"c", "in"}}), "missing parameter 'n'");
  EXPECT_EQ(Refusal("t.all", {{"n", 10}, {"c", "in"}}), "parameter 'n' must be an integer 1…9");
  EXPECT_EQ(Refusal("t.all", {{"n", 1}, {"s", 1}, {"c", "in"}}), "parameter 's' must be a string");
  EXPECT_EQ(Refusal("t.all", {{"n", 1}, {"b", 1}, {"c", "in"}}), "parameter 'b' must be true or false");
  EXPECT_EQ(Refusal("t.all", {{"n", 1}}), "parameter 'c' must be \"in\", \"out\" or \"both\"");
  EXPECT_EQ(Refusal("t.all", {{"n", 1}, {"c", "up"}}), "parameter 'c' must be \"in\", \"out\" or \"both\"");
  EXPECT_EQ(Refusal("t.all", {{"n", 1}, {"c", "in"}, {"cause", 200}}), "cause 200 is out of range (1…127)");
  EXPECT_EQ(Refusal("t.span", {{"span", 3}}), "no span 3");
  EXPECT_EQ(Refusal("t.span", {{"span", 256}}), "parameter 'span' must be an integer 1…255");
  EXPECT_EQ(runs_, 0);
}

TEST_F(MethodTableTest, AStringLongerThanItsBoundIsRefusedNamingTheBound) {
  EXPECT_EQ(Refusal("t.all", {{"n", 1}, {"s", "abcde"}, {"c", "in"}}), "parameter 's' is 5 characters; at most 4");
  // The bound counts characters, not octets.
  auto r = Call("t.all", {{"n", 1}, {"s", "\u260e\u260e\u260e\u260e"}, {"c", "in"}});
  EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(runs_, 1);
}

TEST_F(MethodTableTest, ANulInAStringIsRefusedWhereItStands) {
  EXPECT_EQ(Refusal("t.all", {{"n", 1}, {"s", std::string("ab\0c", 4)}, {"c", "in"}}),
            "parameter 's' has a NUL (U+0000) at position 2");
  EXPECT_EQ(runs_, 0);
}

TEST_F(MethodTableTest, ACauseNameLongerThanANameIsRefusedBeforeItIsEchoed) {
  EXPECT_EQ(Refusal("t.all", {{"n", 1}, {"c", "in"}, {"cause", std::string(kMaxNameChars + 1, 'x')}}),
            "cause name is 33 characters; at most 32");
  EXPECT_EQ(runs_, 0);
}

TEST_F(MethodTableTest, AParameterGivenTwiceIsRefused) {
  simdjson::dom::parser parser;
  ipc::Params params;
  ASSERT_EQ(parser.parse(std::string(R"({"n":1,"c":"in","n":2})")).get_object().get(params), simdjson::SUCCESS);
  auto r = table_.Call(kAlice, "t.all", params);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "parameter 'n' is given twice");
  EXPECT_EQ(runs_, 0);
}

}  // namespace
}  // namespace prid::daemon
