// Tests of the trace readers: pcapng, Ethernet PRI backhaul, libpri debug
// text, hex dumps, format sniffing; and the round trip encode(decode(x)) ==
// x over every frame of the shared traces and of generated calls.
#include "q931/trace_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "q931/frame.h"
#include "q931/names.h"
#include "q931/pcapng_reader.h"
#include "q931/synthetic_trace.h"
#include "q931/text_trace_reader.h"
#include "q931/trace_view.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Hex;
using ::prid::q931::testing::ToHex;
using ::prid::q931::testing::TracesDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> MessageNames(const std::vector<TraceRecord>& records) {
  std::vector<std::string> names;
  for (const auto& r : records) {
    const auto d = DecodeRecord(r);
    if (d.q931) {
      names.emplace_back(MessageName(d.q931->protocol_discriminator, d.q931->message_type));
    }
  }
  return names;
}

std::vector<TraceRecord> ParseText(std::string_view text) {
  auto r = ParseTextTrace(text, "t.txt");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? *r : std::vector<TraceRecord>{};
}

// Encoding what was decoded gives the record's bytes back.
void ExpectRoundTrip(const TraceRecord& r) {
  SCOPED_TRACE(r.source);
  const auto d = DecodeRecord(r);
  if (!d.q931) return;
  std::vector<std::uint8_t> again;
  if (d.lapd) {
    again = ReplaceQ931(r.frame, *d.lapd, *d.q931);
    const auto header = EncodeLapdHeader(*d.lapd);
    EXPECT_EQ(ToHex(std::span(again).first(header.size())), ToHex(header));
  } else {
    again = EncodeMessage(*d.q931);
  }
  EXPECT_EQ(ToHex(again), ToHex(r.frame));
}

