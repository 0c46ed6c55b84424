// One test per API.md error, each through the real socket against a daemon
// whose far end is libpri.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "q931/ie.h"
#include "q931/message.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;

class ApiErrorTest : public ::testing::Test {
 protected:
  void Start(std::vector<daemon::SpanConfig> spans, std::size_t event_buffer = 65536) {
    daemon::DaemonConfig config = ConfigWith(dir_.File("prid.sock"), std::move(spans));
    config.event_buffer = event_buffer;
    daemons_ = std::make_unique<DaemonThread>(std::vector{config});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    client_ = std::make_unique<ApiClient>(dir_.File("prid.sock"));
    ASSERT_TRUE(client_->connected());
  }
  void StartDefault() {
    Start({SimSpan(1)});
    ASSERT_TRUE(WaitSpanUp(dir_.File("prid.sock"), 1));
    client_->Ok("line.open", {{"span", 1}});
  }
  std::uint64_t ConnectedCall() {
    auto made = client_->Ok("call.make", {{"number", "1"}});
    EXPECT_TRUE(client_->WaitState(made["call"], "connected"));
    return made["call"];
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiErrorTest, ParseErrorIsAnsweredThenTheConnectionCloses) {
  StartDefault();
  ASSERT_TRUE(client_->raw().SendRaw("{not json\n"));
  auto line = client_->raw().ReadLine(kWaitMs);
  ASSERT_TRUE(line);
  auto reply = json::parse(*line);
  EXPECT_EQ(reply["error"]["code"], -32700);
  EXPECT_EQ(reply["error"]["data"]["name"], "ParseError");
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_FALSE(client_->raw().ReadLine(kWaitMs)) << "the connection must close";
  EXPECT_TRUE(client_->raw().closed());
}

TEST_F(ApiErrorTest, InvalidRequestKeepsTheConnection) {
  StartDefault();
  ASSERT_TRUE(client_->raw().SendRaw("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"daemon.status\"}\n"));
  auto reply = json::parse(*client_->raw().ReadLine(kWaitMs));
  EXPECT_EQ(reply["error"]["code"], -32600);
  EXPECT_EQ(reply["error"]["data"]["name"], "InvalidRequest");
  client_->Ok("daemon.status");
}

TEST_F(ApiErrorTest, UnknownMethodIsMethodNotFound) {
  StartDefault();
  auto r = client_->Call("call.fly", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, -32601);
  EXPECT_EQ(r.error().name, "MethodNotFound");
}

TEST_F(ApiErrorTest, BadParamsAreInvalidParamsNamingWhatWasWrong) {
  StartDefault();
  struct Case {
    const char* method;
    json params;
    const char* says;
  } cases[] = {
      {"call.drop", {{"call", "x"}}, "call"},
      {"call.drop", {}, "missing parameter 'call'"},
      {"call.drop", {{"call", 1}, {"colour", "red"}}, "unknown parameter 'colour'"},
      {"call.drop", {{"call", 1}, {"cause", 200}}, "out of range"},
      {"call.drop", {{"call", 1}, {"cause", "grumpy"}}, "unknown cause 'grumpy'"},
      {"call.make", {{"number", "1"}, {"uui", {{"hex", "abc"}}}}, "even number"},
      {"call.make", {{"number", "1"}, {"uui", {{"hex", "zz"}}}}, "non-hex"},
      {"call.make", {{"number", "1"}, {"uui", {{"text", "a"}, {"hex", "00"}}}}, "exactly one"},
      {"call.make", {{"number", "1"}, {"uui", {{"text", "a"}, {"pd", 300}}}}, "0…255"},
      {"call.make", {{"number", "1"}, {"span", 9}}, "no span 9"},
      {"call.make", {{"number", "1"}, {"bearer", "video"}}, "bearer"},
      {"call.make", {{"number", "1"}, {"tag", "a\nb"}}, "tag has byte 0x0a at position 1"},
      {"call.make", {{"number", "1"}, {"tag", "caf\xc3\xa9"}}, "tag has byte 0xc3 at position 3"},
      {"call.make", {{"number", "1"}, {"tag", ""}}, "tag is empty"},
      {"call.make", {{"number", "1"}, {"tag", std::string(65, 'x')}}, "at most 64"},
      {"line.open", {{"span", 1}, {"privilege", "boss"}}, "privilege"},
      {"call.list", {{"state", "sleeping"}}, "unknown state"},
      {"sim.policy", {{"span", 1}, {"on_setup", "dance"}}, "on_setup"},
      {"sim.policy", {{"span", 1}, {"on_hold", "accept"}, {"overlap", true}}, "overlap go with on_setup"},
      {"call.alert", {{"call", 1}, {"inband", "yes"}}, "parameter 'inband' must be true or false"},
      {"call.answer", {{"call", 1}, {"non_isdn", 1}}, "parameter 'non_isdn' must be true or false"},
  };
  for (const Case& c : cases) {
    auto r = client_->Call(c.method, c.params);
    ASSERT_FALSE(r.ok()) << c.method << " " << c.params.dump();
    EXPECT_EQ(r.error().name, "InvalidParams") << c.params.dump();
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
}

// call.make's tag: in the reply's call's record, and in every call.state of
// the call, which come after the reply on this connection.
TEST_F(ApiErrorTest, ATagComesBackInTheRecordAndEveryStateOfTheCall) {
  StartDefault();
  client_->Ok("events.subscribe", json::object());
  const std::uint64_t call = client_->Ok("call.make", {{"number", "1"}, {"tag", "order-17 #2"}})["call"];
  EXPECT_EQ(client_->Ok("call.info", {{"call", call}})["tag"], "order-17 #2");
  ASSERT_TRUE(client_->WaitState(call, "connected"));
  client_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(client_->WaitState(call, "idle"));
  int states = 0;
  for (const json& e : client_->AllEvents()) {
    if (e["type"] != "call.state" || e["call"] != call) continue;
    ++states;
    EXPECT_EQ(e["tag"], "order-17 #2") << e.dump();
  }
  EXPECT_GE(states, 3);
  const std::uint64_t plain = client_->Ok("call.make", {{"number", "2"}})["call"];
  EXPECT_FALSE(client_->Ok("call.info", {{"call", plain}}).contains("tag")) << "no tag, none shown";
}

// The digits of party number IE `id` in `message`, as the wire carries them.
std::optional<std::string> WireDigits(const WireMessage& message, std::uint8_t id) {
  for (const q931::InformationElement& ie : message.message.ies) {
    if (ie.codeset != 0 || ie.id != id) continue;
    auto number = q931::DecodePartyNumber(id, ie.contents);
    if (!number.ok()) return std::nullopt;
    return number->digits;
  }
  return std::nullopt;
}

TEST_F(ApiErrorTest, ANumberTheSpanCannotCarryIsInvalidParamsAndNothingIsSent) {
  StartDefault();
  struct Case {
    const char* method;
    json params;
    const char* says;
  } cases[] = {
      {"call.make", {{"number", std::string("555\0" "123", 7)}}, "number has U+0000 at position 3; allowed: 0-9 * #"},
      {"call.make", {{"number", "555A"}}, "number has 'A' (U+0041) at position 3; allowed: 0-9 * #"},
      {"call.make", {{"number", "1"}, {"calling", "\u260e"}}, "calling has '\u260e' (U+260E) at position 0"},
      {"call.make", {{"number", std::string(32, '1')}}, "number is 32 digits; span 1 (euroisdn_e1) carries at most 31"},
      {"call.make", {{"number", std::string(60000, '1')}}, "number is 60000 digits; span 1 (euroisdn_e1) carries"},
      {"sim.call", {{"span", 1}, {"number", "12 3"}}, "number has ' ' (U+0020) at position 2"},
      {"sim.call", {{"span", 1}, {"number", "1"}, {"calling", std::string(100, '2')}}, "calling is 100 digits"},
  };
  for (const Case& c : cases) {
    auto r = client_->Call(c.method, c.params);
    ASSERT_FALSE(r.ok()) << c.method << " " << c.params.dump().substr(0, 80);
    EXPECT_EQ(r.error().name, "InvalidParams");
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(client_->Ok("call.list").empty()) << "a refused call leaves no record";
  // A SETUP goes out as soon as a call is accepted: none may have.
  const auto wire = Q931Messages(daemons_->Frames(), 0, 1);
  EXPECT_TRUE(Find(wire, q931::FrameDirection::kSent, q931::msg::kSetup).empty());
  EXPECT_TRUE(Find(wire, q931::FrameDirection::kReceived, q931::msg::kSetup).empty());
}

TEST_F(ApiErrorTest, TheLongestNumbersTheSpanCarriesGoOnTheWireDigitForDigit) {
  StartDefault();
  const std::string number = "*#" + std::string(29, '9');  // 31: libpri's PRI_MAX_NUMBER_LEN - 1
  const std::string calling = "0123456789012345678901234567890";
  const std::uint64_t call = client_->Ok("call.make", {{"number", number}, {"calling", calling}})["call"];
  ASSERT_TRUE(WaitWire(*daemons_, 0, 1, q931::FrameDirection::kSent, q931::msg::kSetup));
  const auto setups = Find(Q931Messages(daemons_->Frames(), 0, 1), q931::FrameDirection::kSent, q931::msg::kSetup);
  ASSERT_EQ(setups.size(), 1u);
  EXPECT_EQ(WireDigits(setups[0], q931::ie::kCalledPartyNumber), number);
  EXPECT_EQ(WireDigits(setups[0], q931::ie::kCallingPartyNumber), calling);
  // The record keeps what went on the wire.
  const json record = client_->Ok("call.info", {{"call", call}});
  EXPECT_EQ(record["called"], number);
  EXPECT_EQ(record["calling"], calling);
}

TEST_F(ApiErrorTest, AParameterGivenTwiceIsInvalidParams) {
  StartDefault();
  ASSERT_TRUE(client_->raw().SendRaw(
      R"({"jsonrpc":"2.0","id":4,"method":"call.drop","params":{"call":1,"cause":16,"call":2}})" "\n"));
  auto line = client_->raw().ReadLine(kWaitMs);
  ASSERT_TRUE(line);
  auto reply = json::parse(*line);
  EXPECT_EQ(reply["id"], 4);
  EXPECT_EQ(reply["error"]["data"]["name"], "InvalidParams");
  EXPECT_EQ(reply["error"]["message"], "parameter 'call' is given twice");
}

TEST_F(ApiErrorTest, UnknownOrForeignCallIsInvalidCallHandle) {
  StartDefault();
  EXPECT_EQ(client_->ErrorName("call.info", {{"call", 999}}), "InvalidCallHandle");
  const std::uint64_t call = ConnectedCall();
  ApiClient stranger(dir_.File("prid.sock"));
  for (const char* method : {"call.info", "call.drop", "call.answer", "call.alert", "call.deallocate"}) {
    EXPECT_EQ(stranger.ErrorName(method, {{"call", call}}), "InvalidCallHandle") << method;
  }
}

TEST_F(ApiErrorTest, OperationsOutOfStateAreInvalidCallState) {
  StartDefault();
  const std::uint64_t call = ConnectedCall();
  EXPECT_EQ(client_->ErrorName("call.alert", {{"call", call}}), "InvalidCallState");
  EXPECT_EQ(client_->ErrorName("call.answer", {{"call", call}}), "InvalidCallState");
  EXPECT_EQ(client_->ErrorName("call.deallocate", {{"call", call}}), "InvalidCallState");
  client_->Ok("call.drop", {{"call", call}});
  ASSERT_TRUE(client_->WaitState(call, "idle"));
  EXPECT_EQ(client_->ErrorName("call.drop", {{"call", call}}), "InvalidCallState");
  client_->Ok("call.deallocate", {{"call", call}});
  EXPECT_EQ(client_->ErrorName("call.info", {{"call", call}}), "InvalidCallHandle");
}

TEST_F(ApiErrorTest, MonitorChangingACallIsNotOwner) {
  StartDefault();
  ApiClient monitor(dir_.File("prid.sock"));
  monitor.Ok("line.open", {{"span", 1}, {"privilege", "monitor"}});
  client_->Ok("sim.call", {{"span", 1}, {"number", "1"}});
  auto offered = monitor.WaitNew();
  ASSERT_TRUE(offered);
  EXPECT_EQ((*offered)["privilege"], "monitor");
  for (const char* method : {"call.alert", "call.answer", "call.drop"}) {
    EXPECT_EQ(monitor.ErrorName(method, {{"call", (*offered)["call"]}}), "NotOwner") << method;
  }
  monitor.Ok("call.deallocate", {{"call", (*offered)["call"]}});
}

TEST_F(ApiErrorTest, UuiOverTheSpanLimitIsUserUserInfoTooBig) {
  daemon::SpanConfig span = SimSpan(1);
  span.uui_max = 35;
  Start({span});
  ASSERT_TRUE(WaitSpanUp(dir_.File("prid.sock"), 1));
  auto r = client_->Call("call.make", {{"number", "1"}, {"uui", {{"text", std::string(36, 'u')}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "UserUserInfoTooBig");
  EXPECT_EQ(r.error().data["max"], 35);
  EXPECT_EQ(client_->Ok("daemon.status")["calls"]["records"], 0);
}

TEST_F(ApiErrorTest, FarEndUuiOverTheSpanLimitIsUserUserInfoTooBig) {
  StartDefault();
  const json big = {{"hex", std::string(2 * 300, 'a')}};
  for (const auto& [method, params] : std::vector<std::pair<std::string, json>>{
           {"sim.call", {{"span", 1}, {"number", "1"}, {"uui", big}}},
           {"sim.policy", {{"span", 1}, {"on_setup", "answer"}, {"uui", big}}}}) {
    auto r = client_->Call(method, params);
    ASSERT_FALSE(r.ok()) << method;
    EXPECT_EQ(r.error().name, "UserUserInfoTooBig") << method;
    EXPECT_EQ(r.error().data["max"], 128);
  }
  const std::uint64_t call = ConnectedCall();
  EXPECT_EQ(client_->ErrorName("sim.drop", {{"call", call}, {"uui", big}}), "UserUserInfoTooBig");
  EXPECT_EQ(client_->Ok("call.info", {{"call", call}})["state"], "connected") << "nothing was sent";
}

TEST_F(ApiErrorTest, UuiOnASpanWithoutUuiIsOperationUnavailable) {
  daemon::SpanConfig span = SimSpan(1);
  span.uui = false;
  daemon::SpanConfig listening = SimSpan(2);
  listening.peer.clear();
  listening.listen = dir_.File("span2.seq");
  Start({span, listening});
  ASSERT_TRUE(WaitSpanUp(dir_.File("prid.sock"), 1));
  EXPECT_EQ(client_->ErrorName("call.make", {{"number", "1"}, {"uui", {{"text", "x"}}}}), "OperationUnavailable");
  // sim.* only exist where the far end is built in.
  EXPECT_EQ(client_->ErrorName("sim.call", {{"span", 2}, {"number", "1"}}), "OperationUnavailable");
  EXPECT_EQ(client_->ErrorName("sim.policy", {{"span", 2}, {"on_setup", "busy"}}), "OperationUnavailable");
}

// The built-in far end collects digits only where the variant has overlap
// dialling.
TEST_F(ApiErrorTest, FarEndOverlapOnAVariantWithoutItIsInvalidParams) {
  Start({SimSpan(1, daemon::NodeType::kCpe, daemon::SwitchVariant::kNi2)});
  auto r = client_->Call("sim.policy", {{"span", 1}, {"on_setup", "answer"}, {"overlap", true}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "InvalidParams");
  EXPECT_NE(r.error().message.find("switch variant ni2 has no overlap dialling"), std::string::npos)
      << r.error().message;
  client_->Ok("sim.policy", {{"span", 1}, {"on_setup", "answer"}, {"overlap", false}});
}

TEST_F(ApiErrorTest, NoFreeChannelIsResourceUnavailable) {
  daemon::SpanConfig span = SimSpan(1);
  span.bchannels = {1, 2};
  Start({span});
  ASSERT_TRUE(WaitSpanUp(dir_.File("prid.sock"), 1));
  client_->Ok("sim.policy", {{"span", 1}, {"on_setup", "alert"}});
  client_->Ok("call.make", {{"number", "1"}});
  client_->Ok("call.make", {{"number", "2"}});
  EXPECT_EQ(client_->ErrorName("call.make", {{"number", "3"}}), "ResourceUnavailable");
  EXPECT_EQ(client_->ErrorName("call.make", {{"number", "4"}, {"channel", 1}}), "ResourceUnavailable");
  EXPECT_EQ(client_->Ok("daemon.status")["calls"]["records"], 2) << "the refused calls left no record";
}

TEST_F(ApiErrorTest, CallOnASpanWhoseDchannelIsDownIsSpanDown) {
  daemon::SpanConfig span = SimSpan(1);
  span.peer.clear();
  span.connect = dir_.File("nobody-listens.seq");
  Start({span});
  client_->Ok("line.open", {{"span", 1}});
  EXPECT_EQ(client_->Ok("span.list")[0]["state"], "down");
  EXPECT_EQ(client_->ErrorName("call.make", {{"number", "1"}}), "SpanDown");
}

TEST_F(ApiErrorTest, SinceOlderThanTheBufferIsEventsLost) {
  Start({SimSpan(1)}, /*event_buffer=*/4);
  ASSERT_TRUE(WaitSpanUp(dir_.File("prid.sock"), 1));
  client_->Ok("line.open", {{"span", 1}});
  for (int i = 0; i < 3; ++i) {
    auto made = client_->Ok("call.make", {{"number", "1"}});
    ASSERT_TRUE(client_->WaitState(made["call"], "connected"));
  }
  auto r = client_->Call("events.subscribe", {{"since", 1}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "EventsLost");
  EXPECT_GT(r.error().data["oldest"].get<int>(), 2);
  // From the oldest available it replays.
  auto ok = client_->Call("events.subscribe", {{"since", r.error().data["oldest"].get<int>() - 1}});
  EXPECT_TRUE(ok.ok());
}

}  // namespace
}  // namespace prid::testing
