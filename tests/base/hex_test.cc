// base/hex: octets to digits and back, and each way a text is refused.
#include "base/hex.h"

#include <gtest/gtest.h>

namespace prid::base {
namespace {

TEST(Hex, OctetsBecomeLowerCaseDigitPairs) {
  const std::vector<std::uint8_t> octets = {0x00, 0xff, 0x41, 0x0a};
  EXPECT_EQ(ToHex(octets), "00ff410a");
  EXPECT_EQ(ToHex({}), "");
}

TEST(Hex, AppendKeepsWhatWasThere) {
  std::string out = "pd=04 ";
  const std::vector<std::uint8_t> octets = {0xde, 0xad};
  AppendHex(out, octets);
  EXPECT_EQ(out, "pd=04 dead");
}

TEST(Hex, DigitsOfEitherCaseAreRead) {
  auto octets = FromHex("00FFaB41");
  ASSERT_TRUE(octets.ok());
  EXPECT_EQ(*octets, (std::vector<std::uint8_t>{0x00, 0xff, 0xab, 0x41}));
  auto empty = FromHex("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Hex, OddNumberOfDigitsIsRefused) {
  auto octets = FromHex("abc");
  ASSERT_FALSE(octets.ok());
  EXPECT_TRUE(octets.error().odd_length);
}

TEST(Hex, FirstNonDigitIsNamedByPosition) {
  for (auto [text, position] : {std::pair{"0g", 1u}, std::pair{"+f", 0u}, std::pair{"00 1", 2u},
                                std::pair{"0x00", 1u}}) {
    auto octets = FromHex(text);
    ASSERT_FALSE(octets.ok()) << text;
    EXPECT_FALSE(octets.error().odd_length) << text;
    EXPECT_EQ(octets.error().position, position) << text;
  }
}

TEST(Hex, EveryOctetSurvivesTheRoundTrip) {
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  auto back = FromHex(ToHex(all));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

}  // namespace
}  // namespace prid::base
