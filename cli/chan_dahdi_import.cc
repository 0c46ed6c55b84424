// chan_dahdi.conf (and system.conf) to prid.conf: a reader of Asterisk's
// config format, a reader of DAHDI's, and the mapping of PRI settings.
#include "cli/chan_dahdi_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli/outcome.h"

namespace prid::cli {
namespace {

constexpr int kT1Channels = 24;
constexpr int kE1Channels = 31;
constexpr int kT1DChannel = 24;
constexpr int kE1DChannel = 16;
// DAHDI's largest channel number (DAHDI_MAX_CHANNELS - 1).
constexpr int kMaxDahdiChannel = 1023;
// prid's timer range (prid.conf(5)), seconds.
constexpr double kMinTimer = 0.05;
constexpr double kMaxTimer = 600.0;
constexpr int kMaxInheritance = 16;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A TOML comment holds no control characters but tab.
std::string CommentSafe(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
  }
  return out;
}

std::optional<int> ParseInt(std::string_view s) {
  s = Trim(s);
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// "1-15,17-31" or "1,2,5-8" (DAHDI channel numbers); nullopt names no error,
// the caller does.
std::optional<std::set<int>> ParseChannels(std::string_view text) {
  std::set<int> channels;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string_view item =
        Trim(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    std::size_t dash = item.find('-');
    auto first = ParseInt(dash == std::string_view::npos ? item : item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : ParseInt(item.substr(dash + 1));
    if (!first || !last || *first < 1 || *last > kMaxDahdiChannel || *last < *first) return std::nullopt;
    for (int c = *first; c <= *last; ++c) channels.insert(c);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (channels.empty()) return std::nullopt;
  return channels;
}

// {1,2,3,5} → "1-3,5".
std::string ChannelRanges(const std::set<int>& channels) {
  std::string out;
  for (auto it = channels.begin(); it != channels.end();) {
    int first = *it;
    int last = first;
    for (++it; it != channels.end() && *it == last + 1; ++it) last = *it;
    if (!out.empty()) out += ',';
    out += first == last ? fmt::format("{}", first) : fmt::format("{}-{}", first, last);
  }
  return out;
}

// 1.0 rather than 1: TOML reads both, people read the first as seconds.
std::string Seconds(double s) {
  std::string text = fmt::format("{:.3f}", s);
  while (text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
  return text;
}

// ---- Asterisk's config format ----

struct Setting {
  std::string key;    // lower case, as chan_dahdi compares them
  std::string name;   // as written
  std::string value;
  int line = 0;
  bool arrow = false;  // written `key => value`
  std::string file;    // the file it is in: the one imported or one it includes
};

// "line 7", or "dahdi-channels.conf line 7" for a line of an included file.
std::string Where(const std::string& main_file, const std::string& file, int line) {
  return file.empty() || file == main_file ? fmt::format("line {}", line) : fmt::format("{} line {}", file, line);
}

// `#include` nests at most this deep (Asterisk's own limit is similar).
constexpr int kMaxIncludeDepth = 8;

struct Section {
  std::string name;
  bool is_template = false;
  std::vector<std::string> parents;
  std::vector<Setting> settings;
  int line = 0;
  std::string file;
};

class AsteriskConfigReader {
 public:
  using IncludeReader = std::function<base::Result<std::string>(const std::string&)>;

  AsteriskConfigReader(std::string_view file, std::vector<std::string>* warnings, IncludeReader include)
      : main_file_(file), warnings_(warnings), include_(std::move(include)) {}

  std::vector<Section> Read(std::string_view text) {
    std::vector<Section> sections;
    ReadInto(text, main_file_, 0, &sections);
    return sections;
  }

  // The #include and #exec lines met, "#include x.conf (line 3)".
  const std::vector<std::string>& not_followed() const { return not_followed_; }

 private:
  void ReadInto(std::string_view text, const std::string& file, int depth, std::vector<Section>* sections) {
    int line_number = 0;
    bool in_block_comment = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      std::string_view raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
      pos = end == std::string_view::npos ? text.size() : end + 1;
      ++line_number;
      std::string line = StripComments(raw, &in_block_comment);
      std::string_view body = Trim(line);
      if (body.empty()) continue;
      if (body.front() == '#') {
        Directive(body, file, line_number, depth, sections);
        continue;
      }
      if (body.front() == '[') {
        ReadHeader(body, file, line_number, sections);
        continue;
      }
      std::size_t eq = body.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        Warn(file, line_number, fmt::format("'{}' is neither a [section] nor a setting: ignored", body));
        continue;
      }
      std::string_view name = Trim(body.substr(0, eq));
      std::string_view value = body.substr(eq + 1);
      const bool arrow = !value.empty() && value.front() == '>';
      if (arrow) value.remove_prefix(1);
      if (sections->empty()) {
        // dahdi_genconf's dahdi-channels.conf has no section: chan_dahdi.conf
        // includes it inside [channels].
        Warn(file, line_number, "settings before any [section]: read as [channels]'s, as when chan_dahdi.conf "
                                "includes this file there");
        Section channels;
        channels.name = "channels";
        channels.line = line_number;
        channels.file = file;
        sections->push_back(std::move(channels));
        current_ = 0;
      }
      (*sections)[current_].settings.push_back(
          {Lower(name), std::string(name), std::string(Trim(value)), line_number, arrow, file});
    }
  }

  // #include FILE, #include "FILE", #tryinclude …: read in place; #exec
  // (a program's output) is not run.
  void Directive(std::string_view body, const std::string& file, int line_number, int depth,
                 std::vector<Section>* sections) {
    std::size_t space = body.find_first_of(" \t");
    const std::string word = Lower(body.substr(0, space));
    std::string name(space == std::string_view::npos ? std::string_view() : Trim(body.substr(space)));
    const bool quoted = name.size() >= 2 && ((name.front() == '"' && name.back() == '"') ||
                                             (name.front() == '<' && name.back() == '>'));
    if (quoted) {
      name = name.substr(1, name.size() - 2);
    }
    const bool try_only = word == "#tryinclude";
    if ((word != "#include" && !try_only) || name.empty() || !include_) {
      Warn(file, line_number, fmt::format("'{}' is not followed: import that file separately or paste it in", body));
      not_followed_.push_back(fmt::format("{} ({})", body, Where(main_file_, file, line_number)));
      return;
    }
    if (depth >= kMaxIncludeDepth) {
      Warn(file, line_number, fmt::format("'{}': includes nest deeper than {} (a loop?): not followed", body,
                                          kMaxIncludeDepth));
      not_followed_.push_back(fmt::format("{} ({})", body, Where(main_file_, file, line_number)));
      return;
    }
    auto text = include_(name);
    if (!text) {
      if (try_only) return;  // #tryinclude: a missing file is no error
      Warn(file, line_number, fmt::format("'{}': {}: not followed", body, text.error()));
      not_followed_.push_back(fmt::format("{} ({})", body, Where(main_file_, file, line_number)));
      return;
    }
    ReadInto(*text, name, depth + 1, sections);
  }

  // `;` starts a comment unless escaped (\;); `;--` opens a block comment
  // that `--;` closes.
  static std::string StripComments(std::string_view raw, bool* in_block) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (*in_block) {
        if (raw.compare(i, 3, "--;") == 0) {
          *in_block = false;
          i += 2;
        }
        continue;
      }
      if (raw[i] == '\\' && i + 1 < raw.size() && raw[i + 1] == ';') {
        out += ';';
        ++i;
        continue;
      }
      if (raw[i] == ';') {
        if (raw.compare(i, 3, ";--") == 0) {
          *in_block = true;
          i += 2;
          continue;
        }
        break;
      }
      out += raw[i];
    }
    return out;
  }

  void ReadHeader(std::string_view body, const std::string& file, int line_number, std::vector<Section>* sections) {
    std::size_t close = body.find(']');
    if (close == std::string_view::npos) {
      Warn(file, line_number, fmt::format("'{}': no closing ']': ignored", body));
      return;
    }
    Section section;
    section.name = std::string(Trim(body.substr(1, close - 1)));
    section.line = line_number;
    section.file = file;
    std::string_view rest = Trim(body.substr(close + 1));
    bool append = false;
    if (!rest.empty() && rest.front() == '(' && rest.back() == ')') {
      std::string_view options = rest.substr(1, rest.size() - 2);
      std::size_t p = 0;
      while (p <= options.size()) {
        std::size_t comma = options.find(',', p);
        std::string_view option =
            Trim(options.substr(p, comma == std::string_view::npos ? std::string_view::npos : comma - p));
        if (option == "!") {
          section.is_template = true;
        } else if (option == "+") {
          append = true;
        } else if (!option.empty()) {
          section.parents.emplace_back(option);
        }
        if (comma == std::string_view::npos) break;
        p = comma + 1;
      }
    } else if (!rest.empty()) {
      Warn(file, line_number, fmt::format("'{}' after [{}] is not understood: ignored", rest, section.name));
    }
    if (append) {
      // [x](+) adds to an earlier [x], where it stands.
      for (std::size_t i = 0; i < sections->size(); ++i) {
        if ((*sections)[i].name == section.name) {
          current_ = i;
          return;
        }
      }
    }
    sections->push_back(std::move(section));
    current_ = sections->size() - 1;
  }

  void Warn(const std::string& file, int line, std::string_view message) {
    warnings_->push_back(fmt::format("{}:{}: {}", file, line, message));
  }

  std::string main_file_;
  std::vector<std::string>* warnings_;
  IncludeReader include_;
  std::size_t current_ = 0;  // the section settings go to
  std::vector<std::string> not_followed_;
};

// A section's settings with its templates' before them, as Asterisk
// resolves `[x](a,b)`.
std::vector<Setting> Resolved(const std::vector<Section>& sections, const Section& section, int depth,
                              const std::string& file, std::vector<std::string>* warnings) {
  std::vector<Setting> settings;
  if (depth > kMaxInheritance) {
    warnings->push_back(fmt::format("{}:{}: [{}]: templates nest too deep (a loop?): not followed",
                                    section.file.empty() ? file : section.file, section.line, section.name));
    return settings;
  }
  for (const std::string& parent : section.parents) {
    auto it = std::find_if(sections.begin(), sections.end(),
                           [&](const Section& s) { return s.name == parent; });
    if (it == sections.end()) {
      warnings->push_back(fmt::format("{}:{}: [{}]: template '{}' is not defined: ignored",
                                      section.file.empty() ? file : section.file, section.line, section.name, parent));
      continue;
    }
    auto inherited = Resolved(sections, *it, depth + 1, file, warnings);
    settings.insert(settings.end(), inherited.begin(), inherited.end());
  }
  settings.insert(settings.end(), section.settings.begin(), section.settings.end());
  return settings;
}

// ---- DAHDI's system.conf ----

struct SystemSpan {
  int number = 0;
  bool e1 = false;
  int size = 0;
  int first = 0;          // its first DAHDI channel
  int dchannel = 0;       // DAHDI channel of dchan= / hardhdlc= in it, 0: none
  std::set<int> bchans;   // DAHDI channels of bchan= in it
  std::string span_line;  // as written
  std::string line_setup;  // "esf/b8zs, timing source 1", read from it
  int line = 0;
};

struct SystemLayout {
  std::vector<SystemSpan> spans;  // ascending by number
  // The span holding DAHDI channel `channel`, or null.
  SystemSpan* Find(int channel) {
    for (SystemSpan& s : spans) {
      if (channel >= s.first && channel < s.first + s.size) return &s;
    }
    return nullptr;
  }
};

// span=N,timing,lbo,framing,coding[,crc4][,yellow]; channels by ranges.
// DAHDI numbers channels consecutively by span; the first span starts at
// the lowest digital channel named (analog ports may come before it).
SystemLayout ReadSystemConf(std::string_view text, const std::string& file,
                            std::vector<std::string>* warnings) {
  SystemLayout layout;
  struct ChannelLine {
    std::string key;
    std::set<int> channels;
    int line;
  };
  std::vector<ChannelLine> lines;
  int line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string_view raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++line_number;
    std::string_view body = Trim(raw.substr(0, raw.find('#')));
    if (body.empty()) continue;
    std::size_t eq = body.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = Lower(Trim(body.substr(0, eq)));
    std::string_view value = Trim(body.substr(eq + 1));
    if (key == "span") {
      std::vector<std::string_view> fields;
      for (std::size_t p = 0;;) {
        std::size_t comma = value.find(',', p);
        fields.push_back(Trim(value.substr(p, comma == std::string_view::npos ? std::string_view::npos : comma - p)));
        if (comma == std::string_view::npos) break;
        p = comma + 1;
      }
      std::optional<int> number = ParseInt(fields.front());  // fields holds one at least
      std::string framing = fields.size() > 3 ? Lower(fields[3]) : "";
      if (!number || *number < 1 || fields.size() < 5) {
        warnings->push_back(fmt::format("{}:{}: 'span={}' is not span=N,timing,lbo,framing,coding: ignored",
                                        file, line_number, value));
        continue;
      }
      SystemSpan span;
      span.number = *number;
      span.line = line_number;
      span.span_line = fmt::format("span={}", value);
      // timing 0: never the clock source; 1, 2, …: the order spans are tried in.
      const std::string_view timing = fields[1];
      std::string setup = Lower(fields[3]) + "/" + Lower(fields[4]);
      for (std::size_t i = 5; i < fields.size(); ++i) setup += "/" + Lower(fields[i]);
      span.line_setup = timing == "0" ? setup + ", never the timing source"
                                      : fmt::format("{}, timing source {}", setup, timing);
      if (framing == "esf" || framing == "d4" || framing == "sf") {
        span.e1 = false;
      } else if (framing == "ccs" || framing == "cas") {
        span.e1 = true;
      } else {
        warnings->push_back(fmt::format("{}:{}: span {}: framing '{}' is neither T1 (esf, d4) nor E1 "
                                        "(ccs, cas): ignored",
                                        file, line_number, span.number, framing));
        continue;
      }
      span.size = span.e1 ? kE1Channels : kT1Channels;
      layout.spans.push_back(std::move(span));
    } else if (key == "bchan" || key == "dchan" || key == "hardhdlc") {
      auto channels = ParseChannels(value);
      if (!channels) {
        warnings->push_back(fmt::format("{}:{}: '{}={}': not a channel list: ignored", file, line_number, key,
                                        value));
        continue;
      }
      lines.push_back({key, std::move(*channels), line_number});
    }
  }
  std::sort(layout.spans.begin(), layout.spans.end(),
            [](const SystemSpan& a, const SystemSpan& b) { return a.number < b.number; });
  int next = kMaxDahdiChannel;
  for (const ChannelLine& l : lines) next = std::min(next, *l.channels.begin());
  if (lines.empty()) next = 1;
  for (SystemSpan& span : layout.spans) {
    span.first = next;
    next += span.size;
  }
  for (const ChannelLine& l : lines) {
    for (int c : l.channels) {
      SystemSpan* found = layout.Find(c);
      if (found == nullptr) {
        warnings->push_back(fmt::format("{}:{}: channel {} is on no span= of this file: ignored", file, l.line, c));
        continue;
      }
      SystemSpan& span = *found;
      if (l.key == "bchan") {
        span.bchans.insert(c);
      } else if (span.dchannel != 0 && span.dchannel != c) {
        warnings->push_back(fmt::format("{}:{}: span {} has D-channels {} and {}: prid uses the first "
                                        "(one per span)",
                                        file, l.line, span.number, span.dchannel, c));
      } else {
        span.dchannel = c;
      }
    }
  }
  return layout;
}

