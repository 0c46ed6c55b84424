// Tests of the Q.921 LAPD header codec: every frame format, and one test per
// malformed header.
#include "q931/lapd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Hex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

LapdHeader Decode(std::string_view hex) {
  auto frame = Hex(hex);
  auto h = DecodeLapdHeader(frame);
  EXPECT_TRUE(h.ok()) << hex << ": " << (h.ok() ? "" : h.error());
  return h.ok() ? *h : LapdHeader{};
}

std::string DecodeError(std::string_view hex) {
  auto frame = Hex(hex);
  auto h = DecodeLapdHeader(frame);
  EXPECT_FALSE(h.ok()) << hex;
  return h.ok() ? std::string() : h.error();
}

TEST(LapdTest, IFrameFromNetworkCarriesNsNrAndCommandBit) {
  // Sangoma trace frame 161: the network's SETUP, N(S)=46 N(R)=46.
  const LapdHeader h = Decode("02 01 5c 5c 08 02 00 02 05");
  EXPECT_EQ(h.sapi, 0);
  EXPECT_EQ(h.tei, 0);
  EXPECT_TRUE(h.command_response);
  EXPECT_EQ(h.format, LapdFormat::kInformation);
  EXPECT_EQ(h.ns, 46);
  EXPECT_EQ(h.nr, 46);
  EXPECT_FALSE(h.poll_final);
  EXPECT_EQ(h.length, 4u);
  EXPECT_EQ(LapdFrameName(h), "I");
}

TEST(LapdTest, IFrameWithPollBitSet) {
  const LapdHeader h = Decode("00 01 fe ff");
  EXPECT_EQ(h.format, LapdFormat::kInformation);
  EXPECT_EQ(h.ns, 127);
  EXPECT_EQ(h.nr, 127);
  EXPECT_TRUE(h.poll_final);
  EXPECT_FALSE(h.command_response);
}

TEST(LapdTest, ReceiveReadyPollFromUserSide) {
  // Sangoma trace keep-alive: RR command with P=1, N(R)=46.
  const LapdHeader h = Decode("00 01 01 5d");
  EXPECT_EQ(h.format, LapdFormat::kSupervisory);
  EXPECT_EQ(h.control, lapd::kRr);
  EXPECT_EQ(h.nr, 46);
  EXPECT_TRUE(h.poll_final);
  EXPECT_EQ(h.length, 4u);
  EXPECT_EQ(LapdFrameName(h), "RR");
}

TEST(LapdTest, ReceiveNotReadyAndReject) {
  const LapdHeader rnr = Decode("02 01 05 10");
  EXPECT_EQ(rnr.format, LapdFormat::kSupervisory);
  EXPECT_EQ(rnr.control, lapd::kRnr);
  EXPECT_EQ(rnr.nr, 8);
  EXPECT_FALSE(rnr.poll_final);
  EXPECT_EQ(LapdFrameName(rnr), "RNR");

  const LapdHeader rej = Decode("02 01 09 11");
  EXPECT_EQ(rej.control, lapd::kRej);
  EXPECT_EQ(rej.nr, 8);
  EXPECT_TRUE(rej.poll_final);
  EXPECT_EQ(LapdFrameName(rej), "REJ");
}

struct UCase {
  const char* hex;
  std::uint8_t control;
  bool poll_final;
  const char* name;
};

TEST(LapdTest, EveryUnnumberedFrameWithAndWithoutPollFinal) {
  const UCase cases[] = {
      {"00 01 7f", lapd::kSabme, true, "SABME"}, {"00 01 6f", lapd::kSabme, false, "SABME"},
      {"00 01 73", lapd::kUa, true, "UA"},       {"00 01 63", lapd::kUa, false, "UA"},
      {"00 01 1f", lapd::kDm, true, "DM"},       {"00 01 0f", lapd::kDm, false, "DM"},
      {"00 01 53", lapd::kDisc, true, "DISC"},   {"00 01 43", lapd::kDisc, false, "DISC"},
      {"00 01 97", lapd::kFrmr, true, "FRMR"},   {"00 01 87", lapd::kFrmr, false, "FRMR"},
      {"00 01 13", lapd::kUi, true, "UI"},       {"00 01 03", lapd::kUi, false, "UI"},
      {"00 01 bf", lapd::kXid, true, "XID"},     {"00 01 af", lapd::kXid, false, "XID"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.hex);
    const LapdHeader h = Decode(c.hex);
    EXPECT_EQ(h.format, LapdFormat::kUnnumbered);
    EXPECT_EQ(h.control, c.control);
    EXPECT_EQ(h.poll_final, c.poll_final);
    EXPECT_EQ(h.length, 3u);
    EXPECT_EQ(LapdFrameName(h), c.name);
  }
}

