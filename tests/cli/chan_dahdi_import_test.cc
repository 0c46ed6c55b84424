// Tests of `prictl import chan_dahdi`: the chan_dahdi.conf reader, the
// mapping to [[span]] keys, what is skipped or listed as not imported, the
// system.conf layout, and (with the real prictl and prid) that the output
// passes `prid --check-config`.
#include "cli/chan_dahdi_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/app.h"

namespace prid::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

ChanDahdiImport Import(std::string_view chan_dahdi) {
  ChanDahdiInput input;
  input.chan_dahdi = chan_dahdi;
  return ImportChanDahdi(input);
}

ChanDahdiImport Import(std::string_view chan_dahdi, std::string_view system_conf) {
  ChanDahdiInput input;
  input.chan_dahdi = chan_dahdi;
  input.system_conf = system_conf;
  return ImportChanDahdi(input);
}

std::string Warnings(const ChanDahdiImport& imported) {
  std::string all;
  for (const auto& w : imported.warnings) all += w + "\n";
  return all;
}

// The text of [[span]] `number` (up to the next [[span]]).
std::string SpanTable(const std::string& toml, int number) {
  const std::string head = "[[span]]\nspan = " + std::to_string(number) + "\n";
  std::size_t start = toml.find(head);
  if (start == std::string::npos) return "";
  std::size_t end = toml.find("[[span]]", start + head.size());
  return toml.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// A North American site: two T1 PRIs to the carrier, then an FXS bank.
constexpr std::string_view kTwoT1s = R"(; chan_dahdi.conf of a small office
[trunkgroups]

[channels]
language = en
context = from-pstn
switchtype = national
signalling = pri_cpe
pridialplan = unknown
prilocaldialplan = national
overlapdial = no
resetinterval = 3600
nsf = none
facilityenable = yes
pritimer => t200,1000
pritimer => t313,4000
echocancel = yes
group = 1
channel => 1-23
group = 2
pritimer => t309,8000
channel => 25-47

signalling = fxs_ks
context = from-internal
group = 3
channel => 49-52
)";

TEST(ChanDahdiImportTest, NationalPriCpeBecomesNi2CpeSpan) {
  const auto imported = Import(kTwoT1s);
  EXPECT_EQ(imported.spans, 2) << imported.toml;
  const std::string span = SpanTable(imported.toml, 1);
  EXPECT_THAT(span, HasSubstr("driver = \"dahdi\"\n"));
  EXPECT_THAT(span, HasSubstr("node = \"cpe\"\n"));
  EXPECT_THAT(span, HasSubstr("switch = \"ni2\"\n"));
  EXPECT_THAT(span, HasSubstr("dchannel = 24\n"));
  EXPECT_THAT(span, HasSubstr("dahdi_channel = 24\n"));
  EXPECT_THAT(span, HasSubstr("bchannels = \"1-23\"\n"));
}

TEST(ChanDahdiImportTest, SecondT1SpanIsNumberedWithinItsSpanAndKeepsItsDahdiChannel) {
  const std::string span = SpanTable(Import(kTwoT1s).toml, 2);
  EXPECT_THAT(span, HasSubstr("bchannels = \"1-23\"\n"));
  EXPECT_THAT(span, HasSubstr("dchannel = 24\n"));
  EXPECT_THAT(span, HasSubstr("dahdi_channel = 48\n"));
  EXPECT_THAT(span, HasSubstr("DAHDI channels 25-48"));
}

TEST(ChanDahdiImportTest, PritimerBecomesSecondsOnlyOnTheSpansAfterIt) {
  const auto imported = Import(kTwoT1s);
  EXPECT_THAT(SpanTable(imported.toml, 1), HasSubstr("t200 = 1.0  # pritimer => t200,1000 (line 15)\n"));
  EXPECT_THAT(SpanTable(imported.toml, 1), Not(HasSubstr("t309")));
  EXPECT_THAT(SpanTable(imported.toml, 2), HasSubstr("t309 = 8.0"));
}

TEST(ChanDahdiImportTest, TimerPridDoesNotSetIsListedAsNotImported) {
  EXPECT_THAT(SpanTable(Import(kTwoT1s).toml, 1),
              HasSubstr("# not imported: pritimer => t313,4000 (line 16): prid sets only T200"));
}

TEST(ChanDahdiImportTest, TimerOutOfPridsRangeIsListedAsNotImported) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\npritimer => t305,900000\nchannel => 1-23\n");
  EXPECT_THAT(imported.toml, HasSubstr("# not imported: pritimer => t305,900000 (line 3)"));
  EXPECT_THAT(imported.toml, Not(HasSubstr("t305 =")));
}

