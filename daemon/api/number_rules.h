// What a party number (call.make's and sim.call's `number` and `calling`)
// may hold on a span, so that the SETUP carries exactly the digits the
// client gave and the call record keeps exactly what went on the wire.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/config/config.h"

namespace prid::daemon {

// libpri 1.6 copies a party number into a buffer of PRI_MAX_NUMBER_LEN =
// 31 + 1 octets (pri_internal.h, struct q931_party_number) and silently
// cuts the rest; being a C string, it also ends at the first NUL. Measured
// on the wire: a 100-digit number goes out as its first 31 digits.
inline constexpr std::size_t kLibpriMaxNumberDigits = 31;

struct NumberRules {
  std::string_view allowed;       // every character a number may hold
  std::string_view allowed_text;  // the same for a person: "0-9 * #"
  std::size_t max_digits = 0;
};

// The rules of `variant`. Today they are the same for every variant prid
// drives: Q.931 4.5.8 / 4.5.10 code the number digits as IA5 characters of
// the numbering plan; prid sends type and plan "unknown", whose digits are
// 0-9, * and # (none of ni2, dms100, 5ess, 4ess, euroisdn, ni1 or qsig
// allows more), and libpri carries at most kLibpriMaxNumberDigits of them.
NumberRules NumberRulesFor(SwitchVariant variant);

// Nothing when `number` may go on the wire of span `span` (of `variant`)
// as it is; else the InvalidParams message, naming `param` and either the
// first character not allowed — its position (in characters, from 0) and
// its code point: "number has 'A' (U+0041) at position 3; allowed: 0-9 * #"
// — or the limit: "number is 40 digits; span 1 (euroisdn_e1) carries at
// most 31". An empty number passes: whether one may be empty is the
// caller's to say (`calling` may, `number` may not). `number` is UTF-8
// (JSON strings are).
std::optional<std::string> CheckPartyNumber(std::string_view param, std::string_view number, int span,
                                            SwitchVariant variant);

}  // namespace prid::daemon
