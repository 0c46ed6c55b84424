// Tests of the Cisco IOS `debug isdn q931` reader: headers, IE lines, time
// stamps, wrapped headers, one test per malformation, and format sniffing
// in ParseTrace.
#include "q931/cisco_trace_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "q931/trace_reader.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::ToHex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<TraceRecord> Parse(std::string_view text) {
  auto r = ParseCiscoTrace(text, "t.txt");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? *r : std::vector<TraceRecord>{};
}

TEST(CiscoTraceTest, SetupWithItsIesIsRebuilt) {
  const auto records = Parse(
      "ISDN Se0/0/0:15 Q931: TX -> SETUP pd = 8  callref = 0x0005\n"
      "        Bearer Capability i = 0x8090A2\n"
      "                Standard = CCITT\n"
      "        Channel ID i = 0xA98381\n"
      "                Exclusive, Channel 1\n"
      "        Calling Party Number i = 0x2181, '5551234'\n"
      "                Plan:ISDN, Type:National\n"
      "        Called Party Number i = 0x80, '1234'\n"
      "        Display i = 'Front desk'\n"
      "        Sending Complete\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].direction, FrameDirection::kSent);
  EXPECT_TRUE(records[0].q931_only);
  EXPECT_EQ(records[0].source, "line 1");
  EXPECT_FALSE(records[0].time.has_value());
  EXPECT_THAT(records[0].warnings, IsEmpty());
  EXPECT_EQ(ToHex(records[0].frame),
            "08 02 00 05 05 04 03 80 90 a2 18 03 a9 83 81 6c 09 21 81 35 35 35 31 32 33 34 70 "
            "05 80 31 32 33 34 28 0a 46 72 6f 6e 74 20 64 65 73 6b a1");
}

TEST(CiscoTraceTest, ReceivedMessageKeepsTheFlagBitOfItsCallReference) {
  const auto records = Parse(
      "ISDN Se0:23 Q931: RX <- DISCONNECT pd = 8  callref = 0x8005\n"
      "        Cause i = 0x8290 - Normal call clearing\n"
      "        Progress Ind i = 0x8188 - In-band info or appropriate now available\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].direction, FrameDirection::kReceived);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 80 05 45 08 02 82 90 1e 02 81 88");
}

TEST(CiscoTraceTest, BriCallReferenceOfOneOctet) {
  const auto records = Parse(
      "ISDN BR0: TX ->  CALL_PROC pd = 8  callref = 0x84\n"
      "        Channel ID i = 0x89\n"
      "ISDN BR0/0/0 Q931: RX <- RELEASE_COMP pd = 8  callref = 0x04\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(ToHex(records[0].frame), "08 01 84 02 18 01 89");
  EXPECT_EQ(ToHex(records[1].frame), "08 01 04 5a");
}

TEST(CiscoTraceTest, AbbreviatedMessageNamesAreRead) {
  const auto records = Parse(
      "TX -> SETUP_ACK pd = 8 callref = 0x8001\n"
      "TX -> CONNECT_ACK pd = 8 callref = 0x0001\n"
      "RX <- STATUS_ENQ pd = 8 callref = 0x0001\n"
      "RX <- RESTART_ACK pd = 8 callref = 0x8000\n"
      "RX <- INFO pd = 8 callref = 0x0001\n"
      "TX -> SERVICE pd = 3 callref = 0x0000\n"
      "RX <- SERVICE_ACK pd = 3 callref = 0x8000\n");
  ASSERT_EQ(records.size(), 7u);
  std::vector<std::uint8_t> types;
  for (const auto& r : records) types.push_back(r.frame.back());
  EXPECT_THAT(types, ElementsAre(0x0D, 0x0F, 0x75, 0x4E, 0x7B, 0x0F, 0x07));
  EXPECT_EQ(records[5].frame[0], 0x03);
}

TEST(CiscoTraceTest, TimeStampsBecomeRecordTimesIn1970) {
  const auto records = Parse(
      "*Mar  1 00:10:22.123: ISDN BR0 Q931: TX -> SETUP pd = 8  callref = 0x01\n"
      "Jan 12 10:11:12.345 UTC: ISDN Se0/0/0:15 Q931: RX <- ALERTING pd = 8  callref = 0x8005\n"
      "000123: Dec 31 23:59:59.999 CET: ISDN Se0:15 Q931: RX <- CONNECT pd = 8  callref = 0x8005\n"
      "00:10:22: ISDN BR0: RX <- CALL_PROC pd = 8  callref = 0x81\n"
      "1d02h: ISDN BR0: RX <- PROGRESS pd = 8  callref = 0x81\n");
  ASSERT_EQ(records.size(), 5u);
  ASSERT_TRUE(records[0].time && records[1].time && records[2].time && records[3].time);
  EXPECT_EQ(base::FormatRfc3339(*records[0].time), "1970-03-01T00:10:22.123Z");
  EXPECT_EQ(base::FormatRfc3339(*records[1].time), "1970-01-12T10:11:12.345Z");
  EXPECT_EQ(base::FormatRfc3339(*records[2].time), "1970-12-31T23:59:59.999Z");
  EXPECT_EQ(base::FormatRfc3339(*records[3].time), "1970-01-01T00:10:22.000Z");
  EXPECT_FALSE(records[4].time.has_value());
  EXPECT_EQ(ToHex(records[4].frame), "08 01 81 03");
}

TEST(CiscoTraceTest, TimeStampedIeLinesOfOlderReleasesBelongToTheMessage) {
  const auto records = Parse(
      "*Mar  1 04:51:52.442: ISDN Se1/0:23: RX <-  DISCONNECT pd = 8  callref = 0x0001\n"
      "*Mar  1 04:51:52.442:         Cause i = 0x8290 - Normal call clearing\n"
      "*Mar  1 04:51:52.443: Calling Party Number i = 0x0083, '408', Plan:Unknown, Type:Unknown\n"
      "*Mar  1 04:51:52.458: cc_API_call_disconnected(vdbPtr=0x831721D8, callID=0x29,\n"
      "*Mar  1 04:51:52.459:         Cause i = 0x8291\n");
  ASSERT_EQ(records.size(), 1u);
  // The IE after the ccAPI line belongs to no message.
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 01 45 08 02 82 90 6c 05 00 83 34 30 38");
}

TEST(CiscoTraceTest, HeaderWrappedOverLinesIsJoined) {
  const auto records = Parse(
      "*Jan 18 03:34:52.739: \n"
      "   ISDN Se3/0:23 Q931: TX -> \n"
      "   CONNECT pd = 8  callref = \n"
      "   0x805A\n"
      "*Jan 18 03:36:14.623: ISDN Se3/0:23 Q931: \n"
      "   RX <- RELEASE pd = 8  callref = 0x005A\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 80 5a 07");
  EXPECT_EQ(records[0].source, "line 2");
  ASSERT_TRUE(records[0].time.has_value());
  EXPECT_EQ(base::FormatRfc3339(*records[0].time), "1970-01-18T03:34:52.739Z");
  EXPECT_EQ(ToHex(records[1].frame), "08 02 00 5a 4d");
  ASSERT_TRUE(records[1].time.has_value());
  EXPECT_EQ(base::FormatRfc3339(*records[1].time), "1970-01-18T03:36:14.623Z");
}

TEST(CiscoTraceTest, TypographicQuotesAndArrowsOfPastedTextAreRead) {
  const auto records = Parse(
      "ISDN BR0: RX \u2192 SETUP pd = 8 callref = 0x04\n"
      "Called Party Number i = 0x80, \u20184155551212\u2019\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].direction, FrameDirection::kReceived);
  EXPECT_EQ(ToHex(records[0].frame), "08 01 04 05 70 0b 80 34 31 35 35 35 35 31 32 31 32");
}

TEST(CiscoTraceTest, CodesetIeWithoutANameGetsANonLockingShift) {
  const auto records = Parse(
      "RX <- SETUP pd = 8 callref = 0x0001\n"
      "        Codeset 6 IE 0x1  i = 0x82, 'xyz'\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 01 05 9e 01 04 82 78 79 7a");
}

// One test per malformation: the bad part is left out with a warning
// naming the line, the rest of the trace is kept.

TEST(CiscoTraceTest, UnknownIeNameIsLeftOutWithAWarning) {
  const auto records = Parse(
      "RX <- SETUP pd = 8 callref = 0x0001\n"
      "        Frobnication Level i = 0x8181\n"
      "        Called Party Number i = 0x80, '1234'\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 01 05 70 05 80 31 32 33 34");
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 2: unknown IE name 'Frobnication Level' (IE left out)"));
}

TEST(CiscoTraceTest, OddHexDigitsAreLeftOutWithAWarning) {
  const auto records = Parse(
      "RX <- DISCONNECT pd = 8 callref = 0x0001\n"
      "        Cause i = 0x829 - Normal call clearing\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 01 45");
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 2: Cause: odd number of hex digits (IE left out)"));
}

TEST(CiscoTraceTest, IeWithoutContentsIsLeftOutWithAWarning) {
  const auto records = Parse(
      "RX <- DISCONNECT pd = 8 callref = 0x0001\n"
      "        Cause i = (null)\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 2: Cause: no contents after 'i =' (IE left out)"));
}

TEST(CiscoTraceTest, UnclosedQuoteIsLeftOutWithAWarning) {
  const auto records = Parse(
      "RX <- SETUP pd = 8 callref = 0x0001\n"
      "        Called Party Number i = 0x80, '1234\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 01 05");
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 2: Called Party Number: quoted text has no closing quote "
                          "(IE left out)"));
}