TEST(TraceReaderTest, CiscoBackhaulPcapngGivesTheEightMessagesOfTheCall) {
  ASSERT_FALSE(TracesDir().empty()) << "PRID_TRACES_DIR is not set";
  auto records = ReadTraceFile(TracesDir() + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng");
  ASSERT_TRUE(records.ok()) << records.error();
  ASSERT_EQ(records->size(), 8u);
  EXPECT_TRUE(records->front().q931_only);
  EXPECT_THAT(MessageNames(*records),
              ElementsAre("SETUP", "CALL PROCEEDING", "ALERTING", "CONNECT", "CONNECT ACKNOWLEDGE",
                          "DISCONNECT", "RELEASE", "RELEASE COMPLETE"));
  EXPECT_EQ(ToHex(records->at(5).frame), "08 02 00 83 45 08 02 82 90");
  ASSERT_TRUE(records->front().time.has_value());
  EXPECT_EQ(base::FormatRfc3339(*records->front().time), "2015-05-01T19:49:31.711Z");
}

TEST(TraceReaderTest, PcapngMatchesTheDerivedHexListing) {
  ASSERT_FALSE(TracesDir().empty());
  auto pcapng = ReadTraceFile(TracesDir() + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng");
  auto text = ReadTraceFile(TracesDir() + "/derived/cisco-mgcp-pri-backhaul-call.q931.txt");
  ASSERT_TRUE(pcapng.ok()) << pcapng.error();
  ASSERT_TRUE(text.ok()) << text.error();
  ASSERT_EQ(pcapng->size(), text->size());
  for (std::size_t i = 0; i < text->size(); ++i) {
    EXPECT_EQ(ToHex(pcapng->at(i).frame), ToHex(text->at(i).frame));
    ASSERT_TRUE(text->at(i).time.has_value());
    EXPECT_EQ(base::FormatRfc3339(*text->at(i).time), base::FormatRfc3339(*pcapng->at(i).time));
  }
}

TEST(TraceReaderTest, SangomaFramesListingMatchesTheLapd203Pcap) {
  ASSERT_FALSE(TracesDir().empty());
  auto pcap = ReadTraceFile(TracesDir() + "/derived/sangoma-wanpipe-lapd-trace.lapd203.pcap");
  auto text = ReadTraceFile(TracesDir() + "/derived/sangoma-wanpipe-lapd-trace.frames.txt");
  ASSERT_TRUE(pcap.ok()) << pcap.error();
  ASSERT_TRUE(text.ok()) << text.error();
  ASSERT_EQ(pcap->size(), 171u);
  ASSERT_EQ(text->size(), 171u);
  for (std::size_t i = 0; i < 171; ++i) EXPECT_EQ(pcap->at(i).frame, text->at(i).frame);
  EXPECT_THAT(MessageNames(*pcap),
              ElementsAre("SETUP", "CALL PROCEEDING", "CONNECT", "CONNECT ACKNOWLEDGE"));
}

TEST(TraceReaderTest, EveryFrameOfEverySharedTraceRoundTrips) {
  ASSERT_FALSE(TracesDir().empty());
  std::size_t messages = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(TracesDir())) {
    const auto path = entry.path().string();
    if (!entry.is_regular_file() || path.ends_with(".md") || path.ends_with(".lua") ||
        path.ends_with(".gz") || path.find("dlt17") != std::string::npos ||
        path.find("h323") != std::string::npos) {
      continue;
    }
    auto records = ReadTraceFile(path);
    ASSERT_TRUE(records.ok()) << records.error();
    for (const auto& r : *records) {
      ExpectRoundTrip(r);
      if (DecodeRecord(r).q931) ++messages;
    }
  }
  // Cisco pcapng + listing (8 + 8), Sangoma pcap + listing (4 + 4), the
  // examples (9 + 9 + 8, the malformed DISCONNECT not counted).
  EXPECT_GE(messages, 40u);
}

TEST(TraceReaderTest, EveryGeneratedFrameRoundTrips) {
  const auto frames = GenerateFrames(300, 7);
  ASSERT_GT(frames.size(), 5000u);
  for (const auto& r : frames) {
    const auto d = DecodeRecord(r);
    ASSERT_FALSE(d.error.has_value()) << *d.error << " " << ToHex(r.frame);
    for (const auto& ie : d.ies) ASSERT_FALSE(ie.error.has_value()) << *ie.error;
    ExpectRoundTrip(r);
  }
  for (const auto& m : GenerateMessages(50, 3)) {
    auto decoded = DecodeMessage(m);
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    EXPECT_EQ(EncodeMessage(*decoded), m);
  }
}

TEST(TraceReaderTest, GzipIsRefusedWithAHint) {
  auto r = ParseTrace(Hex("1f 8b 08 00"), "x.gz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "x.gz: gzip-compressed (gunzip it first)");
}

TEST(TraceReaderTest, MissingFileNamesThePath) {
  auto r = ReadTraceFile("/nonexistent/trace.pcap");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("/nonexistent/trace.pcap"));
}

// A pcapng image: SHB, IDB (link type 203, if_tsresol 10^-9), one EPB
// with epb_flags outbound.
std::vector<std::uint8_t> SmallPcapng() {
  return Hex(
      "0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffffffffffff 1c000000"
      "01000000 1c000000 cb000000 ffff0000 09000100 09000000 1c000000"
      "06000000 30000000 00000000 00000000 00000000 04000000 04000000 0001015d"
      "02000400 02000000 00000000 30000000");
}

TEST(PcapngReaderTest, ReadsAnEnhancedPacketWithItsDirectionFlag) {
  auto r = ParsePcapng(SmallPcapng(), "t.pcapng");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(ToHex(r->front().frame), "00 01 01 5d");
  EXPECT_EQ(r->front().direction, FrameDirection::kSent);
  EXPECT_FALSE(r->front().q931_only);
}

TEST(PcapngReaderTest, TimestampBeyondTheClockGivesNoTimeInsteadOfOverflowing) {
  // Found by fuzz/pcap_fuzzer (UBSan: float to integer overflow).
  auto bytes = SmallPcapng();
  for (std::size_t i = 68; i < 72; ++i) bytes[i] = 0xFF;  // timestamp, high word
  auto r = ParsePcapng(bytes, "t.pcapng");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_FALSE(r->front().time.has_value());
}

TEST(PcapngReaderTest, BadBlockLengthIsAnErrorWithItsOffset) {
  auto bytes = SmallPcapng();
  bytes[28 + 4] = 0x1D;  // IDB length 29
  auto r = ParsePcapng(bytes, "t.pcapng");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(),
            "t.pcapng: offset 28: block length 29 is not a multiple of 4 of at least 12");
}

