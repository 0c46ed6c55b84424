#include "tests/support/rose_components.h"

namespace prid::testing {

std::optional<std::size_t> BerLength(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  if (at >= bytes.size()) return std::nullopt;
  std::size_t n = bytes[at++];
  if (n < 0x80) return n;
  std::size_t octets = n & 0x7f, length = 0;
  while (octets-- > 0) {
    if (at >= bytes.size()) return std::nullopt;
    length = length << 8 | bytes[at++];
  }
  return length;
}

std::vector<BerElement> BerElements(const std::vector<std::uint8_t>& contents) {
  std::vector<BerElement> elements;
  std::size_t at = 0;
  while (at < contents.size()) {
    const std::uint8_t tag = contents[at++];
    auto length = BerLength(contents, at);
    if (!length || at + *length > contents.size()) break;
    elements.emplace_back(tag, std::vector<std::uint8_t>(contents.begin() + at, contents.begin() + at + *length));
    at += *length;
  }
  return elements;
}

std::optional<std::vector<std::uint8_t>> RoseComponent::Element(std::uint8_t wanted, int nth) const {
  for (const auto& [t, contents] : elements) {
    if (t == wanted && nth-- == 0) return contents;
  }
  return std::nullopt;
}

std::optional<RoseComponent> RoseComponentIn(const std::vector<std::uint8_t>& facility, std::uint8_t tag) {
  if (facility.empty()) return std::nullopt;
  for (const auto& [t, contents] : BerElements({facility.begin() + 1, facility.end()})) {
    if (t == tag) return RoseComponent{t, BerElements(contents)};
  }
  return std::nullopt;
}

}  // namespace prid::testing
