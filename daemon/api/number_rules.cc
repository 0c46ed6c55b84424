// Party numbers checked against what a span's switch variant carries.
#include "daemon/api/number_rules.h"

#include <fmt/format.h>

#include <cstdint>

#include "daemon/line/libpri_settings.h"

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

// Subaddresses and displays: 1 to `max` printable ASCII characters (IA5).
// The error naming what is wrong, or nullopt.
std::optional<std::string> CheckIa5Text(std::string_view param, std::string_view text, std::size_t max) {
  if (text.empty()) return fmt::format("{} is empty; leave it out for none", param);
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, length] = CodePointAt(text, i);
    if (length != 1 || cp < 0x20 || cp > 0x7e) {
      return fmt::format("{} has {} at position {}; allowed: printable ASCII (IA5)", param,
                         Describe(text.substr(i, length), cp), i);
    }
    i += length;
  }
  if (text.size() > max) return fmt::format("{} is {} characters; at most {}", param, text.size(), max);
  return std::nullopt;
}

}  // namespace

NumberRules NumberRulesFor(SwitchVariant variant, std::uint8_t ton, std::uint8_t npi) {
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
  constexpr std::uint8_t kInternational = 1;
  constexpr std::uint8_t kE164 = 1, kX121 = 3, kF69 = 4;
  if (npi == kE164 || npi == kX121 || npi == kF69) {
    const bool e164_international = npi == kE164 && ton == kInternational;
    return {"0123456789", "0-9", e164_international ? kE164MaxDigits : kLibpriMaxNumberDigits};
  }
  return {"0123456789*#", "0-9 * #", kLibpriMaxNumberDigits};
}

std::optional<std::string> CheckPartyNumber(std::string_view param, std::string_view number, int span,
                                            SwitchVariant variant, std::uint8_t ton, std::uint8_t npi) {
  const NumberRules rules = NumberRulesFor(variant, ton, npi);
  std::size_t position = 0;  // in characters
  for (std::size_t i = 0; i < number.size(); ++position) {
    const auto [cp, length] = CodePointAt(number, i);
    if (length != 1 || rules.allowed.find(number[i]) == std::string_view::npos) {
      const std::string plan =
          npi == 0 ? std::string() : fmt::format(" in numbering plan {}", q931::NpiName(npi));
      return fmt::format("{} has {} at position {}; allowed{}: {}", param, Describe(number.substr(i, length), cp),
                         position, plan, rules.allowed_text);
    }
    i += length;
  }
  if (number.size() > rules.max_digits && rules.max_digits == kE164MaxDigits) {
    return fmt::format("{} is {} digits; an international E.164 number has at most {}", param, number.size(),
                       kE164MaxDigits);
  }
  if (number.size() > rules.max_digits) {
    return fmt::format("{} is {} digits; span {} ({}) carries at most {}", param, number.size(), span,
                       SwitchVariantName(variant), rules.max_digits);
  }
  return std::nullopt;
}

base::Result<q931::Party> ResolveParty(std::string_view param, const PartyParam& given, Dialplan dialplan,
                                       const SpanConfig& span) {
  constexpr std::uint8_t kUnknown = 0, kInternational = 1, kNational = 2, kSubscriber = 4;
  constexpr std::uint8_t kE164 = 1, kPrivate = 9;
  q931::Party party;
  party.digits = given.digits;
  std::uint8_t ton = kUnknown, npi = kUnknown;
  switch (dialplan) {
    case Dialplan::kUnknown: break;
    case Dialplan::kNational: ton = kNational, npi = kE164; break;
    case Dialplan::kInternational: ton = kInternational, npi = kE164; break;
    case Dialplan::kLocal: ton = kSubscriber, npi = kE164; break;
    case Dialplan::kPrivate: ton = kSubscriber, npi = kPrivate; break;
    case Dialplan::kDynamic:
      if (party.digits.starts_with('+')) {
        if (given.ton && *given.ton != kInternational) {
          return base::Fail(fmt::format("{} starts with '+' (international under dialplan dynamic) but its ton is {}",
                                        param, q931::TonName(*given.ton)));
        }
        party.digits.erase(0, 1);
        ton = kInternational, npi = kE164;
      }
      break;
  }
  party.ton = given.ton.value_or(ton);
  party.npi = given.npi.value_or(npi);
  party.presentation = given.presentation.value_or(0);
  party.screening = given.screening.value_or(0);
  // Q.931 4.5.10: a number "not available due to interworking" has no digits.
  constexpr std::uint8_t kUnavailable = 2;
  if (party.presentation == kUnavailable && !party.digits.empty()) {
    return base::Fail(fmt::format("{} has digits but presentation unavailable (which carries none)", param));
  }
  if (given.object && party.digits.empty() && party.presentation != kUnavailable) {
    return base::Fail(fmt::format("{}.digits is empty; leave {} out for none, or give presentation unavailable",
                                  param, param));
  }
  if (auto bad = CheckPartyNumber(param, party.digits, span.span, span.switch_variant, party.ton, party.npi)) {
    return base::Fail(std::move(*bad));
  }
  return party;
}

base::Result<q931::Subaddress> CheckSubaddress(std::string_view param, std::string_view text) {
  if (auto bad = CheckIa5Text(param, text, kMaxSubaddressChars)) return base::Fail(std::move(*bad));
  return q931::Subaddress{false, false, std::string(text)};
}

base::Result<std::string> CheckDisplay(std::string_view param, std::string_view text) {
  if (auto bad = CheckIa5Text(param, text, q931::kMaxDisplayChars)) return base::Fail(std::move(*bad));
  return std::string(text);
}

std::optional<std::string> DisplayUnavailable(const SpanConfig& span, NodeType sender) {
  if (span.switch_variant == SwitchVariant::kQsig) {
    return fmt::format("span {} (qsig): Q.SIG carries a calling name only as a CallingName facility, which prid "
                       "does not send", span.span);
  }
  if (VariantSendsDisplay(span.switch_variant, sender)) return std::nullopt;
  return fmt::format("span {} ({}, {}): the user side sends no Display IE", span.span,
                     SwitchVariantName(span.switch_variant), NodeTypeName(sender));
}

}  // namespace prid::daemon
