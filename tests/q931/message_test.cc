// Tests of the Q.931 message codec: byte-exact round trips (real traces and
// hand-made messages), shift/codeset tracking, User-user and Cause access,
// and one test per malformation.
#include "q931/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Hex;
using ::prid::q931::testing::ToHex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Message Decode(std::string_view hex) {
  const auto bytes = Hex(hex);
  auto m = DecodeMessage(bytes);
  EXPECT_TRUE(m.ok()) << hex << ": " << (m.ok() ? "" : m.error());
  return m.ok() ? *m : Message{};
}

std::string DecodeError(std::string_view hex) {
  const auto bytes = Hex(hex);
  auto m = DecodeMessage(bytes);
  EXPECT_FALSE(m.ok()) << hex;
  return m.ok() ? std::string() : m.error();
}

void ExpectRoundTrip(std::string_view hex) {
  SCOPED_TRACE(hex);
  const auto bytes = Hex(hex);
  auto m = DecodeMessage(bytes);
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(ToHex(EncodeMessage(*m)), ToHex(bytes));
}

std::vector<std::uint8_t> Ids(const Message& m) {
  std::vector<std::uint8_t> ids;
  for (const auto& e : m.ies) ids.push_back(e.id);
  return ids;
}

// The Cisco PRI-backhaul call (derived/cisco-mgcp-pri-backhaul-call.q931.txt).
constexpr const char* kCiscoCall[] = {
    "080200830504039090a21803a983811e0285836c0600803333333370058031303031",  // SETUP
    "08028083021803a98381",                                                  // CALL PROCEEDING
    "08028083011e028088",                                                    // ALERTING
    "0802808307",                                                            // CONNECT
    "080200830f",                                                            // CONNECT ACK
    "080200834508028290",                                                    // DISCONNECT
    "080280834d",                                                            // RELEASE
    "080200835a",                                                            // RELEASE COMPLETE
};

// The Q.931 payloads of the Sangoma LAPD trace (frames 161, 163, 165, 166).
constexpr const char* kSangomaCall[] = {
    "080200020504038090a21803a183811e028083280db14e656e616420436f726269636c0c218033353435383530"
    "3930307005a131313131",
    "08028002021803a98381",
    "08028002071803a983811e028182",
    "080200020f",
};

TEST(MessageTest, CiscoTraceMessagesRoundTrip) {
  for (const char* hex : kCiscoCall) ExpectRoundTrip(hex);
}

TEST(MessageTest, SangomaTraceMessagesRoundTrip) {
  for (const char* hex : kSangomaCall) ExpectRoundTrip(hex);
}

TEST(MessageTest, EveryMessageOfTheTraceFilesRoundTrips) {
  const std::string dir = testing::TracesDir();
  ASSERT_FALSE(dir.empty()) << "PRID_TRACES_DIR is not set (tests/q931/meson.build sets it)";
  std::ifstream in(dir + "/derived/cisco-mgcp-pri-backhaul-call.q931.txt");
  ASSERT_TRUE(in) << "cannot read the Cisco trace listing under " << dir;
  int messages = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, '|');) fields.push_back(f);
    ASSERT_GE(fields.size(), 6u) << line;
    ExpectRoundTrip(fields[4]);
    ++messages;
  }
  EXPECT_EQ(messages, 8);
}

TEST(MessageTest, SetupFromCiscoTraceDecodesHeaderAndIes) {
  const Message m = Decode(kCiscoCall[0]);
  EXPECT_EQ(m.protocol_discriminator, kPdQ931);
  EXPECT_EQ(m.call_reference, (CallReference{2, 0x0083, false}));
  EXPECT_EQ(m.message_type, msg::kSetup);
  EXPECT_EQ(Ids(m), (std::vector<std::uint8_t>{ie::kBearerCapability, ie::kChannelIdentification,
                                               ie::kProgressIndicator, ie::kCallingPartyNumber,
                                               ie::kCalledPartyNumber}));
  const InformationElement* called = FindIe(m, ie::kCalledPartyNumber);
  ASSERT_NE(called, nullptr);
  EXPECT_EQ(ToHex(called->contents), "80 31 30 30 31");
  EXPECT_FALSE(called->single_octet);
  EXPECT_EQ(called->codeset, 0);
}

TEST(MessageTest, CallReferenceFlagIsSeparatedFromTheValue) {
  const Message m = Decode(kCiscoCall[1]);  // CALL PROCEEDING from the user side
  EXPECT_EQ(m.call_reference, (CallReference{2, 0x0083, true}));
  EXPECT_EQ(m.message_type, msg::kCallProceeding);
}

