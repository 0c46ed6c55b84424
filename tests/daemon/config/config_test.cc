// Tests of daemon/config: the example, every validation rule with its
// located message, defaults, the embedded default and channel lists.
#include "daemon/config/config.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace prid::daemon {
namespace {

using ::testing::AnyOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kSource = "test.conf";

DaemonConfig ParseOk(std::string_view text) {
  auto result = ParseConfig(text, kSource);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error());
  return result.ok() ? *result : DaemonConfig{};
}

std::string ErrorOf(std::string_view text) {
  auto result = ParseConfig(text, kSource);
  EXPECT_FALSE(result.ok()) << "parsed:\n" << text;
  return result.ok() ? std::string() : result.error();
}

// The error starts with "test.conf:<line>: ", names `key` and says `detail`.
void ExpectError(std::string_view text, int line, std::string_view key, std::string_view detail) {
  std::string error = ErrorOf(text);
  EXPECT_THAT(error, StartsWith(fmt::format("{}:{}: ", kSource, line)));
  EXPECT_THAT(error, HasSubstr(fmt::format("key '{}'", key)));
  EXPECT_THAT(error, HasSubstr(detail));
}

// A valid one-span file; tests append keys to its span (line 3 on).
constexpr std::string_view kSimSpan = R"([[span]]
span = 1
peer = "builtin"
)";

std::string SimSpanWith(std::string_view extra) {
  return std::string(kSimSpan) + std::string(extra);
}

// The file shown in the configuration brief.
constexpr std::string_view kBriefExample = R"([daemon]
socket = "/run/prid/prid.sock"
socket_group = "prid"
event_buffer = 65536
client_queue_bytes = 8388608
log_level = "notice"

[[span]]
span = 1
name = "office-pri"
driver = "sim"            # sim | dahdi
dchannel = 16             # dahdi only
bchannels = "1-15,17-31"
node = "cpe"              # cpe | network
switch = "euroisdn_e1"
appearance = "single"     # single | bridged
hunt = "ascending"        # ascending | descending | round_robin
release_timeout = 10.0    # seconds (0.1 … 300), integer or float accepted
uui = true
uui_max = 128
peer = "builtin"
)";

std::vector<int> E1BChannels() {
  std::vector<int> channels;
  for (int c = 1; c <= 31; ++c) {
    if (c != 16) channels.push_back(c);
  }
  return channels;
}

std::vector<int> Range(int first, int last) {
  std::vector<int> channels;
  for (int c = first; c <= last; ++c) channels.push_back(c);
  return channels;
}

// --- Whole files -------------------------------------------------------------

TEST(ConfigTest, DahdiSpanParsesToExpectedStruct) {
  DaemonConfig config = ParseOk(R"([daemon]
socket = "/run/prid/prid.sock"
socket_group = "prid"
supervisor_group = "operators"
event_buffer = 131072
client_queue_bytes = 4194304
max_connections_per_uid = 32
log_level = "debug"

[[span]]
span = 7
name = "office-pri"
driver = "dahdi"
dchannel = 16
bchannels = "1-15,17-31"
node = "network"
switch = "qsig"
appearance = "bridged"
hunt = "round_robin"
release_timeout = 2.5
uui = false
uui_max = 64
)");
  EXPECT_EQ(config.socket_path, "/run/prid/prid.sock");
  EXPECT_EQ(config.socket_group, "prid");
  EXPECT_EQ(config.supervisor_group, "operators");
  EXPECT_EQ(config.event_buffer, 131072u);
  EXPECT_EQ(config.client_queue_bytes, 4194304u);
  EXPECT_EQ(config.max_connections_per_uid, 32u);
  EXPECT_EQ(config.log_level, "debug");
  ASSERT_EQ(config.spans.size(), 1u);
  SpanConfig expected;
  expected.span = 7;
  expected.name = "office-pri";
  expected.driver = Driver::kDahdi;
  expected.dchannel = 16;
  expected.bchannels_text = "1-15,17-31";
  expected.bchannels = E1BChannels();
  expected.node = NodeType::kNetwork;
  expected.switch_variant = SwitchVariant::kQsig;
  expected.appearance = Appearance::kBridged;
  expected.hunt = HuntOrder::kRoundRobin;
  expected.release_timeout_s = 2.5;
  expected.uui = false;
  expected.uui_max = 64;
  EXPECT_EQ(config.spans[0], expected);
}

TEST(ConfigTest, BriefExampleParsesToExpectedStruct) {
  DaemonConfig config = ParseOk(kBriefExample);
  EXPECT_EQ(config.socket_path, "/run/prid/prid.sock");
  EXPECT_EQ(config.socket_group, "prid");
  EXPECT_EQ(config.event_buffer, 65536u);
  EXPECT_EQ(config.client_queue_bytes, 8388608u);
  EXPECT_EQ(config.log_level, "notice");
  ASSERT_EQ(config.spans.size(), 1u);
  SpanConfig expected;
  expected.span = 1;
  expected.name = "office-pri";
  expected.driver = Driver::kSim;
  expected.dchannel = 16;
  expected.bchannels_text = "1-15,17-31";
  expected.bchannels = E1BChannels();
  expected.node = NodeType::kCpe;
  expected.switch_variant = SwitchVariant::kEuroIsdnE1;
  expected.appearance = Appearance::kSingle;
  expected.hunt = HuntOrder::kAscending;
  expected.release_timeout_s = 10.0;
  expected.uui = true;
  expected.uui_max = 128;
  expected.peer = "builtin";
  EXPECT_EQ(config.spans[0], expected);
}

TEST(ConfigTest, SimSpanChecksDChannelRangeOnly) {
  EXPECT_EQ(ParseOk(SimSpanWith("dchannel = 5\nbchannels = \"1-31\"\n")).spans[0].dchannel, 5);
  ExpectError(SimSpanWith("dchannel = 0\n"), 4, "dchannel", "0 is out of range (1 to 31)");
}

TEST(ConfigTest, MinimalFileGetsDefaults) {
  DaemonConfig config = ParseOk(kSimSpan);
  DaemonConfig defaults;
  EXPECT_EQ(config.socket_path, defaults.socket_path);
  EXPECT_EQ(config.socket_group, "");
  EXPECT_EQ(config.supervisor_group, "");
  EXPECT_EQ(config.event_buffer, 65536u);
  EXPECT_EQ(config.client_queue_bytes, 8u << 20);
  EXPECT_EQ(config.max_connections_per_uid, 256u);
  EXPECT_EQ(config.log_level, "notice");
  ASSERT_EQ(config.spans.size(), 1u);
  const SpanConfig& span = config.spans[0];
  EXPECT_EQ(span.name, "span1");
  EXPECT_EQ(span.driver, Driver::kSim);
  EXPECT_EQ(span.switch_variant, SwitchVariant::kEuroIsdnE1);
  EXPECT_EQ(span.bchannels_text, "1-15,17-31");
  EXPECT_EQ(span.bchannels, E1BChannels());
  EXPECT_EQ(span.node, NodeType::kCpe);
  EXPECT_EQ(span.appearance, Appearance::kSingle);
  EXPECT_EQ(span.hunt, HuntOrder::kAscending);
  EXPECT_EQ(span.release_timeout_s, 10.0);
  EXPECT_TRUE(span.uui);
  EXPECT_EQ(span.uui_max, 128u);
}

