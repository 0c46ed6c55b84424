// Tests of whole-frame decoding (LAPD header + Q.931 payload) and payload
// replacement, on hand-made frames and the real Sangoma LAPD trace.
#include "q931/frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "q931/names.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Hex;
using ::prid::q931::testing::ToHex;
using ::testing::StartsWith;

DecodedFrame Decode(std::string_view hex) {
  const auto bytes = Hex(hex);
  auto f = DecodeFrame(bytes);
  EXPECT_TRUE(f.ok()) << hex << ": " << (f.ok() ? "" : f.error());
  return f.ok() ? *f : DecodedFrame{};
}

// Sangoma trace frame 161: the network's SETUP in an I frame.
constexpr const char* kSangomaSetupFrame =
    "02015c5c080200020504038090a21803a183811e028083280db14e656e616420436f726269636c0c2180333534"
    "3538353039303070 05a131313131";

TEST(FrameTest, IFrameWithSetupDecodesBothLayers) {
  const DecodedFrame f = Decode(kSangomaSetupFrame);
  EXPECT_EQ(f.lapd.format, LapdFormat::kInformation);
  EXPECT_EQ(f.lapd.ns, 46);
  ASSERT_TRUE(f.q931.has_value());
  EXPECT_FALSE(f.q931_error.has_value());
  EXPECT_EQ(f.q931->message_type, msg::kSetup);
  EXPECT_EQ(f.q931->call_reference, (CallReference{2, 2, false}));
  EXPECT_EQ(MessageName(f.q931->message_type), "SETUP");
}

TEST(FrameTest, SupervisoryFrameHasNoQ931) {
  const DecodedFrame f = Decode("00 01 01 5d");
  EXPECT_EQ(LapdFrameName(f.lapd), "RR");
  EXPECT_FALSE(f.q931.has_value());
  EXPECT_FALSE(f.q931_error.has_value());
}

TEST(FrameTest, IFrameWithoutPayloadHasNoQ931AndNoError) {
  const DecodedFrame f = Decode("00 01 00 00");
  EXPECT_FALSE(f.q931.has_value());
  EXPECT_FALSE(f.q931_error.has_value());
}

TEST(FrameTest, UiFrameOnSapi0CarriesQ931) {
  // Broadcast SETUP on the group TEI (Q.921 5.2, basic access style).
  const DecodedFrame f = Decode("02 ff 03 08 01 01 05 04 03 80 90 a3");
  EXPECT_EQ(f.lapd.tei, 127);
  ASSERT_TRUE(f.q931.has_value());
  EXPECT_EQ(f.q931->call_reference, (CallReference{1, 1, false}));
}

TEST(FrameTest, TeiManagementUiIsNotQ931) {
  const DecodedFrame f = Decode("fc ff 03 0f 12 34 01 ff");
  EXPECT_FALSE(f.q931.has_value());
  EXPECT_FALSE(f.q931_error.has_value());
}

TEST(FrameTest, IFrameWithBrokenPayloadReportsTheQ931Error) {
  const DecodedFrame f = Decode("00 01 00 00 08 02 00 01 45 08 05 80 90");
  EXPECT_FALSE(f.q931.has_value());
  ASSERT_TRUE(f.q931_error.has_value());
  EXPECT_EQ(*f.q931_error, "offset 5: IE 0x08 length 5 runs past the end (2 octets left)");
}

TEST(FrameTest, IFrameWithFcsLeftInReportsTheQ931Error) {
  // Frame 163 of the Sangoma trace with two FCS octets appended.
  const DecodedFrame f = Decode("00 01 5c 5e 08 02 80 02 02 18 03 a9 83 81 4b 7c");
  ASSERT_TRUE(f.q931_error.has_value());
  EXPECT_THAT(*f.q931_error, StartsWith("offset 10:"));
}

TEST(FrameTest, BrokenLapdHeaderIsAnError) {
  const auto bytes = Hex("00 00 00 00 08 02 00 01 45");
  auto f = DecodeFrame(bytes);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.error(), StartsWith("offset 1: address field not terminated"));
}

