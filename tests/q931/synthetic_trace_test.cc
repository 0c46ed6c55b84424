// Unit tests of q931/synthetic_trace: generated calls are deterministic for
// a seed, each a whole call (SETUP … RELEASE COMPLETE), and as LAPD every
// I-frame is numbered per side and acknowledged by an RR from the receiver.
#include "q931/synthetic_trace.h"

#include <gtest/gtest.h>

#include <set>

#include "q931/lapd.h"
#include "q931/message.h"
#include "q931/names.h"

namespace prid::q931 {
namespace {

TEST(GenerateMessages, SameSeedGivesTheSameMessagesAndAnotherSeedOthers) {
  EXPECT_EQ(GenerateMessages(20, 5), GenerateMessages(20, 5));
  EXPECT_NE(GenerateMessages(20, 5), GenerateMessages(20, 6));
}

TEST(GenerateMessages, NoCallsGiveNoMessages) {
  EXPECT_TRUE(GenerateMessages(0, 1).empty());
  EXPECT_TRUE(GenerateFrames(0, 1).empty());
}

TEST(GenerateMessages, EachCallRunsFromSetupToReleaseCompleteOnItsOwnCallReference) {
  const auto messages = GenerateMessages(30, 9);
  std::vector<std::vector<Message>> calls;
  for (const auto& bytes : messages) {
    auto m = DecodeMessage(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    if (m->message_type == msg::kSetup) calls.emplace_back();
    ASSERT_FALSE(calls.empty()) << "a message before the first SETUP";
    calls.back().push_back(std::move(*m));
  }
  ASSERT_EQ(calls.size(), 30u);
  std::set<std::uint32_t> references;
  for (const auto& call : calls) {
    ASSERT_GE(call.size(), 8u);  // SETUP … CONNECT ACK, DISCONNECT, RELEASE, RELEASE COMPLETE
    EXPECT_EQ(call.front().message_type, msg::kSetup);
    EXPECT_FALSE(call.front().call_reference.flag);  // from the originating side
    EXPECT_EQ(call[1].message_type, msg::kCallProceeding);
    EXPECT_TRUE(call[1].call_reference.flag);
    EXPECT_EQ(call.back().message_type, msg::kReleaseComplete);
    const std::uint32_t cref = call.front().call_reference.value;
    for (const auto& m : call) EXPECT_EQ(m.call_reference.value, cref);
    references.insert(cref);
  }
  EXPECT_EQ(references.size(), calls.size());
}

TEST(GenerateMessages, EveryMessageReencodesToItsOwnBytes) {
  for (const auto& bytes : GenerateMessages(40, 2)) {
    auto m = DecodeMessage(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(EncodeMessage(*m), bytes);
  }
}

TEST(GenerateFrames, EachIFrameIsFollowedByAnRrFromTheReceiver) {
  const auto frames = GenerateFrames(10, 4);
  ASSERT_EQ(frames.size(), 2 * GenerateMessages(10, 4).size());
  for (std::size_t i = 0; i + 1 < frames.size(); i += 2) {
    auto info = DecodeLapdHeader(frames[i].frame);
    auto ack = DecodeLapdHeader(frames[i + 1].frame);
    ASSERT_TRUE(info.ok()) << info.error();
    ASSERT_TRUE(ack.ok()) << ack.error();
    EXPECT_EQ(info->format, LapdFormat::kInformation) << i;
    EXPECT_EQ(ack->format, LapdFormat::kSupervisory) << i + 1;
    EXPECT_EQ(LapdFrameName(*ack), "RR") << i + 1;
    EXPECT_EQ(ack->nr, (info->ns + 1) & 0x7F) << i + 1;
    ASSERT_TRUE(frames[i].direction && frames[i + 1].direction);
    EXPECT_NE(*frames[i].direction, *frames[i + 1].direction) << i;
    EXPECT_EQ(info->sapi, lapd::kSapiCallControl);
    EXPECT_FALSE(frames[i].q931_only);
  }
}

TEST(GenerateFrames, SendSequenceNumbersCountPerSide) {
  const auto frames = GenerateFrames(20, 8);
  std::uint8_t expected_ns[2] = {0, 0};  // [0] sent by us (user side), [1] received
  for (std::size_t i = 0; i < frames.size(); i += 2) {
    auto info = DecodeLapdHeader(frames[i].frame);
    ASSERT_TRUE(info.ok());
    const int side = frames[i].direction == FrameDirection::kReceived ? 1 : 0;
    EXPECT_EQ(info->ns, expected_ns[side]) << "frame " << i;
    expected_ns[side] = static_cast<std::uint8_t>((expected_ns[side] + 1) & 0x7F);
  }
  // Both sides sent I-frames.
  EXPECT_GT(expected_ns[0], 0);
  EXPECT_GT(expected_ns[1], 0);
}

TEST(GenerateFrames, CallsAlternateBetweenTheUserAndTheNetworkSide) {
  const auto frames = GenerateFrames(2, 3);
  // The first SETUP is sent by us (the user side), the second received.
  std::vector<FrameDirection> setup_directions;
  for (const auto& r : frames) {
    auto header = DecodeLapdHeader(r.frame);
    ASSERT_TRUE(header.ok());
    if (header->format != LapdFormat::kInformation) continue;
    auto m = DecodeMessage(std::span(r.frame).subspan(header->length));
    ASSERT_TRUE(m.ok()) << m.error();
    if (m->message_type == msg::kSetup) setup_directions.push_back(*r.direction);
  }
  EXPECT_EQ(setup_directions,
            (std::vector<FrameDirection>{FrameDirection::kSent, FrameDirection::kReceived}));
}

TEST(GenerateFrames, TimesAdvanceSevenMillisecondsAFrame) {
  const auto frames = GenerateFrames(1, 1);
  ASSERT_GE(frames.size(), 2u);
  for (std::size_t i = 1; i < frames.size(); ++i) {
    ASSERT_TRUE(frames[i].time && frames[i - 1].time);
    EXPECT_EQ(*frames[i].time - *frames[i - 1].time, std::chrono::milliseconds(7));
  }
}

}  // namespace
}  // namespace prid::q931
