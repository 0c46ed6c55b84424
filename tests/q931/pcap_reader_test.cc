// Tests of the pcap reader: writer → reader round trip, both byte orders,
// nanosecond timestamps, LINKTYPE_LAPD, and one test per malformed file.
#include "q931/pcap_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "q931/frame.h"
#include "q931/pcap_writer.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Hex;
using ::prid::q931::testing::TempPath;
using ::prid::q931::testing::ToHex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

base::WallTime At(std::int64_t seconds, std::int64_t nanos) {
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(
      std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos)));
}

base::Result<std::vector<PcapRecord>> Parse(std::string_view hex) {
  const auto bytes = Hex(hex);
  return ParsePcap(bytes, "test.pcap");
}

std::string ParseError(std::string_view hex) {
  auto r = Parse(hex);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error();
}

constexpr const char* kLeHeader177 =
    "d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 b1 00 00 00";
constexpr const char* kPseudoSent = "00 04 20 fd 00 01 00 00 00 00 00 00 00 00 00 30";

TEST(PcapReaderTest, ReadsBackWhatTheWriterWrote) {
  const std::string path = TempPath(".pcap");
  const std::vector<std::vector<std::uint8_t>> frames = {
      Hex("00 01 7f"), Hex("02 01 73"), Hex("02 01 00 00 08 02 00 01 05 04 03 80 90 a3"), {}};
  {
    auto w = PcapWriter::Open(path, true);
    ASSERT_TRUE(w.ok()) << w.error();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const auto dir = i % 2 ? FrameDirection::kReceived : FrameDirection::kSent;
      ASSERT_TRUE(
          w->Write(At(1795000000 + static_cast<std::int64_t>(i), 123456000), dir, frames[i]).ok());
    }
  }
  auto records = ReadPcapFile(path);
  ASSERT_TRUE(records.ok()) << records.error();
  ASSERT_EQ(records->size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const PcapRecord& r = (*records)[i];
    EXPECT_EQ(r.frame, frames[i]);
    EXPECT_EQ(r.time, At(1795000000 + static_cast<std::int64_t>(i), 123456000));
    EXPECT_EQ(r.direction, i % 2 ? FrameDirection::kReceived : FrameDirection::kSent);
    EXPECT_TRUE(r.network_side);
  }
  std::remove(path.c_str());
}

TEST(PcapReaderTest, ReadsTheExampleCallFromTheUserSide) {
  const std::string dir = testing::TracesDir();
  ASSERT_FALSE(dir.empty()) << "PRID_TRACES_DIR is not set (tests/q931/meson.build sets it)";
  auto records = ReadPcapFile(dir + "/examples/linux-lapd-177-call.pcap");
  ASSERT_TRUE(records.ok()) << records.error();
  ASSERT_EQ(records->size(), 18u);
  EXPECT_EQ(ToHex(records->front().frame), "00 01 7f");
  EXPECT_EQ(records->front().direction, FrameDirection::kSent);
  EXPECT_FALSE(records->front().network_side);
  int disconnects = 0;
  for (const auto& r : *records) {
    auto f = DecodeFrame(r.frame);
    ASSERT_TRUE(f.ok()) << f.error();
    if (f->q931 && f->q931->message_type == msg::kDisconnect) {
      ++disconnects;
      EXPECT_EQ(r.direction, FrameDirection::kSent);
      EXPECT_EQ(GetCauseValue(*f->q931), 16);
      const auto uui = GetUserUser(*f->q931);
      ASSERT_TRUE(uui.has_value());
      EXPECT_EQ(std::string(uui->info.begin(), uui->info.end()), "hello");
    }
  }
  EXPECT_EQ(disconnects, 1);
}

TEST(PcapReaderTest, ReadsTheSangomaTraceAsLinkType203) {
  const std::string dir = testing::TracesDir();
  ASSERT_FALSE(dir.empty()) << "PRID_TRACES_DIR is not set (tests/q931/meson.build sets it)";
  auto records = ReadPcapFile(dir + "/derived/sangoma-wanpipe-lapd-trace.lapd203.pcap");
  ASSERT_TRUE(records.ok()) << records.error();
  ASSERT_EQ(records->size(), 171u);
  EXPECT_EQ(ToHex((*records)[0].frame), "00 01 01 5d");
  EXPECT_FALSE((*records)[0].direction.has_value());
  EXPECT_EQ((*records)[0].time, At(1207601428, 175416000));
  EXPECT_EQ(ToHex((*records)[165].frame), "02 01 5e 60 08 02 00 02 0f");
}

TEST(PcapReaderTest, TheMalformedExampleStillReadsButItsDisconnectDoesNotDecode) {
  const std::string dir = testing::TracesDir();
  ASSERT_FALSE(dir.empty()) << "PRID_TRACES_DIR is not set (tests/q931/meson.build sets it)";
  auto records = ReadPcapFile(dir + "/examples/linux-lapd-177-malformed.pcap");
  ASSERT_TRUE(records.ok()) << records.error();
  int errors = 0;
  for (const auto& r : *records) {
    auto f = DecodeFrame(r.frame);
    ASSERT_TRUE(f.ok()) << f.error();
    if (f->q931_error) ++errors;
  }
  EXPECT_EQ(errors, 1);
}

