// Tests of IE decoding into named fields: the typed decoders (cause,
// channel identification, numbers, progress, bearer capability), the field
// lists of every IE DescribeIes knows, and one test per malformation.
#include "q931/ie.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "q931/names.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Hex;
using ::testing::HasSubstr;

std::int64_t Number(const DescribedIe& d, std::string_view field) {
  const IeValue* v = d.Find(field);
  EXPECT_NE(v, nullptr) << field;
  if (v == nullptr || !std::holds_alternative<std::int64_t>(*v)) return -1;
  return std::get<std::int64_t>(*v);
}

std::string Text(const DescribedIe& d, std::string_view field) {
  const IeValue* v = d.Find(field);
  EXPECT_NE(v, nullptr) << field;
  if (v == nullptr || !std::holds_alternative<std::string>(*v)) return "<none>";
  return std::get<std::string>(*v);
}

// The one IE of a message "08 02 00 01 05" + `ie_hex`.
DescribedIe Describe(std::string_view ie_hex) {
  auto m = DecodeMessage(Hex(std::string("08 02 00 01 05 ") + std::string(ie_hex)));
  EXPECT_TRUE(m.ok()) << ie_hex;
  if (!m.ok()) return {};
  auto ies = DescribeIes(*m);
  EXPECT_EQ(ies.size(), 1u);
  return ies.empty() ? DescribedIe{} : ies.front();
}