TEST(ConfigTest, OverlapIsOffByDefaultAndOnlyWhereTheVariantHasIt) {
  EXPECT_FALSE(ParseOk(kSimSpan).spans[0].overlap);
  for (const char* variant : {"euroisdn_e1", "euroisdn_t1", "qsig"}) {
    EXPECT_TRUE(ParseOk(SimSpanWith(fmt::format("switch = \"{}\"\noverlap = true\n", variant))).spans[0].overlap)
        << variant;
  }
  for (const char* variant : {"ni2", "dms100", "5ess", "4ess", "ni1"}) {
    const std::string error = ErrorOf(SimSpanWith(fmt::format("switch = \"{}\"\noverlap = true\n", variant)));
    EXPECT_THAT(error, HasSubstr("'overlap'")) << error;
    EXPECT_THAT(error, HasSubstr(fmt::format("switch variant {} has no overlap dialling", variant))) << error;
  }
  EXPECT_FALSE(ParseOk(SimSpanWith("switch = \"ni2\"\noverlap = false\n")).spans[0].overlap);
}

// --- NFAS ------------------------------------------------------------------------

// Span 1 carries NFAS group 7's D-channel (interface 0), span 2 is interface 1.
constexpr std::string_view kNfasGroup = R"([[span]]
span = 1
switch = "ni2"
listen = "/tmp/nfas.seq"
nfas_group = 7
nfas_interface = 0
nfas_dchannel = "primary"
[[span]]
span = 2
switch = "ni2"
nfas_group = 7
nfas_interface = 1
)";

TEST(ConfigTest, NfasGroupGivesItsMembersEveryChannel) {
  DaemonConfig config = ParseOk(kNfasGroup);
  ASSERT_EQ(config.spans.size(), 2u);
  const SpanConfig& primary = config.spans[0];
  const SpanConfig& member = config.spans[1];
  EXPECT_EQ(primary.nfas_group, 7);
  EXPECT_EQ(primary.nfas_dchannel, NfasDchannel::kPrimary);
  EXPECT_FALSE(primary.nfas_member());
  EXPECT_EQ(primary.bchannels.size(), 23u) << "the primary keeps channel 24 for its D-channel";
  EXPECT_EQ(member.nfas_interface, 1);
  EXPECT_EQ(member.nfas_dchannel, NfasDchannel::kNone);
  EXPECT_TRUE(member.nfas_member());
  EXPECT_EQ(member.bchannels_text, "1-24");
  EXPECT_EQ(member.bchannels.size(), 24u);
  EXPECT_TRUE(member.listen.empty() && member.connect.empty() && member.peer.empty());
  EXPECT_EQ(ParseOk(kSimSpan).spans[0].nfas_group, 0);
}

TEST(ConfigTest, NfasBackupDchannelHasItsOwnLine) {
  DaemonConfig config = ParseOk(std::string(kNfasGroup) +
                                "[[span]]\nspan = 3\nswitch = \"ni2\"\nconnect = \"/tmp/nfas-backup.seq\"\n"
                                "nfas_group = 7\nnfas_interface = 2\nnfas_dchannel = \"backup\"\n");
  ASSERT_EQ(config.spans.size(), 3u);
  const SpanConfig& backup = config.spans[2];
  EXPECT_EQ(backup.nfas_dchannel, NfasDchannel::kBackup);
  EXPECT_FALSE(backup.nfas_member());
  EXPECT_EQ(backup.connect, "/tmp/nfas-backup.seq");
  EXPECT_EQ(backup.bchannels.size(), 23u) << "the backup keeps channel 24 for its D-channel";
  // One backup per group; it needs a line of its own like the primary.
  const std::string with_backup = std::string(kNfasGroup) +
                                  "[[span]]\nspan = 3\nswitch = \"ni2\"\nconnect = \"/tmp/b\"\nnfas_group = 7\n"
                                  "nfas_interface = 2\nnfas_dchannel = \"backup\"\n";
  ExpectError(with_backup + "[[span]]\nspan = 4\nswitch = \"ni2\"\nconnect = \"/tmp/c\"\nnfas_group = 7\n"
                            "nfas_interface = 3\nnfas_dchannel = \"backup\"\n",
              26, "nfas_dchannel", "NFAS group 7 has its backup D-channel on span 3 (line 19) already");
}

TEST(ConfigTest, NfasGroupsAreCheckedAcrossSpans) {
  const std::string group(kNfasGroup);
  // A second primary, a taken interface, a member that signals differently.
  ExpectError(group + "nfas_dchannel = \"primary\"\nconnect = \"/tmp/x\"\n", 13, "nfas_dchannel",
              "NFAS group 7 has its primary D-channel on span 1 (line 7) already");
  ExpectError(group + "[[span]]\nspan = 3\nswitch = \"ni2\"\nnfas_group = 7\nnfas_interface = 1\n", 17, "nfas_interface",
              "interface 1 of NFAS group 7 is already span 2's (line 12)");
  ExpectError(group + "[[span]]\nspan = 3\nswitch = \"5ess\"\nnfas_group = 7\nnfas_interface = 2\n", 16, "nfas_group",
              "NFAS group 7 has driver sim, switch ni2, node cpe (span 1, line 5); this span has sim, 5ess, cpe");
  // A group with no D-channel is named at its first span.
  ExpectError("[[span]]\nspan = 4\nswitch = \"ni2\"\nnfas_group = 2\nnfas_interface = 3\n", 4, "nfas_group",
              "NFAS group 2 has no D-channel: set nfas_dchannel = \"primary\"");
}

