// Cisco IOS `debug isdn q931` text parsing.
#include "q931/cisco_trace_reader.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <optional>

#include "base/hex.h"
#include "q931/names.h"

namespace prid::q931 {
namespace {

// IOS's IE names (several spellings across releases) → Q.931 Table 4-3
// identifiers, codeset 0.
struct CiscoIe {
  std::string_view name;
  std::uint8_t id;
};
constexpr CiscoIe kCiscoIes[] = {
    {"Segmented Message", 0x00},
    {"Change Status", 0x01},
    {"Bearer Capability", 0x04},
    {"Cause", 0x08},
    {"Call Identity", 0x10},
    {"Call State", 0x14},
    {"Channel ID", 0x18},
    {"Channel Identification", 0x18},
    {"Facility", 0x1C},
    {"Progress Ind", 0x1E},
    {"Progress Indicator", 0x1E},
    {"Network-Specific Facilities", 0x20},
    {"Network Specific Facilities", 0x20},
    {"Notification Ind", 0x27},
    {"Notification Indicator", 0x27},
    {"Notify Ind", 0x27},
    {"Display", 0x28},
    {"Date/Time", 0x29},
    {"Keypad Facility", 0x2C},
    {"Keypad", 0x2C},
    {"Signal", 0x34},
    {"Information Rate", 0x40},
    {"Connected Number", 0x4C},
    {"Connected Subaddress", 0x4D},
    {"Calling Party Number", 0x6C},
    {"Calling Party SubAddr", 0x6D},
    {"Calling Party Subaddress", 0x6D},
    {"Called Party Number", 0x70},
    {"Called Party SubAddr", 0x71},
    {"Called Party Subaddress", 0x71},
    {"Original Called Number", 0x73},
    {"Redirecting Number", 0x74},
    {"Redirection Number", 0x76},
    {"Transit Network Select", 0x78},
    {"Transit Network", 0x78},
    {"Restart Indicator", 0x79},
    {"Low Layer Compat", 0x7C},
    {"Low Layer Compatibility", 0x7C},
    {"High Layer Compat", 0x7D},
    {"High Layer Compatibility", 0x7D},
    {"User-User", 0x7E},
    {"User-User Info", 0x7E},
};

constexpr std::uint8_t kSendingComplete = 0xA1;
// Maintenance protocol discriminators (ANSI T1.607): SERVICE and its
// acknowledgement have types of their own.
constexpr int kPdMaintenance1 = 0x03;
constexpr int kPdMaintenance2 = 0x43;
constexpr std::size_t kMaxIeContents = 255;
constexpr std::size_t kMaxCallRefDigits = 8;  // 4 octets; Q.931 allows up to 15, nobody uses them

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view SkipSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Leading decimal digits of `s` as a number (at most 9 digits), advancing `s`.
std::optional<int> TakeNumber(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && n < 9 && IsDigit(s[n])) ++n;
  if (n == 0) return std::nullopt;
  int v = 0;
  std::from_chars(s.data(), s.data() + n, v);
  s.remove_prefix(n);
  return v;
}

bool TakeChar(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

// "hh:mm:ss" with an optional ".fff…": seconds and nanoseconds.
std::optional<std::chrono::nanoseconds> TakeClock(std::string_view& s) {
  std::string_view t = s;
  auto h = TakeNumber(t);
  if (!h || !TakeChar(t, ':')) return std::nullopt;
  auto m = TakeNumber(t);
  if (!m || !TakeChar(t, ':')) return std::nullopt;
  auto sec = TakeNumber(t);
  if (!sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  std::int64_t ns = 0;
  if (!t.empty() && t.front() == '.') {
    t.remove_prefix(1);
    std::size_t digits = 0;
    while (!t.empty() && IsDigit(t.front())) {
      if (digits < 9) {
        ns = ns * 10 + (t.front() - '0');
        ++digits;
      }
      t.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 9; ++digits) ns *= 10;
  }
  s = t;
  return std::chrono::hours(*h) + std::chrono::minutes(*m) + std::chrono::seconds(*sec) +
         std::chrono::nanoseconds(ns);
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<int, 12> kDaysBefore = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

// At most 40 characters of `s` for a warning ("…" when cut).
std::string Excerpt(std::string_view s) {
  constexpr std::size_t kMax = 40;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "\u2026";
}

struct Stamp {
  std::size_t length = 0;  // of the time stamp and its ':', 0 when there is none
  std::optional<base::WallTime> time;
};

// IOS's `service timestamps` prefixes: "000123: " (service sequence), then
// "*Mar  1 00:10:22.123:" / "Jan 12 10:11:12.345 UTC:" (datetime; '*' or
// '.' when the clock is not authoritative) or "00:10:22:" / "1d02h:"
// (uptime).
Stamp TakeStamp(std::string_view line) {
  std::string_view s = line;
  Stamp none;
  // Sequence number: digits, ':', blank.
  {
    std::string_view t = s;
    if (TakeNumber(t) && TakeChar(t, ':') && !t.empty() && IsSpace(t.front())) s = SkipSpaces(t);
  }
  std::string_view t = s;
  if (!t.empty() && (t.front() == '*' || t.front() == '.')) t.remove_prefix(1);
  if (t.size() >= 3) {
    for (std::size_t month = 0; month < kMonths.size(); ++month) {
      if (!IEquals(t.substr(0, 3), kMonths[month])) continue;
      t.remove_prefix(3);
      t = SkipSpaces(t);
      auto day = TakeNumber(t);
      if (!day || *day < 1 || *day > 31) return none;
      t = SkipSpaces(t);
      auto clock = TakeClock(t);
      if (!clock) return none;
      t = SkipSpaces(t);
      while (!t.empty() && std::isalpha(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
      if (!TakeChar(t, ':')) return none;
      const auto days = std::chrono::days(kDaysBefore[month] + *day - 1);
      return {line.size() - t.size(),
              base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(days + *clock))};
    }
  }
  if (auto clock = TakeClock(t)) {
    if (!TakeChar(t, ':')) return none;
    return {line.size() - t.size(),
            base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(*clock))};
  }
  // Uptime beyond a day: "1d02h:", "2w3d:" (no time of day to keep).
  std::size_t n = 0;
  bool letters = false;
  while (n < t.size() && (IsDigit(t[n]) || t[n] == 'd' || t[n] == 'h' || t[n] == 'w' ||
                          t[n] == 'y')) {
    letters |= !IsDigit(t[n]);
    ++n;
  }
  if (letters && n >= 3 && n < t.size() && t[n] == ':' && IsDigit(t[0])) {
    return {line.size() - t.size() + n + 1, std::nullopt};
  }
  return none;
}

struct Header {
  FrameDirection direction = FrameDirection::kSent;
  std::string_view message;   // "CALL_PROC"
  std::string_view pd;        // "8"
  std::string_view call_ref;  // "0x8005"
};

std::string_view TakeWord(std::string_view& s) {
  s = SkipSpaces(s);
  std::size_t n = 0;
  while (n < s.size() && !IsSpace(s[n])) ++n;
  auto w = s.substr(0, n);
  s.remove_prefix(n);
  return w;
}

// `key = value`: the value's word, advancing `s` past it; "" when `s`
// does not go on with `key`.
std::string_view TakeField(std::string_view& s, std::string_view key) {
  std::string_view t = SkipSpaces(s);
  if (!t.starts_with(key)) return {};
  t.remove_prefix(key.size());
  t = SkipSpaces(t);
  if (!TakeChar(t, '=')) return {};
  auto value = TakeWord(t);
  if (!value.empty()) s = t;
  return value;
}

// Where "TX ->" or "RX <-" (or a typographic arrow) ends in `s`, with the
// direction; nullopt when `s` has none.
std::optional<std::pair<std::size_t, FrameDirection>> FindArrow(std::string_view s) {
  for (std::size_t at = 0; at + 2 <= s.size(); ++at) {
    const auto word = s.substr(at, 2);
    if (word != "TX" && word != "RX") continue;
    if (at > 0 && !IsSpace(s[at - 1]) && s[at - 1] != ':') continue;
    std::string_view t = s.substr(at + 2);
    if (t.empty() || !IsSpace(t.front())) continue;
    const auto arrow = TakeWord(t);
    if (arrow != "->" && arrow != "<-" && arrow != "\u2192" && arrow != "\u2190") continue;
    return std::pair{s.size() - t.size(),
                     word == "TX" ? FrameDirection::kSent : FrameDirection::kReceived};
  }
  return std::nullopt;
}

// "… TX -> SETUP pd = 8  callref = 0x0005" anywhere after the interface
// name.
std::optional<Header> ParseHeader(std::string_view s) {
  if (const auto arrow = FindArrow(s)) {
    std::string_view t = s.substr(arrow->first);
    Header h;
    h.direction = arrow->second;
    h.message = TakeWord(t);
    h.pd = TakeField(t, "pd");
    h.call_ref = TakeField(t, "callref");
    if (h.message.empty() || h.pd.empty() || h.call_ref.empty()) return std::nullopt;
    return h;
  }
  return std::nullopt;
}

// IOS abbreviates: CALL_PROC, SETUP_ACK, RELEASE_COMP, STATUS_ENQ, INFO.
std::optional<std::uint8_t> MessageTypeOf(std::string_view cisco, int pd) {
  std::string name;
  std::string_view rest = cisco;
  while (!rest.empty()) {
    const auto cut = rest.find('_');
    std::string word(rest.substr(0, cut));
    for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (word == "ACK") word = "ACKNOWLEDGE";
    if (word == "PROC") word = "PROCEEDING";
    if (word == "COMP") word = "COMPLETE";
    if (word == "ENQ") word = "ENQUIRY";
    if (word == "REJ") word = "REJECT";
    if (word == "INFO") word = "INFORMATION";
    if (!name.empty()) name += ' ';
    name += word;
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  if (pd == kPdMaintenance1 || pd == kPdMaintenance2) {
    // ANSI T1.607 SERVICE (0x0F) and SERVICE ACKNOWLEDGE (0x07).
    if (name == "SERVICE") return 0x0F;
    if (name == "SERVICE ACKNOWLEDGE") return 0x07;
  }
  return MessageTypeFromName(name);
}

struct IeId {
  std::uint8_t id = 0;
  std::uint8_t codeset = 0;
};

std::optional<IeId> IeIdOf(std::string_view name) {
  for (const auto& e : kCiscoIes) {
    if (IEquals(e.name, name)) return IeId{e.id, 0};
  }
  // "Codeset 6 IE 0x1": IOS's words for IEs it has no name for.
  IeId out;
  std::string_view t = name;
  if (t.starts_with("Codeset ")) {
    t.remove_prefix(8);
    auto codeset = TakeNumber(t);
    if (!codeset || *codeset > 7) return std::nullopt;
    out.codeset = static_cast<std::uint8_t>(*codeset);
    t = SkipSpaces(t);
  }
  if (!t.starts_with("IE 0x")) return std::nullopt;
  t.remove_prefix(5);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 16);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty() || v >= 0x80) {
    return std::nullopt;
  }
  out.id = static_cast<std::uint8_t>(v);
  return out;
}

// Leading hex digits as octets; nullopt when their number is odd.
std::optional<std::vector<std::uint8_t>> TakeHex(std::string_view& s, std::size_t& digits) {
  digits = 0;
  while (digits < s.size() && base::HexDigitValue(s[digits]) >= 0) ++digits;
  if (digits % 2) return std::nullopt;
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < digits; i += 2) {
    out.push_back(static_cast<std::uint8_t>(base::HexDigitValue(s[i]) << 4 |
                                            base::HexDigitValue(s[i + 1])));
  }
  s.remove_prefix(digits);
  return out;
}

bool IsIeNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '/' ||
         c == '.';
}

struct Pending {
  std::size_t line = 0;
  std::optional<base::WallTime> time;
  FrameDirection direction = FrameDirection::kSent;
  std::vector<std::uint8_t> bytes;  // header, then IEs as they come
  std::vector<std::string> warnings;
};

class CiscoParser {
 public:
  void Line(std::string_view line, std::size_t number) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const Stamp stamp = TakeStamp(line);
    std::string_view rest = line.substr(stamp.length);
    if (stamp.length > 0 && !rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
    // A header wrapped onto a line of its own keeps the time stamp of the
    // line before.
    auto time = stamp.time;
    if (stamp.length == 0 && last_stamp_line_ + 1 == number) time = last_stamp_;
    if (stamp.length > 0) {
      last_stamp_ = stamp.time;
      last_stamp_line_ = number;
    }
    if (carry_ && Continue(rest)) return;
    if (auto header = ParseHeader(rest)) {
      Flush();
      Start(*header, time, number);
    } else if (FindArrow(rest)) {
      // "ISDN Se3/0:23 Q931: TX ->" with the rest on the next lines, as
      // web pages and narrow terminals wrap it.
      Flush();
      carry_ = Carry{std::string(Trim(rest)), time, number, 1};
    } else if (pending_ && !Trim(rest).empty()) {
      if (!IeLine(Trim(rest), number) && !IsSpace(rest.front())) Flush();
    }
  }

