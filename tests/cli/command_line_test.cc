// Tests for prictl's command-line grammar: each command and option becomes
// the right request, and bad usage exits 2 with a message.
#include "cli/command_line.h"

#include <gtest/gtest.h>

#include <sstream>

#include "prid_build_config.h"

namespace prid::cli {
namespace {

using nlohmann::json;

struct Parsed {
  ParseOutcome outcome;
  std::string out;
  std::string err;
};

Parsed Parse(const std::vector<std::string>& args, Grammar grammar = Grammar::kCommandLine) {
  std::ostringstream out;
  std::ostringstream err;
  Parsed parsed{ParseCommandLine(args, grammar, "/default.sock", out, err), "", ""};
  parsed.out = out.str();
  parsed.err = err.str();
  return parsed;
}

// The command of a parse that must succeed.
Command Ok(const std::vector<std::string>& args, Grammar grammar = Grammar::kCommandLine) {
  Parsed parsed = Parse(args, grammar);
  EXPECT_TRUE(parsed.outcome.invocation.has_value()) << parsed.err;
  if (!parsed.outcome.invocation) return {};
  return parsed.outcome.invocation->command;
}

// The stderr of a parse that must fail with a usage error.
std::string UsageError(const std::vector<std::string>& args,
                       Grammar grammar = Grammar::kCommandLine) {
  Parsed parsed = Parse(args, grammar);
  EXPECT_FALSE(parsed.outcome.invocation.has_value());
  EXPECT_EQ(parsed.outcome.exit_code, 2);
  EXPECT_FALSE(parsed.err.empty());
  return parsed.err;
}

TEST(DefaultSocketPath, EnvironmentWins) {
  EXPECT_EQ(DefaultSocketPath("/tmp/x.sock"), "/tmp/x.sock");
}

TEST(DefaultSocketPath, UnsetOrEmptyGivesRunPrid) {
  EXPECT_EQ(DefaultSocketPath(nullptr), "/run/prid/prid.sock");
  EXPECT_EQ(DefaultSocketPath(""), "/run/prid/prid.sock");
}

TEST(CommandLine, SocketDefaultsToTheGivenDefault) {
  Parsed parsed = Parse({"status"});
  ASSERT_TRUE(parsed.outcome.invocation);
  EXPECT_EQ(parsed.outcome.invocation->socket, "/default.sock");
  EXPECT_FALSE(parsed.outcome.invocation->json);
}

TEST(CommandLine, GlobalOptionsBeforeTheCommand) {
  Parsed parsed = Parse({"--socket", "/s", "--json", "spans"});
  ASSERT_TRUE(parsed.outcome.invocation);
  EXPECT_EQ(parsed.outcome.invocation->socket, "/s");
  EXPECT_TRUE(parsed.outcome.invocation->json);
}

TEST(CommandLine, GlobalOptionsAfterTheCommand) {
  Parsed parsed = Parse({"calls", "--json", "--socket", "/s"});
  ASSERT_TRUE(parsed.outcome.invocation);
  EXPECT_EQ(parsed.outcome.invocation->socket, "/s");
  EXPECT_TRUE(parsed.outcome.invocation->json);
}

TEST(CommandLine, VersionPrintsPrictlAndVersion) {
  Parsed parsed = Parse({"--version"});
  EXPECT_FALSE(parsed.outcome.invocation);
  EXPECT_EQ(parsed.outcome.exit_code, 0);
  EXPECT_EQ(parsed.out, std::string("prictl ") + PRID_VERSION + "\n");
}

TEST(CommandLine, HelpExitsZeroAndListsCommands) {
  Parsed parsed = Parse({"--help"});
  EXPECT_FALSE(parsed.outcome.invocation);
  EXPECT_EQ(parsed.outcome.exit_code, 0);
  EXPECT_NE(parsed.out.find("events"), std::string::npos);
}

TEST(CommandLine, NoCommandIsAUsageError) { UsageError({}); }

TEST(CommandLine, UnknownCommandIsAUsageError) { UsageError({"frobnicate"}); }

TEST(CommandLine, UnknownCommandIsNamedWithTheClosestCommand) {
  EXPECT_EQ(UsageError({"spnas"}), "prictl: unknown command 'spnas'; did you mean 'spans'?\n");
  EXPECT_EQ(UsageError({"--json", "stauts"}), "prictl: unknown command 'stauts'; did you mean 'status'?\n");
}

TEST(CommandLine, UnknownCommandFarFromEveryCommandIsNamedWithoutAGuess) {
  std::string err = UsageError({"frobnicate"});
  EXPECT_NE(err.find("unknown command 'frobnicate'"), std::string::npos) << err;
  EXPECT_EQ(err.find("did you mean"), std::string::npos) << err;
}

TEST(CommandLine, UnknownSubcommandIsNamedWithItsCommand) {
  EXPECT_EQ(UsageError({"conf", "crate", "1", "2"}),
            "prictl: unknown command 'conf crate'; did you mean 'conf create'?\n");
}

TEST(CommandLine, UnknownOptionIsNamed) {
  EXPECT_EQ(UsageError({"--bogus"}), "prictl: unknown option '--bogus'\n");
  EXPECT_EQ(UsageError({"spans", "--bogus"}), "prictl: unknown option '--bogus'\n");
  EXPECT_EQ(UsageError({"calls", "--al"}), "prictl: unknown option '--al'; did you mean '--all'?\n");
  EXPECT_EQ(UsageError({"--jsno", "spans"}), "prictl: unknown option '--jsno'; did you mean '--json'?\n");
}

TEST(CommandLine, NoCommandSaysWhereTheyAreListed) {
  EXPECT_EQ(UsageError({}), "prictl: a command is needed; prictl --help lists them\n");
  EXPECT_NE(UsageError({"sim"}).find("sim needs a command"), std::string::npos);
}

TEST(CommandLine, NonNumericArgumentsAreNamedPlainly) {
  EXPECT_EQ(UsageError({"span", "abc"}), "prictl: span must be a number from 1 to 255, not 'abc'\n");
  EXPECT_EQ(UsageError({"span", "256"}), "prictl: span must be a number from 1 to 255, not '256'\n");
  EXPECT_EQ(UsageError({"info", "abc"}), "prictl: call id must be a whole number from 1 up, not 'abc'\n");
  EXPECT_EQ(UsageError({"restart", "1", "x"}), "prictl: B-channel must be a number from 1 to 31, not 'x'\n");
  EXPECT_EQ(UsageError({"cdr", "--cause", "300"}),
            "prictl: --cause must be a number from 1 to 127, not '300'\n");
  EXPECT_EQ(UsageError({"events", "--since", "-1"}),
            "prictl: --since must be a whole number from 0 up, not '-1'\n");
  EXPECT_EQ(UsageError({"trace", "--count", "many"}),
            "prictl: --count must be a whole number from 1 up, not 'many'\n");
}

TEST(CommandLine, RunHelpListsTheScriptCommands) {
  Parsed parsed = Parse({"run", "--help"});
  EXPECT_FALSE(parsed.outcome.invocation);
  EXPECT_EQ(parsed.outcome.exit_code, 0);
  EXPECT_NE(parsed.out.find("Script commands"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("  wait "), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("  conf create "), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("  answer "), std::string::npos) << parsed.out;
}

TEST(CommandLine, StatusView) {
  Command command = Ok({"status"});
  EXPECT_EQ(command.action, Action::kRequest);
  EXPECT_EQ(command.request.method, "daemon.status");
  EXPECT_EQ(command.view, View::kStatus);
}

TEST(CommandLine, SpansView) {
  Command command = Ok({"spans"});
  EXPECT_EQ(command.request.method, "span.list");
  EXPECT_EQ(command.view, View::kSpans);
}

TEST(CommandLine, CallsWithState) {
  Command command = Ok({"calls", "--state", "idle"});
  EXPECT_EQ(command.request.method, "call.list");
  EXPECT_EQ(command.request.params, json({{"state", "idle"}}));
  EXPECT_EQ(command.view, View::kCalls);
}

TEST(CommandLine, CallsWithUnknownStateIsAUsageError) {
  EXPECT_NE(UsageError({"calls", "--state", "ringing"}).find("unknown call state"),
            std::string::npos);
}

TEST(CommandLine, Info) {
  Command command = Ok({"info", "42"});
  EXPECT_EQ(command.request.method, "call.info");
  EXPECT_EQ(command.request.params, json({{"call", 42}}));
  EXPECT_EQ(command.view, View::kCallInfo);
}

TEST(CommandLine, InfoNeedsAnId) { UsageError({"info"}); }

TEST(CommandLine, NonNumericIdIsAUsageError) { UsageError({"info", "abc"}); }

TEST(CommandLine, ZeroIdIsAUsageError) { UsageError({"alert", "0"}); }

TEST(CommandLine, OpenAsOwner) {
  Command command = Ok({"open", "1"});
  EXPECT_EQ(command.request.method, "line.open");
  EXPECT_EQ(command.request.params, json({{"span", 1}, {"privilege", "owner"}}));
}

TEST(CommandLine, OpenAsMonitor) {
  EXPECT_EQ(Ok({"open", "2", "--monitor"}).request.params,
            json({{"span", 2}, {"privilege", "monitor"}}));
}

TEST(CommandLine, Close) {
  Command command = Ok({"close", "1"});
  EXPECT_EQ(command.request.method, "line.close");
  EXPECT_EQ(command.request.params, json({{"span", 1}}));
}

TEST(CommandLine, CallWithEveryOption) {
  Command command = Ok({"call", "5551234", "--span", "1", "--calling", "100", "--bearer",
                        "digital", "--uui-hex", "0102", "--pd", "0"});
  EXPECT_EQ(command.request.method, "call.make");
  EXPECT_EQ(command.request.params, json({{"number", "5551234"},
                                          {"span", 1},
                                          {"calling", "100"},
                                          {"bearer", "digital"},
                                          {"uui", {{"hex", "0102"}, {"pd", 0}}}}));
  EXPECT_EQ(command.view, View::kCallId);
}

TEST(CommandLine, CallWithPartyAttributes) {
  Command command = Ok({"call", "301234", "--ton", "national", "--npi", "e164", "--calling", "55", "--calling-ton",
                        "subscriber", "--calling-npi", "e164", "--present", "restricted"});
  EXPECT_EQ(command.request.params,
            json({{"number", {{"digits", "301234"}, {"ton", "national"}, {"npi", "e164"}}},
                  {"calling",
                   {{"digits", "55"}, {"ton", "subscriber"}, {"npi", "e164"}, {"presentation", "restricted"}}}}));
}

TEST(CommandLine, CallWithUuiTextOnly) {
  EXPECT_EQ(Ok({"call", "100", "--uui-text", "hello world"}).request.params,
            json({{"number", "100"}, {"uui", {{"text", "hello world"}}}}));
}

TEST(CommandLine, UuiTextAndHexTogetherIsAUsageError) {
  EXPECT_NE(UsageError({"call", "100", "--uui-text", "a", "--uui-hex", "61"}).find("excludes"),
            std::string::npos);
}

TEST(CommandLine, BadUuiHexIsAUsageErrorNamingTheOption) {
  EXPECT_NE(UsageError({"answer", "3", "--uui-hex", "abc"}).find("--uui-hex"),
            std::string::npos);
}

TEST(CommandLine, PdOutOfRangeIsAUsageError) {
  UsageError({"answer", "3", "--uui-text", "a", "--pd", "300"});
}

TEST(CommandLine, Alert) {
  Command command = Ok({"alert", "3"});
  EXPECT_EQ(command.request.method, "call.alert");
  EXPECT_EQ(command.request.params, json({{"call", 3}}));
}

TEST(CommandLine, AnswerWithUui) {
  Command command = Ok({"answer", "3", "--uui-text", "hi"});
  EXPECT_EQ(command.request.method, "call.answer");
  EXPECT_EQ(command.request.params, json({{"call", 3}, {"uui", {{"text", "hi"}}}}));
}

TEST(CommandLine, DropWithCauseNameAndUui) {
  Command command = Ok({"drop", "3", "--cause", "rejected", "--uui-text", "no"});
  EXPECT_EQ(command.request.method, "call.drop");
  EXPECT_EQ(command.request.params,
            json({{"call", 3}, {"cause", "rejected"}, {"uui", {{"text", "no"}}}}));
}

TEST(CommandLine, DropWithCauseNumber) {
  EXPECT_EQ(Ok({"drop", "3", "--cause", "31"}).request.params, json({{"call", 3}, {"cause", 31}}));
}

TEST(CommandLine, DropWithBadCauseIsAUsageError) {
  EXPECT_NE(UsageError({"drop", "3", "--cause", "0"}).find("1-127"), std::string::npos);
}

TEST(CommandLine, Dealloc) {
  Command command = Ok({"dealloc", "3"});
  EXPECT_EQ(command.request.method, "call.deallocate");
  EXPECT_EQ(command.request.params, json({{"call", 3}}));
}

TEST(CommandLine, EventsWithoutOptions) {
  Command command = Ok({"events"});
  EXPECT_EQ(command.action, Action::kEvents);
  EXPECT_EQ(command.request.method, "events.subscribe");
  EXPECT_EQ(command.request.params, json::object());
  EXPECT_FALSE(command.follow);
}

TEST(CommandLine, EventsWithEveryOption) {
  Command command = Ok({"events", "--follow", "--since", "0", "--span", "1", "--call", "7"});
  EXPECT_EQ(command.action, Action::kEvents);
  EXPECT_EQ(command.request.params, json({{"since", 0}, {"span", 1}, {"call", 7}}));
  EXPECT_TRUE(command.follow);
}

TEST(CommandLine, EventsSinceAnInstanceOnAMonitorLine) {
  Command command = Ok({"events", "--since", "5", "--instance", "00ff", "--monitor", "2"});
  EXPECT_EQ(command.request.params, json({{"since", 5}, {"instance", "00ff"}}));
  ASSERT_TRUE(command.setup.has_value());
  EXPECT_EQ(command.setup->method, "line.open");
  EXPECT_EQ(command.setup->params, json({{"span", 2}, {"privilege", "monitor"}}));
  EXPECT_FALSE(Ok({"events"}).setup.has_value());
}

TEST(CommandLine, SimCall) {
  Command command = Ok({"sim", "call", "1", "200", "--calling", "300", "--uui-text", "x"});
  EXPECT_EQ(command.request.method, "sim.call");
  EXPECT_EQ(command.request.params, json({{"span", 1},
                                          {"number", "200"},
                                          {"calling", "300"},
                                          {"uui", {{"text", "x"}}}}));
}

TEST(CommandLine, SimCallWithAttributes) {
  Command command = Ok({"sim", "call", "1", "200", "--ton", "national", "--npi", "e164", "--calling", "300",
                        "--calling-ton", "subscriber", "--present", "restricted", "--redirecting", "400",
                        "--redirecting-reason", "busy", "--display", "Desk", "--preferred"});
  EXPECT_EQ(command.request.params,
            json({{"span", 1},
                  {"number", {{"digits", "200"}, {"ton", "national"}, {"npi", "e164"}}},
                  {"calling", {{"digits", "300"}, {"ton", "subscriber"}, {"presentation", "restricted"}}},
                  {"redirecting", {{"digits", "400"}, {"reason", "busy"}}},
                  {"display", "Desk"},
                  {"preferred", true}}));
}

TEST(CommandLine, SimCallRedirectingReasonNeedsTheNumber) {
  EXPECT_NE(UsageError({"sim", "call", "1", "200", "--redirecting-reason", "busy"}).find("--redirecting"),
            std::string::npos);
}

TEST(CommandLine, SimCallUnknownRedirectingReasonIsAUsageErrorListingTheReasons) {
  const std::string error = UsageError({"sim", "call", "1", "200", "--redirecting", "4", "--redirecting-reason", "whim"});
  EXPECT_NE(error.find("--redirecting-reason must be one of"), std::string::npos) << error;
  EXPECT_NE(error.find("no_reply"), std::string::npos) << error;
}

TEST(CommandLine, SimDrop) {
  Command command = Ok({"sim", "drop", "4", "--cause", "17", "--uui-hex", "ff"});
  EXPECT_EQ(command.request.method, "sim.drop");
  EXPECT_EQ(command.request.params,
            json({{"call", 4}, {"cause", 17}, {"uui", {{"hex", "ff"}}}}));
}

TEST(CommandLine, SimPolicy) {
  Command command = Ok({"sim", "policy", "1", "busy", "--delay-ms", "100"});
  EXPECT_EQ(command.request.method, "sim.policy");
  EXPECT_EQ(command.request.params,
            json({{"span", 1}, {"on_setup", "busy"}, {"delay_ms", 100}}));
}

TEST(CommandLine, SimPolicyOverlap) {
  Command command = Ok({"sim", "policy", "1", "answer", "--overlap"});
  EXPECT_EQ(command.request.params, json({{"span", 1}, {"on_setup", "answer"}, {"overlap", true}}));
}

TEST(CommandLine, SimPolicyUnknownActionIsAUsageError) {
  UsageError({"sim", "policy", "1", "hangup"});
}

TEST(CommandLine, SimWithoutSubcommandIsAUsageError) { UsageError({"sim"}); }

TEST(CommandLine, RunWithFile) {
  Command command = Ok({"run", "script.txt"});
  EXPECT_EQ(command.action, Action::kRun);
  EXPECT_EQ(command.script, "script.txt");
}

TEST(CommandLine, RunWithoutFileReadsStdin) { EXPECT_EQ(Ok({"run"}).script, "-"); }

TEST(CommandLine, WaitIsOnlyForScripts) {
  EXPECT_NE(UsageError({"wait", "connected"}).find("only a run script"), std::string::npos);
}

TEST(ScriptGrammar, RunIsNotAvailableInsideAScript) { UsageError({"run"}, Grammar::kScript); }

TEST(ScriptGrammar, GlobalOptionsAreNotAvailableInsideAScript) {
  UsageError({"--json", "status"}, Grammar::kScript);
}

TEST(ScriptGrammar, CommandsParseAsOnTheCommandLine) {
  Command command = Ok({"drop", "3", "--cause", "busy"}, Grammar::kScript);
  EXPECT_EQ(command.request.params, json({{"call", 3}, {"cause", "busy"}}));
}

TEST(ScriptGrammar, WaitStateDefaultsToCallVariableAndTenSeconds) {
  Command command = Ok({"wait", "connected"}, Grammar::kScript);
  EXPECT_EQ(command.action, Action::kWait);
  EXPECT_EQ(command.wait_for, "connected");
  EXPECT_FALSE(command.wait_call);
  EXPECT_EQ(command.timeout, std::chrono::milliseconds(10000));
}

TEST(ScriptGrammar, WaitStateWithIdAndTimeout) {
  Command command = Ok({"wait", "idle", "5", "--timeout", "2.5"}, Grammar::kScript);
  EXPECT_EQ(command.wait_for, "idle");
  EXPECT_EQ(command.wait_call, 5);
  EXPECT_EQ(command.timeout, std::chrono::milliseconds(2500));
}

TEST(ScriptGrammar, WaitNew) {
  Command command = Ok({"wait", "new", "--timeout", "1"}, Grammar::kScript);
  EXPECT_EQ(command.wait_for, "new");
  EXPECT_EQ(command.timeout, std::chrono::milliseconds(1000));
}

TEST(ScriptGrammar, WaitNewWithIdIsAUsageError) {
  UsageError({"wait", "new", "3"}, Grammar::kScript);
}

TEST(ScriptGrammar, WaitUnknownStateIsAUsageError) {
  UsageError({"wait", "ringing"}, Grammar::kScript);
  EXPECT_EQ(UsageError({"wait", "conected"}, Grammar::kScript),
            "prictl: wait: unknown call state 'conected': give one of collecting, offering, accepted, dialing, "
            "proceeding, ringback, connected, onhold, conferenced, disconnected, inactive, idle, "
            "or new\n");
}

TEST(ScriptGrammar, WaitNonPositiveTimeoutIsAUsageError) {
  UsageError({"wait", "idle", "--timeout", "0"}, Grammar::kScript);
}

TEST(ScriptGrammar, WaitTimeoutOverAWeekIsAUsageError) {
  UsageError({"wait", "idle", "--timeout", "1e12"}, Grammar::kScript);
}

}  // namespace
}  // namespace prid::cli

namespace prid::cli {
namespace {

TEST(CommandLine, ReloadSendsDaemonReload) {
  std::ostringstream out, err;
  ParseOutcome parsed = ParseCommandLine({"reload"}, Grammar::kCommandLine, "/default.sock", out, err);
  ASSERT_TRUE(parsed.invocation) << err.str();
  EXPECT_EQ(parsed.invocation->command.request.method, "daemon.reload");
  EXPECT_EQ(parsed.invocation->command.view, View::kReload);
}

TEST(CommandLine, SpanShowsOneSpanOfTheList) {
  Command c = Ok({"span", "2"});
  EXPECT_EQ(c.request.method, "span.list");
  EXPECT_EQ(c.view, View::kSpanDetail);
  EXPECT_EQ(c.detail_span, 2);
}

TEST(CommandLine, RestartWithAndWithoutChannel) {
  Command all = Ok({"restart", "1"});
  EXPECT_EQ(all.request.method, "span.restart");
  EXPECT_EQ(all.request.params, json({{"span", 1}}));
  Command one = Ok({"restart", "1", "5"});
  EXPECT_EQ(one.request.params, json({{"span", 1}, {"channel", 5}}));
}

TEST(CommandLine, ServiceInAndOut) {
  Command out = Ok({"service", "1", "3", "out"});
  EXPECT_EQ(out.request.method, "span.service");
  EXPECT_EQ(out.request.params, json({{"span", 1}, {"channel", 3}, {"service", "out"}}));
  EXPECT_EQ(Ok({"service", "2", "4", "in"}).request.params["service"], "in");
}

TEST(CommandLine, ServiceNeedsInOrOut) {
  EXPECT_NE(UsageError({"service", "1", "3", "maybe"}).find("service must be 'in' or 'out'"), std::string::npos);
  UsageError({"service", "1"});
}

}  // namespace
}  // namespace prid::cli

namespace prid::cli {
namespace {

TEST(CommandLine, ReplayTakesTheTraceAndItsOptions) {
  Command c = Ok({"replay", "call.pcap", "--side", "network", "--span", "3", "--link", "/run/x.link",
                  "--timeout", "1.5"});
  EXPECT_EQ(c.action, Action::kReplay);
  EXPECT_EQ(c.trace_file, "call.pcap");
  EXPECT_EQ(c.replay_side, "network");
  EXPECT_EQ(c.trace_span, 3);
  EXPECT_EQ(c.replay_link, "/run/x.link");
  EXPECT_EQ(c.timeout, std::chrono::milliseconds(1500));
  Command plain = Ok({"replay", "call.pcap"});
  EXPECT_FALSE(plain.replay_side.has_value());
  EXPECT_EQ(plain.timeout, std::chrono::milliseconds(5000));
}

TEST(CommandLine, ReplayRefusesAnUnknownSideAndIsNotForScripts) {
  EXPECT_NE(UsageError({"replay", "call.pcap", "--side", "both"}).find("--side"), std::string::npos);
  UsageError({"replay"});
  UsageError({"replay", "call.pcap"}, Grammar::kScript);
}

TEST(CommandLine, AlertAndAnswerProgressFlags) {
  EXPECT_EQ(Ok({"alert", "4", "--no-inband"}).request.params["inband"], false);
  EXPECT_EQ(Ok({"answer", "4", "--non-isdn"}).request.params["non_isdn"], true);
}

TEST(CommandLine, AnswersTakeAnotherChannelOnlyWhenAsked) {
  EXPECT_FALSE(Ok({"alert", "4"}).request.params.contains("channel"));
  EXPECT_EQ(Ok({"alert", "4", "--channel", "7"}).request.params["channel"], 7);
  EXPECT_EQ(Ok({"answer", "4", "--channel", "30"}).request.params["channel"], 30);
  Command proceed = Ok({"proceed", "4", "--channel", "2"});
  EXPECT_EQ(proceed.request.method, "call.proceed");
  EXPECT_EQ(proceed.request.params, (nlohmann::json{{"call", 4}, {"channel", 2}}));
  EXPECT_EQ(Ok({"proceed", "4"}).request.params, (nlohmann::json{{"call", 4}}));
  EXPECT_NE(UsageError({"answer", "4", "--channel", "32"}).find("--channel"), std::string::npos);
}

TEST(CommandLine, ProgressSendsItsIndicatorsInOrderWithACause) {
  Command command = Ok({"progress", "4", "1", "8", "--cause", "16"});
  EXPECT_EQ(command.request.method, "call.progress");
  EXPECT_EQ(command.request.params["progress"], (nlohmann::json{1, 8}));
  EXPECT_EQ(command.request.params["cause"], 16);
  EXPECT_FALSE(Ok({"progress", "4", "8"}).request.params.contains("cause"));
  UsageError({"progress", "4"});
  UsageError({"progress", "4", "1", "2", "8", "1"});
  EXPECT_NE(UsageError({"progress", "4", "200"}).find("1 to 127"), std::string::npos);
}

TEST(CommandLine, DialSendsItsDigitsAndSendingCompleteOnlyWhenAsked) {
  Command command = Ok({"dial", "4", "123#"});
  EXPECT_EQ(command.request.method, "call.dial");
  EXPECT_EQ(command.request.params, (nlohmann::json{{"call", 4}, {"digits", "123#"}}));
  EXPECT_EQ(Ok({"dial", "4", "9", "--complete"}).request.params,
            (nlohmann::json{{"call", 4}, {"digits", "9"}, {"complete", true}}));
  UsageError({"dial", "4"});
  UsageError({"dial"});
}

TEST(CommandLine, CallOverlapAsksForOverlapSending) {
  EXPECT_EQ(Ok({"call", "30", "--overlap"}).request.params, (nlohmann::json{{"number", "30"}, {"overlap", true}}));
  EXPECT_FALSE(Ok({"call", "30"}).request.params.contains("overlap"));
  EXPECT_EQ(Ok({"call", "30", "--calling", "2000", "--display", "Front desk"}).request.params,
            (nlohmann::json{{"number", "30"}, {"calling", "2000"}, {"display", "Front desk"}}));
  EXPECT_FALSE(Ok({"call", "30"}).request.params.contains("display"));
}

TEST(CommandLine, RedirectSendsTheNumberAndTheReasonOnlyWhenGiven) {
  Command command = Ok({"redirect", "4", "5551234", "--reason", "busy"});
  EXPECT_EQ(command.request.method, "call.redirect");
  EXPECT_EQ(command.request.params, (nlohmann::json{{"call", 4}, {"number", "5551234"}, {"reason", "busy"}}));
  EXPECT_EQ(Ok({"redirect", "4", "5551234"}).request.params, (nlohmann::json{{"call", 4}, {"number", "5551234"}}));
  UsageError({"redirect", "4"});
  EXPECT_NE(UsageError({"redirect", "4", "5551234", "--reason", "sideways"}).find("unconditional"), std::string::npos);
}

TEST(CommandLine, TransferNamesBothCalls) {
  Command command = Ok({"transfer", "4", "7"});
  EXPECT_EQ(command.request.method, "call.transfer");
  EXPECT_EQ(command.request.params, (nlohmann::json{{"call", 4}, {"to_call", 7}}));
  UsageError({"transfer", "4"});
  UsageError({"transfer", "4", "0"});
  UsageError({"transfer", "4", "x"});
}

}  // namespace
}  // namespace prid::cli
