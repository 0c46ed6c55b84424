// Helpers shared by the q931 tests: hex byte strings, temporary files and
// the shared trace directory.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"

namespace prid::q931::testing {

// "08 02 00 01 45" (spaces optional) → bytes. Aborts the test binary on bad
// input: a typo in a test is a broken test, not a scenario.
inline std::vector<std::uint8_t> Hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (char c : text) {
    if (c == ' ' || c == ':' || c == '\n') continue;
    const int v = base::HexDigitValue(c);
    if (v < 0) std::abort();
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) std::abort();
  return out;
}

// Bytes → "08 02 00 01 45".
inline std::string ToHex(std::span<const std::uint8_t> bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ' ';
    base::AppendHex(out, bytes.subspan(i, 1));
  }
  return out;
}

inline std::vector<std::uint8_t> Concat(std::vector<std::uint8_t> a,
                                        std::span<const std::uint8_t> b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A fresh path in the test temporary directory, named after the test.
inline std::string TempPath(std::string_view suffix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return fmt::format("{}prid_q931_{}_{}_{}{}", ::testing::TempDir(), info->test_suite_name(),
                     info->name(), ::getpid(), suffix);
}

// The shared traces directory (PRID_TRACES_DIR, set by tests/q931/meson.build),
// or "" when unset.
inline std::string TracesDir() {
  const char* dir = std::getenv("PRID_TRACES_DIR");
  return dir ? std::string(dir) : std::string();
}

}  // namespace prid::q931::testing