TEST(ConfigTest, NfasKeysAreCheckedPerSpan) {
  const std::string ni2 = "[[span]]\nspan = 1\nswitch = \"ni2\"\nlisten = \"/tmp/n\"\n";
  ExpectError(ni2 + "nfas_group = 1\n", 5, "nfas_group", "needs 'nfas_interface'");
  ExpectError(ni2 + "nfas_interface = 1\n", 5, "nfas_interface", "only with 'nfas_group'");
  ExpectError(ni2 + "nfas_dchannel = \"primary\"\n", 5, "nfas_dchannel", "only with 'nfas_group'");
  ExpectError(ni2 + "nfas_group = 1\nnfas_interface = 128\n", 6, "nfas_interface", "128 is out of range (0 to 127)");
  ExpectError(ni2 + "nfas_group = 256\nnfas_interface = 1\n", 5, "nfas_group", "256 is out of range (1 to 255)");
  ExpectError(ni2 + "nfas_group = 1\nnfas_interface = 1\nnfas_dchannel = \"spare\"\n", 7, "nfas_dchannel",
              "unknown variant 'spare' (expected one of none, primary, backup)");
  ExpectError(ni2 + "nfas_group = 1\nnfas_interface = 0\nnfas_dchannel = \"backup\"\n", 6, "nfas_interface",
              "only the group's primary span may have it");
  ExpectError("[[span]]\nspan = 1\nlisten = \"/tmp/n\"\nnfas_group = 1\nnfas_interface = 0\n", 4, "nfas_group",
              "NFAS groups T1 spans; switch variant euroisdn_e1 is an E1 one");
  // A member has no D-channel to configure.
  const std::string member = std::string(kNfasGroup);
  ExpectError(member + "connect = \"/tmp/y\"\n", 13, "connect", "span 2 has no D-channel of its own");
  ExpectError(member + "dchannel = 24\n", 13, "dchannel", "span 2 has no D-channel of its own");
  ExpectError("[[span]]\nspan = 4\nswitch = \"ni2\"\nnfas_group = 2\nnfas_interface = 0\n", 5, "nfas_interface",
              "only the group's primary span may have it");
  // The built-in far end does not do NFAS.
  ExpectError("[[span]]\nspan = 1\nswitch = \"ni2\"\npeer = \"builtin\"\nnfas_group = 1\nnfas_interface = 0\n"
              "nfas_dchannel = \"primary\"\n",
              4, "peer", "the built-in far end has no NFAS");
}

TEST(ConfigTest, SpansKeepFileOrder) {
  DaemonConfig config = ParseOk(R"([[span]]
span = 9
peer = "builtin"
[[span]]
span = 3
listen = "/tmp/s3.sock"
[[span]]
span = 5
connect = "/tmp/s3.sock"
)");
  ASSERT_EQ(config.spans.size(), 3u);
  EXPECT_EQ(config.spans[0].span, 9);
  EXPECT_EQ(config.spans[1].span, 3);
  EXPECT_EQ(config.spans[1].listen, "/tmp/s3.sock");
  EXPECT_EQ(config.spans[2].span, 5);
  EXPECT_EQ(config.spans[2].connect, "/tmp/s3.sock");
  EXPECT_EQ(config.spans[2].name, "span5");
}

TEST(ConfigTest, ExampleFileParses) {
  const char* path = std::getenv("PRID_EXAMPLE_CONFIG");
  ASSERT_NE(path, nullptr) << "PRID_EXAMPLE_CONFIG is not set (run through meson test)";
  auto result = LoadConfigFile(path);
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result->spans.size(), 2u);
  EXPECT_EQ(result->spans[0].driver, Driver::kDahdi);
  EXPECT_EQ(result->spans[1].driver, Driver::kSim);
  EXPECT_EQ(result->spans[1].peer, "builtin");

  // Every key is shown (commented out or not).
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  for (std::string_view key : {"socket",
                               "socket_group",
                               "supervisor_group",
                               "event_buffer",
                               "client_queue_bytes",
                               "max_connections_per_uid",
                               "log_level",
                               "sqlite",
                               "postgresql",
                               "jsonl",
                               "spool",
                               "spool_max_mb",
                               "span",
                               "name",
                               "driver",
                               "dchannel",
                               "bchannels",
                               "node",
                               "switch",
                               "appearance",
                               "hunt",
                               "dialplan",
                               "local_dialplan",
                               "release_timeout",
                               "uui",
                               "uui_max",
                               "peer",
                               "listen",
                               "connect",
                               "dahdi_channel",
                               "restart",
                               "t200",
                               "t203",
                               "t303",
                               "t305",
                               "t308",
                               "t309",
                               "t316",
                               "n316",
                               "nfas_group",
                               "nfas_interface",
                               "nfas_dchannel"}) {
    EXPECT_THAT(contents.str(), AnyOf(HasSubstr(fmt::format("\n{} = ", key)),
                                      HasSubstr(fmt::format("\n# {} = ", key))))
        << key;
  }
}

// --- [cdr] ---------------------------------------------------------------------

TEST(ConfigTest, WithoutCdrTableNoRecordsAreWritten) {
  auto result = ParseConfig(std::string(kSimSpan), kSource);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_FALSE(result->cdr.enabled);
}

TEST(ConfigTest, CdrTableNamesItsStoresAndDefaultsTheSpool) {
  auto result = ParseConfig("[cdr]\nsqlite = \"/var/lib/prid/cdr.sqlite\"\npostgresql = \"dbname=cdr\"\n"
                            "jsonl = \"/var/log/prid/cdr.jsonl\"\nspool_max_mb = 8\n" +
                                std::string(kSimSpan),
                            kSource);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->cdr.enabled);
  EXPECT_FALSE(result->cdr.optional);
  EXPECT_EQ(result->cdr.sqlite, "/var/lib/prid/cdr.sqlite");
  EXPECT_EQ(result->cdr.postgresql, "dbname=cdr");
  EXPECT_EQ(result->cdr.jsonl, "/var/log/prid/cdr.jsonl");
  EXPECT_EQ(result->cdr.spool_max_mb, 8u);
  EXPECT_THAT(result->cdr.spool, EndsWith("/lib/prid/cdr-spool"));
}

TEST(ConfigTest, CdrTableWithoutAStoreIsAnError) {
  std::string error = ErrorOf("[cdr]\nspool = \"/tmp/x\"\n" + std::string(kSimSpan));
  EXPECT_THAT(error, HasSubstr("[cdr] names no store"));
  EXPECT_THAT(error, StartsWith(std::string(kSource) + ":1: "));
}

TEST(ConfigTest, CdrPathsAreAbsolute) {
  ExpectError("[cdr]\nsqlite = \"cdr.sqlite\"\n" + std::string(kSimSpan), 2, "sqlite", "not an absolute path");
  ExpectError("[cdr]\njsonl = \"/x\"\nspool = \"spool\"\n" + std::string(kSimSpan), 3, "spool",
              "not an absolute path");
}