  std::vector<TraceRecord> Finish() {
    if (carry_) {
      loose_warnings_.push_back(fmt::format(
          "line {}: message header cut short: '{}' (message left out)", carry_->line,
          Excerpt(carry_->text)));
      carry_.reset();
    }
    Flush();
    if (!records_.empty()) {
      auto& w = records_.back().warnings;
      w.insert(w.end(), loose_warnings_.begin(), loose_warnings_.end());
      loose_warnings_.clear();
    }
    return std::move(records_);
  }

  const std::vector<std::string>& LooseWarnings() const { return loose_warnings_; }

 private:
  void Start(const Header& h, std::optional<base::WallTime> time, std::size_t number) {
    std::string_view pd_text = h.pd;
    auto pd = TakeNumber(pd_text);
    if (!pd || !pd_text.empty() || *pd > 0xFF) {
      loose_warnings_.push_back(
          fmt::format("line {}: protocol discriminator '{}' is no number from 0 to 255 "
                      "(message left out)",
                      number, Excerpt(h.pd)));
      return;
    }
    std::string_view ref = h.call_ref;
    std::size_t digits = 0;
    std::optional<std::vector<std::uint8_t>> ref_octets;
    if (ref.starts_with("0x") || ref.starts_with("0X")) {
      ref.remove_prefix(2);
      // An odd count ("0x5") is the value without its leading zero.
      std::string padded(ref.size() % 2 ? "0" : "");
      padded += ref;
      std::string_view p = padded;
      ref_octets = TakeHex(p, digits);
      if (!p.empty() || digits == 0 || digits > kMaxCallRefDigits) ref_octets.reset();
    }
    if (!ref_octets) {
      loose_warnings_.push_back(fmt::format(
          "line {}: call reference '{}' is not 0x and 1 to 8 hex digits (message left out)",
          number, Excerpt(h.call_ref)));
      return;
    }
    auto type = MessageTypeOf(h.message, *pd);
    if (!type) {
      loose_warnings_.push_back(
          fmt::format("line {}: unknown message name '{}' (message left out)", number,
                      Excerpt(h.message)));
      return;
    }
    Pending p;
    p.line = number;
    p.time = time;
    p.direction = h.direction;
    p.bytes.push_back(static_cast<std::uint8_t>(*pd));
    p.bytes.push_back(static_cast<std::uint8_t>(ref_octets->size()));
    p.bytes.insert(p.bytes.end(), ref_octets->begin(), ref_octets->end());
    p.bytes.push_back(*type);
    pending_ = std::move(p);
  }