// ---- the mapping ----

// A `channel =>` with the settings in force there.
struct ChannelBlock {
  std::string channels;
  int line = 0;
  std::string key;  // "channel =>" in [channels], "[x] dahdichan =" elsewhere
  std::map<std::string, Setting> settings;  // by key; pritimer by "pritimer:<timer>"
  std::string file;  // where `line` is
};

struct SwitchChoice {
  std::string t1;  // prid's variant on a T1 span, "" none
  std::string e1;  // on an E1 span
};

// chan_dahdi's switchtype words, and prid's variants for them.
const std::map<std::string, SwitchChoice>& SwitchTypes() {
  static const std::map<std::string, SwitchChoice> kTable = {
      {"national", {"ni2", ""}},   {"ni1", {"ni1", ""}},   {"dms100", {"dms100", ""}},
      {"4ess", {"4ess", ""}},      {"5ess", {"5ess", ""}}, {"euroisdn", {"euroisdn_t1", "euroisdn_e1"}},
      {"qsig", {"qsig", "qsig"}},
  };
  return kTable;
}

// libpri timers prid sets (chan_dahdi gives milliseconds, prid seconds).
const std::set<std::string>& MappedTimers() {
  static const std::set<std::string> kTimers = {"t200", "t203", "t303", "t305", "t308", "t309", "t316"};
  return kTimers;
}

