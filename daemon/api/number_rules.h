// What a party number (call.make's and sim.call's `number` and `calling`)
// may hold on a span, so that the SETUP carries exactly the digits the
// client gave and the call record keeps exactly what went on the wire.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"
#include "daemon/api/request_params.h"
#include "daemon/config/config.h"
#include "q931/party.h"

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

// E.164 6.1: an international number is at most 15 digits.
inline constexpr std::size_t kE164MaxDigits = 15;

// The rules of `variant` for a number of type `ton` in plan `npi` (Q.931
// 4.5.8 / 4.5.10 codes). The variant does not change them today: the
// number digits are IA5 characters of the numbering plan, and none of
// ni2, dms100, 5ess, 4ess, euroisdn, ni1 or qsig allows more than 0-9, *
// and #. The plans that define their digits allow only those: E.164 (and
// at most kE164MaxDigits of an international one), X.121 and F.69 have
// 0-9 alone; unknown, national and private also * and #. libpri carries
// at most kLibpriMaxNumberDigits.
NumberRules NumberRulesFor(SwitchVariant variant, std::uint8_t ton = 0, std::uint8_t npi = 0);

// The longest subaddress prid sends: Q.931 4.5.9 / 4.5.11 allow 20 octets
// of subaddress information. libpri 1.6 sends an NSAP one's octets as
// given (no AFI of its own; measured in tests/q931/pri_party_test.cc).
inline constexpr std::size_t kMaxSubaddressChars = 20;

// Nothing when `number` may go on the wire of span `span` (of `variant`)
// as it is; else the InvalidParams message, naming `param` and either the
// first character not allowed — its position (in characters, from 0) and
// its code point: "number has 'A' (U+0041) at position 3; allowed: 0-9 * #"
// — or the limit: "number is 40 digits; span 1 (euroisdn_e1) carries at
// most 31". An empty number passes: whether one may be empty is the
// caller's to say (`calling` may, `number` may not). `number` is UTF-8
// (JSON strings are).
std::optional<std::string> CheckPartyNumber(std::string_view param, std::string_view number, int span,
                                            SwitchVariant variant, std::uint8_t ton = 0, std::uint8_t npi = 0);

// call.make's `param` (`given`) as it goes on span `span`'s wire: the
// attributes it names, the others from `dialplan` (SpanConfig::dialplan
// for the called number, local_dialplan for the calling one), presentation
// allowed and screening user_not_screened by default. Under `dynamic` a
// leading '+' makes the number international/e164 and is not sent — the
// only change prid makes to digits; a ton given with it must be
// international. Then the digits are checked (CheckPartyNumber). Else the
// InvalidParams message.
base::Result<q931::Party> ResolveParty(std::string_view param, const PartyParam& given, Dialplan dialplan,
                                       const SpanConfig& span);

// A subaddress param: 1…kMaxSubaddressChars printable ASCII characters
// (IA5), sent as NSAP. Else the InvalidParams message.
base::Result<q931::Subaddress> CheckSubaddress(std::string_view param, std::string_view text);

// A display param (call.make's and sim.call's calling name): 1…
// q931::kMaxDisplayChars printable ASCII characters — the Display IE's IA5
// (Q.931 4.5.16) without control characters, and no more than libpri 1.6
// keeps of a name. Else the InvalidParams message.
base::Result<std::string> CheckDisplay(std::string_view param, std::string_view text);

// Nothing when a SETUP sent by a `sender` side on `span` can carry a
// calling name; else the OperationUnavailable message naming the variant.
// libpri 1.6 sends it as a Display IE on ni2, dms100, 5ess, 4ess, ni1 and
// on euroisdn's network side. Its euroisdn user side sends none (ETSI EN
// 300 403 has no Display IE from the user); on qsig it would send only a
// Q.SIG CallingName (a ROSE Facility IE), and only with its facilities
// enabled (pri_facility_enable), which prid does not do: measured, the
// SETUP then carries no name at all.
std::optional<std::string> DisplayUnavailable(const SpanConfig& span, NodeType sender);

}  // namespace prid::daemon
