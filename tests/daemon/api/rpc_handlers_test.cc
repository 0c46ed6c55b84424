// Tests of daemon/api/rpc_handlers and method_table: the table refuses an
// undeclared, repeated, missing or ill-typed parameter before the handler
// runs (the handler sees nothing of it), and each method reaches the
// session model with the params it read; over the real session model with
// a fake span port, fake timers and a fake outbox.
#include "daemon/api/rpc_handlers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <simdjson.h>

#include <string>

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
  EventRouter router_{outbox_, 64};
  SessionModel model_{router_, timers_};
  RpcHandlers::Spans spans_;  // no spans: the span.* methods find none
  TraceRouter traces_{outbox_, [](CallId) { return std::optional<std::pair<int, int>>{}; }};
  int reloads_ = 0;
  RpcHandlers handlers_{model_, spans_, router_, traces_, outbox_, [this]() -> MethodResult {
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
  EXPECT_EQ(placed[0].place.called, "5551234");
  EXPECT_EQ(placed[0].place.calling, "100");
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
            "unknown parameter 'colour' (expected: call, cause, uui)");
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
  EXPECT_EQ(InvalidParamsMessage(kAlice, "call.make", {{"number", 5}}), "parameter 'number' must be a string");
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

TEST_F(RpcHandlersTest, EventsSubscribeAndClientClosedReachTheRouter) {
  auto r = Call(kBob, "events.subscribe", {{"span", kSpan}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["seq"], 0);
  const CallId call = OpenAndMake();
  model_.Proceeding(call);  // a call.state to Alice, and to Bob who follows span 1
  ASSERT_EQ(outbox_.SentTo(kBob).size(), 1u);
  EXPECT_EQ(outbox_.SentTo(kBob)[0].Json()["params"]["state"], "proceeding");
  handlers_.ClientClosed(kBob);
  outbox_.Forget();
  ASSERT_TRUE(Call(kAlice, "call.drop", {{"call", call}}).ok());
  model_.WireCleared(call, q931::cause::kNormalClearing, std::nullopt, false);
  EXPECT_THAT(outbox_.SentTo(kBob), IsEmpty());
  EXPECT_FALSE(outbox_.SentTo(kAlice).empty());
}

TEST_F(RpcHandlersTest, TraceSubscribeToACallNotOnTheWireIsInvalidCallHandle) {
  auto r = Call(kAlice, "trace.subscribe", {{"call", 5}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, static_cast<int>(ipc::ErrorCode::kInvalidCallHandle));
  EXPECT_EQ(InvalidParamsMessage(kAlice, "trace.subscribe", {{"span", 4}}), "no span 4");
}

// The table itself, with handlers of the test's own.
class MethodTableTest : public ::testing::Test {
 protected:
  MethodTableTest()
      : table_(
            {
                {"t.all",
                 {ParamSpec::Int("n", Presence::kRequired, 1, 9), ParamSpec::String("s", Presence::kOptional),
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