TEST(MessageTest, OneOctetCallReferenceRoundTrips) {
  // Basic-rate style: 1-octet call reference 0x05 with the flag set.
  const Message m = Decode("08 01 85 45 08 02 80 90");
  EXPECT_EQ(m.call_reference, (CallReference{1, 5, true}));
  EXPECT_EQ(m.message_type, msg::kDisconnect);
  ExpectRoundTrip("08 01 85 45 08 02 80 90");
  ExpectRoundTrip("08 01 7f 4d");
}

TEST(MessageTest, ThreeAndFourOctetCallReferencesRoundTrip) {
  const Message three = Decode("08 03 81 23 45 5a");
  EXPECT_EQ(three.call_reference, (CallReference{3, 0x012345, true}));
  ExpectRoundTrip("08 03 81 23 45 5a");
  const Message four = Decode("08 04 7f ff ff ff 5a");
  EXPECT_EQ(four.call_reference, (CallReference{4, 0x7fffffff, false}));
  ExpectRoundTrip("08 04 7f ff ff ff 5a");
}

TEST(MessageTest, DummyCallReferenceHasLengthZero) {
  // Q.931 4.3: the dummy call reference, e.g. for a global NOTIFY.
  const Message m = Decode("08 00 6e 27 01 81");
  EXPECT_EQ(m.call_reference, (CallReference{0, 0, false}));
  EXPECT_EQ(m.message_type, msg::kNotify);
  ExpectRoundTrip("08 00 6e 27 01 81");
}

TEST(MessageTest, GlobalRestartRoundTrips) {
  // RESTART on the global call reference (value 0), Restart indicator "all".
  const Message m = Decode("08 02 00 00 46 79 01 87");
  EXPECT_EQ(m.call_reference, (CallReference{2, 0, false}));
  EXPECT_EQ(m.message_type, msg::kRestart);
  ExpectRoundTrip("08 02 00 00 46 79 01 87");
  ExpectRoundTrip("08 02 80 00 4e 18 03 a9 83 81 79 01 80");
}

TEST(MessageTest, MaintenanceServiceMessagesRoundTrip) {
  // National maintenance protocol discriminators 0x03 and 0x43 (SERVICE).
  const Message m = Decode("03 02 00 01 0f 01 01 c0 18 03 a9 83 81");
  EXPECT_EQ(m.protocol_discriminator, 0x03);
  EXPECT_EQ(m.message_type, 0x0f);
  ExpectRoundTrip("03 02 00 01 0f 01 01 c0 18 03 a9 83 81");
  ExpectRoundTrip("43 02 80 01 07 01 01 c0 18 03 a9 83 81");
}

TEST(MessageTest, MessageWithoutIesRoundTrips) {
  const Message m = Decode("08 02 00 01 0f");
  EXPECT_TRUE(m.ies.empty());
  ExpectRoundTrip("08 02 00 01 0f");
}

TEST(MessageTest, EmptyVariableLengthIeRoundTrips) {
  const Message m = Decode("08 02 00 01 7b 70 00");
  ASSERT_EQ(m.ies.size(), 1u);
  EXPECT_TRUE(m.ies[0].contents.empty());
  ExpectRoundTrip("08 02 00 01 7b 70 00");
}

TEST(MessageTest, SendingCompleteIsASingleOctetIe) {
  const Message m = Decode("08 02 00 01 05 a1 04 03 80 90 a2 70 02 81 31");
  ASSERT_EQ(m.ies.size(), 3u);
  EXPECT_TRUE(m.ies[0].single_octet);
  EXPECT_EQ(m.ies[0].id, ie::kSendingComplete);
  EXPECT_TRUE(m.ies[0].contents.empty());
  EXPECT_FALSE(m.ies[1].single_octet);
  EXPECT_NE(FindIe(m, ie::kSendingComplete), nullptr);
  ExpectRoundTrip("08 02 00 01 05 a1 04 03 80 90 a2 70 02 81 31");
}