TEST(ChanDahdiImportTest, SameTimerTwiceOnOneSpanIsWrittenOnce) {
  const auto imported = Import(
      "[channels]\nsignalling=pri_cpe\npritimer => t200,1000\nchannel => 1-11\n"
      "pritimer => t200,2000\nchannel => 12-23\n");
  const std::string span = SpanTable(imported.toml, 1);
  EXPECT_THAT(span, HasSubstr("t200 = 1.0"));
  EXPECT_THAT(span, HasSubstr("# not imported: pritimer => t200,2000 (line 5): line 3 set t200"));
  EXPECT_THAT(span, HasSubstr("bchannels = \"1-23\"\n"));
}

TEST(ChanDahdiImportTest, DialplansBecomePridsOwnAndRedundantIsNoted) {
  const auto imported = Import(
      "[channels]\nsignalling=pri_cpe\npridialplan = Dynamic\nprilocaldialplan = redundant\nchannel => 1-23\n");
  const std::string span = SpanTable(imported.toml, 1);
  EXPECT_THAT(span, HasSubstr("\ndialplan = \"dynamic\"\n"));
  EXPECT_THAT(span, Not(HasSubstr("local_dialplan =")));
  EXPECT_THAT(span, HasSubstr("# not imported: prilocaldialplan = redundant (line 4): local_dialplan takes"));
}

// overlapdial: receiving becomes the span's overlap = true where prid has
// overlap dialling; sending is per call; elsewhere it is noted.
TEST(ChanDahdiImportTest, OverlapdialBecomesOverlapReceivingWherePridHasIt) {
  const std::string euro = SpanTable(
      Import("[channels]\nswitchtype=euroisdn\nsignalling=pri_cpe\noverlapdial = Yes\nchannel => 1-15,17-31\n").toml, 1);
  EXPECT_THAT(euro, HasSubstr("\noverlap = true  # overlapdial = Yes (line 4): incoming SETUPs without Sending "
                              "complete are collected; sending is per call"));
  const std::string outgoing = SpanTable(
      Import("[channels]\nswitchtype=euroisdn\nsignalling=pri_cpe\noverlapdial = outgoing\nchannel => 1-15,17-31\n")
          .toml,
      1);
  EXPECT_THAT(outgoing, Not(HasSubstr("overlap = true")));
  EXPECT_THAT(outgoing, HasSubstr("# not imported: overlapdial = outgoing (line 4): prid sends overlap per call"));
  const std::string ni2 =
      SpanTable(Import("[channels]\nswitchtype=national\nsignalling=pri_cpe\noverlapdial = incoming\nchannel => 1-23\n")
                    .toml,
                1);
  EXPECT_THAT(ni2, Not(HasSubstr("overlap = true")));
  EXPECT_THAT(ni2, HasSubstr("# not imported: overlapdial = incoming (line 4): prid has overlap dialling on "
                             "euroisdn_e1, euroisdn_t1 and qsig, not ni2"));
}

TEST(ChanDahdiImportTest, KeysWithoutPridEquivalentAreListedWithLineAndReason) {
  const std::string span = SpanTable(Import(kTwoT1s).toml, 1);
  EXPECT_THAT(span, HasSubstr("# not imported: context = from-pstn (line 6): the dialplan is the application's"));
  EXPECT_THAT(span, HasSubstr("# not imported: group = 1 (line 18): prid has no channel groups"));
  EXPECT_THAT(span, HasSubstr("\ndialplan = \"unknown\"\n"));
  EXPECT_THAT(span, HasSubstr("\nlocal_dialplan = \"national\"\n"));
  EXPECT_THAT(span, HasSubstr("# not imported: overlapdial = no (line 11): prid takes incoming calls en bloc"));
  EXPECT_THAT(span, HasSubstr("# not imported: resetinterval = 3600 (line 12)"));
  EXPECT_THAT(span, HasSubstr("# not imported: nsf = none (line 13)"));
  EXPECT_THAT(span, HasSubstr("# not imported: facilityenable = yes (line 14)"));
  EXPECT_THAT(span, HasSubstr("# not imported: echocancel = yes (line 17)"));
  EXPECT_THAT(span, HasSubstr("# not imported: language = en (line 5)"));
  // The analog channels' context is theirs, not the PRI's.
  EXPECT_THAT(Import(kTwoT1s).toml, Not(HasSubstr("from-internal")));
}