TEST(ConfigTest, CdrKeysAreChecked) {
  ExpectError("[cdr]\nsqlite = \"/x\"\nspool_max_mb = 0\n" + std::string(kSimSpan), 3, "spool_max_mb",
              "out of range");
  ExpectError("[cdr]\nsqlite = \"/x\"\nmysql = \"/y\"\n" + std::string(kSimSpan), 3, "mysql", "unknown");
  ExpectError("[cdr]\npostgresql = \"\"\n" + std::string(kSimSpan), 2, "postgresql", "must not be empty");
}

TEST(ConfigTest, EmbeddedDefaultWritesSqliteRecordsWhereItCan) {
  const DaemonConfig config = EmbeddedDefaultConfig();
  EXPECT_TRUE(config.cdr.enabled);
  EXPECT_TRUE(config.cdr.optional);
  EXPECT_THAT(config.cdr.sqlite, EndsWith("/lib/prid/cdr.sqlite"));
  EXPECT_THAT(config.cdr.spool, EndsWith("/lib/prid/cdr-spool"));
}

// --- TOML syntax ---------------------------------------------------------------

TEST(ConfigTest, SyntaxErrorGivesLineAndColumn) {
  std::string error = ErrorOf("[daemon]\nsocket = \n");
  EXPECT_THAT(error, StartsWith("test.conf:2:10: "));
  EXPECT_THAT(error, HasSubstr("expected"));
}

TEST(ConfigTest, DuplicateKeyIsSyntaxError) {
  std::string error = ErrorOf(SimSpanWith("uui = true\nuui = false\n"));
  EXPECT_THAT(error, StartsWith("test.conf:5:"));
}

// --- Tables and keys -----------------------------------------------------------

TEST(ConfigTest, UnknownTopLevelTable) {
  ExpectError(SimSpanWith("[dialplan]\nx = 1\n"), 4, "dialplan", "unknown table");
}

TEST(ConfigTest, UnknownTopLevelKey) {
  ExpectError("socket = \"/x\"\n" + std::string(kSimSpan), 1, "socket", "unknown key");
}

TEST(ConfigTest, UnknownDaemonKey) {
  ExpectError("[daemon]\nsocket = \"/x\"\nsockett = \"/y\"\n" + std::string(kSimSpan), 3, "sockett",
              "unknown key");
}

TEST(ConfigTest, UnknownSpanKeyIsTheFirstInTheFile) {
  std::string error = ErrorOf(SimSpanWith("zeta = 1\nalpha = 2\n"));
  EXPECT_THAT(error, StartsWith("test.conf:4: span 1: key 'zeta': unknown key"));
}

TEST(ConfigTest, UnknownSubTableInSpan) {
  ExpectError(SimSpanWith("[span.extra]\nx = 1\n"), 4, "extra", "unknown table");
}

TEST(ConfigTest, DaemonMustBeATable) {
  ExpectError("daemon = 5\n" + std::string(kSimSpan), 1, "daemon", "expected a table");
}

TEST(ConfigTest, SpanMustBeAnArrayOfTables) {
  ExpectError("[span]\nspan = 1\n", 1, "span",
              "expected an array of tables ([[span]]), got a table");
}

TEST(ConfigTest, SpanArrayOfValuesIsRefused) {
  ExpectError("span = [1, 2]\n", 1, "span", "got an array of values");
}

// No span is a valid state: the packaged template's, the socket alone.
TEST(ConfigTest, FileWithoutSpanParsesWithNoSpans) {
  DaemonConfig config = ParseOk("[daemon]\nlog_level = \"info\"\n");
  EXPECT_TRUE(config.spans.empty());
  EXPECT_EQ(config.log_level, "info");
}

TEST(ConfigTest, EmptyFileParsesWithNoSpans) { EXPECT_TRUE(ParseOk("").spans.empty()); }

TEST(ConfigTest, EmptySpanArrayParsesWithNoSpans) { EXPECT_TRUE(ParseOk("span = []\n").spans.empty()); }

// --- Groups of this host (check_groups: prid's start, --check-config) ----------

constexpr std::string_view kMissingGroup = "prid-test-no-such-group";

std::string DaemonWithGroup(std::string_view key, std::string_view group) {
  return fmt::format("[daemon]\nlog_level = \"info\"\n{} = \"{}\"\n", key, group) + std::string(kSimSpan);
}

std::string GroupErrorOf(std::string_view text) {
  auto result = ParseConfig(text, kSource, {.check_groups = true});
  EXPECT_FALSE(result.ok()) << "parsed:\n" << text;
  return result.ok() ? std::string() : result.error();
}

TEST(ConfigTest, MissingSocketGroupIsLocated) {
  EXPECT_EQ(GroupErrorOf(DaemonWithGroup("socket_group", kMissingGroup)),
            fmt::format("test.conf:3: [daemon]: key 'socket_group': group '{0}' does not exist on this host "
                        "(create it, e.g. groupadd {0}, or remove the key)",
                        kMissingGroup));
}

TEST(ConfigTest, MissingSupervisorGroupIsLocated) {
  EXPECT_THAT(GroupErrorOf(DaemonWithGroup("supervisor_group", kMissingGroup)),
              StartsWith(fmt::format("test.conf:3: [daemon]: key 'supervisor_group': group '{}' does not exist",
                                     kMissingGroup)));
}

TEST(ConfigTest, ExistingGroupsPass) {
  // Group 0 exists on every host, whatever its name.
  const std::string root_group = ::getgrgid(0)->gr_name;
  auto result = ParseConfig(fmt::format("[daemon]\nsocket_group = \"{0}\"\nsupervisor_group = \"{0}\"\n", root_group) +
                                std::string(kSimSpan),
                            kSource, {.check_groups = true});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->socket_group, root_group);
  EXPECT_EQ(result->supervisor_group, root_group);
}

TEST(ConfigTest, GroupsAreNotLookedUpUnlessAsked) {
  EXPECT_EQ(ParseOk(DaemonWithGroup("socket_group", kMissingGroup)).socket_group, kMissingGroup);
}

// --- Types ----------------------------------------------------------------------

TEST(ConfigTest, StringWhereIntegerExpected) {
  ExpectError("[daemon]\nevent_buffer = \"big\"\n" + std::string(kSimSpan), 2, "event_buffer",
              "expected an integer, got a string");
}

TEST(ConfigTest, FloatWhereIntegerExpected) {
  ExpectError(SimSpanWith("uui_max = 1.5\n"), 4, "uui_max",
              "expected an integer, got a floating-point number");
}

TEST(ConfigTest, IntegerWhereStringExpected) {
  ExpectError("[daemon]\nsocket = 5\n" + std::string(kSimSpan), 2, "socket",
              "expected a string, got an integer");
}

TEST(ConfigTest, StringWhereBooleanExpected) {
  ExpectError(SimSpanWith("uui = \"yes\"\n"), 4, "uui", "expected a boolean");
}