TEST(MessageTest, LockingShiftAppliesToEveryFollowingIe) {
  // Q.931 4.5.3: 0x95 locks codeset 5.
  const Message m = Decode("08 02 00 01 45 08 02 80 90 95 7b 01 41 08 01 42");
  ASSERT_EQ(m.ies.size(), 4u);
  EXPECT_EQ(m.ies[0].codeset, 0);  // Cause
  EXPECT_EQ(m.ies[1].id, 0x95);
  EXPECT_EQ(m.ies[1].codeset, 0);  // the shift stands in codeset 0
  EXPECT_EQ(m.ies[2].codeset, 5);
  EXPECT_EQ(m.ies[3].codeset, 5);
  // The codeset-5 IE 0x08 is not the Cause IE.
  EXPECT_EQ(FindIe(m, ie::kCause), &m.ies[0]);
  ExpectRoundTrip("08 02 00 01 45 08 02 80 90 95 7b 01 41 08 01 42");
}

TEST(MessageTest, NonLockingShiftAppliesToTheNextIeOnly) {
  // Q.931 4.5.4: 0x9e shifts the next IE to codeset 6, then codeset 0 again.
  const Message m = Decode("08 02 00 01 05 04 03 80 90 a3 9e 28 02 41 42 70 02 81 31");
  ASSERT_EQ(m.ies.size(), 4u);
  EXPECT_EQ(m.ies[1].id, 0x9e);
  EXPECT_EQ(m.ies[1].codeset, 0);
  EXPECT_EQ(m.ies[2].id, ie::kDisplay);
  EXPECT_EQ(m.ies[2].codeset, 6);
  EXPECT_EQ(m.ies[3].codeset, 0);
  EXPECT_EQ(FindIe(m, ie::kDisplay), nullptr);
  ExpectRoundTrip("08 02 00 01 05 04 03 80 90 a3 9e 28 02 41 42 70 02 81 31");
}

TEST(MessageTest, NonLockingShiftAfterLockingShiftReturnsToTheLockedCodeset) {
  const Message m = Decode("08 02 00 01 7b 95 01 01 41 9f 02 01 42 03 01 43");
  ASSERT_EQ(m.ies.size(), 5u);
  EXPECT_EQ(m.ies[1].codeset, 5);  // locked codeset 5 from here
  EXPECT_EQ(m.ies[2].codeset, 5);  // the non-locking shift stands in codeset 5
  EXPECT_EQ(m.ies[3].codeset, 7);
  EXPECT_EQ(m.ies[4].codeset, 5);
}

TEST(MessageTest, NonLockingShiftAppliesToAFollowingSingleOctetIe) {
  const Message m = Decode("08 02 00 01 05 9e a1 a1");
  ASSERT_EQ(m.ies.size(), 3u);
  EXPECT_EQ(m.ies[1].codeset, 6);
  EXPECT_EQ(m.ies[2].codeset, 0);
  EXPECT_EQ(FindIe(m, ie::kSendingComplete), &m.ies[2]);
}

TEST(MessageTest, EncodesAHandBuiltMessage) {
  Message m;
  m.call_reference = {2, 0x1234, true};
  m.message_type = msg::kReleaseComplete;
  m.ies.push_back({0, ie::kCause, false, {0x80, 0x90}});
  m.ies.push_back({0, ie::kSendingComplete, true, {}});
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 92 34 5a 08 02 80 90 a1");
}

TEST(MessageTest, RandomInputNeverCrashesAndRoundTripsWhenAccepted) {
  std::mt19937 rng(931);
  std::vector<std::vector<std::uint8_t>> seeds;
  for (const char* hex : kCiscoCall) seeds.push_back(Hex(hex));
  for (const char* hex : kSangomaCall) seeds.push_back(Hex(hex));
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> bytes;
    if (i % 2 == 0) {
      // Pure noise after a plausible header.
      bytes = {0x08, 0x02, 0x00, 0x01, 0x45};
      const std::size_t n = rng() % 24;
      for (std::size_t k = 0; k < n; ++k) bytes.push_back(static_cast<std::uint8_t>(rng()));
    } else {
      // A real message with a few octets changed, then maybe cut short.
      bytes = seeds[rng() % seeds.size()];
      for (int k = 0, flips = 1 + rng() % 3; k < flips; ++k) {
        bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
      }
      if (rng() % 2) bytes.resize(rng() % (bytes.size() + 1));
    }
    auto m = DecodeMessage(bytes);
    if (!m.ok()) {
      EXPECT_THAT(m.error(), StartsWith("offset ")) << ToHex(bytes);
      continue;
    }
    ++accepted;
    ASSERT_EQ(ToHex(EncodeMessage(*m)), ToHex(bytes));
  }
  EXPECT_GT(accepted, 1000);
}

// User-user information element (Q.931 4.5.30).