TEST(CiscoTraceTest, OverlongIeIsLeftOutWithAWarning) {
  const auto records = Parse("RX <- FACILITY pd = 8 callref = 0x0001\n        Facility i = 0x" +
                             std::string(2 * 256, 'A') + "\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 01 62");
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 2: Facility: 256 octets of contents, more than an IE holds "
                          "(IE left out)"));
}

TEST(CiscoTraceTest, UnknownMessageNameIsLeftOutAndWarnedOnTheNextRecord) {
  const auto records = Parse(
      "RX <- FROBNICATE pd = 8 callref = 0x0001\n"
      "        Cause i = 0x8290\n"
      "RX <- RELEASE pd = 8 callref = 0x0001\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 01 4d");
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 1: unknown message name 'FROBNICATE' (message left out)"));
}

TEST(CiscoTraceTest, BadCallReferenceIsLeftOutWithAWarning) {
  const auto records = Parse(
      "RX <- RELEASE pd = 8 callref = 0xZZ\n"
      "RX <- RELEASE pd = 8 callref = 0x123456789\n"
      "RX <- RELEASE pd = 8 callref = 0x0001\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 1: call reference '0xZZ' is not 0x and 1 to 8 hex digits "
                          "(message left out)",
                          "line 2: call reference '0x123456789' is not 0x and 1 to 8 hex digits "
                          "(message left out)"));
}