TEST(ConfigTest, StringWhereNumberExpected) {
  ExpectError(SimSpanWith("release_timeout = \"10s\"\n"), 4, "release_timeout",
              "expected a number, got a string");
}

TEST(ConfigTest, ArrayWhereChannelListExpected) {
  ExpectError(SimSpanWith("bchannels = [1, 2, 3]\n"), 4, "bchannels",
              "expected a string, got an array");
}

TEST(ConfigTest, StringSpanNumber) {
  ExpectError("[[span]]\nspan = \"1\"\npeer = \"builtin\"\n", 2, "span", "[[span]] #1");
}

// --- [daemon] values --------------------------------------------------------------

TEST(ConfigTest, EventBufferBelowMinimum) {
  ExpectError("[daemon]\nevent_buffer = 65535\n" + std::string(kSimSpan), 2, "event_buffer",
              "65535 is out of range (65536 to");
}

TEST(ConfigTest, EventBufferAboveMaximum) {
  ExpectError("[daemon]\nevent_buffer = 16777217\n" + std::string(kSimSpan), 2, "event_buffer",
              "out of range");
}

TEST(ConfigTest, ClientQueueBytesOutOfRange) {
  ExpectError("[daemon]\nclient_queue_bytes = 100\n" + std::string(kSimSpan), 2,
              "client_queue_bytes", "100 is out of range (4096 to 1073741824)");
}

TEST(ConfigTest, MaxConnectionsPerUidOfZeroIsRefused) {
  ExpectError("[daemon]\nmax_connections_per_uid = 0\n" + std::string(kSimSpan), 2,
              "max_connections_per_uid", "0 is out of range (1 to 65536)");
}

TEST(ConfigTest, MaxConnectionsPerUidAboveMaximumIsRefused) {
  ExpectError("[daemon]\nmax_connections_per_uid = 65537\n" + std::string(kSimSpan), 2,
              "max_connections_per_uid", "65537 is out of range (1 to 65536)");
}

TEST(ConfigTest, MaxConnectionsPerUidAtItsBoundsIsAccepted) {
  EXPECT_EQ(ParseOk("[daemon]\nmax_connections_per_uid = 1\n" + std::string(kSimSpan))
                .max_connections_per_uid,
            1u);
  EXPECT_EQ(ParseOk("[daemon]\nmax_connections_per_uid = 65536\n" + std::string(kSimSpan))
                .max_connections_per_uid,
            65536u);
}

TEST(ConfigTest, UnknownLogLevel) {
  ExpectError("[daemon]\nlog_level = \"verbose\"\n" + std::string(kSimSpan), 2, "log_level",
              "unknown level 'verbose' (expected one of error, warning, notice, info, debug)");
}

TEST(ConfigTest, EveryLogLevelIsAccepted) {
  for (std::string level : {"error", "warning", "notice", "info", "debug"}) {
    DaemonConfig config =
        ParseOk("[daemon]\nlog_level = \"" + level + "\"\n" + std::string(kSimSpan));
    EXPECT_EQ(config.log_level, level);
  }
}

TEST(ConfigTest, EmptySocketPath) {
  ExpectError("[daemon]\nsocket = \"\"\n" + std::string(kSimSpan), 2, "socket",
              "must not be empty");
}

TEST(ConfigTest, SocketPathTooLong) {
  ExpectError("[daemon]\nsocket = \"/" + std::string(120, 'x') + "\"\n" + std::string(kSimSpan), 2,
              "socket", "at most 107 fit");
}

// --- Span number and name ------------------------------------------------------------

TEST(ConfigTest, SpanNumberMissing) {
  ExpectError("[[span]]\npeer = \"builtin\"\n", 1, "span", "[[span]] #1: key 'span': missing");
}

TEST(ConfigTest, SpanNumberZero) {
  ExpectError("[[span]]\nspan = 0\npeer = \"builtin\"\n", 2, "span",
              "0 is out of range (1 to 255)");
}

TEST(ConfigTest, SpanNumberAbove255) {
  ExpectError("[[span]]\nspan = 256\npeer = \"builtin\"\n", 2, "span",
              "256 is out of range (1 to 255)");
}

TEST(ConfigTest, DuplicateSpanNumber) {
  ExpectError(std::string(kSimSpan) + "[[span]]\nspan = 1\npeer = \"builtin\"\n", 5, "span",
              "span 1: key 'span': span 1 is already defined on line 2");
}

TEST(ConfigTest, DuplicateName) {
  ExpectError(
      SimSpanWith("name = \"pri\"\n[[span]]\nspan = 2\nname = \"pri\"\npeer = \"builtin\"\n"), 7,
      "name", "span 2: key 'name': name 'pri' is already used on line 4");
}

TEST(ConfigTest, NameCollidingWithDefaultName) {
  // Span 2 has no name, so it gets "span2", which span 1 already took.
  ExpectError(SimSpanWith("name = \"span2\"\n[[span]]\nspan = 2\npeer = \"builtin\"\n"), 5, "name",
              "name 'span2' is already used on line 4");
}

TEST(ConfigTest, NameWithBadCharacters) {
  ExpectError(SimSpanWith("name = \"office pri\"\n"), 4, "name",
              "'office pri' is not a valid name");
}

TEST(ConfigTest, EmptyName) {
  ExpectError(SimSpanWith("name = \"\"\n"), 4, "name", "not a valid name");
}

// --- Enumerations ---------------------------------------------------------------------

TEST(ConfigTest, UnknownSwitchVariantMessage) {
  std::string text = std::string(kSimSpan) + R"(
# second span
[[span]]
span = 2
peer = "builtin"
node = "cpe"
hunt = "ascending"
appearance = "single"
uui = true
uui_max = 128
release_timeout = 10
switch = "ni3"
)";
  EXPECT_EQ(
      ErrorOf(text),
      "test.conf:15: span 2: key 'switch': unknown variant 'ni3' (expected one of ni2, dms100, "
      "5ess, 4ess, euroisdn_e1, euroisdn_t1, ni1, qsig)");
}

TEST(ConfigTest, UnknownDriver) {
  ExpectError(SimSpanWith("driver = \"zaptel\"\n"), 4, "driver",
              "unknown variant 'zaptel' (expected one of sim, dahdi)");
}

TEST(ConfigTest, UnknownNode) {
  ExpectError(SimSpanWith("node = \"user\"\n"), 4, "node",
              "unknown variant 'user' (expected one of cpe, network)");
}

TEST(ConfigTest, UnknownAppearance) {
  ExpectError(SimSpanWith("appearance = \"shared\"\n"), 4, "appearance",
              "unknown variant 'shared' (expected one of single, bridged)");
}