TEST(UserUserTest, ReadsProtocolDiscriminatorAndInfo) {
  const Message m = Decode("08 02 00 01 45 08 02 80 90 7e 06 04 68 65 6c 6c 6f");
  const auto uui = GetUserUser(m);
  ASSERT_TRUE(uui.has_value());
  EXPECT_EQ(uui->pd, kUuiPdIa5);
  EXPECT_EQ(ToHex(uui->info), "68 65 6c 6c 6f");
}

TEST(UserUserTest, AbsentOrEmptyIeGivesNothing) {
  EXPECT_FALSE(GetUserUser(Decode("08 02 00 01 45 08 02 80 90")).has_value());
  EXPECT_FALSE(GetUserUser(Decode("08 02 00 01 45 08 02 80 90 7e 00")).has_value());
}

TEST(UserUserTest, IeInAnotherCodesetIsNotTheUserUserIe) {
  EXPECT_FALSE(GetUserUser(Decode("08 02 00 01 45 9e 7e 02 04 41")).has_value());
}

TEST(UserUserTest, InsertsAfterCauseInDisconnect) {
  Message m = Decode("08 02 00 01 45 08 02 80 90");
  SetUserUser(m, {kUuiPdIa5, {'h', 'e', 'l', 'l', 'o'}});
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 90 7e 06 04 68 65 6c 6c 6f");
}

TEST(UserUserTest, ReplacesAnExistingIeInPlace) {
  Message m = Decode("08 02 00 01 45 08 02 80 90 7e 03 04 41 42 1c 01 99");
  SetUserUser(m, {0x00, {0x00, 0x01}});
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 90 7e 03 00 00 01 1c 01 99");
}

TEST(UserUserTest, InsertsBeforeAHigherCodeset0Identifier) {
  Message m = Decode("08 02 00 01 45 08 02 80 90 7f 01 00");
  SetUserUser(m, {kUuiPdIa5, {'x'}});
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 90 7e 02 04 78 7f 01 00");
}

TEST(UserUserTest, InsertsInAscendingOrderBetweenLowerAndHigherIes) {
  // SETUP: Bearer capability 0x04, Called party number 0x70, then 0x7f.
  Message m = Decode("08 02 00 01 05 04 03 80 90 a3 70 02 81 31 7f 01 00");
  SetUserUser(m, {kUuiPdIa5, {'x'}});
  EXPECT_EQ(ToHex(EncodeMessage(m)),
            "08 02 00 01 05 04 03 80 90 a3 70 02 81 31 7e 02 04 78 7f 01 00");
}

TEST(UserUserTest, InsertsBeforeALockingShift) {
  Message m = Decode("08 02 00 01 45 08 02 80 90 95 7b 01 41");
  SetUserUser(m, {kUuiPdIa5, {'x'}});
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 90 7e 02 04 78 95 7b 01 41");
}

TEST(UserUserTest, GoesAfterANonLockingShiftedIeOfAnotherCodeset) {
  Message m = Decode("08 02 00 01 45 08 02 80 90 9e 7b 01 41");
  SetUserUser(m, {kUuiPdIa5, {'x'}});
  const Message again = Decode(ToHex(EncodeMessage(m)));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 90 9e 7b 01 41 7e 02 04 78");
  EXPECT_EQ(again.ies[2].codeset, 6);  // the shifted IE stays in codeset 6
  EXPECT_EQ(again.ies[3].codeset, 0);
}

TEST(UserUserTest, NeverSplitsANonLockingShiftFromItsIe) {
  // 0x98 shifts the next IE (0x7f) to codeset 0 only: the UUIE goes before
  // the shift, not between it and the 0x7f IE.
  Message m = Decode("08 02 00 01 45 08 02 80 90 98 7f 01 00");
  SetUserUser(m, {kUuiPdIa5, {'x'}});
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 90 7e 02 04 78 98 7f 01 00");
}

TEST(UserUserTest, SingleOctetIesDoNotDecideThePlace) {
  // Sending complete first (Q.931 Table 3-16) and last (as some stacks send
  // it): the UUIE lands after the last codeset-0 IE with a lower identifier.
  Message first = Decode("08 02 00 01 05 a1 04 03 80 90 a3 70 02 81 31");
  SetUserUser(first, {kUuiPdIa5, {'x'}});
  EXPECT_EQ(ToHex(EncodeMessage(first)),
            "08 02 00 01 05 a1 04 03 80 90 a3 70 02 81 31 7e 02 04 78");
  Message last = Decode("08 02 00 01 05 04 03 80 90 a3 70 02 81 31 a1");
  SetUserUser(last, {kUuiPdIa5, {'x'}});
  EXPECT_EQ(ToHex(EncodeMessage(last)), "08 02 00 01 05 04 03 80 90 a3 70 02 81 31 a1 7e 02 04 78");
}

