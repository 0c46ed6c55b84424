// Tests of q931/uui_rewriter: which outgoing frames get the UUIE and cause
// overrides (call reference and its flag, message type binding,
// retransmissions, reuse of a call reference) and what the read path keeps.
#include "q931/uui_rewriter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "q931/frame.h"
#include "q931/message.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using testing::Concat;
using testing::Hex;
using testing::ToHex;

// LAPD headers: the user side's commands carry C/R 0 ("00 01"), the network
// side's C/R 1 ("02 01"); then N(S) and N(R), two octets.
constexpr std::string_view kOurHeader = "00 01 04 06";       // we are the user side
constexpr std::string_view kOurHeaderRetry = "00 01 04 0a";  // same N(S), later N(R)
constexpr std::string_view kTheirHeader = "02 01 06 04";

// Our call (we originated it): call reference value 1, flag 0 on the frames
// we send, 1 on those we receive; libpri's cref 0x8001.
constexpr int kOurCall = 1 | kCrefOriginatedByUs;
// The far end's call: value 5, flag 1 on the frames we send; cref 5.
constexpr int kTheirCall = 5;

std::vector<std::uint8_t> Frame(std::string_view header, std::string_view q931) {
  return Concat(Hex(header), Hex(q931));
}

// DISCONNECT, cause 16 from the local user (80 90), as libpri writes it.
std::vector<std::uint8_t> OurDisconnect(std::string_view cr = "00 01",
                                        std::string_view header = kOurHeader) {
  return Frame(header, std::string("08 02 ") + std::string(cr) + " 45 08 02 80 90");
}

UserUser BinaryUui(std::size_t size, std::uint8_t pd = 0x00) {
  UserUser uui{pd, {}};
  for (std::size_t i = 0; i < size; ++i) {
    uui.info.push_back(static_cast<std::uint8_t>(i % 4 == 0 ? 0 : i));
  }
  return uui;
}

// The UUIE's octets: identifier, length, discriminator, information.
std::vector<std::uint8_t> Uuie(const UserUser& uui) {
  std::vector<std::uint8_t> out;
  out.reserve(3 + uui.info.size());
  out.push_back(0x7e);
  out.push_back(static_cast<std::uint8_t>(1 + uui.info.size()));
  out.push_back(uui.pd);
  for (std::uint8_t octet : uui.info) out.push_back(octet);
  return out;
}

std::string Rewritten(UuiRewriter& rewriter, const std::vector<std::uint8_t>& frame) {
  auto out = rewriter.RewriteOutgoing(frame);
  return out ? ToHex(*out) : std::string("(untouched)");
}

std::optional<UserUser> UuiOf(const std::vector<std::uint8_t>& frame) {
  auto decoded = DecodeFrame(frame);
  if (!decoded.ok() || !decoded->q931) return std::nullopt;
  return GetUserUser(*decoded->q931);
}

// ---------------------------------------------------------------------------
// Progress indicators

// libpri writes PROGRESS with one indicator (in-band information): the
// override puts the asked ones in its place, in order, with its octet 3
// (coding standard, location), after the cause.
TEST(UuiRewriterTest, ProgressOverrideReplacesLibprisIndicatorInPlace) {
  UuiRewriter rewriter;
  rewriter.SetForMessage(kTheirCall, msg::kProgress, {std::nullopt, std::nullopt, {1, 2}});
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 80 05 03 08 02 81 91 1e 02 81 88")),
            ToHex(Frame(kOurHeader, "08 02 80 05 03 08 02 81 91 1e 02 81 81 1e 02 81 82")));
  // Other messages of the call are left as libpri wrote them.
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 80 05 01 1e 02 81 88")), "(untouched)");
}

// ---------------------------------------------------------------------------
// Overlap sending: INFORMATION

// libpri writes one digit in the Called party number (octet 3 from the
// SETUP's plan): the override writes all of them, and Sending complete first.
TEST(UuiRewriterTest, OverlapOverrideWritesTheDigitsAndSendingComplete) {
  UuiRewriter rewriter;
  MessageOverride change;
  change.called_digits = "345";
  change.sending_complete = true;
  rewriter.SetForMessage(kOurCall, msg::kInformation, change);
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 7b 70 02 a1 33")),
            ToHex(Frame(kOurHeader, "08 02 00 01 7b a1 70 04 a1 33 34 35")));
  change.sending_complete = false;
  change.called_digits = "6";
  rewriter.SetForMessage(kOurCall, msg::kInformation, change);
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 7b 70 02 a1 36")),
            ToHex(Frame(kOurHeader, "08 02 00 01 7b 70 02 a1 36")));
}