  // Joins `rest` to a header cut short: true when it was taken.
  bool Continue(std::string_view rest) {
    constexpr int kMaxParts = 4;
    constexpr std::size_t kMaxLength = 300;
    Carry c = std::move(*carry_);
    carry_.reset();
    const std::string joined = c.text + " " + std::string(Trim(rest));
    if (auto header = ParseHeader(joined)) {
      Start(*header, c.time, c.line);
      return true;
    }
    if (c.parts < kMaxParts && joined.size() < kMaxLength && !Trim(rest).empty() &&
        IsSpace(rest.front())) {
      carry_ = Carry{joined, c.time, c.line, c.parts + 1};
      return true;
    }
    loose_warnings_.push_back(
        fmt::format("line {}: message header cut short: '{}' (message left out)", c.line,
                    Excerpt(c.text)));
    return false;
  }

  // An IE of the pending message: true when `s` is one (kept or not).
  bool IeLine(std::string_view s, std::size_t number) {
    if (IEquals(s, "Sending Complete")) {
      pending_->bytes.push_back(kSendingComplete);
      return true;
    }
    const auto eq = s.find(" i = ");
    if (eq == std::string_view::npos) return false;
    const auto name = Trim(s.substr(0, eq));
    if (name.empty() || name.size() > 48) return false;
    for (char c : name) {
      if (!IsIeNameChar(c)) return false;
    }
    auto warn = [&](std::string_view why) {
      pending_->warnings.push_back(fmt::format("line {}: {} (IE left out)", number, why));
      return true;
    };
    const auto id = IeIdOf(name);
    if (!id) return warn(fmt::format("unknown IE name '{}'", name));
    std::string_view value = SkipSpaces(s.substr(eq + 5));
    std::vector<std::uint8_t> contents;
    bool any = false;
    if (value.starts_with("0x") || value.starts_with("0X")) {
      value.remove_prefix(2);
      std::size_t digits = 0;
      auto octets = TakeHex(value, digits);
      if (!octets) return warn(fmt::format("{}: odd number of hex digits", name));
      contents = std::move(*octets);
      any = digits > 0;
    }
    // Digits or text in quotes, straight after the hex (", '1234'").
    std::string_view between = value;
    while (!between.empty() && (IsSpace(between.front()) || between.front() == ',')) {
      between.remove_prefix(1);
    }
    // Typographic quotes (‘1234’) come from pastes through word processors.
    for (auto [open, close_quote] : {std::pair<std::string_view, std::string_view>{"'", "'"},
                                     {"\u2018", "\u2019"}}) {
      if (!between.starts_with(open)) continue;
      const auto close = between.rfind(close_quote);
      if (close == std::string_view::npos || close < open.size()) {
        return warn(fmt::format("{}: quoted text has no closing quote", name));
      }
      const auto text = between.substr(open.size(), close - open.size());
      contents.insert(contents.end(), text.begin(), text.end());
      any = true;
      break;
    }
    if (!any) return warn(fmt::format("{}: no contents after 'i ='", name));
    if (contents.size() > kMaxIeContents) {
      return warn(fmt::format("{}: {} octets of contents, more than an IE holds", name,
                              contents.size()));
    }
    // Q.931 4.5.3: a non-locking shift puts the next IE in its codeset.
    if (id->codeset != 0) pending_->bytes.push_back(static_cast<std::uint8_t>(0x98 | id->codeset));
    pending_->bytes.push_back(id->id);
    pending_->bytes.push_back(static_cast<std::uint8_t>(contents.size()));
    pending_->bytes.insert(pending_->bytes.end(), contents.begin(), contents.end());
    return true;
  }

