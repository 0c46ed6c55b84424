// libpri debug text and hex dump parsing.
#include "q931/text_trace_reader.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <optional>

#include "base/hex.h"

namespace prid::q931 {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "08 02 00 01" (tokens of two hex digits) or "08020001" (even length):
// the octets, or nullopt when `s` is anything else.
std::optional<std::vector<std::uint8_t>> ParseHexOctets(std::string_view s) {
  s = Trim(s);
  if (s.empty()) return std::nullopt;
  std::vector<std::uint8_t> out;
  int high = -1;
  bool spaced = s.find(' ') != std::string_view::npos;
  std::size_t run = 0;  // digits in the current token
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == ':') {
      if (spaced && run != 0 && run != 2) return std::nullopt;
      run = 0;
      continue;
    }
    const int v = base::HexDigitValue(c);
    if (v < 0) return std::nullopt;
    ++run;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0 || (spaced && run != 2)) return std::nullopt;
  return out;
}

// Where libpri's direction marker stands: the first "> " or "< " at the
// start of the line or after a blank or a colon (Asterisk's prefixes).
std::optional<std::size_t> MarkerAt(std::string_view line) {
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    if ((line[i] == '>' || line[i] == '<') && line[i + 1] == ' ' &&
        (i == 0 || line[i - 1] == ' ' || line[i - 1] == ':' || line[i - 1] == '\t')) {
      return i;
    }
  }
  return std::nullopt;
}