TEST(FrameTest, PeekGivesTheHeadOfTheMessageDecodeFrameGives) {
  const auto head = PeekQ931Head(Hex(kSangomaSetupFrame));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->message_type, msg::kSetup);
  EXPECT_EQ(head->call_reference, (CallReference{2, 2, false}));
  EXPECT_EQ(head->ies_offset, 5u);
  const auto ui = PeekQ931Head(Hex("02 ff 03 08 01 01 05 04 03 80 90 a3"));
  ASSERT_TRUE(ui.has_value());
  EXPECT_EQ(ui->call_reference, (CallReference{1, 1, false}));
}

TEST(FrameTest, PeekGivesTheHeadOfAMessageWhoseIesDoNotDecode) {
  // The DISCONNECT's cause runs past the end: still call reference 1's.
  const auto head = PeekQ931Head(Hex("00 01 00 00 08 02 80 01 45 08 05 80 90"));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->message_type, msg::kDisconnect);
  EXPECT_EQ(head->call_reference, (CallReference{2, 1, true}));
}

TEST(FrameTest, PeekGivesNothingWithoutAQ931Head) {
  EXPECT_FALSE(PeekQ931Head(Hex("00 01 01 5d")).has_value()) << "RR";
  EXPECT_FALSE(PeekQ931Head(Hex("00 01 00 00")).has_value()) << "an I frame without payload";
  EXPECT_FALSE(PeekQ931Head(Hex("fc ff 03 0f 12 34 01 ff")).has_value()) << "TEI management";
  EXPECT_FALSE(PeekQ931Head(Hex("00 00 00 00 08 02 00 01 45")).has_value()) << "a broken LAPD header";
  EXPECT_FALSE(PeekQ931Head(Hex("00 01 00 00 08 02 00")).has_value()) << "cut inside the call reference";
  EXPECT_FALSE(PeekQ931Head(Hex("00 01 00 00 08 02 00 01")).has_value()) << "no message type";
}

TEST(FrameTest, ReplaceQ931KeepsTheLapdHeader) {
  const auto frame = Hex("00 01 04 06 08 02 00 01 45 08 02 80 9f");
  const DecodedFrame f = Decode(ToHex(frame));
  ASSERT_TRUE(f.q931.has_value());
  Message m = *f.q931;
  ASSERT_TRUE(SetCauseValue(m, 16));
  SetUserUser(m, {0x00, {0x00, 0x41}});
  EXPECT_EQ(ToHex(ReplaceQ931(frame, f.lapd, m)),
            "00 01 04 06 08 02 00 01 45 08 02 80 90 7e 03 00 00 41");
}

TEST(FrameTest, ReplaceQ931OnUiFrameKeepsThreeHeaderOctets) {
  const auto frame = Hex("02 ff 03 08 01 01 05 04 03 80 90 a3");
  const DecodedFrame f = Decode(ToHex(frame));
  ASSERT_TRUE(f.q931.has_value());
  Message m = *f.q931;
  m.call_reference.value = 2;
  EXPECT_EQ(ToHex(ReplaceQ931(frame, f.lapd, m)), "02 ff 03 08 01 02 05 04 03 80 90 a3");
}

TEST(FrameTest, EveryFrameOfTheSangomaTraceDecodesAndRoundTrips) {
  const std::string dir = testing::TracesDir();
  ASSERT_FALSE(dir.empty()) << "PRID_TRACES_DIR is not set (tests/q931/meson.build sets it)";
  std::ifstream in(dir + "/derived/sangoma-wanpipe-lapd-trace.frames.txt");
  ASSERT_TRUE(in) << "cannot read the Sangoma trace listing under " << dir;
  int frames = 0;
  std::vector<std::string> messages;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::string hex = line.substr(line.rfind('|') + 1);
    SCOPED_TRACE(line);
    const auto bytes = Hex(hex);
    auto f = DecodeFrame(bytes);
    ASSERT_TRUE(f.ok()) << f.error();
    EXPECT_FALSE(f->q931_error.has_value());
    ++frames;
    if (!f->q931) continue;
    messages.emplace_back(MessageName(f->q931->message_type));
    EXPECT_EQ(ReplaceQ931(bytes, f->lapd, *f->q931), bytes);
  }
  EXPECT_EQ(frames, 171);
  EXPECT_EQ(messages, (std::vector<std::string>{"SETUP", "CALL PROCEEDING", "CONNECT",
                                                "CONNECT ACKNOWLEDGE"}));
}

}  // namespace
}  // namespace prid::q931