TEST(UuiRewriterTest, OverlapOverrideLeavesAnInformationWithoutCalledNumberAlone) {
  UuiRewriter rewriter;
  MessageOverride change;
  change.called_digits = "345";
  change.sending_complete = true;
  rewriter.SetForMessage(kOurCall, msg::kInformation, change);
  // Keypad facility "*1".
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 7b 2c 02 2a 31")), "(untouched)");
}

// ---------------------------------------------------------------------------
// Clearing

TEST(UuiRewriterTest, SetForClearingPutsUuieIntoOurDisconnect) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(128);  // pd 0, NUL bytes, 128 octets
  rewriter.SetForClearing(kOurCall, {uui, std::nullopt});

  const auto frame = OurDisconnect();
  auto out = rewriter.RewriteOutgoing(frame);

  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(ToHex(*out), ToHex(Concat(frame, Uuie(uui))));
  EXPECT_EQ(UuiOf(*out), uui);
}

TEST(UuiRewriterTest, SetForClearingLeavesAnotherCallsDisconnectAlone) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kOurCall, {BinaryUui(16), std::nullopt});

  EXPECT_EQ(Rewritten(rewriter, OurDisconnect("00 02")), "(untouched)");
  // The override is still there for its own call.
  EXPECT_NE(Rewritten(rewriter, OurDisconnect("00 01")), "(untouched)");
}

TEST(UuiRewriterTest, CallReferenceFlagTellsOurCallFromTheFarEndsWithTheSameValue) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kOurCall, {BinaryUui(8), std::nullopt});

  // Same value 1, but flag 1 on our frame: the far end originated that call.
  EXPECT_EQ(Rewritten(rewriter, OurDisconnect("80 01")), "(untouched)");

  rewriter.SetForClearing(1, {BinaryUui(4, 0x07), std::nullopt});
  auto theirs = rewriter.RewriteOutgoing(OurDisconnect("80 01"));
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ(UuiOf(*theirs), BinaryUui(4, 0x07));
  auto ours = rewriter.RewriteOutgoing(OurDisconnect("00 01"));
  ASSERT_TRUE(ours.has_value());
  EXPECT_EQ(UuiOf(*ours), BinaryUui(8));
}

TEST(UuiRewriterTest, RetransmittedDisconnectComesOutIdentical) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(128);
  rewriter.SetForClearing(kOurCall, {uui, std::nullopt});

  const auto frame = OurDisconnect();
  const std::string first = Rewritten(rewriter, frame);
  const std::string second = Rewritten(rewriter, frame);

  EXPECT_EQ(first, ToHex(Concat(frame, Uuie(uui))));
  EXPECT_EQ(second, first);
  // Resent with a later N(R): the same message, the header as given.
  const auto retry = OurDisconnect("00 01", kOurHeaderRetry);
  EXPECT_EQ(Rewritten(rewriter, retry), ToHex(Concat(retry, Uuie(uui))));
}

TEST(UuiRewriterTest, ReleaseCompleteAfterBoundDisconnectIsUntouched) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kOurCall, {BinaryUui(20), 31});
  ASSERT_NE(Rewritten(rewriter, OurDisconnect()), "(untouched)");

  // The far end answered with RELEASE; libpri's RELEASE COMPLETE goes as written.
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 5a 08 02 80 90")), "(untouched)");
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 5a")), "(untouched)");
}

TEST(UuiRewriterTest, ClearingOverrideBindsToReleaseWhenLibpriSendsThatFirst) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(32);
  rewriter.SetForClearing(kOurCall, {uui, std::nullopt});

  // The far end disconnected first: our clearing message is RELEASE.
  const auto release = Frame(kOurHeader, "08 02 00 01 4d 08 02 80 90");
  EXPECT_EQ(Rewritten(rewriter, release), ToHex(Concat(release, Uuie(uui))));
  EXPECT_EQ(Rewritten(rewriter, release), ToHex(Concat(release, Uuie(uui))));
  // A DISCONNECT of the same call now would not be the clearing libpri chose.
  EXPECT_EQ(Rewritten(rewriter, OurDisconnect()), "(untouched)");
}

TEST(UuiRewriterTest, ClearingOverrideBindsToReleaseCompleteOfAnOfferedCall) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(10);
  rewriter.SetForClearing(kTheirCall, {uui, 21});

  const auto frame = Frame(kOurHeader, "08 02 80 05 5a 08 02 80 90");
  EXPECT_EQ(Rewritten(rewriter, frame),
            ToHex(Concat(Frame(kOurHeader, "08 02 80 05 5a 08 02 80 95"), Uuie(uui))));
}