TEST(ChanDahdiImportTest, AnalogChannelsAreSkippedWithAWarning) {
  const auto imported = Import(kTwoT1s);
  EXPECT_THAT(Warnings(imported),
              HasSubstr("chan_dahdi.conf:27: channel => 49-52: skipped: signalling = fxs_ks: analog"));
  EXPECT_THAT(imported.toml, HasSubstr("# skipped: channel => 49-52 (line 27)"));
  EXPECT_EQ(SpanTable(imported.toml, 3), "");
}

TEST(ChanDahdiImportTest, Ss7Mfcr2AndBriAreSkippedEachWithItsReason) {
  const auto imported = Import(
      "[channels]\nsignalling = ss7\nchannel => 1-31\nsignalling = mfcr2\nchannel => 32-62\n"
      "signalling = bri_cpe_ptmp\nchannel => 63-64\n");
  EXPECT_EQ(imported.spans, 0);
  const std::string warnings = Warnings(imported);
  EXPECT_THAT(warnings, HasSubstr(":3: channel => 1-31: skipped: signalling = ss7: SS7 is not ISDN"));
  EXPECT_THAT(warnings, HasSubstr(":5: channel => 32-62: skipped: signalling = mfcr2: MFC/R2"));
  EXPECT_THAT(warnings, HasSubstr(":7: channel => 63-64: skipped: signalling = bri_cpe_ptmp: BRI"));
  EXPECT_THAT(warnings, HasSubstr("no PRI span found"));
}

TEST(ChanDahdiImportTest, ChannelsWithoutSignallingAreSkipped) {
  const auto imported = Import("[channels]\ncontext = default\nchannel => 1-23\n");
  EXPECT_EQ(imported.spans, 0);
  EXPECT_THAT(Warnings(imported), HasSubstr(":3: channel => 1-23: skipped: no signalling set"));
}

TEST(ChanDahdiImportTest, IncludeIsNotFollowedWithoutAReaderButNoted) {
  const auto imported = Import("[channels]\n#include dahdi-channels.conf\nsignalling=pri_cpe\nchannel => 1-23\n");
  EXPECT_EQ(imported.spans, 1);
  EXPECT_THAT(Warnings(imported), HasSubstr("chan_dahdi.conf:2: '#include dahdi-channels.conf' is not followed"));
  EXPECT_THAT(imported.toml, HasSubstr("# not imported: #include dahdi-channels.conf (line 2): not followed"));
}

// Asterisk's own layout: chan_dahdi.conf's [channels] includes the
// dahdi-channels.conf dahdi_genconf wrote, which has no section of its own.
TEST(ChanDahdiImportTest, IncludeIsReadWhereItStands) {
  ChanDahdiInput input;
  input.chan_dahdi = "[channels]\nswitchtype = euroisdn\n#include \"dahdi-channels.conf\"\n#tryinclude gone.conf\n";
  std::vector<std::string> asked;
  input.read_include = [&](const std::string& name) -> base::Result<std::string> {
    asked.push_back(name);
    if (name == "dahdi-channels.conf") return std::string("signalling = pri_cpe\ncontext = from-pstn\nchannel => 1-15,17-31\n");
    return base::Fail("cannot open " + name + ": No such file or directory");
  };
  const auto imported = ImportChanDahdi(input);
  EXPECT_EQ(asked, (std::vector<std::string>{"dahdi-channels.conf", "gone.conf"}));
  ASSERT_EQ(imported.spans, 1) << Warnings(imported);
  const std::string span = SpanTable(imported.toml, 1);
  EXPECT_THAT(span, HasSubstr("switch = \"euroisdn_e1\""));
  EXPECT_THAT(span, HasSubstr("bchannels = \"1-15,17-31\"\n"));
  EXPECT_THAT(span, HasSubstr("# from channel => 1-15,17-31 (dahdi-channels.conf line 3)"));
  EXPECT_THAT(span, HasSubstr("# not imported: context = from-pstn (dahdi-channels.conf line 2)"));
  EXPECT_THAT(Warnings(imported), Not(HasSubstr("gone.conf"))) << "#tryinclude: a missing file is no error";
}

