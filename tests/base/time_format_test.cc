// Unit tests of base/time_format: RFC 3339 UTC strings with milliseconds.
#include "base/time_format.h"

#include <gtest/gtest.h>

namespace prid::base {
namespace {

using namespace std::chrono_literals;

WallTime At(std::chrono::nanoseconds since_epoch) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(since_epoch));
}

TEST(FormatRfc3339, EpochIsMidnightOfNewYear1970) {
  EXPECT_EQ(FormatRfc3339(At(0ns)), "1970-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339, MillisecondsArePaddedToThreeDigits) {
  // 2026-11-21T18:31:02 UTC is 1795285862 s after the epoch.
  EXPECT_EQ(FormatRfc3339(At(1795285862s + 7ms)), "2026-11-21T18:31:02.007Z");
  EXPECT_EQ(FormatRfc3339(At(1795285862s + 123ms)), "2026-11-21T18:31:02.123Z");
}

TEST(FormatRfc3339, SubMillisecondsAreTruncatedNotRounded) {
  EXPECT_EQ(FormatRfc3339(At(1795285862s + 999999us)), "2026-11-21T18:31:02.999Z");
}

TEST(FormatRfc3339, LeapDayIsAValidDate) {
  // 2024-02-29T23:59:59 UTC.
  EXPECT_EQ(FormatRfc3339(At(1709251199s)), "2024-02-29T23:59:59.000Z");
}

}  // namespace
}  // namespace prid::base
