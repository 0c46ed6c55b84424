// Name tables of the party number attributes.
#include "q931/party.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace prid::q931 {
namespace {

using Entry = std::pair<std::uint8_t, std::string_view>;

// Q.931 4.5.10 type of number (libpri PRI_TON_*).
constexpr std::array kTon = {Entry{0, "unknown"},    Entry{1, "international"}, Entry{2, "national"},
                             Entry{3, "network"},    Entry{4, "subscriber"},    Entry{6, "abbreviated"}};
// Q.931 4.5.10 numbering plan identification (libpri PRI_NPI_*).
constexpr std::array kNpi = {Entry{0, "unknown"}, Entry{1, "e164"},     Entry{3, "x121"},
                             Entry{4, "f69"},     Entry{8, "national"}, Entry{9, "private"}};
// Q.931 4.5.10 octet 3a.
constexpr std::array kPresentation = {Entry{0, "allowed"}, Entry{1, "restricted"}, Entry{2, "unavailable"}};
constexpr std::array kScreening = {Entry{0, "user_not_screened"}, Entry{1, "user_passed"}, Entry{2, "user_failed"},
                                   Entry{3, "network"}};
// Q.952 redirecting reason (libpri PRI_REDIR_*).
constexpr std::array kReason = {Entry{0, "unknown"},          Entry{1, "busy"},
                                Entry{2, "no_reply"},         Entry{15, "unconditional"},
                                Entry{3, "deflection"},       Entry{9, "dte_out_of_order"},
                                Entry{10, "forwarded_by_dte"}};

template <std::size_t N>
std::string NameIn(const std::array<Entry, N>& table, std::uint8_t code) {
  for (const auto& [value, name] : table) {
    if (value == code) return std::string(name);
  }
  return fmt::format("{}", code);
}

template <std::size_t N>
std::optional<std::uint8_t> CodeIn(const std::array<Entry, N>& table, std::string_view name) {
  for (const auto& [value, entry] : table) {
    if (entry == name) return value;
  }
  return std::nullopt;
}

template <std::size_t N>
std::string ChoicesOf(const std::array<Entry, N>& table) {
  std::string out;
  for (const auto& entry : table) out += (out.empty() ? "" : ", ") + std::string(entry.second);
  return out;
}

}  // namespace

Party Party::FromLibpri(std::string digits, int plan, int presentation) {
  Party p;
  p.digits = std::move(digits);
  p.ton = static_cast<std::uint8_t>((plan >> 4) & 0x7);
  p.npi = static_cast<std::uint8_t>(plan & 0xf);
  p.presentation = static_cast<std::uint8_t>((presentation >> 5) & 0x3);
  p.screening = static_cast<std::uint8_t>(presentation & 0x3);
  return p;
}

std::string TonName(std::uint8_t ton) { return NameIn(kTon, ton); }
std::optional<std::uint8_t> TonFromName(std::string_view name) { return CodeIn(kTon, name); }
std::string NpiName(std::uint8_t npi) { return NameIn(kNpi, npi); }
std::optional<std::uint8_t> NpiFromName(std::string_view name) { return CodeIn(kNpi, name); }
std::string PresentationName(std::uint8_t presentation) { return NameIn(kPresentation, presentation); }
std::optional<std::uint8_t> PresentationFromName(std::string_view name) { return CodeIn(kPresentation, name); }
std::string ScreeningName(std::uint8_t screening) { return NameIn(kScreening, screening); }
std::optional<std::uint8_t> ScreeningFromName(std::string_view name) { return CodeIn(kScreening, name); }
std::string RedirectReasonName(std::uint8_t reason) { return NameIn(kReason, reason); }
std::optional<std::uint8_t> RedirectReasonFromName(std::string_view name) { return CodeIn(kReason, name); }

std::string_view TonChoices() {
  static const std::string choices = ChoicesOf(kTon);
  return choices;
}
std::string_view NpiChoices() {
  static const std::string choices = ChoicesOf(kNpi);
  return choices;
}
std::string_view PresentationChoices() {
  static const std::string choices = ChoicesOf(kPresentation);
  return choices;
}
std::string_view ScreeningChoices() {
  static const std::string choices = ChoicesOf(kScreening);
  return choices;
}
std::string_view RedirectReasonChoices() {
  static const std::string choices = ChoicesOf(kReason);
  return choices;
}

std::string DisplayText(std::string_view octets) {
  std::string out;
  octets = octets.substr(0, kMaxDisplayChars);
  out.reserve(octets.size() * 2);
  for (char ch : octets) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) continue;  // C0, DEL, C1
    if (c < 0x80) {
      out += ch;
    } else {  // ISO 8859-1 is the first 256 code points of Unicode
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

}  // namespace prid::q931