TEST(CauseIeTest, DecodesCodingLocationValueAndClass) {
  auto c = DecodeCause(Hex("82 90"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->coding_standard, 0);
  EXPECT_EQ(c->location, 2);
  EXPECT_EQ(c->value, 16);
  EXPECT_EQ(c->cause_class(), 1);
  EXPECT_FALSE(c->recommendation.has_value());
  EXPECT_TRUE(c->diagnostics.empty());
}

TEST(CauseIeTest, DecodesRecommendationOctet3aAndDiagnostics) {
  auto c = DecodeCause(Hex("02 80 e0 6c 70"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->recommendation, 0);
  EXPECT_EQ(c->value, 0x60);
  EXPECT_EQ(testing::ToHex(c->diagnostics), "6c 70");
}

TEST(CauseIeTest, FieldsNameTheCauseAndItsClass) {
  const auto d = Describe("08 02 8a a2");
  EXPECT_EQ(d.name, "Cause");
  EXPECT_EQ(Number(d, "cause"), 34);
  EXPECT_EQ(Text(d, "cause_name"), "no_circuit_available");
  EXPECT_EQ(Text(d, "cause_text"), "No circuit/channel available");
  EXPECT_EQ(Text(d, "class_name"), "resource unavailable");
  EXPECT_EQ(Text(d, "location_name"), "network beyond interworking point");
  EXPECT_FALSE(d.error.has_value());
}

TEST(CauseIeTest, EmptyCauseIsAnErrorAtItsFirstContentOctet) {
  const auto d = Describe("08 00");
  ASSERT_TRUE(d.error.has_value());
  EXPECT_EQ(*d.error, "offset 7: Cause: empty (no coding standard / location octet)");
}

TEST(CauseIeTest, MissingValueOctetIsAnError) {
  const auto d = Describe("08 01 82");
  ASSERT_TRUE(d.error.has_value());
  EXPECT_EQ(*d.error, "offset 8: Cause: no cause value octet");
  EXPECT_EQ(d.Find("cause"), nullptr);
}

TEST(CauseIeTest, MissingRecommendationOctetIsAnError) {
  auto c = DecodeCause(Hex("02"), 10);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "offset 11: Cause: octet 3a (recommendation) missing");
}

TEST(ChannelIdTest, ExclusiveBChannelOnPrimaryRate) {
  auto c = DecodeChannelId(Hex("a9 83 81"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_TRUE(c->primary_rate);
  EXPECT_TRUE(c->exclusive);
  EXPECT_FALSE(c->d_channel);
  EXPECT_EQ(c->selection, 1);
  EXPECT_EQ(c->channel_type, 3);
  EXPECT_EQ(c->channels, std::vector<std::uint8_t>{1});
}

TEST(ChannelIdTest, PreferredChannelAndFields) {
  const auto d = Describe("18 03 a1 83 97");
  EXPECT_EQ(Text(d, "interface"), "primary");
  EXPECT_EQ(Number(d, "exclusive"), 0);
  EXPECT_EQ(Number(d, "channel"), 23);
  EXPECT_EQ(Text(d, "channels"), "23");
}

TEST(ChannelIdTest, SeveralChannelNumbers) {
  auto c = DecodeChannelId(Hex("a9 83 01 02 83"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->channels, (std::vector<std::uint8_t>{1, 2, 3}));
}

TEST(ChannelIdTest, InterfaceIdentifierThenTheChannel) {
  // NFAS: B-channel 5 of interface 2 (libpri's SETUP).
  auto c = DecodeChannelId(Hex("e9 82 83 85"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->interface_id, std::vector<std::uint8_t>{2});
  EXPECT_EQ(c->channel_type, 3);
  EXPECT_EQ(c->channels, std::vector<std::uint8_t>{5});
}

TEST(ChannelIdTest, InterfaceIdentifierAndDChannel) {
  auto c = DecodeChannelId(Hex("e9 81"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_TRUE(c->interface_id_present);
  EXPECT_EQ(c->interface_id, std::vector<std::uint8_t>{1});
  auto d = DecodeChannelId(Hex("ac"));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->d_channel);
}

TEST(ChannelIdTest, EmptyIsAnError) {
  auto c = DecodeChannelId({}, 7);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "offset 7: Channel identification: empty (no octet 3)");
}

TEST(ChannelIdTest, MissingChannelTypeIsAnError) {
  auto c = DecodeChannelId(Hex("a9"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("offset 1: Channel identification: octet 3.2"));
}

TEST(ChannelIdTest, MissingChannelNumberIsAnError) {
  auto c = DecodeChannelId(Hex("a9 83"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("offset 2: Channel identification: octet 3.3"));
}

TEST(ChannelIdTest, CutInterfaceIdentifierIsAnError) {
  auto c = DecodeChannelId(Hex("e9 01"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("interface identifier (octet 3.1) cut short"));
}

TEST(ChannelIdTest, OctetsAfterTheLastChannelAreAnError) {
  auto c = DecodeChannelId(Hex("a9 83 81 99"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "offset 3: Channel identification: octets after the last channel number");
}

TEST(PartyNumberTest, CallingNumberWithPresentationAndScreening) {
  auto n = DecodePartyNumber(ie::kCallingPartyNumber, Hex("21 a3 33 35 34"));
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->type, 2);
  EXPECT_EQ(n->plan, 1);
  EXPECT_EQ(n->presentation, 1);
  EXPECT_EQ(n->screening, 3);
  EXPECT_EQ(n->digits, "354");
}

TEST(PartyNumberTest, CalledNumberFields) {
  const auto d = Describe("70 05 80 31 30 30 31");
  EXPECT_EQ(d.name, "Called party number");
  EXPECT_EQ(Text(d, "digits"), "1001");
  EXPECT_EQ(Text(d, "type_name"), "unknown");
  EXPECT_EQ(d.Find("presentation"), nullptr);
}

TEST(PartyNumberTest, RedirectingNumberWithReason) {
  const auto d = Describe("74 05 21 03 8f 35 35");
  EXPECT_EQ(Text(d, "reason_name"), "call forwarding unconditional");
  EXPECT_EQ(Text(d, "screening_name"), "network provided");
  EXPECT_EQ(Text(d, "digits"), "55");
}

TEST(PartyNumberTest, ConnectedNumberIsDecoded) {
  const auto d = Describe("4c 03 81 31 32");
  EXPECT_EQ(d.name, "Connected number");
  EXPECT_EQ(Text(d, "plan_name"), "isdn");
  EXPECT_EQ(Text(d, "digits"), "12");
}

TEST(PartyNumberTest, EmptyNumberIsAnError) {
  auto n = DecodePartyNumber(ie::kCallingPartyNumber, {});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error(), "offset 0: Calling party number: empty (no type of number octet)");
}

TEST(PartyNumberTest, MissingOctet3aIsAnError) {
  auto n = DecodePartyNumber(ie::kCallingPartyNumber, Hex("21"));
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.error(), HasSubstr("octet 3a (presentation, screening) missing"));
}

TEST(PartyNumberTest, CalledNumberWithOctet3aIsAnError) {
  auto n = DecodePartyNumber(ie::kCalledPartyNumber, Hex("21 80 31"));
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.error(), HasSubstr("octet 3 without its ext bit"));
}

TEST(PartyNumberTest, MissingOctet3bIsAnError) {
  auto n = DecodePartyNumber(ie::kRedirectingNumber, Hex("21 03"));
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.error(), HasSubstr("octet 3b (reason for redirection) missing"));
}

TEST(ProgressTest, InBandInformation) {
  const auto d = Describe("1e 02 80 88");
  EXPECT_EQ(Number(d, "description"), 8);
  EXPECT_EQ(Text(d, "description_name"), "in-band information available");
  EXPECT_EQ(Text(d, "location_name"), "user");
}

TEST(ProgressTest, MissingDescriptionIsAnError) {
  auto p = DecodeProgress(Hex("85"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error(), "offset 1: Progress indicator: no progress description octet");
}

TEST(ProgressTest, TrailingOctetIsAnError) {
  auto p = DecodeProgress(Hex("85 83 00"));
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error(), HasSubstr("octets after the progress description"));
}

TEST(BearerCapabilityTest, AudioOverMuLaw) {
  const auto d = Describe("04 03 90 90 a2");
  EXPECT_EQ(Text(d, "transfer_capability_name"), "3.1kHz audio");
  EXPECT_EQ(Text(d, "transfer_mode_name"), "circuit");
  EXPECT_EQ(Text(d, "transfer_rate_name"), "64kbit/s");
  EXPECT_EQ(Text(d, "layer1_name"), "g.711 mu-law");
}

TEST(BearerCapabilityTest, MultirateWithMultiplier) {
  auto b = DecodeBearerCapability(Hex("88 18 86"));
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(b->rate_multiplier, 6);
  EXPECT_FALSE(b->layer1.has_value());
}

TEST(BearerCapabilityTest, MissingOctet4IsAnError) {
  auto b = DecodeBearerCapability(Hex("80"));
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.error(), HasSubstr("octet 4 (transfer mode and rate) missing"));
}

TEST(BearerCapabilityTest, MissingMultiplierIsAnError) {
  auto b = DecodeBearerCapability(Hex("88 18"));
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.error(), HasSubstr("octet 4.1 (rate multiplier) missing"));
}

TEST(BearerCapabilityTest, OctetWithoutLayerIdentificationIsAnError) {
  auto b = DecodeBearerCapability(Hex("80 90 05"));
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.error(), HasSubstr("offset 2: Bearer capability: octet 0x05 is no layer"));
}

TEST(BearerCapabilityTest, LowLayerCompatibilityUsesTheSameCoding) {
  const auto d = Describe("7c 03 88 90 a3");
  EXPECT_EQ(d.name, "Low layer compatibility");
  EXPECT_EQ(Text(d, "layer1_name"), "g.711 a-law");
}

TEST(DescribeIesTest, CallStateSignalNotificationRestartAndChangeStatus) {
  EXPECT_EQ(Text(Describe("14 01 0a"), "state_name"), "active");
  EXPECT_EQ(Text(Describe("34 01 01"), "signal_name"), "ring back tone on");
  EXPECT_EQ(Text(Describe("27 01 f9"), "description_name"), "remote hold");
  EXPECT_EQ(Text(Describe("79 01 87"), "class_name"), "all interfaces");
  const auto cs = Describe("01 01 c2");
  EXPECT_EQ(Text(cs, "preference"), "channel");
  EXPECT_EQ(Text(cs, "status_name"), "out of service");
}

TEST(DescribeIesTest, DisplayKeypadAndDateTime) {
  const auto disp = Describe("28 04 b1 41 42 43");
  EXPECT_EQ(Number(disp, "display_type"), 0xB1);
  EXPECT_EQ(Text(disp, "text"), "ABC");
  EXPECT_EQ(Text(Describe("28 02 41 42"), "text"), "AB");
  EXPECT_EQ(Text(Describe("2c 02 2a 39"), "digits"), "*9");
  EXPECT_EQ(Text(Describe("29 06 18 0b 15 0c 1e 05"), "date_time"), "24-11-21 12:30:05");
}

TEST(DescribeIesTest, DateWithoutDayIsAnError) {
  const auto d = Describe("29 02 18 0b");
  ASSERT_TRUE(d.error.has_value());
  EXPECT_THAT(*d.error, HasSubstr("Date/time: 2 octets"));
}

TEST(DescribeIesTest, UserUserWithTextAndWithBinary) {
  const auto text = Describe("7e 06 04 68 65 6c 6c 6f");
  EXPECT_EQ(Number(text, "pd"), 4);
  EXPECT_EQ(Text(text, "info"), "68656c6c6f");
  EXPECT_EQ(Text(text, "text"), "hello");
  const auto binary = Describe("7e 03 00 00 ff");
  EXPECT_EQ(Text(binary, "info"), "00ff");
  EXPECT_EQ(binary.Find("text"), nullptr);
}

TEST(DescribeIesTest, EmptyUserUserIsAnError) {
  const auto d = Describe("7e 00");
  ASSERT_TRUE(d.error.has_value());
  EXPECT_THAT(*d.error, HasSubstr("User-user: empty"));
}

TEST(DescribeIesTest, FacilityInvokeHeader) {
  // ROSE invoke, invoke id 1, local operation 13 (ETSI CallDeflection), argument.
  const auto d = Describe("1c 0b 91 a1 08 02 01 01 02 01 0d 30 00");
  EXPECT_EQ(Text(d, "protocol_profile_name"), "rose");
  EXPECT_EQ(Text(d, "component_name"), "invoke");
  EXPECT_EQ(Number(d, "invoke_id"), 1);
  EXPECT_EQ(Number(d, "operation"), 13);
  EXPECT_FALSE(d.error.has_value());
}

TEST(DescribeIesTest, FacilityWithNetworkFacilityExtensionAndGlobalOperation) {
  const auto d = Describe("1c 0f 9f aa 02 80 00 a1 08 02 01 ff 06 03 2b 0c 09");
  EXPECT_EQ(Number(d, "invoke_id"), -1);
  EXPECT_EQ(Text(d, "operation_oid"), "2b0c09");
}

TEST(DescribeIesTest, FacilityReturnErrorAndReject) {
  EXPECT_EQ(Number(Describe("1c 09 91 a3 06 02 01 05 02 01 22"), "error"), 0x22);
  EXPECT_EQ(Number(Describe("1c 09 91 a4 06 02 01 05 81 01 02"), "problem"), 2);
}

TEST(DescribeIesTest, FacilityComponentRunningPastTheEndIsAnError) {
  const auto d = Describe("1c 04 91 a1 10 02");
  ASSERT_TRUE(d.error.has_value());
  EXPECT_THAT(*d.error, HasSubstr("Facility: component length 16 runs past the end"));
}

TEST(DescribeIesTest, SubaddressAndHighLayerCompatibility) {
  const auto sub = Describe("6d 04 80 50 31 32");
  EXPECT_EQ(Text(sub, "type_name"), "nsap");
  EXPECT_EQ(Text(sub, "text"), "12");
  const auto hlc = Describe("7d 02 91 81");
  EXPECT_EQ(Text(hlc, "characteristics_name"), "telephony");
}

TEST(DescribeIesTest, SendingCompleteAndShifts) {
  auto m = DecodeMessage(Hex("08 02 00 01 05 a1 96 01 01 7f 9d 28 01 41"));
  ASSERT_TRUE(m.ok()) << m.error();
  const auto ies = DescribeIes(*m);
  ASSERT_EQ(ies.size(), 5u);
  EXPECT_EQ(ies[0].name, "Sending complete");
  EXPECT_EQ(ies[1].name, "Locking shift");
  EXPECT_EQ(Number(ies[1], "codeset"), 6);
  EXPECT_EQ(Number(ies[1], "locking"), 1);
  EXPECT_EQ(ies[2].name, "Originating line information");
  EXPECT_EQ(ies[2].codeset, 6);
  EXPECT_EQ(ies[3].name, "Non-locking shift");
  EXPECT_EQ(ies[4].codeset, 5);
  EXPECT_EQ(ies[4].name, "Unknown");
  EXPECT_EQ(testing::ToHex(ies[4].contents), "41");
}

TEST(DescribeIesTest, UnknownIeKeepsItsRawBytesOnly) {
  const auto d = Describe("5f 03 01 02 03");
  EXPECT_EQ(d.name, "Unknown");
  EXPECT_TRUE(d.fields.empty());
  EXPECT_EQ(testing::ToHex(d.contents), "01 02 03");
  EXPECT_FALSE(d.error.has_value());
}

TEST(DescribeIesTest, OffsetsCountFromTheStartOfTheMessage) {
  auto m =
      DecodeMessage(Hex("080200830504039090a21803a983811e0285836c0600803333333370058031303031"));
  ASSERT_TRUE(m.ok());
  const auto ies = DescribeIes(*m);
  ASSERT_EQ(ies.size(), 5u);
  EXPECT_EQ(ies[0].offset, 5u);
  EXPECT_EQ(ies[1].offset, 10u);
  EXPECT_EQ(ies[4].offset, 27u);
  EXPECT_EQ(Text(ies[3], "digits"), "3333");
}

TEST(DescribeIesTest, IeNamesOfEveryCodeset) {
  EXPECT_EQ(IeName(0, 0x18), "Channel identification");
  EXPECT_EQ(IeName(5, 0x32), "Calling party category");
  EXPECT_EQ(IeName(7, 0x01), "User-specific");
  EXPECT_EQ(IeName(0, 0x95), "Locking shift");
  EXPECT_EQ(IeName(3, 0xA1), "Sending complete");
  EXPECT_EQ(IeName(0, 0x5F), "Unknown");
}

}  // namespace
}  // namespace prid::q931