constexpr std::string_view kAudio = "prid does not process B-channel audio: that is the application's";
constexpr std::string_view kAsterisk = "an Asterisk channel setting; prid has no such key";
constexpr std::string_view kNumbers =
    "prid's dynamic dialplan knows only a leading '+'; the application forms the digits";

// Why a chan_dahdi key has no prid equivalent.
std::string_view Reason(const std::string& key) {
  static const std::map<std::string, std::string_view, std::less<>> kReasons = {
      {"context", "the dialplan is the application's: it opens the span (line.open) and gets call.offered"},
      {"group", "prid has no channel groups: call.make names the span, prid picks the B-channel (hunt)"},
      {"pricpndialplan", "prid has no dialplan of its own for the connected number"},
      {"internationalprefix", kNumbers},
      {"nationalprefix", kNumbers},
      {"localprefix", kNumbers},
      {"privateprefix", kNumbers},
      {"unknownprefix", kNumbers},
      {"resetinterval",
       "prid does not RESTART idle B-channels periodically; 'restart = true' restarts them when the "
       "span starts and after an alarm clears"},
      {"nsf", "prid sends no network-specific facilities (as nsf = none)"},
      {"facilityenable", "prid sends FACILITY only for call.redirect (call rerouting), with no switch for it"},
      {"service_message_support", "prid always answers SERVICE messages (span.service on ni2, 4ess, 5ess)"},
      {"msn", "prid offers every incoming call; the application decides by called number"},
      {"force_restart_unavailable_chans", "prid does not RESTART a channel refused with cause 44"},
      {"callerid", "the calling number is per call: call.make's 'calling'"},
      {"usecallerid", "the calling number is per call: call.make's 'calling'"},
      {"hidecallerid", "the calling number is per call: call.make's 'calling'"},
      {"usecallingpres", "the calling number is per call: call.make's 'calling'"},
      {"echocancel", kAudio},
      {"echocancelwhenbridged", kAudio},
      {"echotraining", kAudio},
      {"rxgain", kAudio},
      {"txgain", kAudio},
      {"relaxdtmf", kAudio},
      {"faxdetect", kAudio},
      {"busydetect", kAudio},
      {"callprogress", kAudio},
      {"jbenable", kAudio},
      {"inband_on_setup_ack", "the progress indicators come with the call events; the application decides"},
      {"inband_on_proceeding", "the progress indicators come with the call events; the application decides"},
      {"inbanddisconnect", "the progress indicators come with the call events; the application decides"},
  };
  auto it = kReasons.find(key);
  return it == kReasons.end() ? kAsterisk : it->second;
}