TEST(ChanDahdiImportTest, MissingOrLoopingIncludesAreNamed) {
  ChanDahdiInput input;
  input.chan_dahdi = "[channels]\n#include missing.conf\n#include self.conf\nsignalling=pri_cpe\nchannel => 1-23\n";
  input.read_include = [](const std::string& name) -> base::Result<std::string> {
    if (name == "self.conf") return std::string("#include self.conf\n");
    return base::Fail("cannot open " + name + ": No such file or directory");
  };
  const auto imported = ImportChanDahdi(input);
  EXPECT_EQ(imported.spans, 1);
  const std::string warnings = Warnings(imported);
  EXPECT_THAT(warnings, HasSubstr("chan_dahdi.conf:2: '#include missing.conf': cannot open missing.conf"));
  EXPECT_THAT(warnings, HasSubstr("self.conf:1: '#include self.conf': includes nest deeper than 8"));
}

TEST(ChanDahdiImportTest, SignalingSpellingAndUpperCaseKeysAreRead) {
  const auto imported = Import("[channels]\nSwitchType = DMS100\nsignaling = PRI_NET\nchannel => 1-23\n");
  EXPECT_EQ(imported.spans, 1);
  EXPECT_THAT(imported.toml, HasSubstr("node = \"network\"\n"));
  EXPECT_THAT(imported.toml, HasSubstr("switch = \"dms100\"\n"));
}

TEST(ChanDahdiImportTest, EachSwitchtypeMapsToPridsVariant) {
  const std::pair<const char*, const char*> kCases[] = {
      {"national", "ni2"}, {"ni1", "ni1"},       {"dms100", "dms100"},        {"4ess", "4ess"},
      {"5ess", "5ess"},    {"qsig", "qsig"},     {"euroisdn", "euroisdn_e1"},
  };
  for (const auto& [switchtype, variant] : kCases) {
    const auto imported =
        Import(std::string("[channels]\nsignalling=pri_cpe\nswitchtype=") + switchtype + "\nchannel => 1-15\n");
    EXPECT_THAT(imported.toml, HasSubstr(std::string("switch = \"") + variant + "\"")) << switchtype;
  }
}

TEST(ChanDahdiImportTest, MissingSwitchtypeIsChanDahdisNational) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nchannel => 1-23\n");
  EXPECT_THAT(imported.toml, HasSubstr("switch = \"ni2\"  # no switchtype: chan_dahdi's default, national"));
}

TEST(ChanDahdiImportTest, UnknownSwitchtypeIsSkipped) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nswitchtype=ni3\nchannel => 1-23\n");
  EXPECT_EQ(imported.spans, 0);
  EXPECT_THAT(Warnings(imported), HasSubstr("switchtype 'ni3' is not one prid knows"));
}

TEST(ChanDahdiImportTest, EuroIsdnWithoutSystemConfIsAnE1SpanWithDChannel16) {
  const auto imported = Import(
      "[channels]\nswitchtype = euroisdn\nsignalling = pri_cpe\nchannel => 1-15,17-31\nchannel => 32-46,48-62\n");
  EXPECT_EQ(imported.spans, 2);
  EXPECT_THAT(SpanTable(imported.toml, 1), AllOf(HasSubstr("dchannel = 16\n"), HasSubstr("bchannels = \"1-15,17-31\"")));
  EXPECT_THAT(SpanTable(imported.toml, 2), AllOf(HasSubstr("dahdi_channel = 47\n"), HasSubstr("bchannels = \"1-15,17-31\"")));
  EXPECT_THAT(imported.toml, HasSubstr("# Span layout guessed"));
}

TEST(ChanDahdiImportTest, DChannelListedAsChannelIsLeftOut) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nchannel => 1-24\n");
  EXPECT_THAT(imported.toml, HasSubstr("bchannels = \"1-23\"\n"));
  EXPECT_THAT(Warnings(imported), HasSubstr("channel 24 is span 1's D-channel: left out"));
}

TEST(ChanDahdiImportTest, OneSpanWithTwoSwitchTypesKeepsTheFirst) {
  const auto imported = Import(
      "[channels]\nsignalling=pri_cpe\nswitchtype=national\nchannel => 1-11\nswitchtype=5ess\nchannel => 12-23\n");
  EXPECT_THAT(imported.toml, HasSubstr("bchannels = \"1-11\"\n"));
  EXPECT_THAT(Warnings(imported), HasSubstr(":6: channels 12-23 are on span 1, which line 4 made cpe ni2: left out"));
}

TEST(ChanDahdiImportTest, BadChannelListIsSkipped) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nchannel => 1-x\n");
  EXPECT_EQ(imported.spans, 0);
  EXPECT_THAT(Warnings(imported), HasSubstr(":3: channel => 1-x: skipped: '1-x' is not a channel list"));
}