TEST(PcapReaderTest, BigEndianFileWithReceivedFrame) {
  auto r = Parse(
      "a1 b2 c3 d4 00 02 00 04 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 b1 "
      "00 00 00 05 00 00 00 07 00 00 00 13 00 00 00 13 "
      "00 00 20 fd 00 01 01 00 00 00 00 00 00 00 00 30 00 01 73");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].time, At(5, 7000));
  EXPECT_EQ((*r)[0].direction, FrameDirection::kReceived);
  EXPECT_TRUE((*r)[0].network_side);
  EXPECT_EQ(ToHex((*r)[0].frame), "00 01 73");
}

TEST(PcapReaderTest, NanosecondMagicInBothByteOrders) {
  auto le = Parse(
      std::string("4d 3c b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 cb 00 00 00 ") +
      "05 00 00 00 07 00 00 00 03 00 00 00 03 00 00 00 00 01 7f");
  ASSERT_TRUE(le.ok()) << le.error();
  EXPECT_EQ((*le)[0].time, At(5, 7));
  EXPECT_FALSE((*le)[0].direction.has_value());
  auto be = Parse(
      std::string("a1 b2 3c 4d 00 02 00 04 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 cb ") +
      "00 00 00 05 3b 9a c9 ff 00 00 00 03 00 00 00 03 00 01 7f");
  ASSERT_TRUE(be.ok()) << be.error();
  EXPECT_EQ((*be)[0].time, At(5, 999999999));
  EXPECT_EQ(ToHex((*be)[0].frame), "00 01 7f");
}

TEST(PcapReaderTest, OtherPkttypeGivesNoDirection) {
  auto r = Parse(std::string(kLeHeader177) +
                 " 00 00 00 00 00 00 00 00 13 00 00 00 13 00 00 00 "
                 "00 03 20 fd 00 01 00 00 00 00 00 00 00 00 00 30 00 01 7f");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_FALSE((*r)[0].direction.has_value());
}

TEST(PcapReaderTest, HeaderOnlyFileHasNoRecords) {
  auto r = Parse(kLeHeader177);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->empty());
}

// One test per malformed file.

TEST(PcapReaderTest, MissingFileErrorNamesThePath) {
  auto r = ReadPcapFile("/nonexistent-dir-for-prid-test/none.pcap");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("/nonexistent-dir-for-prid-test/none.pcap"));
}

TEST(PcapReaderTest, FileShorterThanTheHeaderIsRefused) {
  EXPECT_EQ(ParseError("d4 c3 b2 a1 02 00"),
            "test.pcap: offset 0: too short for a pcap file header (6 octets)");
}

TEST(PcapReaderTest, UnknownMagicIsRefused) {
  EXPECT_THAT(ParseError("00 11 22 33 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 b1 00 00 00"),
              StartsWith("test.pcap: offset 0: not a pcap file (magic 0x00112233)"));
}

TEST(PcapReaderTest, PcapngIsRefused) {
  EXPECT_THAT(ParseError("0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff"),
              StartsWith("test.pcap: offset 0: pcapng is not supported by the classic pcap reader"));
}

TEST(PcapReaderTest, UnsupportedLinkTypeIsRefused) {
  // Link type 17, as in the original Sangoma capture.
  EXPECT_EQ(ParseError("d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 11 00 00 00"),
            "test.pcap: offset 20: unsupported link type 17 (need 177 LINUX_LAPD, 203 LAPD, or "
            "1 / 101 / 228 (IP) with PRI backhaul)");
}

TEST(PcapReaderTest, TruncatedRecordHeaderIsRefused) {
  EXPECT_EQ(ParseError(std::string(kLeHeader177) + " 00 00 00 00 00 00 00 00"),
            "test.pcap: offset 24: truncated record header (8 of 16 octets)");
}

TEST(PcapReaderTest, TruncatedRecordIsRefused) {
  EXPECT_EQ(
      ParseError(std::string(kLeHeader177) + " 00 00 00 00 00 00 00 00 13 00 00 00 13 00 00 00 " +
                 kPseudoSent + " 00 01"),
      "test.pcap: offset 24: truncated record (header says 19 octets, 18 left)");
}

TEST(PcapReaderTest, TruncatedSecondRecordNamesItsOffset) {
  EXPECT_EQ(
      ParseError(std::string(kLeHeader177) + " 00 00 00 00 00 00 00 00 13 00 00 00 13 00 00 00 " +
                 kPseudoSent + " 00 01 7f 00 00 00 00 00 00 00 00 ff 00 00 00"),
      "test.pcap: offset 59: truncated record header (12 of 16 octets)");
}

TEST(PcapReaderTest, RecordShorterThanThePseudoHeaderIsRefused) {
  EXPECT_THAT(ParseError(std::string(kLeHeader177) +
                         " 00 00 00 00 00 00 00 00 03 00 00 00 03 00 00 00 00 01 7f"),
              StartsWith("test.pcap: offset 24: record of 3 octets is too short for the 16-octet"));
}

}  // namespace
}  // namespace prid::q931
