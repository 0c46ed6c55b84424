// Wall-clock timestamps as RFC 3339 UTC strings, as API.md's records use.
#pragma once

#include <chrono>
#include <string>

namespace prid::base {

using WallTime = std::chrono::system_clock::time_point;

// "2026-11-21T18:31:02.123Z" (millisecond precision).
std::string FormatRfc3339(WallTime t);

}  // namespace prid::base