TEST(ConfigTest, UnknownHuntOrder) {
  ExpectError(SimSpanWith("hunt = \"random\"\n"), 4, "hunt",
              "unknown variant 'random' (expected one of ascending, descending, round_robin)");
}

TEST(ConfigTest, DialplansDefaultToUnknownAndReadEveryName) {
  auto plain = ParseConfig(std::string(kSimSpan), kSource);
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->spans[0].dialplan, Dialplan::kUnknown);
  EXPECT_EQ(plain->spans[0].local_dialplan, Dialplan::kUnknown);
  for (Dialplan d : {Dialplan::kUnknown, Dialplan::kNational, Dialplan::kInternational, Dialplan::kLocal,
                     Dialplan::kPrivate, Dialplan::kDynamic}) {
    auto result = ParseConfig(SimSpanWith(fmt::format("dialplan = \"{0}\"\nlocal_dialplan = \"{0}\"\n",
                                                      DialplanName(d))),
                              kSource);
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result->spans[0].dialplan, d) << DialplanName(d);
    EXPECT_EQ(result->spans[0].local_dialplan, d) << DialplanName(d);
  }
}

TEST(ConfigTest, UnknownDialplanNamesTheLineAndTheChoices) {
  ExpectError(SimSpanWith("dialplan = \"e164\"\n"), 4, "dialplan",
              "unknown variant 'e164' (expected one of unknown, national, international, local, private, dynamic)");
  ExpectError(SimSpanWith("local_dialplan = 3\n"), 4, "local_dialplan", "");
}

TEST(ConfigTest, EverySwitchVariantParses) {
  for (SwitchVariant s : {SwitchVariant::kNi2, SwitchVariant::kDms100, SwitchVariant::k5ess,
                          SwitchVariant::k4ess, SwitchVariant::kEuroIsdnE1,
                          SwitchVariant::kEuroIsdnT1, SwitchVariant::kNi1, SwitchVariant::kQsig}) {
    DaemonConfig config =
        ParseOk(SimSpanWith(fmt::format("switch = \"{}\"\n", SwitchVariantName(s))));
    ASSERT_EQ(config.spans.size(), 1u);
    EXPECT_EQ(config.spans[0].switch_variant, s);
  }
}

// --- Numbers ----------------------------------------------------------------------------

TEST(ConfigTest, ReleaseTimeoutAcceptsIntegerAndFloat) {
  EXPECT_EQ(ParseOk(SimSpanWith("release_timeout = 30\n")).spans[0].release_timeout_s, 30.0);
  EXPECT_EQ(ParseOk(SimSpanWith("release_timeout = 0.1\n")).spans[0].release_timeout_s, 0.1);
  EXPECT_EQ(ParseOk(SimSpanWith("release_timeout = 300\n")).spans[0].release_timeout_s, 300.0);
}

TEST(ConfigTest, LinkSettingsDefaults) {
  SpanConfig span = ParseOk(SimSpanWith("")).spans[0];
  EXPECT_FALSE(span.restart);
  EXPECT_EQ(span.t200_s, 1.0);
  EXPECT_EQ(span.t203_s, 10.0);
  EXPECT_EQ(span.t303_s, 4.0);
  EXPECT_EQ(span.t305_s, 30.0);
  EXPECT_EQ(span.t308_s, 4.0);
  EXPECT_EQ(span.t309_s, 6.0);
  EXPECT_EQ(span.t316_s, 120.0);
  EXPECT_EQ(span.n316, 2);
  EXPECT_EQ(span.dahdi_channel, 0);
}

TEST(ConfigTest, LinkSettingsAreRead) {
  SpanConfig span =
      ParseOk(SimSpanWith("restart = true\nt200 = 0.5\nt203 = 3\nt309 = 20\nt316 = 30\nn316 = 4\n")).spans[0];
  EXPECT_TRUE(span.restart);
  EXPECT_EQ(span.t200_s, 0.5);
  EXPECT_EQ(span.t203_s, 3.0);
  EXPECT_EQ(span.t309_s, 20.0);
  EXPECT_EQ(span.t316_s, 30.0);
  EXPECT_EQ(span.n316, 4);
}

TEST(ConfigTest, CallTimersAreRead) {
  SpanConfig span = ParseOk(SimSpanWith("t303 = 0.3\nt305 = 0.5\nt308 = 0.4\n")).spans[0];
  EXPECT_EQ(span.t303_s, 0.3);
  EXPECT_EQ(span.t305_s, 0.5);
  EXPECT_EQ(span.t308_s, 0.4);
}

TEST(ConfigTest, CallTimersOutOfRange) {
  ExpectError(SimSpanWith("t303 = 0.01\n"), 4, "t303", "out of range (0.05 to 600)");
  ExpectError(SimSpanWith("t305 = 601\n"), 4, "t305", "out of range (0.05 to 600)");
  ExpectError(SimSpanWith("t308 = 0\n"), 4, "t308", "out of range (0.05 to 600)");
  ExpectError(SimSpanWith("t308 = \"4\"\n"), 4, "t308", "");
}

TEST(ConfigTest, LinkSettingsOutOfRange) {
  ExpectError(SimSpanWith("t316 = 0.01\n"), 4, "t316", "out of range (0.05 to 600)");
  ExpectError(SimSpanWith("t203 = 601\n"), 4, "t203", "out of range");
  ExpectError(SimSpanWith("n316 = 0\n"), 4, "n316", "0 is out of range (1 to 10)");
  ExpectError(SimSpanWith("restart = 1\n"), 4, "restart", "");
}

TEST(ConfigTest, DahdiChannelOnlyForDahdi) {
  ExpectError(SimSpanWith("dahdi_channel = 47\n"), 4, "dahdi_channel", "only for driver 'dahdi'");
  SpanConfig span = ParseOk("[[span]]\nspan = 2\ndriver = \"dahdi\"\ndahdi_channel = 47\n").spans[0];
  EXPECT_EQ(span.dahdi_channel, 47);
  ExpectError("[[span]]\nspan = 2\ndriver = \"dahdi\"\ndahdi_channel = 1024\n", 4, "dahdi_channel",
              "out of range (1 to 1023)");
}

TEST(ConfigTest, ReleaseTimeoutTooShort) {
  ExpectError(SimSpanWith("release_timeout = 0.05\n"), 4, "release_timeout",
              "0.05 is out of range (0.1 to 300)");
}

TEST(ConfigTest, ReleaseTimeoutTooLong) {
  ExpectError(SimSpanWith("release_timeout = 301\n"), 4, "release_timeout", "out of range");
}

TEST(ConfigTest, ReleaseTimeoutNan) {
  ExpectError(SimSpanWith("release_timeout = nan\n"), 4, "release_timeout", "out of range");
}