TEST(ChanDahdiImportTest, CommentsBlockCommentsAndEscapedSemicolonsAreRead) {
  const auto imported = Import(
      "; a comment\n[channels] ; trailing\n;--\nsignalling = fxs_ks\n--;\nsignalling = pri_cpe ; the PRI\n"
      "description = a\\;b\nchannel = 1-23\n");
  EXPECT_EQ(imported.spans, 1) << Warnings(imported);
  EXPECT_THAT(imported.toml, HasSubstr("# not imported: description = a;b (line 7)"));
  EXPECT_THAT(imported.toml, HasSubstr("# from channel = 1-23 (line 8)"));
}

TEST(ChanDahdiImportTest, SettingsBeforeAnySectionAreChannelsAndNonsenseIsWarned) {
  // dahdi-channels.conf given alone.
  const auto imported = Import("signalling = pri_cpe\nchannel => 1-23\n[channels]\nthis is not a setting\n");
  EXPECT_EQ(imported.spans, 1);
  const std::string warnings = Warnings(imported);
  EXPECT_THAT(warnings, HasSubstr(":1: settings before any [section]: read as [channels]'s"));
  EXPECT_THAT(warnings, HasSubstr(":4: 'this is not a setting' is neither a [section] nor a setting"));
}

// chan_dahdi's section style: a template, sections that inherit it and
// name their channels with dahdichan, on top of [channels]' settings.
constexpr std::string_view kTemplates = R"([channels]
context = from-pbx
usecallerid = yes

[pri-common](!)
switchtype = euroisdn
signalling = pri_net
pritimer => t203,20000

[span1](pri-common)
group = 1
dahdichan = 1-15,17-31

[span2](pri-common)
signalling = pri_cpe
channel => 99
dahdichan = 32-46,48-62

[unused](pri-common)
group = 9
)";

TEST(ChanDahdiImportTest, TemplatesAreInheritedAndNotImportedThemselves) {
  const auto imported = Import(kTemplates);
  EXPECT_EQ(imported.spans, 2) << Warnings(imported);
  const std::string span1 = SpanTable(imported.toml, 1);
  EXPECT_THAT(span1, HasSubstr("node = \"network\"\n"));
  EXPECT_THAT(span1, HasSubstr("switch = \"euroisdn_e1\"\n"));
  EXPECT_THAT(span1, HasSubstr("t203 = 20.0"));
  EXPECT_THAT(span1, HasSubstr("# from [span1] dahdichan = 1-15,17-31 (line 12)"));
  EXPECT_THAT(span1, HasSubstr("# not imported: context = from-pbx (line 2)"));
  EXPECT_THAT(span1, HasSubstr("# not imported: usecallerid = yes (line 3)"));
  // A section's own setting overrides its template's.
  EXPECT_THAT(SpanTable(imported.toml, 2), HasSubstr("node = \"cpe\"\n"));
  // `channel` is not read outside [channels], as chan_dahdi does not.
  EXPECT_THAT(imported.toml, Not(HasSubstr("99")));
  EXPECT_THAT(Warnings(imported), HasSubstr(":19: [unused] has no dahdichan"));
}

TEST(ChanDahdiImportTest, UndefinedTemplateIsWarned) {
  const auto imported = Import("[channels]\n[s](nope)\nsignalling=pri_cpe\ndahdichan=1-23\n");
  EXPECT_EQ(imported.spans, 1);
  EXPECT_THAT(Warnings(imported), HasSubstr(":2: [s]: template 'nope' is not defined"));
}

TEST(ChanDahdiImportTest, PlusSectionContinuesTheEarlierOne) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\n[other]\n[channels](+)\nchannel => 1-23\n");
  EXPECT_EQ(imported.spans, 1) << Warnings(imported);
}

TEST(ChanDahdiImportTest, TrunkgroupsAreNotImported) {
  const auto imported = Import("[trunkgroups]\ntrunkgroup => 1,24,48\n[channels]\nsignalling=pri_cpe\nchannel => 1-23\n");
  EXPECT_THAT(imported.toml, HasSubstr("# not imported: trunkgroup => 1,24,48 (line 2): NFAS"));
  EXPECT_THAT(Warnings(imported), HasSubstr(":2: trunkgroup: NFAS is not imported: set nfas_group"));
}