// The number in the last "(N)" of `s`.
std::optional<int> LastParenNumber(std::string_view s) {
  const auto close = s.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  const auto open = s.rfind('(', close);
  if (open == std::string_view::npos) return std::nullopt;
  int v = 0;
  const auto digits = s.substr(open + 1, close - open - 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return v;
}

std::optional<long> NumberAfter(std::string_view s, std::string_view key) {
  const auto at = s.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = Trim(s.substr(at + key.size()));
  long v = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
  if (ec != std::errc() || ptr == rest.data()) return std::nullopt;
  return v;
}

// A Q.931 message being rebuilt from libpri's dump lines.
struct PendingMessage {
  FrameDirection direction = FrameDirection::kSent;
  std::size_t line = 0;
  std::uint8_t pd = 0x08;
  std::uint8_t crlen = 0;
  std::uint32_t cref = 0;
  bool flag = false;
  std::optional<std::uint8_t> type;
  std::vector<std::uint8_t> ies;

  std::vector<std::uint8_t> Bytes() const {
    std::vector<std::uint8_t> out{pd, crlen};
    for (std::size_t i = 0; i < crlen; ++i) {
      // A length past the 4 octets the reference's number fills (the line
      // says up to 15) puts zero octets before them.
      const std::size_t shift = 8 * (crlen - 1 - i);
      auto o = shift < 32 ? static_cast<std::uint8_t>(cref >> shift) : std::uint8_t{0};
      if (i == 0) o = static_cast<std::uint8_t>((o & 0x7F) | (flag ? 0x80 : 0));
      out.push_back(o);
    }
    out.push_back(*type);
    out.insert(out.end(), ies.begin(), ies.end());
    return out;
  }
};

class TextParser {
 public:
  void Line(std::string_view line, std::size_t number) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (auto marker = MarkerAt(line)) {
      LibpriLine(line[*marker] == '>' ? FrameDirection::kSent : FrameDirection::kReceived,
                 line.substr(*marker + 2), number);
      return;
    }
    HexLine(Trim(line), number);
  }

  std::vector<TraceRecord> Finish() {
    FlushMessage();
    FlushOffsetFrame();
    return std::move(records_);
  }

 private:
  void LibpriLine(FrameDirection dir, std::string_view rest, std::size_t number) {
    if (rest.starts_with("[ ")) {
      // PRI_DEBUG_Q921_RAW: the whole LAPD frame.
      const auto close = rest.find(']');
      auto octets = ParseHexOctets(
          rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
      if (!octets || octets->empty()) return;
      FlushMessage();
      TraceRecord r;
      r.direction = dir;
      r.source = fmt::format("line {}", number);
      r.frame = std::move(*octets);
      // A Q.931 dump of the same message just before (libpri dumps sent
      // messages before their I-frame goes out) is replaced.
      DropRebuiltDuplicateOf(r);
      records_.push_back(std::move(r));
      raw_frame_index_.push_back(records_.size() - 1);
      return;
    }
    if (rest.starts_with("[") && rest.size() > 2 && base::HexDigitValue(rest[1]) >= 0) {
      // An IE dump: identifier, length, contents.
      if (!message_ || message_->direction != dir) return;
      const auto close = rest.find(']');
      if (close == std::string_view::npos) return;
      if (auto octets = ParseHexOctets(rest.substr(1, close - 1))) {
        message_->ies.insert(message_->ies.end(), octets->begin(), octets->end());
      }
      return;
    }
    if (rest.find("Protocol Discriminator:") != std::string_view::npos) {
      FlushMessage();
      const auto len_at = rest.find("len=");
      auto pd = LastParenNumber(rest.substr(0, len_at));
      if (!pd) return;
      message_ = PendingMessage{};
      message_->direction = dir;
      message_->line = number;
      message_->pd = static_cast<std::uint8_t>(*pd);
      return;
    }
    if (!message_ || message_->direction != dir) return;
    // "Call Ref: len= 2 (reference 131/0x83) (Sent to originator)" since
    // libpri 1.4.11 (after "TEI=0 "), "(Terminator)" / "(Originator)"
    // before; 1.2 and older print the flag inside the reference value too,
    // which Bytes() masks off.
    if (rest.find("Call Ref:") != std::string_view::npos) {
      message_->crlen = static_cast<std::uint8_t>(NumberAfter(rest, "len=").value_or(0) & 0x0F);
      message_->cref = static_cast<std::uint32_t>(NumberAfter(rest, "(reference ").value_or(0));
      message_->flag = rest.find("Sent to originator") != std::string_view::npos ||
                       rest.find("(Terminator)") != std::string_view::npos;
      return;
    }
    // libpri 1.4.0 to 1.4.10 (and before) print "Message type:", 1.4.11 on
    // "Message Type:".
    if (rest.find("Message Type:") != std::string_view::npos ||
        rest.find("Message type:") != std::string_view::npos) {
      if (auto type = LastParenNumber(rest)) message_->type = static_cast<std::uint8_t>(*type);
    }
  }

  void FlushMessage() {
    if (!message_) return;
    PendingMessage m = std::move(*message_);
    message_.reset();
    if (!m.type) return;  // a dump cut short before its message type
    TraceRecord r;
    r.direction = m.direction;
    r.q931_only = true;
    r.source = fmt::format("line {}", m.line);
    r.frame = m.Bytes();
    // The same message in a raw Q.921 frame just before: already there.
    for (std::size_t k = 0; k < raw_frame_index_.size(); ++k) {
      const TraceRecord& raw = records_[raw_frame_index_[k]];
      if (raw.direction == r.direction && raw.frame.size() == r.frame.size() + 4 &&
          std::equal(r.frame.begin(), r.frame.end(), raw.frame.begin() + 4)) {
        raw_frame_index_.erase(raw_frame_index_.begin() + static_cast<std::ptrdiff_t>(k));
        return;
      }
    }
    records_.push_back(std::move(r));
    rebuilt_index_.push_back(records_.size() - 1);
    TrimIndexes();
  }

  void DropRebuiltDuplicateOf(const TraceRecord& raw) {
    for (std::size_t k = 0; k < rebuilt_index_.size(); ++k) {
      const std::size_t at = rebuilt_index_[k];
      const TraceRecord& q = records_[at];
      if (q.direction == raw.direction && raw.frame.size() == q.frame.size() + 4 &&
          std::equal(q.frame.begin(), q.frame.end(), raw.frame.begin() + 4)) {
        records_.erase(records_.begin() + static_cast<std::ptrdiff_t>(at));
        rebuilt_index_.clear();
        raw_frame_index_.clear();
        return;
      }
    }
  }

  // Only the last few frames can be the other half of a dump.
  void TrimIndexes() {
    constexpr std::size_t kWindow = 4;
    if (rebuilt_index_.size() > kWindow) rebuilt_index_.erase(rebuilt_index_.begin());
    if (raw_frame_index_.size() > kWindow) raw_frame_index_.erase(raw_frame_index_.begin());
  }

  void HexLine(std::string_view line, std::size_t number) {
    if (line.empty() || line.front() == '#') return;
    // A '|'-separated table: the hex column and an epoch time column.
    if (line.find('|') != std::string_view::npos) {
      TableLine(line, number);
      return;
    }
    std::optional<FrameDirection> dir;
    for (auto [prefix, d] : {std::pair{std::string_view("rx "), FrameDirection::kReceived},
                             std::pair{std::string_view("tx "), FrameDirection::kSent},
                             std::pair{std::string_view("RX "), FrameDirection::kReceived},
                             std::pair{std::string_view("TX "), FrameDirection::kSent}}) {
      if (line.starts_with(prefix)) {
        dir = d;
        line = Trim(line.substr(prefix.size()));
      }
    }
    // Offset-prefixed dump: "0000  00 01 02 …  ascii" or "0000: 00 01 …".
    const auto space = line.find_first_of(" \t");
    if (space != std::string_view::npos && space >= 4) {
      std::string_view first = line.substr(0, space);
      if (first.back() == ':') first.remove_suffix(1);
      if (first.starts_with("0x")) first.remove_prefix(2);
      std::size_t offset = 0;
      auto [ptr, ec] = std::from_chars(first.data(), first.data() + first.size(), offset, 16);
      if (ec == std::errc() && ptr == first.data() + first.size() && first.size() >= 4 &&
          !ParseHexOctets(line)) {
        OffsetLine(offset, line.substr(space), number, dir);
        return;
      }
    }
    if (auto octets = ParseHexOctets(line); octets && octets->size() >= 3) {
      FlushOffsetFrame();
      Emit(std::move(*octets), number, dir, std::nullopt);
    }
  }

  void OffsetLine(std::size_t offset, std::string_view rest, std::size_t number,
                  std::optional<FrameDirection> dir) {
    if (offset == 0) {
      FlushOffsetFrame();
      offset_frame_.emplace();
      offset_line_ = number;
      offset_dir_ = dir;
    }
    if (!offset_frame_ || offset != offset_frame_->size()) return;
    // Octets are tokens of two hex digits up to the ASCII column.
    std::size_t i = 0;
    while (i < rest.size()) {
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
      if (i + 2 > rest.size() || base::HexDigitValue(rest[i]) < 0 || base::HexDigitValue(rest[i + 1]) < 0 ||
          (i + 2 < rest.size() && rest[i + 2] != ' ' && rest[i + 2] != '\t')) {
        break;
      }
      offset_frame_->push_back(
          static_cast<std::uint8_t>(base::HexDigitValue(rest[i]) << 4 | base::HexDigitValue(rest[i + 1])));
      i += 2;
    }
  }

  void FlushOffsetFrame() {
    if (!offset_frame_) return;
    auto frame = std::move(*offset_frame_);
    offset_frame_.reset();
    if (!frame.empty()) Emit(std::move(frame), offset_line_, offset_dir_, std::nullopt);
  }

  void TableLine(std::string_view line, std::size_t number) {
    std::optional<std::vector<std::uint8_t>> best;
    std::optional<base::WallTime> time;
    while (true) {
      const auto bar = line.find('|');
      const std::string_view field = Trim(line.substr(0, bar));
      if (auto octets = ParseHexOctets(field); octets && octets->size() >= 3 &&
                                               field.find(' ') == std::string_view::npos &&
                                               (!best || octets->size() > best->size())) {
        best = std::move(octets);
      } else if (const auto dot = field.find('.');
                 !time && dot != std::string_view::npos && dot >= 9 && dot <= 10) {
        std::int64_t seconds = 0;
        auto [p, ec] = std::from_chars(field.data(), field.data() + dot, seconds);
        // Up to 2^32 s (the year 2106): later ones are no capture's and
        // would overflow the clock's nanoseconds.
        constexpr std::int64_t kLatestEpoch = std::int64_t{1} << 32;
        if (ec == std::errc() && p == field.data() + dot && seconds >= 0 &&
            seconds < kLatestEpoch) {
          auto fraction = field.substr(dot + 1);
          std::int64_t ns = 0;
          std::size_t digits = 0;
          for (char c : fraction) {
            if (!std::isdigit(static_cast<unsigned char>(c)) || digits == 9) break;
            ns = ns * 10 + (c - '0');
            ++digits;
          }
          for (; digits < 9; ++digits) ns *= 10;
          time = base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(
              std::chrono::seconds(seconds) + std::chrono::nanoseconds(ns)));
        }
      }
      if (bar == std::string_view::npos) break;
      line.remove_prefix(bar + 1);
    }
    if (best) Emit(std::move(*best), number, std::nullopt, time);
  }

  void Emit(std::vector<std::uint8_t> octets, std::size_t number, std::optional<FrameDirection> dir,
            std::optional<base::WallTime> time) {
    TraceRecord r;
    r.time = time;
    r.direction = dir;
    r.source = fmt::format("line {}", number);
    const std::uint8_t first = octets[0];
    r.q931_only = first == 0x08 || first == 0x03 || first == 0x43;
    r.frame = std::move(octets);
    records_.push_back(std::move(r));
  }

  std::vector<TraceRecord> records_;
  std::optional<PendingMessage> message_;
  std::vector<std::size_t> raw_frame_index_;  // recent raw Q.921 frames
  std::vector<std::size_t> rebuilt_index_;    // recent rebuilt Q.931 dumps
  std::optional<std::vector<std::uint8_t>> offset_frame_;
  std::size_t offset_line_ = 0;
  std::optional<FrameDirection> offset_dir_;
};

}  // namespace

base::Result<std::vector<TraceRecord>> ParseTextTrace(std::string_view text,
                                                      const std::string& name) {
  TextParser parser;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    parser.Line(text.substr(0, nl), ++number);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  auto records = parser.Finish();
  if (records.empty()) {
    return base::Fail(
        fmt::format("{}: no frames found (neither libpri debug output nor a hex dump)", name));
  }
  return records;
}

}  // namespace prid::q931