TEST(ConfigTest, UuiMaxZero) {
  ExpectError(SimSpanWith("uui_max = 0\n"), 4, "uui_max", "0 is out of range (1 to 251)");
}

TEST(ConfigTest, UuiMaxAbove251) {
  ExpectError(SimSpanWith("uui_max = 252\n"), 4, "uui_max", "252 is out of range (1 to 251)");
}

// --- Channels -----------------------------------------------------------------------------

TEST(ConfigTest, T1VariantDefaultsToChannels1To23) {
  DaemonConfig config = ParseOk(SimSpanWith("switch = \"dms100\"\n"));
  EXPECT_EQ(config.spans[0].bchannels_text, "1-23");
  EXPECT_EQ(config.spans[0].bchannels, Range(1, 23));
}

TEST(ConfigTest, E1VariantDefaultsToChannels1To15And17To31) {
  DaemonConfig config = ParseOk(SimSpanWith("switch = \"qsig\"\n"));
  EXPECT_EQ(config.spans[0].bchannels_text, "1-15,17-31");
  EXPECT_EQ(config.spans[0].bchannels, E1BChannels());
}

TEST(ConfigTest, BadChannelListNamesTheBadPart) {
  ExpectError(SimSpanWith("bchannels = \"1-15,x\"\n"), 4, "bchannels", "'x': not a channel number");
}

TEST(ConfigTest, T1ChannelAbove24) {
  ExpectError(SimSpanWith("switch = \"ni2\"\nbchannels = \"1-25\"\n"), 5, "bchannels",
              "channel 25 is out of range for switch 'ni2' (1 to 24)");
}

TEST(ConfigTest, T1Channel24IsAccepted) {
  DaemonConfig config = ParseOk(SimSpanWith("switch = \"euroisdn_t1\"\nbchannels = \"1-24\"\n"));
  EXPECT_EQ(config.spans[0].bchannels, Range(1, 24));
}

// --- dahdi ----------------------------------------------------------------------------------

constexpr std::string_view kDahdiSpan = R"([[span]]
span = 1
driver = "dahdi"
)";

std::string DahdiSpanWith(std::string_view extra) {
  return std::string(kDahdiSpan) + std::string(extra);
}

TEST(ConfigTest, DahdiDefaultsDChannelBySwitch) {
  DaemonConfig e1 = ParseOk(kDahdiSpan);
  EXPECT_EQ(e1.spans[0].dchannel, 16);
  DaemonConfig t1 = ParseOk(DahdiSpanWith("switch = \"5ess\"\n"));
  EXPECT_EQ(t1.spans[0].dchannel, 24);
  EXPECT_EQ(t1.spans[0].bchannels, Range(1, 23));
}

TEST(ConfigTest, DahdiDChannelAmongBChannels) {
  ExpectError(DahdiSpanWith("dchannel = 16\nbchannels = \"1-31\"\n"), 4, "dchannel",
              "D-channel 16 is also a B-channel in '1-31'");
}

TEST(ConfigTest, DahdiDefaultDChannelAmongGivenBChannels) {
  ExpectError(DahdiSpanWith("bchannels = \"1-31\"\n"), 4, "bchannels",
              "D-channel 16 is also a B-channel");
}

TEST(ConfigTest, DahdiDChannelOutOfRange) {
  ExpectError(DahdiSpanWith("dchannel = 32\n"), 4, "dchannel", "32 is out of range (1 to 31)");
  ExpectError(DahdiSpanWith("switch = \"4ess\"\ndchannel = 25\n"), 5, "dchannel",
              "25 is out of range (1 to 24)");
}

TEST(ConfigTest, DahdiDChannelMovedOffDefault) {
  DaemonConfig config = ParseOk(DahdiSpanWith("dchannel = 31\nbchannels = \"1-30\"\n"));
  EXPECT_EQ(config.spans[0].dchannel, 31);
}

TEST(ConfigTest, DahdiRefusesPeer) {
  ExpectError(DahdiSpanWith("peer = \"builtin\"\n"), 4, "peer", "only for driver 'sim'");
}

TEST(ConfigTest, DahdiRefusesListen) {
  ExpectError(DahdiSpanWith("listen = \"/tmp/x.sock\"\n"), 4, "listen", "only for driver 'sim'");
}

TEST(ConfigTest, DahdiRefusesConnect) {
  ExpectError(DahdiSpanWith("connect = \"/tmp/x.sock\"\n"), 4, "connect", "only for driver 'sim'");
}

// --- sim ---------------------------------------------------------------------------------------

TEST(ConfigTest, SimNeedsAPeer) {
  std::string error = ErrorOf("[daemon]\n[[span]]\nspan = 1\nname = \"a\"\n");
  EXPECT_THAT(error, StartsWith("test.conf:2: span 1: "));
  EXPECT_THAT(error, HasSubstr("exactly one of keys 'peer', 'listen', 'connect'"));
}

TEST(ConfigTest, SimWithTwoEndpoints) {
  ExpectError(SimSpanWith("listen = \"/tmp/x.sock\"\n"), 4, "listen",
              "conflicts with 'peer' on line 3");
}

TEST(ConfigTest, SimPeerMustBeBuiltin) {
  ExpectError("[[span]]\nspan = 1\npeer = \"remote\"\n", 3, "peer",
              "unknown peer 'remote' (expected builtin)");
}

TEST(ConfigTest, SimListenMustNotBeEmpty) {
  ExpectError("[[span]]\nspan = 1\nlisten = \"\"\n", 3, "listen", "must not be empty");
}

TEST(ConfigTest, SimConnectMustFitASocketAddress) {
  ExpectError("[[span]]\nspan = 1\nconnect = \"/" + std::string(200, 'c') + "\"\n", 3, "connect",
              "at most 107 fit");
}

// --- Files
// -----------------------------------------------------------------------------------------

TEST(ConfigTest, LoadMissingFileNamesPathAndErrno) {
  auto result = LoadConfigFile("/nonexistent-prid-dir/prid.conf");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error(), HasSubstr("/nonexistent-prid-dir/prid.conf"));
  EXPECT_THAT(result.error(), HasSubstr("No such file or directory"));
}

TEST(ConfigTest, LoadDirectoryFails) {
  auto result = LoadConfigFile("/");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error(), HasSubstr("Is a directory"));
}

TEST(ConfigTest, LoadedFileErrorsNameThePath) {
  char path[] = "/tmp/prid-config-test-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string text = "[[span]]\nspan = 300\n";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  auto result = LoadConfigFile(path);
  ::unlink(path);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error(), StartsWith(std::string(path) + ":2: "));
  EXPECT_THAT(result.error(), HasSubstr("key 'span'"));
}