// What a channel's signalling is to prid: a PRI it drives, something else
// (analog, CAS, SS7, MFC/R2, BRI), or not given.
enum class Kind { kPri, kOther, kNone };

Kind SignallingKind(const std::string& signalling) {
  if (signalling == "pri_cpe" || signalling == "pri_net") return Kind::kPri;
  if (signalling.empty()) return Kind::kNone;
  return Kind::kOther;
}

std::string_view SkipReason(const std::string& signalling) {
  if (signalling == "ss7") return "SS7 is not ISDN: prid drives ISDN PRI spans (Q.921/Q.931) only";
  if (signalling == "mfcr2") return "MFC/R2 is CAS signalling: prid drives ISDN PRI spans only";
  if (signalling.rfind("bri_", 0) == 0) {
    return "BRI: prid drives PRI spans (T1/E1) only, not BRI's 2B+D";
  }
  return "analog or CAS signalling: prid drives ISDN PRI spans only";
}

struct PriSpan {
  int number = 0;
  int first = 0;       // DAHDI channel of its channel 1
  bool e1 = false;
  int dchannel = 0;    // DAHDI channel
  std::string variant;
  std::string node;
  std::set<int> bchannels;  // within the span (1…)
  std::vector<const ChannelBlock*> blocks;
  const SystemSpan* system = nullptr;
  int first_line = 0;  // of the channel => that made it
  bool switchtype_default = false;  // no switchtype given: chan_dahdi's national
};