TEST(UserUserTest, InsertsIntoAMessageWithoutIes) {
  Message m = Decode("08 02 80 01 4d");
  SetUserUser(m, {kUuiPdIa5, {}});
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 80 01 4d 7e 01 04");
  EXPECT_EQ(GetUserUser(m), (UserUser{kUuiPdIa5, {}}));
}

TEST(UserUserTest, ProtocolDiscriminator0AndNulBytesSurviveTheWire) {
  Message m = Decode("08 02 00 01 45 08 02 80 90");
  const UserUser uui{0x00, {0x00, 0x41, 0x00, 0x00, 0x42, 0x00}};
  SetUserUser(m, uui);
  const auto bytes = EncodeMessage(m);
  EXPECT_EQ(ToHex(bytes), "08 02 00 01 45 08 02 80 90 7e 07 00 00 41 00 00 42 00");
  auto back = DecodeMessage(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(GetUserUser(*back), uui);
}

TEST(UserUserTest, LongIeOf131OctetsRoundTrips) {
  // Q.931 4.5.30: up to 131 octets of contents in a message (UUS1).
  Message m = Decode("08 02 00 01 5a 08 02 80 90");
  UserUser uui{0x05, {}};
  for (int i = 0; i < 130; ++i) uui.info.push_back(static_cast<std::uint8_t>(i * 7));
  SetUserUser(m, uui);
  const auto bytes = EncodeMessage(m);
  ASSERT_EQ(bytes.size(), 9u + 2 + 131);
  EXPECT_EQ(bytes[9], 0x7e);
  EXPECT_EQ(bytes[10], 131);
  auto back = DecodeMessage(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(GetUserUser(*back), uui);
  EXPECT_EQ(EncodeMessage(*back), bytes);
}

// Cause IE (Q.931 4.5.12, Q.850 2.2).

TEST(CauseTest, ReadsValueAfterOctet3) {
  EXPECT_EQ(GetCauseValue(Decode(kCiscoCall[5])), 16);  // 08 02 82 90
}

TEST(CauseTest, ReadsValueAfterOctet3a) {
  // Octet 3 ext bit 0: octet 3a (recommendation) follows.
  EXPECT_EQ(GetCauseValue(Decode("08 02 00 01 45 08 03 02 80 91")), 17);
}

TEST(CauseTest, ReadsValueFollowedByDiagnostics) {
  EXPECT_EQ(GetCauseValue(Decode("08 02 00 01 5a 08 03 81 d8 01")), 88);
}

TEST(CauseTest, NoCauseIeGivesNothing) {
  EXPECT_FALSE(GetCauseValue(Decode("08 02 00 01 4d")).has_value());
}

TEST(CauseTest, CauseIeWithoutValueOctetGivesNothing) {
  EXPECT_FALSE(GetCauseValue(Decode("08 02 00 01 45 08 01 80")).has_value());
  EXPECT_FALSE(GetCauseValue(Decode("08 02 00 01 45 08 02 00 80")).has_value());
  EXPECT_FALSE(GetCauseValue(Decode("08 02 00 01 45 08 00")).has_value());
}

TEST(CauseTest, CauseInAnotherCodesetIsIgnored) {
  EXPECT_FALSE(GetCauseValue(Decode("08 02 00 01 45 9e 08 02 80 90")).has_value());
}

TEST(CauseTest, SetReplacesTheValueAndKeepsTheExtBit) {
  Message m = Decode("08 02 00 01 45 08 02 82 90");
  EXPECT_TRUE(SetCauseValue(m, 21));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 82 95");
  EXPECT_EQ(GetCauseValue(m), 21);
}

TEST(CauseTest, SetKeepsAClearExtBitClear) {
  Message m = Decode("08 02 00 01 45 08 03 82 10 01");
  EXPECT_TRUE(SetCauseValue(m, 17));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 03 82 11 01");
}

TEST(CauseTest, SetAfterOctet3aLeavesOctet3aAlone) {
  Message m = Decode("08 02 00 01 45 08 03 02 80 91");
  EXPECT_TRUE(SetCauseValue(m, 127));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 03 02 80 ff");
}

TEST(CauseTest, SetUsesOnly7Bits) {
  Message m = Decode("08 02 00 01 45 08 02 80 90");
  EXPECT_TRUE(SetCauseValue(m, 0xff));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 ff");
}

TEST(CauseTest, SetWithoutCauseIeFailsAndChangesNothing) {
  Message m = Decode("08 02 00 01 4d");
  EXPECT_FALSE(SetCauseValue(m, 16));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 4d");
}

TEST(CauseTest, SetOnCauseIeWithoutValueOctetFails) {
  Message m = Decode("08 02 00 01 45 08 01 80");
  EXPECT_FALSE(SetCauseValue(m, 16));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 01 80");
}

TEST(CauseTest, SetChangesOnlyTheFirstCauseIe) {
  Message m = Decode("08 02 00 01 45 08 02 80 90 08 02 80 91");
  EXPECT_TRUE(SetCauseValue(m, 31));
  EXPECT_EQ(ToHex(EncodeMessage(m)), "08 02 00 01 45 08 02 80 9f 08 02 80 91");
}

// One test per malformation: each names the offset and the reason.

TEST(MalformedMessageTest, EmptyInput) { EXPECT_EQ(DecodeError(""), "offset 0: empty message"); }

TEST(MalformedMessageTest, GarbageProtocolDiscriminator) {
  EXPECT_EQ(
      DecodeError("ff ff ff ff"),
      "offset 0: protocol discriminator 0xff is not Q.931 (0x08) or maintenance (0x03, 0x43)");
}

TEST(MalformedMessageTest, AsciiTextIsNotAMessage) {
  EXPECT_THAT(DecodeError("48 65 6c 6c 6f"), StartsWith("offset 0: protocol discriminator 0x48"));
}

TEST(MalformedMessageTest, ShortHeaderWithoutCallReferenceLength) {
  EXPECT_EQ(DecodeError("08"), "offset 1: message ends before the call reference length octet");
}

TEST(MalformedMessageTest, CallReferenceLengthRunsPastTheEnd) {
  EXPECT_EQ(DecodeError("08 02 00"),
            "offset 1: call reference length 2 runs past the end (1 octets left)");
}

TEST(MalformedMessageTest, CallReferenceLengthWithSpareBitsSet) {
  EXPECT_THAT(DecodeError("08 12 00 01 45"),
              StartsWith("offset 1: call reference length octet 0x12 has its spare bits"));
}

TEST(MalformedMessageTest, CallReferenceLongerThanFourOctets) {
  EXPECT_THAT(DecodeError("08 05 00 00 00 00 01 45"),
              StartsWith("offset 1: call reference length 5 is longer than"));
}

TEST(MalformedMessageTest, MissingMessageType) {
  EXPECT_EQ(DecodeError("08 02 00 01"), "offset 4: message ends before the message type");
}

TEST(MalformedMessageTest, MessageTypeWithBit8Set) {
  EXPECT_EQ(DecodeError("08 02 00 01 c5"), "offset 4: message type 0xc5 has bit 8 set (reserved)");
}

TEST(MalformedMessageTest, TruncatedIeHeaderWithoutLengthOctet) {
  EXPECT_EQ(DecodeError("08 02 00 01 45 08"), "offset 5: IE 0x08 is cut short (no length octet)");
}

TEST(MalformedMessageTest, IeLengthRunsPastTheEnd) {
  EXPECT_EQ(DecodeError("08 02 00 01 45 08 05 80 90"),
            "offset 5: IE 0x08 length 5 runs past the end (2 octets left)");
}

TEST(MalformedMessageTest, UserUserLengthRunsPastTheEndAfterAValidIe) {
  // The example of message.h: a 40-octet UUIE with 31 octets left.
  std::string hex = "08 02 00 01 45 08 02 80 90 7e 28";
  for (int i = 0; i < 31; ++i) hex += " 41";
  EXPECT_EQ(DecodeError(hex), "offset 9: IE 0x7e length 40 runs past the end (31 octets left)");
}

TEST(MalformedMessageTest, FcsOctetsLeftInMakeTheLastIeRunPastTheEnd) {
  // A DISCONNECT with 2 octets of HDLC FCS appended: "9e 08" reads as a
  // non-locking shift and an IE 0x08 without a length octet.
  EXPECT_EQ(DecodeError("08 02 00 01 45 08 02 80 90 9e 08"),
            "offset 10: IE 0x08 is cut short (no length octet)");
}

}  // namespace
}  // namespace prid::q931
