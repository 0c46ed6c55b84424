// User-user information (Q.931 4.5.30): a protocol discriminator and the
// user information octets, carried byte-exact (any discriminator, NUL too).
#pragma once

#include <cstdint>
#include <vector>

namespace prid::q931 {

inline constexpr std::uint8_t kUuiPdIa5 = 0x04;

struct UserUser {
  std::uint8_t pd = kUuiPdIa5;     // protocol discriminator octet
  std::vector<std::uint8_t> info;  // user information after the discriminator
  bool operator==(const UserUser&) const = default;
};

}  // namespace prid::q931
