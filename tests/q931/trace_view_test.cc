// Tests of the decoded trace views: the readable block, the JSON record of
// API.md's `trace` notification, and pcap export of any trace that
// Wireshark (shared/tools/q931-check) accepts.
#include "q931/trace_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "q931/synthetic_trace.h"
#include "q931/trace_json.h"
#include "q931/trace_pcap_export.h"
#include "q931/trace_reader.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Hex;
using ::prid::q931::testing::TempPath;
using ::prid::q931::testing::TracesDir;
using ::testing::HasSubstr;
using ::testing::Not;

TraceRecord Record(std::string_view hex, bool q931_only,
                   std::optional<FrameDirection> dir = FrameDirection::kReceived) {
  TraceRecord r;
  r.frame = Hex(hex);
  r.q931_only = q931_only;
  r.direction = dir;
  r.source = "line 1";
  return r;
}

std::string Text(const TraceRecord& r) { return FormatRecordText(r, DecodeRecord(r)); }

TEST(TraceViewTest, TextShowsLapdHeaderMessageCallReferenceAndEveryIe) {
  const auto text = Text(Record("02 01 04 06 08 02 00 83 45 08 02 82 90 7e 03 04 68 69", false));
  EXPECT_THAT(text, HasSubstr("rx - line 1  N->U\n"));
  EXPECT_THAT(text, HasSubstr("Q.921 I     SAPI=0 TEI=0 C/R=1 N(S)=2 N(R)=3 P/F=0  [02 01 04 06]"));
  EXPECT_THAT(text, HasSubstr("Q.931 DISCONNECT (0x45)  pd=0x08  call ref 0x0083/0 (from "
                              "originator)"));
  EXPECT_THAT(text, HasSubstr("Cause 0x08 [82 90] coding_standard=0 coding_standard_name=\"itu-t\" "
                              "location=2"));
  EXPECT_THAT(text, HasSubstr("cause=16 cause_name=\"normal_clearing\""));
  EXPECT_THAT(text, HasSubstr("User-user 0x7e [04 68 69] pd=4 info=\"6869\" text=\"hi\""));
  EXPECT_THAT(text, Not(HasSubstr("!!")));
}

TEST(TraceViewTest, BrokenFrameShowsTheErrorWithItsFrameOffset) {
  const auto text = Text(Record("02 01 04 06 08 02 00 83 45 08 05 82 90", false));
  EXPECT_THAT(text, HasSubstr("!! offset 9: IE 0x08 length 5 runs past the end (2 octets left)"));
}

TEST(TraceViewTest, BrokenIeContentsAreShownUnderTheIe) {
  const auto text = Text(Record("08 02 00 83 45 08 01 82", true));
  EXPECT_THAT(text, HasSubstr("!! offset 8: Cause: no cause value octet"));
}

TEST(TraceViewTest, SupervisoryFrameHasNoQ931) {
  const auto text = Text(Record("00 01 01 5d", false, std::nullopt));
  EXPECT_THAT(text, HasSubstr("-- - line 1\n"));
  EXPECT_THAT(text, HasSubstr("Q.921 RR    SAPI=0 TEI=0 C/R=0 N(R)=46 P/F=1"));
  EXPECT_THAT(text, Not(HasSubstr("Q.931")));
}

TEST(TraceJsonTest, HasTheFieldsOfTheTraceNotification) {
  const auto r = Record("00 01 06 04 08 02 80 83 5a 08 02 80 90", false, FrameDirection::kSent);
  const auto j = RecordToJson(r, DecodeRecord(r));
  EXPECT_EQ(j["dir"], "tx");
  EXPECT_EQ(j["hex"],
            "000106040802808"
            "35a08028090");
  EXPECT_EQ(j["lapd"]["frame"], "I");
  EXPECT_EQ(j["lapd"]["ns"], 3);
  EXPECT_EQ(j["lapd"]["nr"], 2);
  EXPECT_EQ(j["from_network"], false);
  EXPECT_EQ(j["q931"]["call_ref"], 0x83);
  EXPECT_EQ(j["q931"]["from_originator"], false);
  EXPECT_EQ(j["q931"]["message"], "RELEASE COMPLETE");
  ASSERT_EQ(j["q931"]["ies"].size(), 1u);
  const auto& cause = j["q931"]["ies"][0];
  EXPECT_EQ(cause["ie"], "Cause");
  EXPECT_EQ(cause["hex"], "8090");
  EXPECT_EQ(cause["cause"], 16);
  EXPECT_EQ(cause["location_name"], "user");
  EXPECT_FALSE(j.contains("error"));
}

TEST(TraceJsonTest, BrokenFrameHasAnErrorAndNoQ931) {
  const auto r = Record("0a", true);
  const auto j = RecordToJson(r, DecodeRecord(r));
  EXPECT_FALSE(j.contains("q931"));
  EXPECT_THAT(j["error"].get<std::string>(), HasSubstr("offset 0: protocol discriminator 0x0a"));
}

// Exports `records` and runs q931-check on the pcap with `args`.
int ExportAndCheck(const std::vector<TraceRecord>& records, bool network, const std::string& args) {
  const char* check = std::getenv("Q931_CHECK");
  EXPECT_NE(check, nullptr) << "Q931_CHECK is not set (tests/q931/meson.build sets it)";
  if (check == nullptr) return -1;
  const std::string path = TempPath(".pcap");
  {
    auto out = TracePcapExport::Open(path, network);
    EXPECT_TRUE(out.ok()) << out.error();
    if (!out.ok()) return -1;
    for (const auto& r : records) EXPECT_TRUE(out->Write(r).ok());
  }
  const int status = std::system(fmt::format("{} -q {} {}", check, path, args).c_str());
  std::remove(path.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(TracePcapExportTest, CiscoBackhaulCallBecomesAPcapWiresharkAccepts) {
  ASSERT_FALSE(TracesDir().empty());
  auto records = ReadTraceFile(TracesDir() + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng");
  ASSERT_TRUE(records.ok()) << records.error();
  EXPECT_EQ(ExportAndCheck(*records, false,
                           "--in-order --expect 'SETUP cr=0x83 flag=0 called=1001 dir=n2u' "
                           "--expect 'CALL_PROCEEDING dir=u2n' --expect 'DISCONNECT cause=16 "
                           "dir=n2u' --expect 'RELEASE dir=u2n' --expect RELEASE_COMPLETE"),
            0);
}

TEST(TracePcapExportTest, SangomaLapd203TraceGetsDirectionsFromTheCrBit) {
  ASSERT_FALSE(TracesDir().empty());
  auto records = ReadTraceFile(TracesDir() + "/derived/sangoma-wanpipe-lapd-trace.lapd203.pcap");
  ASSERT_TRUE(records.ok()) << records.error();
  EXPECT_EQ(ExportAndCheck(*records, false,
                           "--expect 'SETUP dir=in dir=n2u' --expect 'CALL_PROCEEDING dir=out'"),
            0);
}

TEST(TracePcapExportTest, GeneratedCallsHaveNoMalformedFrame) {
  EXPECT_EQ(ExportAndCheck(GenerateFrames(40, 11), false,
                           "--expect 'DISCONNECT' --expect 'CONNECT_ACKNOWLEDGE'"),
            0);
}

}  // namespace
}  // namespace prid::q931
