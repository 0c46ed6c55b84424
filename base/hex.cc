// Hex digits of octets, both ways.
#include "base/hex.h"

namespace prid::base {
namespace {
constexpr char kDigits[] = "0123456789abcdef";
}  // namespace

void AppendHex(std::string& out, std::span<const std::uint8_t> octets) {
  out.reserve(out.size() + octets.size() * 2);
  for (std::uint8_t b : octets) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
}

std::string ToHex(std::span<const std::uint8_t> octets) {
  std::string out;
  AppendHex(out, octets);
  return out;
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Expected<std::vector<std::uint8_t>, HexError> FromHex(std::string_view hex) {
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (HexDigitValue(hex[i]) < 0) return MakeUnexpected(HexError{false, i});
  }
  if (hex.size() % 2 != 0) return MakeUnexpected(HexError{true, hex.size()});
  std::vector<std::uint8_t> octets;
  octets.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    octets.push_back(static_cast<std::uint8_t>(HexDigitValue(hex[i]) << 4 | HexDigitValue(hex[i + 1])));
  }
  return octets;
}

}  // namespace prid::base