TEST(LapdTest, TeiManagementUiOnSapi63Tei127) {
  // Q.921 5.3: TEI management runs on SAPI 63, broadcast TEI 127.
  const LapdHeader h = Decode("fc ff 03 0f 12 34 01 ff");
  EXPECT_EQ(h.sapi, 63);
  EXPECT_EQ(h.tei, 127);
  EXPECT_FALSE(h.command_response);
  EXPECT_EQ(LapdFrameName(h), "UI");
  EXPECT_EQ(h.length, 3u);
}

TEST(LapdTest, EncodeGivesBackTheDecodedOctets) {
  const char* frames[] = {"02 01 5c 5c", "00 01 fe ff", "00 01 01 5d", "02 01 05 10",
                          "02 01 09 11", "00 01 7f",    "02 01 73",    "fe ff 03",
                          "00 01 1f",    "02 01 43",    "00 01 97",    "00 01 af"};
  for (const char* hex : frames) {
    SCOPED_TRACE(hex);
    const auto bytes = Hex(hex);
    const LapdHeader h = Decode(hex);
    EXPECT_EQ(EncodeLapdHeader(h), bytes);
  }
}

TEST(LapdTest, BuildersMatchDecodedHeaders) {
  EXPECT_EQ(MakeIFrame(0, 0, true, 46, 46), Decode("02 01 5c 5c"));
  EXPECT_EQ(MakeIFrame(0, 0, false, 127, 127, true), Decode("00 01 fe ff"));
  EXPECT_EQ(MakeSFrame(0, 0, false, lapd::kRr, 46, true), Decode("00 01 01 5d"));
  EXPECT_EQ(MakeSFrame(0, 0, true, lapd::kRej, 8, true), Decode("02 01 09 11"));
  EXPECT_EQ(MakeUFrame(0, 0, false, lapd::kSabme, true), Decode("00 01 7f"));
  EXPECT_EQ(MakeUFrame(63, 127, false, lapd::kUi), Decode("fc ff 03"));
  EXPECT_EQ(EncodeLapdHeader(MakeUFrame(0, 64, true, lapd::kUa, true)), Hex("02 81 73"));
}

TEST(LapdTest, SideFromCommandResponseBit) {
  // Q.921 Table 1: commands C/R 1 from the network, 0 from the user.
  EXPECT_EQ(LapdSentByNetwork(Decode("02 01 00 00")), true);          // I, C/R 1
  EXPECT_EQ(LapdSentByNetwork(Decode("00 01 00 00")), false);         // I, C/R 0
  EXPECT_EQ(LapdSentByNetwork(Decode("00 01 7f")), false);            // SABME command from user
  EXPECT_EQ(LapdSentByNetwork(Decode("00 01 73")), true);             // UA response from network
  EXPECT_EQ(LapdSentByNetwork(Decode("02 01 73")), false);            // UA response from user
  EXPECT_EQ(LapdSentByNetwork(Decode("00 01 01 5d")), std::nullopt);  // RR: either
}

// One test per malformed header.

TEST(LapdTest, EmptyFrameIsRefusedAtOffset0) {
  EXPECT_THAT(DecodeError(""), StartsWith("offset 0: empty frame"));
}

TEST(LapdTest, FirstAddressOctetWithEaSetIsRefusedAtOffset0) {
  EXPECT_THAT(DecodeError("01 01 7f"), StartsWith("offset 0: address field ends after one octet"));
}

TEST(LapdTest, FrameEndingInsideAddressIsRefusedAtOffset1) {
  EXPECT_THAT(DecodeError("00"), StartsWith("offset 1: frame ends inside the address field"));
}

TEST(LapdTest, UnterminatedAddressIsRefusedAtOffset1) {
  EXPECT_EQ(DecodeError("00 00 7f"), "offset 1: address field not terminated (EA bit 0 in 0x00)");
}

TEST(LapdTest, MissingControlFieldIsRefusedAtOffset2) {
  EXPECT_THAT(DecodeError("00 01"), StartsWith("offset 2: frame ends before the control field"));
}

TEST(LapdTest, IFrameWithOneControlOctetIsRefusedAtOffset3) {
  EXPECT_THAT(DecodeError("00 01 00"), AllOf(StartsWith("offset 3:"), HasSubstr("an I frame")));
}

TEST(LapdTest, SFrameWithOneControlOctetIsRefusedAtOffset3) {
  EXPECT_THAT(DecodeError("00 01 01"), AllOf(StartsWith("offset 3:"), HasSubstr("an S frame")));
}

TEST(LapdTest, UndefinedSupervisoryFunctionIsRefusedAtOffset2) {
  EXPECT_EQ(DecodeError("00 01 0d 00"), "offset 2: undefined supervisory control field 0x0d");
}

TEST(LapdTest, SupervisoryWithReservedBitsIsRefusedAtOffset2) {
  EXPECT_THAT(DecodeError("00 01 41 00"), StartsWith("offset 2: undefined supervisory"));
}

TEST(LapdTest, UndefinedUnnumberedControlIsRefusedAtOffset2) {
  EXPECT_EQ(DecodeError("00 01 ff"), "offset 2: undefined unnumbered control field 0xff");
}

}  // namespace
}  // namespace prid::q931
