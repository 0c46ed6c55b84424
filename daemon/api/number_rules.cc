// Party numbers checked against what a span's switch variant carries.
#include "daemon/api/number_rules.h"

#include <fmt/format.h>

#include <cstdint>

namespace prid::daemon {
namespace {

// The code point at `text[i]` and its length in octets; an octet that does
// not start a UTF-8 sequence reads as itself (simdjson has validated the
// text, so this is for safety only).
std::pair<char32_t, std::size_t> CodePointAt(std::string_view text, std::size_t i) {
  const auto lead = static_cast<std::uint8_t>(text[i]);
  std::size_t length = 1;
  char32_t cp = lead;
  if (lead >= 0xf0) {
    length = 4;
    cp = lead & 0x07;
  } else if (lead >= 0xe0) {
    length = 3;
    cp = lead & 0x0f;
  } else if (lead >= 0xc0) {
    length = 2;
    cp = lead & 0x1f;
  }
  if (i + length > text.size()) return {lead, 1};
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<std::uint8_t>(text[i + k]);
    if ((next & 0xc0) != 0x80) return {lead, 1};
    cp = (cp << 6) | (next & 0x3f);
  }
  return {cp, length};
}

// "'A' (U+0041)", "'☎' (U+260E)"; a control character by its code point
// alone: "U+0000".
std::string Describe(std::string_view octets, char32_t cp) {
  const bool control = cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
  if (control) return fmt::format("U+{:04X}", static_cast<std::uint32_t>(cp));
  return fmt::format("'{}' (U+{:04X})", octets, static_cast<std::uint32_t>(cp));
}

}  // namespace

NumberRules NumberRulesFor(SwitchVariant variant) {
  switch (variant) {
    case SwitchVariant::kNi2:
    case SwitchVariant::kDms100:
    case SwitchVariant::k5ess:
    case SwitchVariant::k4ess:
    case SwitchVariant::kEuroIsdnE1:
    case SwitchVariant::kEuroIsdnT1:
    case SwitchVariant::kNi1:
    case SwitchVariant::kQsig:
      break;
  }
  return {"0123456789*#", "0-9 * #", kLibpriMaxNumberDigits};
}

std::optional<std::string> CheckPartyNumber(std::string_view param, std::string_view number, int span,
                                            SwitchVariant variant) {
  const NumberRules rules = NumberRulesFor(variant);
  std::size_t position = 0;  // in characters
  for (std::size_t i = 0; i < number.size(); ++position) {
    const auto [cp, length] = CodePointAt(number, i);
    if (length != 1 || rules.allowed.find(number[i]) == std::string_view::npos) {
      return fmt::format("{} has {} at position {}; allowed: {}", param, Describe(number.substr(i, length), cp),
                         position, rules.allowed_text);
    }
    i += length;
  }
  if (number.size() > rules.max_digits) {
    return fmt::format("{} is {} digits; span {} ({}) carries at most {}", param, number.size(), span,
                       SwitchVariantName(variant), rules.max_digits);
  }
  return std::nullopt;
}

}  // namespace prid::daemon