class Importer {
 public:
  explicit Importer(const ChanDahdiInput& input) : input_(input) {}

  ChanDahdiImport Run() {
    if (input_.system_conf) {
      layout_ = ReadSystemConf(*input_.system_conf, input_.system_conf_name, &result_.warnings);
      if (layout_->spans.empty()) {
        Warn(input_.system_conf_name, 0, "no span= line: the span layout is guessed instead");
        layout_.reset();
      }
    }
    AsteriskConfigReader reader(input_.chan_dahdi_name, &result_.warnings, input_.read_include);
    sections_ = reader.Read(input_.chan_dahdi);
    for (const std::string& line : reader.not_followed()) {
      not_imported_.push_back(fmt::format("{}: not followed; import that file too", line));
    }
    CollectBlocks();
    for (const ChannelBlock& block : blocks_) Place(block);
    Write();
    return std::move(result_);
  }

 private:
  void Warn(const std::string& file, int line, std::string_view message) {
    result_.warnings.push_back(line > 0 ? fmt::format("{}:{}: {}", file, line, message)
                                        : fmt::format("{}: {}", file, message));
  }
  void Warn(int line, std::string_view message) { Warn(input_.chan_dahdi_name, line, message); }

  // Applies one setting to the settings in force; each pritimer stands
  // alone, as chan_dahdi keeps one value per timer.
  static void Apply(const Setting& s, std::map<std::string, Setting>* settings) {
    if (s.key == "pritimer") {
      std::string timer = Lower(Trim(std::string_view(s.value).substr(0, s.value.find(','))));
      (*settings)["pritimer:" + timer] = s;
      return;
    }
    (*settings)[s.key == "signaling" ? "signalling" : s.key] = s;
  }

  void CollectBlocks() {
    std::map<std::string, Setting> base;
    for (const Section& section : sections_) {
      if (Lower(section.name) != "channels" || section.is_template) continue;
      for (const Setting& s : Resolved(sections_, section, 0, input_.chan_dahdi_name, &result_.warnings)) {
        if (s.key == "channel" || s.key == "channels") {
          blocks_.push_back({s.value, s.line, fmt::format("{} {}", s.name, s.arrow ? "=>" : "="),
                             base, s.file});
        } else {
          Apply(s, &base);
        }
      }
    }
    // Other sections: [channels]' final settings, then their own, then the
    // channels of `dahdichan` (chan_dahdi's order).
    for (const Section& section : sections_) {
      std::string name = Lower(section.name);
      if (section.is_template || name == "channels" || name == "general" || name == "globals") continue;
      auto settings = Resolved(sections_, section, 0, input_.chan_dahdi_name, &result_.warnings);
      if (name == "trunkgroups") {
        for (const Setting& s : settings) {
          not_imported_.push_back(fmt::format("{} {} {} ({}): NFAS trunk groups: set nfas_group, nfas_interface "
                                              "and nfas_dchannel on the group's spans (prid.conf(5))",
                                              s.name, s.arrow ? "=>" : "=", s.value, At(s.file, s.line)));
          Warn(s.file, s.line,
               fmt::format("{}: NFAS is not imported: set nfas_group, nfas_interface and nfas_dchannel = "
                           "\"primary\" (and \"backup\") on the group's spans by hand",
                           s.name));
        }
        continue;
      }
      auto dahdichan = std::find_if(settings.rbegin(), settings.rend(),
                                    [](const Setting& s) { return s.key == "dahdichan"; });
      if (dahdichan == settings.rend()) {
        if (!settings.empty()) {
          Warn(section.file, section.line,
               fmt::format("[{}] has no dahdichan: chan_dahdi ignores it, so does this", section.name));
        }
        continue;
      }
      ChannelBlock block{dahdichan->value, dahdichan->line,
                         fmt::format("[{}] {} {}", section.name, dahdichan->name, dahdichan->arrow ? "=>" : "="),
                         base, dahdichan->file};
      for (const Setting& s : settings) {
        if (s.key != "dahdichan" && s.key != "channel" && s.key != "channels") Apply(s, &block.settings);
      }
      blocks_.push_back(std::move(block));
    }
  }

  static std::string Value(const ChannelBlock& block, const std::string& key) {
    auto it = block.settings.find(key);
    return it == block.settings.end() ? "" : Lower(it->second.value);
  }

