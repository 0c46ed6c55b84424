// Tests of daemon/api/number_rules: a party number passes only when the
// span's switch variant carries it exactly as given; one test per
// malformation, each naming the parameter and the offending character or
// the limit.
#include "daemon/api/number_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace prid::daemon {
namespace {

using namespace std::string_literals;

std::optional<std::string> Check(std::string_view number, SwitchVariant variant = SwitchVariant::kEuroIsdnE1) {
  return CheckPartyNumber("number", number, 1, variant);
}

TEST(NumberRulesTest, DigitsStarAndHashPass) {
  EXPECT_EQ(Check("0123456789*#"), std::nullopt);
  EXPECT_EQ(Check(""), std::nullopt) << "whether it may be empty is the caller's to say";
}

TEST(NumberRulesTest, TheLongestNumberLibpriCarriesPasses) {
  EXPECT_EQ(Check(std::string(kLibpriMaxNumberDigits, '7')), std::nullopt);
}

TEST(NumberRulesTest, ANulByteIsRefusedWhereItStands) {
  EXPECT_EQ(Check("555\0"s "123"), "number has U+0000 at position 3; allowed: 0-9 * #");
}

TEST(NumberRulesTest, ALetterIsRefusedWithItsCodePoint) {
  EXPECT_EQ(Check("555A123"), "number has 'A' (U+0041) at position 3; allowed: 0-9 * #");
}

TEST(NumberRulesTest, ASpaceIsRefused) {
  EXPECT_EQ(Check("555 123"), "number has ' ' (U+0020) at position 3; allowed: 0-9 * #");
}

TEST(NumberRulesTest, ANonAsciiCharacterIsRefusedAtItsCharacterPosition) {
  // U+260E is three octets; the position counts characters.
  EXPECT_EQ(Check("1\u260e2"), "number has '\u260e' (U+260E) at position 1; allowed: 0-9 * #");
  EXPECT_EQ(Check("\u260e\u260eA"), "number has '\u260e' (U+260E) at position 0; allowed: 0-9 * #");
  EXPECT_EQ(Check("12\u00e9"), "number has '\u00e9' (U+00E9) at position 2; allowed: 0-9 * #");
}

TEST(NumberRulesTest, AControlCharacterIsNamedByItsCodePointAlone) {
  EXPECT_EQ(Check("12\t3"), "number has U+0009 at position 2; allowed: 0-9 * #");
  EXPECT_EQ(Check("12\x7f"), "number has U+007F at position 2; allowed: 0-9 * #");
}

TEST(NumberRulesTest, ANumberLongerThanTheVariantCarriesIsRefusedNamingTheSpanAndLimit) {
  EXPECT_EQ(Check(std::string(40, '5')), "number is 40 digits; span 1 (euroisdn_e1) carries at most 31");
  EXPECT_EQ(CheckPartyNumber("calling", std::string(32, '1'), 7, SwitchVariant::kNi2),
            "calling is 32 digits; span 7 (ni2) carries at most 31");
}

TEST(NumberRulesTest, AWrongCharacterIsNamedBeforeTheLength) {
  EXPECT_EQ(Check(std::string(65000, 'x')), "number has 'x' (U+0078) at position 0; allowed: 0-9 * #");
}

TEST(NumberRulesTest, EveryVariantCarriesTheSameDigits) {
  for (SwitchVariant v : {SwitchVariant::kNi2, SwitchVariant::kDms100, SwitchVariant::k5ess, SwitchVariant::k4ess,
                          SwitchVariant::kEuroIsdnE1, SwitchVariant::kEuroIsdnT1, SwitchVariant::kNi1,
                          SwitchVariant::kQsig}) {
    const NumberRules rules = NumberRulesFor(v);
    EXPECT_EQ(rules.allowed, "0123456789*#") << SwitchVariantName(v);
    EXPECT_EQ(rules.max_digits, kLibpriMaxNumberDigits) << SwitchVariantName(v);
    EXPECT_EQ(Check("*#1", v), std::nullopt) << SwitchVariantName(v);
  }
}

}  // namespace
}  // namespace prid::daemon
