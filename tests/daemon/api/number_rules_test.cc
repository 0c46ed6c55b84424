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

TEST(NumberRulesTest, PlansThatDefineTheirDigitsAllowOnlyThose) {
  for (std::uint8_t npi : {1, 3, 4}) {  // e164, x121, f69
    EXPECT_EQ(NumberRulesFor(SwitchVariant::kNi2, 0, npi).allowed, "0123456789") << int(npi);
  }
  for (std::uint8_t npi : {0, 8, 9}) {  // unknown, national, private
    EXPECT_EQ(NumberRulesFor(SwitchVariant::kNi2, 0, npi).allowed, "0123456789*#") << int(npi);
  }
  EXPECT_EQ(CheckPartyNumber("number", "1#", 1, SwitchVariant::kQsig, 2, 1),
            "number has '#' (U+0023) at position 1; allowed in numbering plan e164: 0-9");
}

TEST(NumberRulesTest, AnInternationalE164NumberHasAtMost15Digits) {
  EXPECT_EQ(CheckPartyNumber("number", std::string(15, '4'), 1, SwitchVariant::kEuroIsdnE1, 1, 1), std::nullopt);
  EXPECT_EQ(CheckPartyNumber("number", std::string(16, '4'), 1, SwitchVariant::kEuroIsdnE1, 1, 1),
            "number is 16 digits; an international E.164 number has at most 15");
  EXPECT_EQ(CheckPartyNumber("number", std::string(16, '4'), 1, SwitchVariant::kEuroIsdnE1, 2, 1), std::nullopt)
      << "a national one is bound by libpri alone";
}

SpanConfig Span1() {
  SpanConfig config;
  config.span = 1;
  return config;
}

PartyParam Given(std::string digits) {
  PartyParam p;
  p.digits = std::move(digits);
  return p;
}

TEST(ResolvePartyTest, EachDialplanGivesItsTypeAndPlan) {
  const std::pair<Dialplan, q931::Party> cases[] = {
      {Dialplan::kUnknown, {"123", 0, 0, 0, 0}},  {Dialplan::kNational, {"123", 2, 1, 0, 0}},
      {Dialplan::kInternational, {"123", 1, 1, 0, 0}}, {Dialplan::kLocal, {"123", 4, 1, 0, 0}},
      {Dialplan::kPrivate, {"123", 4, 9, 0, 0}},  {Dialplan::kDynamic, {"123", 0, 0, 0, 0}},
  };
  for (const auto& [dialplan, expected] : cases) {
    auto party = ResolveParty("number", Given("123"), dialplan, Span1());
    ASSERT_TRUE(party.ok()) << party.error();
    EXPECT_EQ(*party, expected) << DialplanName(dialplan);
  }
}

TEST(ResolvePartyTest, GivenAttributesWinOverTheDialplan) {
  PartyParam given = Given("123");
  given.ton = 4;
  given.presentation = 1;
  given.screening = 3;
  auto party = ResolveParty("calling", given, Dialplan::kNational, Span1());
  ASSERT_TRUE(party.ok()) << party.error();
  EXPECT_EQ(*party, (q931::Party{"123", 4, 1, 1, 3}));
}

TEST(ResolvePartyTest, DynamicTakesTheLeadingPlusAlone) {
  auto party = ResolveParty("number", Given("+4930"), Dialplan::kDynamic, Span1());
  ASSERT_TRUE(party.ok()) << party.error();
  EXPECT_EQ(*party, (q931::Party{"4930", 1, 1, 0, 0}));
  EXPECT_EQ(ResolveParty("number", Given("4+930"), Dialplan::kDynamic, Span1()).error(),
            "number has '+' (U+002B) at position 1; allowed: 0-9 * #");
  EXPECT_EQ(ResolveParty("number", Given("+" + std::string(16, '1')), Dialplan::kDynamic, Span1()).error(),
            "number is 16 digits; an international E.164 number has at most 15");
  EXPECT_EQ(ResolveParty("number", Given("+49"), Dialplan::kNational, Span1()).error(),
            "number has '+' (U+002B) at position 0; allowed in numbering plan e164: 0-9");
}

TEST(CheckSubaddressTest, PrintableAsciiOfAtMost20PassesAsNsap) {
  auto s = CheckSubaddress("called_subaddress", std::string(kMaxSubaddressChars, '~'));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_FALSE(s->user_specified);
  EXPECT_EQ(s->data, std::string(kMaxSubaddressChars, '~'));
  EXPECT_EQ(CheckSubaddress("called_subaddress", "12\u00e9").error(),
            "called_subaddress has '\u00e9' (U+00E9) at position 2; allowed: printable ASCII (IA5)");
}

}  // namespace
}  // namespace prid::daemon