TEST(PcapngReaderTest, TruncatedBlockIsAnError) {
  auto bytes = SmallPcapng();
  bytes.resize(bytes.size() - 8);
  auto r = ParsePcapng(bytes, "t.pcapng");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("offset 56: block length 48 runs past the end"));
}

TEST(PcapngReaderTest, PacketOnAnUndescribedInterfaceIsAnError) {
  auto bytes = SmallPcapng();
  bytes[56 + 8] = 3;  // interface 3
  auto r = ParsePcapng(bytes, "t.pcapng");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("interface 3 which was not described"));
}

TEST(PcapngReaderTest, BadByteOrderMagicIsAnError) {
  auto bytes = SmallPcapng();
  bytes[8] = 0;
  auto r = ParsePcapng(bytes, "t.pcapng");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("offset 8: bad byte-order magic"));
}

// libpri 1.6 `pri set debug` output as Asterisk logs it.
constexpr std::string_view kLibpriDebug = R"(
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 > Protocol Discriminator: Q.931 (8)  len=16
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 > TEI=0 Call Ref: len= 2 (reference 131/0x83) (Sent from originator)
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 > Message Type: DISCONNECT (69)
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 > [08 02 82 90]
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 > Cause (len= 4) [ Ext: 1  Coding: CCITT (ITU) standard (0)  Spare: 0  Location: Public network serving the local user (2)
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 >                  Ext: 1  Cause: Normal Clearing (16), class = Normal Event (1) ]
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 > [7e 06 04 68 65 6c 6c 6f]
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 > User-User Information (len= 8) [ 04 68 65 6c 6c 6f ]
[Nov 21 12:00:00] VERBOSE[1234] chan_dahdi.c: PRI Span: 1 
< [ 02 01 04 06 08 02 80 83 4d ]
< Informational frame:
< SAPI: 00  C/R: 1 EA: 0
<  TEI: 000        EA: 1
< N(S): 002   0: 0
< N(R): 003   P: 0
< 5 bytes of data
< Protocol Discriminator: Q.931 (8)  len=5
< TEI=0 Call Ref: len= 2 (reference 131/0x83) (Sent to originator)
< Message Type: RELEASE (77)
> [ 00 01 01 06 ]
> Supervisory frame:
    -- Some other Asterisk line
> Protocol Discriminator: Q.931 (8)  len=5
> TEI=0 Call Ref: len= 2 (reference 131/0x83) (Sent from originator)
> Message Type: RELEASE COMPLETE (90)
> [ 00 01 06 06 08 02 00 83 5a ]
)";

TEST(TextTraceTest, LibpriDebugRebuildsMessagesAndKeepsRawFrames) {
  const auto records = ParseText(kLibpriDebug);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_TRUE(records[0].q931_only);
  EXPECT_EQ(records[0].direction, FrameDirection::kSent);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 83 45 08 02 82 90 7e 06 04 68 65 6c 6c 6f");
  EXPECT_EQ(records[0].source, "line 2");
  // The RELEASE is in its Q.921 frame; the Q.931 dump after it is not repeated.
  EXPECT_FALSE(records[1].q931_only);
  EXPECT_EQ(records[1].direction, FrameDirection::kReceived);
  EXPECT_EQ(ToHex(records[1].frame), "02 01 04 06 08 02 80 83 4d");
  EXPECT_EQ(ToHex(records[2].frame), "00 01 01 06");
  // The RELEASE COMPLETE dump came before its frame: the frame replaces it.
  EXPECT_FALSE(records[3].q931_only);
  EXPECT_EQ(ToHex(records[3].frame), "00 01 06 06 08 02 00 83 5a");
  EXPECT_THAT(MessageNames(records), ElementsAre("DISCONNECT", "RELEASE", "RELEASE COMPLETE"));
}

