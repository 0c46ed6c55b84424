// A party number with the attributes its IE carries (Q.931 4.5.8 called,
// 4.5.10 calling, Q.952 redirecting) and a party subaddress (4.5.9, 4.5.11),
// with the name tables the API and the CDRs use. The numeric values are the
// Q.931 field codes, which are also libpri's (PRI_TON_*, PRI_NPI_*, PRI_PRES_*).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace prid::q931 {

struct Party {
  std::string digits;
  std::uint8_t ton = 0;           // type of number, octet 3 bits 7-5
  std::uint8_t npi = 0;           // numbering plan identification, octet 3 bits 4-1
  std::uint8_t presentation = 0;  // calling/redirecting: octet 3a bits 7-6
  std::uint8_t screening = 0;     // calling/redirecting: octet 3a bits 2-1

  // libpri's "plan" (ton << 4 | npi) and "pres" (presentation << 5 | screening).
  int LibpriPlan() const { return (ton & 0x7) << 4 | (npi & 0xf); }
  int LibpriPresentation() const { return (presentation & 0x3) << 5 | (screening & 0x3); }
  static Party FromLibpri(std::string digits, int plan, int presentation);
  bool operator==(const Party&) const = default;
};

// Redirecting number (Q.952 / Q.931 4.5.x): the party, octet 3b's reason
// and how many times the call was diverted (0: not known).
struct Redirecting {
  Party party;
  std::uint8_t reason = 0;
  int count = 0;
  bool operator==(const Redirecting&) const = default;
};

// A subaddress (Q.931 4.5.9 / 4.5.11): NSAP (X.213; libpri sends its octets
// as given) or user specified (octets; odd: the last BCD digit is a filler).
struct Subaddress {
  bool user_specified = false;
  bool odd = false;
  std::string data;  // the subaddress information octets
  bool operator==(const Subaddress&) const = default;
};

// The numbers of one SETUP, sent or received, and the calling name.
struct SetupParties {
  Party called;                  // its ton and npi go in the Called party number IE
  std::optional<Party> calling;  // none: no Calling party number IE
  std::optional<Redirecting> redirecting;  // none: no Redirecting number IE
  std::optional<Subaddress> called_subaddress;
  std::optional<Subaddress> calling_subaddress;
  // The calling name: sent as libpri's caller name (a Display IE, or a
  // Q.SIG CallingName); received from either. "": none.
  std::string display;
  bool operator==(const SetupParties&) const = default;
};

// At most this many characters of a display go out or are kept (libpri
// 1.6 keeps a name in 64 octets with its NUL).
inline constexpr std::size_t kMaxDisplayChars = 63;
// Display text (Q.931 4.5.16 Display IE, libpri's party names) as the API
// shows it: the first kMaxDisplayChars octets, ISO 8859-1, as UTF-8,
// control characters dropped.
std::string DisplayText(std::string_view octets);

// Names (API.md "Party numbers"); a code with no name reads as its number
// ("5"), and FromName knows only the names.
std::string TonName(std::uint8_t ton);
std::optional<std::uint8_t> TonFromName(std::string_view name);
std::string NpiName(std::uint8_t npi);
std::optional<std::uint8_t> NpiFromName(std::string_view name);
std::string PresentationName(std::uint8_t presentation);
std::optional<std::uint8_t> PresentationFromName(std::string_view name);
std::string ScreeningName(std::uint8_t screening);
std::optional<std::uint8_t> ScreeningFromName(std::string_view name);
std::string RedirectReasonName(std::uint8_t reason);
std::optional<std::uint8_t> RedirectReasonFromName(std::string_view name);

// The names of each table, for errors: "unknown, international, …".
std::string_view TonChoices();
std::string_view NpiChoices();
std::string_view PresentationChoices();
std::string_view ScreeningChoices();
std::string_view RedirectReasonChoices();

}  // namespace prid::q931