TEST(CiscoTraceTest, BadProtocolDiscriminatorIsLeftOutWithAWarning) {
  const auto records = Parse(
      "RX <- RELEASE pd = 300 callref = 0x0001\n"
      "RX <- RELEASE pd = 8 callref = 0x0001\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 1: protocol discriminator '300' is no number from 0 to 255 "
                          "(message left out)"));
}

TEST(CiscoTraceTest, HeaderCutShortAtTheEndIsWarnedOnTheLastRecord) {
  const auto records = Parse(
      "RX <- RELEASE pd = 8 callref = 0x0001\n"
      "ISDN Se0:23 Q931: TX -> \n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].warnings,
              ElementsAre("line 2: message header cut short: 'ISDN Se0:23 Q931: TX ->' "
                          "(message left out)"));
}

TEST(CiscoTraceTest, NothingRebuiltIsAnErrorWithTheFirstWarning) {
  auto r = ParseCiscoTrace("RX <- FROBNICATE pd = 8 callref = 0x0001\n", "t.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(),
            "t.txt: no Q.931 message found in the Cisco debug isdn q931 output (line 1: "
            "unknown message name 'FROBNICATE' (message left out))");
}

TEST(CiscoTraceTest, SniffingTellsCiscoFromLibpriAndHex) {
  EXPECT_TRUE(LooksLikeCiscoQ931Debug("junk\n*Mar  1 00:00:01.000: ISDN BR0 Q931: TX -> SETUP "
                                      "pd = 8  callref = 0x01\n"));
  EXPECT_FALSE(LooksLikeCiscoQ931Debug("> Protocol Discriminator: Q.931 (8)  len=5\n"
                                       "> Message Type: RELEASE (77)\n"));
  EXPECT_FALSE(LooksLikeCiscoQ931Debug("tx 0802000105\n"));
  EXPECT_FALSE(LooksLikeCiscoQ931Debug("TX -> SETUP pd = 8\n"));
}

TEST(CiscoTraceTest, ParseTracePicksTheCiscoReader) {
  const std::string text = "RX <- RELEASE pd = 8 callref = 0x0001\n";
  auto r = ParseTrace(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                      "t.txt");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(ToHex(r->front().frame), "08 02 00 01 4d");
}

TEST(CiscoTraceTest, BinaryJunkNeverCrashes) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) % 256);
  junk += "\nTX -> SETUP pd = 8 callref = 0x\n Cause i = 0x\n Cause i = '\nTX -> ";
  auto r = ParseCiscoTrace(junk, "junk");
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace prid::q931