// An analog card before a T1 and an E1 (dahdi_genconf's layout), with
// hardware HDLC on the E1.
constexpr std::string_view kSystemConf = R"(# Autogenerated by dahdi_genconf
# Span 1: WCTDM/0 "Wildcard TDM400P REV I Board 1"
fxoks=1-4
# Span 2: TE2/0/1 "T2XXP (PCI) Card 0 Span 1" (MASTER) ESF/B8ZS
span=2,1,0,esf,b8zs
bchan=5-27
dchan=28
# Span 3: TE2/0/2 "T2XXP (PCI) Card 0 Span 2" HDB3/CCS/CRC4
span=3,2,0,ccs,hdb3,crc4
bchan=29-43,45-59
hardhdlc=44
echocanceller=oslec,5-27
loadzone = us
defaultzone = us
)";

constexpr std::string_view kMixedChanDahdi = R"([channels]
signalling = fxs_ks
channel => 1-4
signalling = pri_cpe
switchtype = 5ess
channel => 5-27
switchtype = euroisdn
signalling = pri_net
channel => 29-43,45-59
)";

TEST(ChanDahdiImportTest, SystemConfGivesEachSpanItsChannelsAndDChannel) {
  const auto imported = Import(kMixedChanDahdi, kSystemConf);
  EXPECT_EQ(imported.spans, 2) << Warnings(imported);
  const std::string t1 = SpanTable(imported.toml, 2);
  EXPECT_THAT(t1, HasSubstr("switch = \"5ess\"\n"));
  EXPECT_THAT(t1, HasSubstr("dchannel = 24\n"));
  EXPECT_THAT(t1, HasSubstr("dahdi_channel = 28\n"));
  EXPECT_THAT(t1, HasSubstr("bchannels = \"1-23\"\n"));
  EXPECT_THAT(t1, HasSubstr("# system.conf line 5: span=2,1,0,esf,b8zs: esf/b8zs, timing source 1"));
  const std::string e1 = SpanTable(imported.toml, 3);
  EXPECT_THAT(e1, HasSubstr("switch = \"euroisdn_e1\"\n"));
  EXPECT_THAT(e1, HasSubstr("node = \"network\"\n"));
  EXPECT_THAT(e1, HasSubstr("dchannel = 16\n"));
  EXPECT_THAT(e1, HasSubstr("dahdi_channel = 44\n"));
  EXPECT_THAT(e1, HasSubstr("bchannels = \"1-15,17-31\"\n"));
  EXPECT_THAT(e1, HasSubstr("ccs/hdb3/crc4, timing source 2"));
  EXPECT_THAT(imported.toml, HasSubstr("# Span layout from system.conf."));
}

TEST(ChanDahdiImportTest, EuroIsdnOnAT1SpanIsEuroIsdnT1) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nswitchtype=euroisdn\nchannel => 5-27\n", kSystemConf);
  EXPECT_THAT(imported.toml, HasSubstr("switch = \"euroisdn_t1\"\n"));
}

TEST(ChanDahdiImportTest, T1VariantOnAnE1SpanIsNotImported) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nswitchtype=national\nchannel => 29-43\n", kSystemConf);
  EXPECT_EQ(imported.spans, 0);
  EXPECT_THAT(Warnings(imported), HasSubstr(":4: channels 29-43 are on span 3, an E1, but prid's ni2 is a T1 variant"));
}

TEST(ChanDahdiImportTest, ChannelThatIsNoBchanInSystemConfIsLeftOut) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nchannel => 1-23\n",
                               "span=1,1,0,esf,b8zs\nbchan=1-22\ndchan=24\n");
  EXPECT_THAT(imported.toml, HasSubstr("bchannels = \"1-22\"\n"));
  EXPECT_THAT(Warnings(imported), HasSubstr(":3: channel 23 is no bchan= in system.conf: left out"));
}

TEST(ChanDahdiImportTest, ChannelOnNoSpanOfSystemConfIsLeftOut) {
  const auto imported = Import(
      "[channels]\nsignalling=pri_cpe\nswitchtype=5ess\nchannel => 5-27\nchannel => 100\n", kSystemConf);
  EXPECT_EQ(imported.spans, 1);
  EXPECT_THAT(Warnings(imported), HasSubstr(":5: channel 100 is on no span of system.conf: left out"));
}

TEST(ChanDahdiImportTest, SpanWithoutDChannelInSystemConfIsNotImported) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nchannel => 1-23\n",
                               "span=1,1,0,esf,b8zs\nbchan=1-24\n");
  EXPECT_EQ(imported.spans, 0);
  // One warning for the block, not one per channel.
  EXPECT_EQ(imported.warnings.size(), 2u) << Warnings(imported);
  EXPECT_THAT(Warnings(imported),
              HasSubstr(":3: channels 1-23 are on span 1, which has no dchan= or hardhdlc= in system.conf"));
}