TEST(UuiRewriterTest, ClearingOverrideLeavesOtherMessagesOfTheCallAlone) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(12);
  rewriter.SetForClearing(kOurCall, {uui, 21});

  // CONNECT ACKNOWLEDGE and STATUS of the call are not clearing messages.
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 0f")), "(untouched)");
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 7d 08 02 80 9e 14 01 0a")), "(untouched)");
  // And they did not use the override up.
  const auto frame = OurDisconnect();
  EXPECT_EQ(UuiOf(*rewriter.RewriteOutgoing(frame)), uui);
}

TEST(UuiRewriterTest, CauseOverrideRewritesTheCauseValueOnly) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kOurCall, {std::nullopt, 21});

  // Cause (local private network, 16) and a Progress indicator.
  const auto frame = Frame(kOurHeader, "08 02 00 01 45 08 02 81 90 1e 02 81 88");

  EXPECT_EQ(Rewritten(rewriter, frame), ToHex(Frame(kOurHeader, "08 02 00 01 45 08 02 81 95 1e 02 81 88")));
}

TEST(UuiRewriterTest, CauseOverrideSkipsTheRecommendationOctet) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kOurCall, {std::nullopt, 17});

  // Octet 3 with ext 0, so octet 3a (recommendation) comes before the value.
  const auto frame = Frame(kOurHeader, "08 02 00 01 45 08 03 02 80 90");

  EXPECT_EQ(Rewritten(rewriter, frame), ToHex(Frame(kOurHeader, "08 02 00 01 45 08 03 02 80 91")));
}

TEST(UuiRewriterTest, CauseAndUuiOverridesTogether) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(5);
  rewriter.SetForClearing(kOurCall, {uui, 21});

  const auto frame = Frame(kOurHeader, "08 02 00 01 45 08 02 80 90 1e 02 81 88");

  EXPECT_EQ(Rewritten(rewriter, frame),
            ToHex(Concat(Frame(kOurHeader, "08 02 00 01 45 08 02 80 95 1e 02 81 88"), Uuie(uui))));
}

TEST(UuiRewriterTest, UuiOverrideReplacesTheUuieLibpriWrote) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(40);
  rewriter.SetForClearing(kOurCall, {uui, std::nullopt});

  // libpri's own UUIE: pd 4, cut at 35 octets ("abc" here).
  const auto frame = Frame(kOurHeader, "08 02 00 01 45 08 02 80 90 7e 04 04 61 62 63");

  EXPECT_EQ(Rewritten(rewriter, frame), ToHex(Concat(OurDisconnect(), Uuie(uui))));
}

// ---------------------------------------------------------------------------
// SETUP

// SETUP as libpri writes it: bearer, channel, called party number.
std::vector<std::uint8_t> OurSetup(std::string_view cr) {
  return Frame(kOurHeader,
               std::string("08 02 ") + std::string(cr) + " 05 04 03 80 90 a3 18 03 a9 83 81 70 05 80 36 30 30 30");
}

TEST(UuiRewriterTest, SetForNextSetupBindsToTheNextSetupsCallReference) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(128, 0x04);
  rewriter.SetForNextSetup({uui, std::nullopt});

  const auto setup = OurSetup("00 03");
  EXPECT_EQ(Rewritten(rewriter, setup), ToHex(Concat(setup, Uuie(uui))));
  // Retransmitted: the same.
  EXPECT_EQ(Rewritten(rewriter, setup), ToHex(Concat(setup, Uuie(uui))));
  // pri_setup returned: binding again changes nothing.
  rewriter.BindPendingSetup(3 | kCrefOriginatedByUs);
  EXPECT_EQ(Rewritten(rewriter, setup), ToHex(Concat(setup, Uuie(uui))));
  // The next call's SETUP has no override.
  EXPECT_EQ(Rewritten(rewriter, OurSetup("00 04")), "(untouched)");
}

TEST(UuiRewriterTest, BindPendingSetupBeforeTheSetupIsSent) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(9, 0x00);
  rewriter.SetForNextSetup({uui, std::nullopt});
  // The link was down: pri_setup queued the SETUP and returned its cref.
  rewriter.BindPendingSetup(7 | kCrefOriginatedByUs);

  // Another call's SETUP goes out first: not this one's override.
  EXPECT_EQ(Rewritten(rewriter, OurSetup("00 06")), "(untouched)");
  const auto setup = OurSetup("00 07");
  EXPECT_EQ(Rewritten(rewriter, setup), ToHex(Concat(setup, Uuie(uui))));
}

