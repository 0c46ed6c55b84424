// The ROSE component reader (q931/rose.h) on components as libpri 1.6
// encodes them: ETSI ECT's global operations, CallRerouting's local one,
// and the invoke ids a replayed far end's answers are given.
#include "q931/rose.h"

#include <gtest/gtest.h>

#include <vector>

namespace prid::q931 {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Facility IE contents: protocol profile 0x91, then the components.
// EctLinkIdRequest invoke, id 1, operation {0 4 0 369 1 4} (EN 300 369-1).
const Bytes kEctLinkIdRequest = {0x91, 0xa1, 0x0b, 0x02, 0x01, 0x01, 0x06, 0x06, 0x04, 0x00, 0x82, 0x71, 0x01, 0x04};
// Its return result, id 1, with the link id 1.
const Bytes kLinkIdResult = {0x91, 0xa2, 0x10, 0x02, 0x01, 0x01, 0x30, 0x0b, 0x06,
                             0x06, 0x04, 0x00, 0x82, 0x71, 0x01, 0x04, 0x02, 0x01, 0x01};

TEST(RoseTest, GlobalOperationReadsAsDottedObjectIdentifier) {
  auto invoke = RoseComponentIn(kEctLinkIdRequest, kRoseInvoke);
  ASSERT_TRUE(invoke);
  EXPECT_EQ(RoseInvokeId(*invoke), 1);
  EXPECT_EQ(RoseOperation(*invoke), "0.4.0.369.1.4");
}

TEST(RoseTest, LocalOperationReadsAsItsValue) {
  // CallRerouting (14), invoke id 300 (two octets), no argument.
  const Bytes facility = {0x91, 0xa1, 0x07, 0x02, 0x02, 0x01, 0x2c, 0x02, 0x01, 0x0e};
  auto invoke = RoseComponentIn(facility, kRoseInvoke);
  ASSERT_TRUE(invoke);
  EXPECT_EQ(RoseInvokeId(*invoke), 300);
  EXPECT_EQ(RoseOperation(*invoke), "14");
  EXPECT_EQ(RoseInvokeIds(facility), std::vector<int>{300});
}

TEST(RoseTest, AnswerGetsTheLiveInvokeIdAndTheRestStays) {
  Bytes expected = kLinkIdResult;
  expected[5] = 0x07;
  EXPECT_EQ(WithAnsweredInvokeIds(kLinkIdResult, {{1, 7}}), expected);
  // An id the map does not have, and an invoke (not an answer), stay.
  EXPECT_EQ(WithAnsweredInvokeIds(kLinkIdResult, {{2, 7}}), kLinkIdResult);
  EXPECT_EQ(WithAnsweredInvokeIds(kEctLinkIdRequest, {{1, 7}}), kEctLinkIdRequest);
}

TEST(RoseTest, LongerInvokeIdReencodesTheComponentLength) {
  const Bytes got = WithAnsweredInvokeIds(kLinkIdResult, {{1, 300}});
  const Bytes expected = {0x91, 0xa2, 0x11, 0x02, 0x02, 0x01, 0x2c, 0x30, 0x0b, 0x06,
                          0x06, 0x04, 0x00, 0x82, 0x71, 0x01, 0x04, 0x02, 0x01, 0x01};
  EXPECT_EQ(got, expected);
  auto result = RoseComponentIn(got, kRoseReturnResult);
  ASSERT_TRUE(result);
  EXPECT_EQ(RoseInvokeId(*result), 300);
}

TEST(RoseTest, TruncatedFacilityIsLeftAsItWas) {
  const Bytes cut(kLinkIdResult.begin(), kLinkIdResult.end() - 3);
  EXPECT_EQ(WithAnsweredInvokeIds(cut, {{1, 7}}), cut);
  EXPECT_TRUE(RoseInvokeIds(cut).empty());
}

}  // namespace
}  // namespace prid::q931