  void Flush() {
    if (!pending_) return;
    Pending p = std::move(*pending_);
    pending_.reset();
    TraceRecord r;
    r.time = p.time;
    r.direction = p.direction;
    r.q931_only = true;
    r.source = fmt::format("line {}", p.line);
    r.frame = std::move(p.bytes);
    r.warnings = std::move(loose_warnings_);
    loose_warnings_.clear();
    r.warnings.insert(r.warnings.end(), p.warnings.begin(), p.warnings.end());
    records_.push_back(std::move(r));
  }

  struct Carry {
    std::string text;  // the header so far
    std::optional<base::WallTime> time;
    std::size_t line = 0;
    int parts = 1;
  };

  std::vector<TraceRecord> records_;
  std::optional<Pending> pending_;
  std::optional<Carry> carry_;
  // Warnings of no message (a header left out): given to the next record.
  std::vector<std::string> loose_warnings_;
  std::optional<base::WallTime> last_stamp_;
  std::size_t last_stamp_line_ = 0;
};

template <typename F>
void ForEachLine(std::string_view text, F&& f) {
  std::size_t number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (!f(text.substr(0, nl), ++number)) return;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

bool LooksLikeCiscoQ931Debug(std::string_view text) {
  bool found = false;
  ForEachLine(text, [&](std::string_view line, std::size_t) {
    std::string_view rest = line.substr(TakeStamp(line).length);
    found = ParseHeader(rest).has_value();
    return !found;
  });
  return found;
}

base::Result<std::vector<TraceRecord>> ParseCiscoTrace(std::string_view text,
                                                       const std::string& name) {
  CiscoParser parser;
  ForEachLine(text, [&](std::string_view line, std::size_t number) {
    parser.Line(line, number);
    return true;
  });
  std::vector<std::string> loose = parser.LooseWarnings();
  auto records = parser.Finish();
  if (records.empty()) {
    return base::Fail(
        fmt::format("{}: no Q.931 message found in the Cisco debug isdn q931 output{}", name,
                    loose.empty() ? "" : " (" + loose.front() + ")"));
  }
  return records;
}

}  // namespace prid::q931