TEST(UuiRewriterTest, SetForMessageRewritesOurConnect) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(30, 0x00);
  rewriter.SetForMessage(kTheirCall, msg::kConnect, {uui, std::nullopt});

  const auto connect = Frame(kOurHeader, "08 02 80 05 07 18 03 a9 83 85");
  EXPECT_EQ(Rewritten(rewriter, connect), ToHex(Concat(connect, Uuie(uui))));
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 80 05 01")), "(untouched)");
}

// ---------------------------------------------------------------------------
// Forgotten calls and reused call references

TEST(UuiRewriterTest, ForgetCallKeepsOverridesForRetransmission) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(64);
  rewriter.SetForClearing(kTheirCall, {uui, std::nullopt});
  const auto disconnect = OurDisconnect("80 05");
  const std::string first = Rewritten(rewriter, disconnect);
  ASSERT_EQ(first, ToHex(Concat(disconnect, Uuie(uui))));

  rewriter.ForgetCall(kTheirCall);

  EXPECT_EQ(rewriter.live_calls(), 0u);
  EXPECT_EQ(Rewritten(rewriter, disconnect), first);
}

TEST(UuiRewriterTest, ForgetCallBeforeTheClearingWasSentStillBindsIt) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(3);
  rewriter.SetForClearing(kTheirCall, {uui, std::nullopt});
  rewriter.ForgetCall(kTheirCall);  // the frame was still queued

  const auto release_complete = Frame(kOurHeader, "08 02 80 05 5a 08 02 80 95");
  EXPECT_EQ(Rewritten(rewriter, release_complete), ToHex(Concat(release_complete, Uuie(uui))));
}

TEST(UuiRewriterTest, NewIncomingSetupWithTheSameCrefDropsForgottenOverrides) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kTheirCall, {BinaryUui(64), 21});
  ASSERT_NE(Rewritten(rewriter, OurDisconnect("80 05")), "(untouched)");
  rewriter.ForgetCall(kTheirCall);

  // The far end starts a new call with call reference value 5.
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 00 05 05 04 03 80 90 a3 18 03 a9 83 81"));

  EXPECT_EQ(Rewritten(rewriter, OurDisconnect("80 05")), "(untouched)");
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 80 05 5a 08 02 80 90")), "(untouched)");
}

TEST(UuiRewriterTest, IncomingSetupOnlyDropsOverridesOfThatCref) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(6);
  rewriter.SetForClearing(kTheirCall, {uui, std::nullopt});
  ASSERT_NE(Rewritten(rewriter, OurDisconnect("80 05")), "(untouched)");
  rewriter.ForgetCall(kTheirCall);

  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 00 06 05 04 03 80 90 a3"));

  EXPECT_EQ(Rewritten(rewriter, OurDisconnect("80 05")), ToHex(Concat(OurDisconnect("80 05"), Uuie(uui))));
}

// ---------------------------------------------------------------------------
// Read path

TEST(UuiRewriterTest, TakeReceivedReturnsTheWholeUuieOnce) {
  UuiRewriter rewriter;
  // CONNECT for our call (flag 1 from the far end), UUIE pd 7 with NULs.
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 80 01 07 7e 07 07 00 41 00 00 42 00"));

  EXPECT_EQ(rewriter.TakeReceived(kOurCall), (UserUser{0x07, {0x00, 0x41, 0x00, 0x00, 0x42, 0x00}}));
  EXPECT_EQ(rewriter.TakeReceived(kOurCall), std::nullopt);
  EXPECT_EQ(rewriter.TakeReceived(1), std::nullopt);  // not the far end's call 1
}

TEST(UuiRewriterTest, TakeReceivedReturnsLongUuieWhole) {
  UuiRewriter rewriter;
  const UserUser uui = BinaryUui(130, 0x07);
  rewriter.NoteIncoming(Concat(Frame(kTheirHeader, "08 02 00 05 45 08 02 80 90"), Uuie(uui)));

  EXPECT_EQ(rewriter.TakeReceived(kTheirCall), uui);
}

TEST(UuiRewriterTest, LaterMessageWithoutUuieClearsTheReceivedOne) {
  UuiRewriter rewriter;
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 80 01 01 7e 03 07 00 01"));  // ALERTING
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 80 01 07"));                 // CONNECT

  EXPECT_EQ(rewriter.TakeReceived(kOurCall), std::nullopt);
}

