#include "q931/rose.h"

namespace prid::q931 {
namespace {

// A BER INTEGER's value (two's complement, big-endian).
std::optional<int> BerInteger(const std::vector<std::uint8_t>& contents) {
  if (contents.empty() || contents.size() > 3) return std::nullopt;
  int value = (contents[0] & 0x80) != 0 ? -1 : 0;
  for (std::uint8_t b : contents) value = value * 256 + b;
  return value;
}

std::vector<std::uint8_t> BerInteger(int value) {
  std::vector<std::uint8_t> out;
  do {
    out.insert(out.begin(), static_cast<std::uint8_t>(value & 0xff));
    value >>= 8;
  } while (!(value == 0 && (out.front() & 0x80) == 0) && !(value == -1 && (out.front() & 0x80) != 0));
  return out;
}

void AppendBer(std::vector<std::uint8_t>& out, std::uint8_t tag, const std::vector<std::uint8_t>& contents) {
  out.push_back(tag);
  const std::size_t n = contents.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xff)});
  }
  out.insert(out.end(), contents.begin(), contents.end());
}

constexpr std::uint8_t kBerInteger = 0x02;
constexpr std::uint8_t kBerObjectIdentifier = 0x06;

// X.690 8.19: the first octet holds two arcs, the rest base 128.
std::optional<std::string> ObjectIdentifier(const std::vector<std::uint8_t>& contents) {
  if (contents.empty() || (contents.back() & 0x80) != 0) return std::nullopt;
  std::string out;
  std::uint64_t arc = 0;
  bool first = true;
  for (std::uint8_t b : contents) {
    arc = arc << 7 | (b & 0x7f);
    if ((b & 0x80) != 0) continue;
    if (first) {
      const std::uint64_t top = arc < 80 ? arc / 40 : 2;
      out = std::to_string(top) + "." + std::to_string(arc - top * 40);
      first = false;
    } else {
      out += "." + std::to_string(arc);
    }
    arc = 0;
  }
  return out;
}

}  // namespace


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

std::optional<int> RoseInvokeId(const RoseComponent& component) {
  if (component.elements.empty() || component.elements[0].first != kBerInteger) return std::nullopt;
  return BerInteger(component.elements[0].second);
}

std::optional<std::string> RoseOperation(const RoseComponent& component) {
  if (component.tag != kRoseInvoke || component.elements.size() < 2) return std::nullopt;
  // After the invoke id, an optional linked id ([0]) comes before the operation.
  for (std::size_t i = 1; i < component.elements.size(); ++i) {
    const auto& [tag, contents] = component.elements[i];
    if (tag == kBerInteger) {
      auto value = BerInteger(contents);
      return value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt;
    }
    if (tag == kBerObjectIdentifier) return ObjectIdentifier(contents);
    if (tag != 0x80) return std::nullopt;
  }
  return std::nullopt;
}

std::vector<int> RoseInvokeIds(const std::vector<std::uint8_t>& facility) {
  std::vector<int> ids;
  if (facility.empty()) return ids;
  for (const auto& [tag, contents] : BerElements({facility.begin() + 1, facility.end()})) {
    if (tag != kRoseInvoke) continue;
    if (auto id = RoseInvokeId(RoseComponent{tag, BerElements(contents)})) ids.push_back(*id);
  }
  return ids;
}

std::vector<std::uint8_t> WithAnsweredInvokeIds(const std::vector<std::uint8_t>& facility,
                                                const std::map<int, int>& ids) {
  if (facility.empty()) return facility;
  std::vector<std::uint8_t> out{facility[0]};  // the protocol profile
  std::size_t at = 1;
  while (at < facility.size()) {
    const std::size_t start = at;
    const std::uint8_t tag = facility[at++];
    const auto length = BerLength(facility, at);
    if (!length || at + *length > facility.size()) {
      at = start;  // what does not parse as BER stays as it was
      break;
    }
    const std::vector<std::uint8_t> contents(facility.begin() + static_cast<std::ptrdiff_t>(at),
                                             facility.begin() + static_cast<std::ptrdiff_t>(at + *length));
    at += *length;
    const bool answer = tag == kRoseReturnResult || tag == kRoseReturnError || tag == kRoseReject;
    const auto id = RoseInvokeId(RoseComponent{tag, BerElements(contents)});
    if (!answer || !id || !ids.contains(*id)) {
      out.insert(out.end(), facility.begin() + static_cast<std::ptrdiff_t>(start),
                 facility.begin() + static_cast<std::ptrdiff_t>(at));
      continue;
    }
    std::vector<std::uint8_t> body;
    AppendBer(body, kBerInteger, BerInteger(ids.at(*id)));
    std::size_t after_id = 1;
    const auto id_length = BerLength(contents, after_id);
    body.insert(body.end(), contents.begin() + static_cast<std::ptrdiff_t>(after_id + *id_length), contents.end());
    AppendBer(out, tag, body);
  }
  out.insert(out.end(), facility.begin() + static_cast<std::ptrdiff_t>(at), facility.end());
  return out;
}

}  // namespace prid::q931