  void Place(const ChannelBlock& block) {
    const std::string signalling = Value(block, "signalling");
    const Kind kind = SignallingKind(signalling);
    if (kind == Kind::kNone) {
      Skip(block, "no signalling set (chan_dahdi's 'auto' cannot tell a PRI)");
      return;
    }
    if (kind != Kind::kPri) {
      Skip(block, fmt::format("signalling = {}: {}", signalling, SkipReason(signalling)));
      return;
    }
    const std::string switchtype = Value(block, "switchtype").empty() ? "national" : Value(block, "switchtype");
    auto choice = SwitchTypes().find(switchtype);
    if (choice == SwitchTypes().end()) {
      Skip(block, fmt::format("switchtype '{}' is not one prid knows (national, ni1, dms100, 4ess, 5ess, "
                              "euroisdn, qsig)",
                              switchtype));
      return;
    }
    auto channels = ParseChannels(block.channels);
    if (!channels) {
      Skip(block, fmt::format("'{}' is not a channel list", block.channels));
      return;
    }
    const std::string node = signalling == "pri_net" ? "network" : "cpe";
    // Channels another block already gave a different side or switch, by span.
    std::map<int, std::set<int>> conflicting;
    // Channels no span takes, by why.
    std::map<std::string, std::set<int>> left_out;
    for (int channel : *channels) {
      std::string why;
      PriSpan* span = SpanOf(channel, block, choice->second, &why);
      if (span == nullptr) {
        left_out[why].insert(channel);
        continue;
      }
      if (span->node != node || !SameSwitch(*span, choice->second)) {
        conflicting[span->number].insert(channel);
        continue;
      }
      if (channel == span->dchannel) {
        Warn(block.file, block.line, fmt::format("channel {} is span {}'s D-channel: left out of bchannels", channel,
                                     span->number));
        continue;
      }
      if (span->system != nullptr && span->system->bchans.count(channel) == 0) {
        left_out[fmt::format("no bchan= in {}: left out", input_.system_conf_name)].insert(channel);
        continue;
      }
      span->bchannels.insert(channel - span->first + 1);
      if (std::find(span->blocks.begin(), span->blocks.end(), &block) == span->blocks.end()) {
        span->blocks.push_back(&block);
      }
    }
    for (const auto& [why, lost] : left_out) {
      Warn(block.file, block.line,
           fmt::format("{} {} {} {}", lost.size() == 1 ? "channel" : "channels", ChannelRanges(lost),
                       lost.size() == 1 ? "is" : "are", why));
    }
    for (const auto& [number, lost] : conflicting) {
      const PriSpan& span = *std::find_if(spans_.begin(), spans_.end(),
                                          [&](const PriSpan& s) { return s.number == number; });
      Warn(block.file, block.line, fmt::format("channels {} are on span {}, which line {} made {} {}: left out (a span "
                                   "has one side and one switch type)",
                                   ChannelRanges(lost), number, span.first_line, span.node, span.variant));
    }
  }

  static bool SameSwitch(const PriSpan& span, const SwitchChoice& choice) {
    return span.variant == (span.e1 ? choice.e1 : choice.t1);
  }

  // The span of DAHDI channel `channel`, created at its first channel; null
  // with *why when none can be.
  PriSpan* SpanOf(int channel, const ChannelBlock& block, const SwitchChoice& choice, std::string* why) {
    int number = 0;
    int first = 0;
    bool e1 = false;
    int dchannel = 0;
    SystemSpan* system = nullptr;
    if (layout_) {
      system = layout_->Find(channel);
      if (system == nullptr) {
        *why = fmt::format("on no span of {}: left out", input_.system_conf_name);
        return nullptr;
      }
      if (system->dchannel == 0) {
        *why = fmt::format("on span {}, which has no dchan= or hardhdlc= in {}: not imported", system->number,
                           input_.system_conf_name);
        return nullptr;
      }
      number = system->number;
      first = system->first;
      e1 = system->e1;
      dchannel = system->dchannel;
    } else {
      // A guess: the variants prid has for E1 tell an E1 span.
      e1 = !choice.e1.empty();
      const int size = e1 ? kE1Channels : kT1Channels;
      number = (channel - 1) / size + 1;
      first = (number - 1) * size + 1;
      dchannel = first - 1 + (e1 ? kE1DChannel : kT1DChannel);
    }
    for (PriSpan& span : spans_) {
      if (span.number == number) return &span;
    }
    const std::string& variant = e1 ? choice.e1 : choice.t1;
    if (variant.empty()) {
      *why = fmt::format("on span {}, an E1, but prid's {} is a T1 variant (24 channels): not imported", number,
                         choice.t1);
      return nullptr;
    }
    PriSpan span;
    span.number = number;
    span.first = first;
    span.e1 = e1;
    span.dchannel = dchannel;
    span.variant = variant;
    span.node = Value(block, "signalling") == "pri_net" ? "network" : "cpe";
    span.system = system;
    span.first_line = block.line;
    span.switchtype_default = block.settings.count("switchtype") == 0;
    if (variant == "qsig" && !e1) {
      Warn(block.file, block.line, fmt::format("span {} is T1 but prid's qsig is an E1 variant (A-law): check the "
                                   "companding with the far end",
                                   number));
    }
    spans_.push_back(std::move(span));
    return &spans_.back();
  }