TEST(ChanDahdiImportTest, SystemConfWithoutSpansFallsBackToTheGuess) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\nchannel => 1-23\n", "fxoks=1-4\n");
  EXPECT_EQ(imported.spans, 1);
  EXPECT_THAT(Warnings(imported), HasSubstr("system.conf: no span= line"));
  EXPECT_THAT(imported.toml, HasSubstr("# Span layout guessed"));
}

TEST(ChanDahdiImportTest, ControlCharactersDoNotBreakTheComments) {
  const auto imported = Import("[channels]\nsignalling=pri_cpe\ndescription=a\rb\nchannel => 1-23\n");
  EXPECT_THAT(imported.toml, HasSubstr("description = a?b"));
}

// ---- through prictl's command line, in process ----

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

Run Prictl(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Environment env;
  env.connect = [](const std::string&) -> base::Result<std::unique_ptr<Connection>> {
    ADD_FAILURE() << "import must not connect to prid";
    return base::Fail("no daemon");
  };
  Run r;
  r.code = Main(args, in, out, err, env);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string TempFile(const std::string& name, std::string_view text) {
  const std::string path =
      ::testing::TempDir() + "chan_dahdi_import_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(PrictlImportTest, PrintsTheTomlAndWarnsOnStderr) {
  const auto r = Prictl({"import", "chan_dahdi", TempFile("two_t1s.conf", kTwoT1s)});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("[[span]]\nspan = 2\n"));
  EXPECT_THAT(r.err, HasSubstr("prictl: warning: "));
  EXPECT_THAT(r.err, HasSubstr("two_t1s.conf:27: channel => 49-52: skipped"));
}

TEST(PrictlImportTest, SystemConfOption) {
  const auto r = Prictl({"import", "chan_dahdi", TempFile("mixed.conf", kMixedChanDahdi), "--system-conf",
                         TempFile("system.conf", kSystemConf)});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("dahdi_channel = 44\n"));
}