TEST(TextTraceTest, OldLibpriOriginatorWordsSetTheFlag) {
  const auto records = ParseText(
      "< Protocol Discriminator: Q.931 (8)  len=5\n"
      "< Call Ref: len= 1 (reference 5/0x5) (Terminator)\n"
      "< Message Type: CONNECT ACKNOWLEDGE (15)\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 01 85 0f");
}

TEST(TextTraceTest, Libpri14LowercaseMessageTypeIsRead) {
  // libpri 1.4.0 to 1.4.10: "Message type:", no "TEI=", (Originator).
  const auto records = ParseText(
      "> Protocol Discriminator: Q.931 (8)  len=9\n"
      "> Call Ref: len= 2 (reference 65/0x41) (Originator)\n"
      "> Message type: DISCONNECT (69)\n"
      "> [08 02 81 90]\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 00 41 45 08 02 81 90");
}

TEST(TextTraceTest, DummyCallReferenceOfLibpri16) {
  const auto records = ParseText(
      "< Protocol Discriminator: Q.931 (8)  len=3\n"
      "< TEI=0 Call Ref: len= 0 (reference 0/0x0) (Dummy)\n"
      "< Message Type: FACILITY (98)\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 00 62");
}

// Found by the text_trace fuzzer: a call reference longer than its 32-bit
// number shifted past the number's width.
TEST(TextTraceTest, CallReferenceLongerThanFourOctetsIsZeroPadded) {
  const auto records = ParseText(
      "> Protocol Discriminator: Q.931 (8)  len=8\n"
      "> TEI=0 Call Ref: len= 5 (reference 131/0x83) (Sent from originator)\n"
      "> Message Type: DISCONNECT (69)\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 05 00 00 00 00 83 45");
}

TEST(TextTraceTest, SpacedAndPackedHexLinesAreFrames) {
  const auto records = ParseText(
      "# a comment\n"
      "rx 02 01 00 00 08 02 00 01 05 04 03 80 90 a2\n"
      "tx 0001010402\n"
      "080200834508028290\n"
      "this is not hex at all\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].direction, FrameDirection::kReceived);
  EXPECT_FALSE(records[0].q931_only);
  EXPECT_EQ(records[1].direction, FrameDirection::kSent);
  EXPECT_EQ(ToHex(records[1].frame), "00 01 01 04 02");
  EXPECT_TRUE(records[2].q931_only);
  EXPECT_EQ(records[2].source, "line 4");
}

TEST(TextTraceTest, OffsetPrefixedDumpJoinsLinesUntilTheNextOffsetZero) {
  const auto records = ParseText(
      "0000  02 01 00 00 08 02 00 01  05 04 03 80 90 a2 18 03   ................\n"
      "0010  a9 83 81                                          ...\n"
      "0000: 00 01 01 02\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(ToHex(records[0].frame), "02 01 00 00 08 02 00 01 05 04 03 80 90 a2 18 03 a9 83 81");
  EXPECT_EQ(ToHex(records[1].frame), "00 01 01 02");
}

TEST(TextTraceTest, TableWithAnEpochBeyondTheClockHasNoTime) {
  // Found by fuzz/text_trace_fuzzer (UBSan: signed overflow in the clock).
  const auto records = ParseText("1|9430509775.315287000|0802808307|CONNECT\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].time.has_value());
}

TEST(TextTraceTest, TextWithoutFramesIsAnError) {
  auto r = ParseTextTrace("hello\nworld\n", "t.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "t.txt: no frames found (neither libpri debug output nor a hex dump)");
}

TEST(TextTraceTest, BrokenFrameIsReportedAndTheRestOfTheTraceGoesOn) {
  const auto records = ParseText(
      "02 01 00 00 08 02 00 01 45 08 09 82\n"
      "02 01 02 00 08 02 00 01 4d\n");
  ASSERT_EQ(records.size(), 2u);
  const auto broken = DecodeRecord(records[0]);
  ASSERT_TRUE(broken.error.has_value());
  EXPECT_EQ(*broken.error, "offset 9: IE 0x08 length 9 runs past the end (1 octets left)");
  EXPECT_TRUE(DecodeRecord(records[1]).q931.has_value());
}

}  // namespace
}  // namespace prid::q931