  void Skip(const ChannelBlock& block, const std::string& reason) {
    Warn(block.file, block.line, fmt::format("{} {}: skipped: {}", block.key, block.channels, reason));
    skipped_.push_back(fmt::format("{} {} ({}): {}", block.key, block.channels, At(block.file, block.line), reason));
  }

  void Write() {
    std::string& out = result_.toml;
    out += fmt::format("# prid.conf from {} by 'prictl import chan_dahdi'.\n", CommentSafe(input_.chan_dahdi_name));
    out += "# Check it with 'prid --check-config FILE' before use.\n";
    if (layout_) {
      out += fmt::format("# Span layout from {}.\n", CommentSafe(input_.system_conf_name));
    } else {
      out += "# Span layout guessed: T1 spans of 24 channels (D-channel 24), E1 spans of 31\n"
             "# (D-channel 16), numbered from DAHDI channel 1. Compare it with dahdi_scan,\n"
             "# or import again with --system-conf /etc/dahdi/system.conf.\n";
    }
    for (const std::string& line : skipped_) out += "# skipped: " + CommentSafe(line) + "\n";
    for (const std::string& line : not_imported_) out += "# not imported: " + CommentSafe(line) + "\n";
    std::sort(spans_.begin(), spans_.end(), [](const PriSpan& a, const PriSpan& b) { return a.number < b.number; });
    for (const PriSpan& span : spans_) {
      if (span.bchannels.empty()) {
        Warn(span.blocks.empty() ? 0 : span.blocks.front()->line,
             fmt::format("span {}: no B-channel left: not imported", span.number));
        continue;
      }
      WriteSpan(span);
      ++result_.spans;
    }
    if (result_.spans == 0) Warn(0, "no PRI span found (signalling = pri_cpe or pri_net with channel =>)");
  }

  void WriteSpan(const PriSpan& span) {
    std::string& out = result_.toml;
    const int size = span.e1 ? kE1Channels : kT1Channels;
    out += "\n[[span]]\n";
    out += fmt::format("span = {}\n", span.number);
    out += "driver = \"dahdi\"\n";
    out += fmt::format("node = \"{}\"\n", span.node);
    out += fmt::format("switch = \"{}\"{}\n", span.variant,
                       span.switchtype_default ? "  # no switchtype: chan_dahdi's default, national" : "");
    out += fmt::format("# {} span: DAHDI channels {}-{}, D-channel on DAHDI channel {}\n", span.e1 ? "E1" : "T1",
                       span.first, span.first + size - 1, span.dchannel);
    if (span.system != nullptr) {
      out += fmt::format("# {} line {}: {}: {} (set by DAHDI, not by prid)\n",
                         CommentSafe(input_.system_conf_name), span.system->line, CommentSafe(span.system->span_line),
                         CommentSafe(span.system->line_setup));
    }
    out += fmt::format("dchannel = {}\n", span.dchannel - span.first + 1);
    out += fmt::format("dahdi_channel = {}\n", span.dchannel);
    out += fmt::format("bchannels = \"{}\"\n", ChannelRanges(span.bchannels));

    // The settings in force at the span's channel => lines, each once.
    std::map<std::pair<std::string, int>, const Setting*> by_line;  // (file, line)
    for (const ChannelBlock* block : span.blocks) {
      for (const auto& [key, setting] : block->settings) {
        by_line.emplace(std::pair{setting.file, setting.line}, &setting);
      }
    }
    std::vector<std::string> notes;
    std::string sources;
    for (const ChannelBlock* block : span.blocks) {
      sources += fmt::format("{}{} {} ({})", sources.empty() ? "" : ", ", CommentSafe(block->key),
                             CommentSafe(block->channels), CommentSafe(At(block->file, block->line)));
    }
    std::map<std::string, int> timers;  // written: key → line
    for (const auto& [line, setting] : by_line) {
      const std::string& key = setting->key;
      if (key == "signalling" || key == "switchtype") continue;
      if (key == "pridialplan" || key == "prilocaldialplan") {
        // The same words as prid's dialplan and local_dialplan, but for
        // chan_dahdi's 'redundant'.
        static const std::set<std::string, std::less<>> kDialplans = {"unknown", "national", "international",
                                                                      "local",   "private",  "dynamic"};
        const std::string prid_key = key == "pridialplan" ? "dialplan" : "local_dialplan";
        std::string value = setting->value;  // chan_dahdi compares it case-insensitively
        std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
        if (kDialplans.count(value) != 0) {
          out += fmt::format("{} = \"{}\"\n", prid_key, value);
        } else {
          notes.push_back(Note(*setting, fmt::format("{} takes unknown, national, international, local, private "
                                                     "or dynamic",
                                                     prid_key)));
        }
        continue;
      }
      if (key == "overlapdial") {
        out += OverlapDial(*setting, span.variant, notes);
        continue;
      }
      if (key == "pritimer") {
        auto mapped = Timer(*setting);
        if (mapped && timers.count(mapped->first) != 0) {
          notes.push_back(Note(*setting, fmt::format("line {} set {} for this span already",
                                                     timers[mapped->first], mapped->first)));
        } else if (mapped) {
          timers[mapped->first] = setting->line;
          out += mapped->second;
        } else {
          notes.push_back(Note(*setting, fmt::format("prid sets only T200, T203, T303, T305, T308, T309 and "
                                                     "T316, from 0.05 to 600 s")));
        }
        continue;
      }
      notes.push_back(Note(*setting, std::string(Reason(key))));
    }
    out += fmt::format("# from {}\n", sources);
    for (const std::string& note : notes) out += note;
  }

