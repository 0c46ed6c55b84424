// Reading the ROSE components of a Facility IE (X.880 / Q.932 8.2) in
// tests that check what prid's supplementary services put on the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace prid::testing {

using BerElement = std::pair<std::uint8_t, std::vector<std::uint8_t>>;  // tag, contents

// BER: the length at `at` (short or long form); moves `at` past it.
std::optional<std::size_t> BerLength(const std::vector<std::uint8_t>& bytes, std::size_t& at);
// The elements of BER contents, one level deep (a constructed element's
// contents stay whole); stops at the first that does not fit.
std::vector<BerElement> BerElements(const std::vector<std::uint8_t>& contents);

// One component (0xa1 invoke, 0xa2 return result, 0xa3 error, 0xa4 reject)
// and its elements.
struct RoseComponent {
  std::uint8_t tag = 0;
  std::vector<BerElement> elements;
  // The contents of the `nth` element with `tag` (from 0).
  std::optional<std::vector<std::uint8_t>> Element(std::uint8_t tag, int nth = 0) const;
};
// The first component with `tag` in a Facility IE's contents: after octet
// 3, the protocol profile (0x91 remote operations, 0x9f networking
// extensions), and any Q.SIG NetworkFacilityExtension (0xaa),
// NetworkProtocolProfile (0x92) or InterpretationApdu (0x8b) before it.
std::optional<RoseComponent> RoseComponentIn(const std::vector<std::uint8_t>& facility, std::uint8_t tag);

}  // namespace prid::testing