TEST(PrictlImportTest, NoPriSpanExitsOne) {
  const auto r = Prictl({"import", "chan_dahdi", TempFile("analog.conf", "[channels]\nsignalling=fxs_ks\nchannel => 1-4\n")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no PRI span found"));
}

TEST(PrictlImportTest, UnreadableFilesExitTwo) {
  auto r = Prictl({"import", "chan_dahdi", "/nonexistent/chan_dahdi.conf"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("prictl: cannot open /nonexistent/chan_dahdi.conf"));
  r = Prictl({"import", "chan_dahdi", TempFile("ok.conf", kTwoT1s), "--system-conf", "/nonexistent/system.conf"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/system.conf"));
}

TEST(PrictlImportTest, FileDefaultsToAsterisksChanDahdiConf) {
  const auto r = Prictl({"import", "chan_dahdi"});
  // Named in the error where the file is missing, in the TOML's head where it is not.
  EXPECT_THAT(r.err + r.out, HasSubstr("/etc/asterisk/chan_dahdi.conf"));
}

// Public examples (tests/cli/chan_dahdi_samples/SOURCES.md), as their
// authors published them.
std::string Sample(const std::string& name) {
  const char* dir = std::getenv("PRID_CHAN_DAHDI_SAMPLES");
  return dir == nullptr ? name : std::string(dir) + "/" + name;
}

TEST(PrictlImportTest, RealE1ExampleFromAPbxGuide) {
  if (std::getenv("PRID_CHAN_DAHDI_SAMPLES") == nullptr) GTEST_FAIL() << "PRID_CHAN_DAHDI_SAMPLES is not set";
  for (const bool with_system_conf : {false, true}) {
    std::vector<std::string> args = {"import", "chan_dahdi", Sample("wazo-e1-chan_dahdi.conf")};
    if (with_system_conf) args.insert(args.end(), {"--system-conf", Sample("wazo-e1-system.conf")});
    const auto r = Prictl(args);
    EXPECT_EQ(r.code, 0) << r.err;
    const std::string span = SpanTable(r.out, 1);
    EXPECT_THAT(span, HasSubstr("node = \"cpe\"\n"));
    EXPECT_THAT(span, HasSubstr("switch = \"euroisdn_e1\""));
    EXPECT_THAT(span, HasSubstr("dchannel = 16\n"));
    EXPECT_THAT(span, HasSubstr("bchannels = \"1-15,17-31\"\n"));
    EXPECT_THAT(span, HasSubstr("# not imported: context = from-extern (line 3)"));
    EXPECT_THAT(span, HasSubstr("# not imported: group = 0,11 (line 2)"));
  }
}

// The guide's two files disagree: its system.conf puts span 2's channels
// at 33-63 (D-channel 48), its chan_dahdi.conf at 32-62 (D-channel 47).
TEST(PrictlImportTest, RealTwoE1ExampleAndItsMismatchedSystemConf) {
  if (std::getenv("PRID_CHAN_DAHDI_SAMPLES") == nullptr) GTEST_FAIL() << "PRID_CHAN_DAHDI_SAMPLES is not set";
  const auto guessed = Prictl({"import", "chan_dahdi", Sample("asterisk-guide-2e1-chan_dahdi.conf")});
  EXPECT_EQ(guessed.code, 0) << guessed.err;
  EXPECT_THAT(SpanTable(guessed.out, 2), HasSubstr("dahdi_channel = 47\n"));
  EXPECT_THAT(SpanTable(guessed.out, 2), HasSubstr("bchannels = \"1-15,17-31\"\n"));
  const auto checked = Prictl({"import", "chan_dahdi", Sample("asterisk-guide-2e1-chan_dahdi.conf"), "--system-conf",
                               Sample("asterisk-guide-2e1-system.conf")});
  EXPECT_THAT(checked.err, HasSubstr("channel 63 is on no span= of this file")) << checked.err;
}

TEST(PrictlImportTest, ImportNeedsAFormat) {
  const auto r = Prictl({"import"});
  EXPECT_EQ(r.code, 2);
}

// ---- the real prictl, then the real prid --check-config ----

struct Finished {
  int exit_code = -1;
  std::string output;
};

Finished RunShell(const std::string& command) {
  Finished finished;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return finished;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) finished.output.append(buffer, n);
  int status = ::pclose(pipe);
  if (WIFEXITED(status)) finished.exit_code = WEXITSTATUS(status);
  return finished;
}

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

TEST(PrictlImportTest, EveryImportedSamplePassesPridCheckConfig) {
  const char* prictl = std::getenv("PRICTL_EXE");
  const char* prid = std::getenv("PRID_EXE");
  if (prictl == nullptr || prid == nullptr) GTEST_FAIL() << "PRICTL_EXE or PRID_EXE is not set (run through meson test)";
  const std::string system_conf = TempFile("check_system.conf", kSystemConf);
  struct Sample {
    std::string name;
    std::string_view text;
    bool with_system_conf;
    int spans;
  };
  const Sample kSamples[] = {
      {"two_t1s", kTwoT1s, false, 2},
      {"templates", kTemplates, false, 2},
      {"mixed", kMixedChanDahdi, true, 2},
      {"dahdi_channels_alone", "signalling=pri_cpe\nswitchtype=euroisdn\nchannel => 1-15,17-31\n", false, 1},
      {"timers", "[channels]\nsignalling=pri_net\nswitchtype=qsig\npritimer => t200,1000\nchannel => 1-11\n"
                 "pritimer => t200,2000\npritimer => t316,60000\nchannel => 12-15,17-20\n", false, 1},
  };
  for (const Sample& sample : kSamples) {
    const std::string input = TempFile(sample.name + "_chan_dahdi.conf", sample.text);
    const std::string output = ::testing::TempDir() + "chan_dahdi_import_" + std::to_string(::getpid()) + "_" +
                               sample.name + "_prid.conf";
    std::string command = Quoted(prictl) + " import chan_dahdi " + Quoted(input);
    if (sample.with_system_conf) command += " --system-conf " + Quoted(system_conf);
    // The warnings (stderr) come back in `output` of Finished, the TOML goes to the file.
    Finished imported = RunShell("(" + command + " > " + Quoted(output) + ")");
    EXPECT_EQ(imported.exit_code, 0) << sample.name << ": " << imported.output;
    Finished checked = RunShell(Quoted(prid) + " --check-config " + Quoted(output));
    EXPECT_EQ(checked.exit_code, 0) << sample.name << ": " << checked.output;
    EXPECT_THAT(checked.output, HasSubstr("ok (" + std::to_string(sample.spans) + " span(s))")) << sample.name;
  }
}

}  // namespace
}  // namespace prid::cli