TEST(UuiRewriterTest, ReceivedUuieIsKeptPerCall) {
  UuiRewriter rewriter;
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 80 01 45 08 02 80 90 7e 02 07 01"));
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 00 05 45 08 02 80 90 7e 02 07 05"));

  EXPECT_EQ(rewriter.TakeReceived(kTheirCall), (UserUser{0x07, {0x05}}));
  EXPECT_EQ(rewriter.TakeReceived(kOurCall), (UserUser{0x07, {0x01}}));
}

TEST(UuiRewriterTest, ForgetCallDropsTheReceivedUuie) {
  UuiRewriter rewriter;
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 80 01 45 08 02 80 90 7e 02 07 01"));
  rewriter.ForgetCall(kOurCall);

  EXPECT_EQ(rewriter.TakeReceived(kOurCall), std::nullopt);
}

// ---------------------------------------------------------------------------
// Frames that are not ours to touch

TEST(UuiRewriterTest, NonQ931FramesPassUntouched) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kOurCall, {BinaryUui(8), 21});
  rewriter.SetForNextSetup({BinaryUui(8), std::nullopt});

  EXPECT_EQ(Rewritten(rewriter, Hex("00 01 01 05")), "(untouched)");  // RR, N(R) 2, poll
  EXPECT_EQ(Rewritten(rewriter, Hex("00 01 7f")), "(untouched)");     // SABME, P
  EXPECT_EQ(Rewritten(rewriter, Hex("02 01 73")), "(untouched)");     // UA, F
  rewriter.NoteIncoming(Hex("02 01 01 05"));
  rewriter.NoteIncoming(Hex("02 01 7f"));
  EXPECT_EQ(rewriter.TakeReceived(kOurCall), std::nullopt);
  // The overrides are still waiting for their messages.
  EXPECT_NE(Rewritten(rewriter, OurDisconnect()), "(untouched)");
}

TEST(UuiRewriterTest, FramesWithoutAnyOverridePassUntouched) {
  UuiRewriter rewriter;
  EXPECT_EQ(Rewritten(rewriter, OurDisconnect()), "(untouched)");
  EXPECT_EQ(Rewritten(rewriter, OurSetup("00 03")), "(untouched)");
}

TEST(UuiRewriterTest, BrokenFramesPassUntouched) {
  UuiRewriter rewriter;
  rewriter.SetForClearing(kOurCall, {BinaryUui(8), 21});

  EXPECT_EQ(Rewritten(rewriter, Hex("00")), "(untouched)");
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00")), "(untouched)");           // cut short
  EXPECT_EQ(Rewritten(rewriter, Frame(kOurHeader, "08 02 00 01 45 08 09 80")), "(untouched)");  // IE past the end
  rewriter.NoteIncoming(Hex("02"));
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 80 01 45 7e 09 07"));
  EXPECT_EQ(rewriter.TakeReceived(kOurCall), std::nullopt);
}

}  // namespace
}  // namespace prid::q931

namespace prid::q931 {
namespace {

TEST(UuiRewriterTest, UuiesFromTheFarEndWaitingToBeTakenAreBounded) {
  UuiRewriter rewriter;
  // A faulty far end sends UUIEs on thousands of call references that no
  // event ever takes.
  for (int cr = 1; cr <= 3000; ++cr) {
    char q931[64];
    std::snprintf(q931, sizeof(q931), "08 02 %02x %02x 45 7e 02 04 41", (cr >> 8) & 0x7f, cr & 0xff);
    rewriter.NoteIncoming(Frame(kTheirHeader, q931));
  }
  EXPECT_LE(rewriter.received_waiting(), kMaxReceived);
  // A message without UUIE clears what its call had waiting.
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 0b b8 45 7e 02 04 41"));
  rewriter.NoteIncoming(Frame(kTheirHeader, "08 02 0b b8 4d"));
  EXPECT_FALSE(rewriter.TakeReceived(3000).has_value());
}

TEST(UuiRewriterTest, NewSetupReusingARetiredReferenceTakesThePendingOverride) {
  UuiRewriter rewriter;
  const UserUser old_uui{4, {'o', 'l', 'd'}};
  const UserUser new_uui{4, {'n', 'e', 'w'}};
  rewriter.SetForMessage(kOurCall, msg::kSetup, {old_uui, std::nullopt});
  rewriter.ForgetCall(kOurCall);
  rewriter.SetForNextSetup({new_uui, std::nullopt});
  auto out = rewriter.RewriteOutgoing(Frame(kOurHeader, "08 02 00 01 05 04 03 80 90 a3"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(UuiOf(*out), new_uui);
}

}  // namespace
}  // namespace prid::q931
