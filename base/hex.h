// Hex digits of octets, both ways: the one helper for UUI, frames and
// traces (lower case out, either case in, no separators).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace prid::base {

// "00ff41" for {0x00, 0xff, 0x41}.
std::string ToHex(std::span<const std::uint8_t> octets);
// Appends the same to `out` (no allocation beyond `out`'s growth).
void AppendHex(std::string& out, std::span<const std::uint8_t> octets);

// 0-15 for a hex digit of either case, -1 for anything else.
int HexDigitValue(char c);

// Why FromHex refused its text: an odd number of digits, or the position
// (0-based) of the first character that is not a hex digit.
struct HexError {
  bool odd_length = false;
  std::size_t position = 0;
};

// Octets from an even number of hex digits; "" gives no octets.
Expected<std::vector<std::uint8_t>, HexError> FromHex(std::string_view hex);

}  // namespace prid::base