  // chan_dahdi's overlapdial (no, yes/both, incoming, outgoing) → prid's
  // span option overlap = true (overlap receiving); overlap sending is per
  // call in prid (call.make {overlap}), so it has no key.
  std::string OverlapDial(const Setting& s, const std::string& variant, std::vector<std::string>& notes) const {
    std::string value = s.value;  // chan_dahdi compares it case-insensitively
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool receives = value == "yes" || value == "both" || value == "incoming";
    if (!receives) {
      notes.push_back(Note(s, value == "outgoing" ? "prid sends overlap per call: call.make {overlap: true}"
                                                  : "prid takes incoming calls en bloc unless overlap = true"));
      return "";
    }
    // prid.conf(5) overlap: the variants with overlap dialling.
    if (variant != "euroisdn_e1" && variant != "euroisdn_t1" && variant != "qsig") {
      notes.push_back(Note(s, fmt::format("prid has overlap dialling on euroisdn_e1, euroisdn_t1 and qsig, not {}",
                                          variant)));
      return "";
    }
    return fmt::format("overlap = true  # {} ({}): incoming SETUPs without Sending complete are collected{}\n",
                       CommentSafe(s.name + " = " + s.value), CommentSafe(At(s.file, s.line)),
                       value == "incoming" ? "" : "; sending is per call (call.make {overlap: true})");
  }

  std::string Note(const Setting& s, const std::string& reason) const {
    return fmt::format("# not imported: {} {} {} ({}): {}\n", CommentSafe(s.name), s.arrow ? "=>" : "=",
                       CommentSafe(s.value), CommentSafe(At(s.file, s.line)), reason);
  }

  std::string At(const std::string& file, int line) const { return Where(input_.chan_dahdi_name, file, line); }

  // "t200,1000" → {"t200", "t200 = 1.0 …\n"} when prid has the timer and
  // the value fits.
  std::optional<std::pair<std::string, std::string>> Timer(const Setting& s) const {
    std::size_t comma = s.value.find(',');
    if (comma == std::string::npos) return std::nullopt;
    std::string timer = Lower(Trim(std::string_view(s.value).substr(0, comma)));
    auto ms = ParseInt(std::string_view(s.value).substr(comma + 1));
    if (!ms || MappedTimers().count(timer) == 0) return std::nullopt;
    double seconds = *ms / 1000.0;
    if (seconds < kMinTimer || seconds > kMaxTimer) return std::nullopt;
    return std::pair{timer, fmt::format("{} = {}  # pritimer => {} ({})\n", timer, Seconds(seconds),
                                        CommentSafe(s.value), CommentSafe(At(s.file, s.line)))};
  }

  const ChanDahdiInput& input_;
  ChanDahdiImport result_;
  std::optional<SystemLayout> layout_;
  std::vector<Section> sections_;
  std::vector<ChannelBlock> blocks_;
  std::vector<PriSpan> spans_;
  std::vector<std::string> skipped_;
  std::vector<std::string> not_imported_;
};

base::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return base::Fail(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return base::Fail(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  return text.str();
}

}  // namespace

ChanDahdiImport ImportChanDahdi(const ChanDahdiInput& input) { return Importer(input).Run(); }

int RunImport(const Command& command, std::ostream& out, std::ostream& err) {
  auto chan_dahdi = ReadFile(command.import_file);
  if (!chan_dahdi) {
    err << "prictl: " << chan_dahdi.error() << '\n';
    return kExitUsage;
  }
  ChanDahdiInput input;
  input.chan_dahdi = *chan_dahdi;
  input.chan_dahdi_name = command.import_file;
  // Asterisk reads a relative #include from its config directory: the
  // imported file's own, here.
  const std::filesystem::path dir = std::filesystem::path(command.import_file).parent_path();
  input.read_include = [dir](const std::string& name) {
    const std::filesystem::path path(name);
    return ReadFile(path.is_absolute() ? name : (dir / path).string());
  };
  std::optional<std::string> system_conf;
  if (!command.system_conf.empty()) {
    auto read = ReadFile(command.system_conf);
    if (!read) {
      err << "prictl: " << read.error() << '\n';
      return kExitUsage;
    }
    system_conf = std::move(*read);
    input.system_conf = *system_conf;
    input.system_conf_name = command.system_conf;
  }
  ChanDahdiImport imported = ImportChanDahdi(input);
  out << imported.toml;
  for (const std::string& warning : imported.warnings) err << "prictl: warning: " << warning << '\n';
  return imported.spans > 0 ? kExitOk : kExitError;
}

}  // namespace prid::cli