// --- Embedded default and names ------------------------------------------------------------------

TEST(ConfigTest, EmbeddedDefaultMatchesDocumentation) {
  DaemonConfig config = EmbeddedDefaultConfig();
  ASSERT_EQ(config.spans.size(), 1u);
  const SpanConfig& span = config.spans[0];
  EXPECT_EQ(span.span, 1);
  EXPECT_EQ(span.driver, Driver::kSim);
  EXPECT_EQ(span.node, NodeType::kCpe);
  EXPECT_EQ(span.switch_variant, SwitchVariant::kEuroIsdnE1);
  EXPECT_EQ(span.bchannels.size(), 30u);
  EXPECT_EQ(span.bchannels, E1BChannels());
  EXPECT_EQ(span.peer, "builtin");
  EXPECT_EQ(config.event_buffer, 65536u);
}

TEST(ConfigTest, EmbeddedDefaultEqualsMinimalFile) {
  DaemonConfig parsed = ParseOk(kSimSpan);
  DaemonConfig embedded = EmbeddedDefaultConfig();
  ASSERT_EQ(parsed.spans.size(), 1u);
  EXPECT_EQ(parsed.spans, embedded.spans);
  EXPECT_EQ(parsed.socket_path, embedded.socket_path);
  EXPECT_EQ(parsed.log_level, embedded.log_level);
}

TEST(ConfigTest, EnumNames) {
  EXPECT_EQ(DriverName(Driver::kSim), "sim");
  EXPECT_EQ(DriverName(Driver::kDahdi), "dahdi");
  EXPECT_EQ(NodeTypeName(NodeType::kCpe), "cpe");
  EXPECT_EQ(NodeTypeName(NodeType::kNetwork), "network");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::kNi2), "ni2");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::kDms100), "dms100");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::k5ess), "5ess");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::k4ess), "4ess");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::kEuroIsdnE1), "euroisdn_e1");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::kEuroIsdnT1), "euroisdn_t1");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::kNi1), "ni1");
  EXPECT_EQ(SwitchVariantName(SwitchVariant::kQsig), "qsig");
  EXPECT_EQ(AppearanceName(Appearance::kSingle), "single");
  EXPECT_EQ(AppearanceName(Appearance::kBridged), "bridged");
  EXPECT_EQ(HuntOrderName(HuntOrder::kAscending), "ascending");
  EXPECT_EQ(HuntOrderName(HuntOrder::kDescending), "descending");
  EXPECT_EQ(HuntOrderName(HuntOrder::kRoundRobin), "round_robin");
}

TEST(ConfigTest, T1Variants) {
  EXPECT_TRUE(IsT1Variant(SwitchVariant::kNi2));
  EXPECT_TRUE(IsT1Variant(SwitchVariant::kDms100));
  EXPECT_TRUE(IsT1Variant(SwitchVariant::k5ess));
  EXPECT_TRUE(IsT1Variant(SwitchVariant::k4ess));
  EXPECT_TRUE(IsT1Variant(SwitchVariant::kEuroIsdnT1));
  EXPECT_TRUE(IsT1Variant(SwitchVariant::kNi1));
  EXPECT_FALSE(IsT1Variant(SwitchVariant::kEuroIsdnE1));
  EXPECT_FALSE(IsT1Variant(SwitchVariant::kQsig));
}

// --- ParseChannelList ---------------------------------------------------------------------------

TEST(ChannelListTest, RangesAndSingles) {
  auto result = ParseChannelList("1-15,17-31");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, E1BChannels());
}

TEST(ChannelListTest, SingleChannel) {
  auto result = ParseChannelList("5");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, std::vector<int>{5});
}

TEST(ChannelListTest, ListOfSingles) {
  auto result = ParseChannelList("1,3,5");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, (std::vector<int>{1, 3, 5}));
}

TEST(ChannelListTest, OneElementRange) {
  auto result = ParseChannelList("7-7");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, std::vector<int>{7});
}

TEST(ChannelListTest, FullRange) {
  auto result = ParseChannelList("1-31");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, Range(1, 31));
}

TEST(ChannelListTest, BlanksAroundItemsAndDashes) {
  auto result = ParseChannelList(" 1 - 3 ,\t5 ");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, (std::vector<int>{1, 2, 3, 5}));
}

void ExpectBadList(std::string_view text, std::string_view detail) {
  auto result = ParseChannelList(text);
  ASSERT_FALSE(result.ok()) << text;
  EXPECT_THAT(result.error(), HasSubstr(detail)) << text;
}

TEST(ChannelListTest, Empty) {
  ExpectBadList("", "empty channel list");
  ExpectBadList("  ", "empty channel list");
}

TEST(ChannelListTest, EmptyItem) {
  ExpectBadList("1,,2", "'1,,2': empty item");
  ExpectBadList("1,", "empty item");
  ExpectBadList(",1", "empty item");
}

TEST(ChannelListTest, NotANumber) { ExpectBadList("1,x", "'x': not a channel number"); }

TEST(ChannelListTest, NegativeNumber) { ExpectBadList("-5", "'-5': not a channel number"); }

TEST(ChannelListTest, PlusSign) { ExpectBadList("+5", "'+5': not a channel number"); }

TEST(ChannelListTest, Decimal) { ExpectBadList("1.5", "'1.5': not a channel number"); }

TEST(ChannelListTest, OpenRange) {
  ExpectBadList("5-", "'5-': not a channel number");
  ExpectBadList("-", "'-': not a channel number");
}

TEST(ChannelListTest, RangeWithTwoDashes) {
  ExpectBadList("1-2-3", "'1-2-3': not a channel number");
}

TEST(ChannelListTest, RangeEndNotANumber) { ExpectBadList("1-x", "'1-x': not a channel number"); }

TEST(ChannelListTest, ChannelZero) {
  ExpectBadList("0-5", "'0-5': channel 0 is out of range (1 to 31)");
}

TEST(ChannelListTest, ChannelAbove31) { ExpectBadList("1,32", "'32': channel 32 is out of range"); }

TEST(ChannelListTest, HugeNumber) {
  ExpectBadList("99999999999999999999", "channel 99999999999999999999 is out of range");
}

TEST(ChannelListTest, BackwardsRange) { ExpectBadList("5-3", "'5-3': range runs backwards"); }

TEST(ChannelListTest, Descending) {
  ExpectBadList("3,2", "'2': channels must be ascending without repeats (after 3)");
}

TEST(ChannelListTest, Repeat) { ExpectBadList("1,1", "'1': channels must be ascending"); }

TEST(ChannelListTest, OverlappingRanges) {
  ExpectBadList("1-5,3-7", "'3-7': channels must be ascending");
}

}  // namespace
}  // namespace prid::daemon
