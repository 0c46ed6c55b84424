// Reading and validating prid.conf (TOML): tables, keys, types, ranges and
// the rules that tie keys together, each error located by file and line.
#include "daemon/config/config.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <sys/un.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <initializer_list>
#include <map>
#include <span>
#include <system_error>
#include <utility>

#include "base/log.h"
#include "base/unique_fd.h"
#include "prid_build_config.h"

namespace prid::daemon {
namespace {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

constexpr EnumName<Driver> kDriverNames[] = {
    {Driver::kSim, "sim"},
    {Driver::kDahdi, "dahdi"},
};
constexpr EnumName<NodeType> kNodeTypeNames[] = {
    {NodeType::kCpe, "cpe"},
    {NodeType::kNetwork, "network"},
};
constexpr EnumName<SwitchVariant> kSwitchVariantNames[] = {
    {SwitchVariant::kNi2, "ni2"},
    {SwitchVariant::kDms100, "dms100"},
    {SwitchVariant::k5ess, "5ess"},
    {SwitchVariant::k4ess, "4ess"},
    {SwitchVariant::kEuroIsdnE1, "euroisdn_e1"},
    {SwitchVariant::kEuroIsdnT1, "euroisdn_t1"},
    {SwitchVariant::kNi1, "ni1"},
    {SwitchVariant::kQsig, "qsig"},
};
constexpr EnumName<Appearance> kAppearanceNames[] = {
    {Appearance::kSingle, "single"},
    {Appearance::kBridged, "bridged"},
};
constexpr EnumName<HuntOrder> kHuntOrderNames[] = {
    {HuntOrder::kAscending, "ascending"},
    {HuntOrder::kDescending, "descending"},
    {HuntOrder::kRoundRobin, "round_robin"},
};
constexpr EnumName<Dialplan> kDialplanNames[] = {
    {Dialplan::kUnknown, "unknown"}, {Dialplan::kNational, "national"}, {Dialplan::kInternational, "international"},
    {Dialplan::kLocal, "local"},     {Dialplan::kPrivate, "private"},   {Dialplan::kDynamic, "dynamic"},
};

template <typename E>
std::string_view NameOf(std::span<const EnumName<E>> table, E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";
}

template <typename E>
std::optional<E> ValueOf(std::span<const EnumName<E>> table, std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

template <typename E>
std::string NameList(std::span<const EnumName<E>> table) {
  std::string out;
  for (const auto& entry : table) {
    if (!out.empty()) out += ", ";
    out += entry.name;
  }
  return out;
}

constexpr std::string_view kDefaultCdrSpool = PRID_STATE_DIR "/cdr-spool";
constexpr std::string_view kDefaultCdrDatabase = PRID_STATE_DIR "/cdr.sqlite";
constexpr EnumName<NfasDchannel> kNfasDchannelNames[] = {
    {NfasDchannel::kNone, "none"},
    {NfasDchannel::kPrimary, "primary"},
    {NfasDchannel::kBackup, "backup"},
};
constexpr std::int64_t kMaxNfasGroup = 255;
constexpr std::int64_t kMaxNfasInterface = 127;  // the Interface identifier's 7 bits (Q.931 4.5.13)
constexpr std::string_view kNfasMemberBChannels = "1-24";
constexpr int kMaxE1Channel = 31;
constexpr int kMaxT1Channel = 24;
constexpr std::string_view kE1DefaultBChannels = "1-15,17-31";
constexpr std::string_view kT1DefaultBChannels = "1-23";
constexpr int kE1DefaultDChannel = 16;
constexpr int kT1DefaultDChannel = 24;
constexpr std::int64_t kMaxSpanNumber = 255;
constexpr std::int64_t kMinEventBuffer = 65536;
constexpr std::int64_t kMaxEventBuffer = std::int64_t{1} << 24;
constexpr std::int64_t kMinClientQueueBytes = 4096;
constexpr std::int64_t kMaxClientQueueBytes = std::int64_t{1} << 30;
// At least one, or the uid could never connect; beyond 65536 the limit
// would no longer keep one uid from exhausting prid's descriptors.
constexpr std::int64_t kMinConnectionsPerUid = 1;
constexpr std::int64_t kMaxConnectionsPerUid = 65536;
constexpr double kMinReleaseTimeout = 0.1;
constexpr double kMaxReleaseTimeout = 300.0;
constexpr std::int64_t kMaxUuiOctets = 251;
constexpr std::int64_t kMaxDahdiChannel = 1023;  // DAHDI_MAX_CHANNELS - 1
// libpri timers and T316, in seconds; N316 tries.
constexpr double kMinTimer = 0.05;
constexpr double kMaxTimer = 600.0;
constexpr std::int64_t kMaxN316 = 10;
constexpr std::size_t kMaxNameLength = 63;
// sun_path holds the path and its terminating NUL.
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;
constexpr std::size_t kMaxConfigFileBytes = std::size_t{4} << 20;

std::string_view TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads the keys of one TOML table. Only the first error of a whole parse is
// kept (in *error); every message reads "file:line: label: key 'k': …", the
// line being the key's value if it is present, else the table's.
class TableReader {
 public:
  TableReader(const toml::table& table, const std::string& source_name, std::string label,
              std::string* error)
      : table_(table), source_name_(source_name), label_(std::move(label)), error_(error) {}

  void set_label(std::string label) { label_ = std::move(label); }
  const std::string& label() const { return label_; }

  const toml::node* Find(std::string_view key) const { return table_.get(key); }
  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  // The line of key's value, else of the table.
  std::uint32_t Line(std::string_view key) const {
    const toml::node* node = Find(key);
    if (node != nullptr && node->source().begin.line != 0) return node->source().begin.line;
    return TableLine();
  }
  std::uint32_t TableLine() const {
    return table_.source().begin.line != 0 ? table_.source().begin.line : 1;
  }

  void Fail(std::string_view key, std::string_view message) {
    Report(Line(key), fmt::format("key '{}': {}", key, message));
  }
  void FailAtTable(std::string_view message) { Report(TableLine(), message); }

  // Reports the unknown key that comes first in the file.
  void RejectUnknownKeys(std::initializer_list<std::string_view> known) {
    const toml::key* first = nullptr;
    for (auto&& [key, node] : table_) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
      if (first == nullptr || key.source().begin.line < first->source().begin.line) first = &key;
    }
    if (first == nullptr) return;
    std::string list;
    for (std::string_view k : known) {
      if (!list.empty()) list += ", ";
      list += k;
    }
    const toml::node* node = Find(first->str());
    const bool is_table = node->is_table() || node->is_array_of_tables();
    std::uint32_t line = first->source().begin.line != 0 ? first->source().begin.line : TableLine();
    Report(line, fmt::format("key '{}': unknown {} (expected one of {})", first->str(),
                             is_table ? "table" : "key", list));
  }

  // Each Read* leaves *out alone and returns false when the key is absent or
  // wrong (the latter reported).
  bool ReadString(std::string_view key, std::string* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return false;
    const auto* value = node->as_string();
    if (value == nullptr) return WrongType(key, *node, "a string");
    *out = value->get();
    return true;
  }

  bool ReadBool(std::string_view key, bool* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return false;
    const auto* value = node->as_boolean();
    if (value == nullptr) return WrongType(key, *node, "a boolean (true or false)");
    *out = value->get();
    return true;
  }

  bool ReadInteger(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return false;
    const auto* value = node->as_integer();
    if (value == nullptr) return WrongType(key, *node, "an integer");
    std::int64_t v = value->get();
    if (v < min || v > max) {
      Fail(key, fmt::format("{} is out of range ({} to {})", v, min, max));
      return false;
    }
    *out = v;
    return true;
  }

  // An integer or a floating-point number.
  bool ReadNumber(std::string_view key, double min, double max, double* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return false;
    double v = 0;
    if (const auto* i = node->as_integer()) {
      v = static_cast<double>(i->get());
    } else if (const auto* f = node->as_floating_point()) {
      v = f->get();
    } else {
      return WrongType(key, *node, "a number");
    }
    // Written so that NaN fails too.
    if (!(v >= min && v <= max)) {
      Fail(key, fmt::format("{} is out of range ({} to {})", v, min, max));
      return false;
    }
    *out = v;
    return true;
  }

  template <typename E>
  bool ReadEnum(std::string_view key, std::span<const EnumName<E>> table, E* out) {
    std::string text;
    if (!ReadString(key, &text)) return false;
    std::optional<E> value = ValueOf(table, text);
    if (!value) {
      Fail(key, fmt::format("unknown variant '{}' (expected one of {})", text, NameList(table)));
      return false;
    }
    *out = *value;
    return true;
  }

  // A non-empty path that fits a sockaddr_un.
  bool ReadSocketPath(std::string_view key, std::string* out) {
    std::string path;
    if (!ReadString(key, &path)) return false;
    if (path.empty()) {
      Fail(key, "must not be empty");
      return false;
    }
    if (path.size() > kMaxSocketPath) {
      Fail(key, fmt::format("socket path is {} bytes long, at most {} fit", path.size(),
                            kMaxSocketPath));
      return false;
    }
    *out = std::move(path);
    return true;
  }

 private:
  bool WrongType(std::string_view key, const toml::node& node, std::string_view expected) {
    Fail(key, fmt::format("expected {}, got {}", expected, TypeName(node.type())));
    return false;
  }

  void Report(std::uint32_t line, std::string_view message) {
    if (!error_->empty()) return;
    if (label_.empty()) {
      *error_ = fmt::format("{}:{}: {}", source_name_, line, message);
    } else {
      *error_ = fmt::format("{}:{}: {}: {}", source_name_, line, label_, message);
    }
  }

  const toml::table& table_;
  const std::string& source_name_;
  std::string label_;
  std::string* error_;
};

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// Whether group `name` exists on this host; an error when the lookup itself
// failed (NSS unreachable, say).
base::Result<bool> GroupExists(const std::string& name) {
  constexpr std::size_t kMaxGroupBuffer = std::size_t{1} << 20;
  const long hint = ::sysconf(_SC_GETGR_R_SIZE_MAX);
  std::vector<char> buffer(hint > 0 ? static_cast<std::size_t>(hint) : 1024);
  while (true) {
    struct group entry {};
    struct group* found = nullptr;
    const int rc = ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < kMaxGroupBuffer) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    // getgrnam_r(3): a name not found may also read as one of these.
    if (rc == 0 || rc == ENOENT || rc == ESRCH) return found != nullptr;
    return base::Fail(fmt::format("cannot look up group '{}': {}", name, std::system_category().message(rc)));
  }
}

// A group key of [daemon]: with check_groups, a group of this host.
void ReadGroup(TableReader& r, std::string_view key, const ParseOptions& options, std::string* out) {
  if (!r.ReadString(key, out) || out->empty() || !options.check_groups) return;
  auto exists = GroupExists(*out);
  if (!exists.ok()) {
    r.Fail(key, exists.error());
  } else if (!*exists) {
    r.Fail(key, fmt::format("group '{}' does not exist on this host (create it, e.g. groupadd {}, or "
                            "remove the key)",
                            *out, *out));
  }
}

void ReadDaemon(TableReader& r, const ParseOptions& options, DaemonConfig* config) {
  r.RejectUnknownKeys(
      {"socket", "socket_group", "supervisor_group", "event_buffer", "client_queue_bytes",
       "max_connections_per_uid", "log_level"});
  r.ReadSocketPath("socket", &config->socket_path);
  ReadGroup(r, "socket_group", options, &config->socket_group);
  ReadGroup(r, "supervisor_group", options, &config->supervisor_group);
  std::int64_t n = 0;
  if (r.ReadInteger("event_buffer", kMinEventBuffer, kMaxEventBuffer, &n)) {
    config->event_buffer = static_cast<std::size_t>(n);
  }
  if (r.ReadInteger("client_queue_bytes", kMinClientQueueBytes, kMaxClientQueueBytes, &n)) {
    config->client_queue_bytes = static_cast<std::size_t>(n);
  }
  if (r.ReadInteger("max_connections_per_uid", kMinConnectionsPerUid, kMaxConnectionsPerUid, &n)) {
    config->max_connections_per_uid = static_cast<std::size_t>(n);
  }
  std::string level;
  if (r.ReadString("log_level", &level)) {
    base::LogLevel parsed;
    if (base::ParseLogLevel(level, &parsed)) {
      config->log_level = level;
    } else {
      r.Fail("log_level",
             fmt::format("unknown level '{}' (expected one of error, warning, notice, info, debug)",
                         level));
    }
  }
}

// A path key of [cdr]: absolute, so that it does not depend on where prid
// was started.
void ReadCdrPath(TableReader& r, std::string_view key, std::string* out) {
  std::string path;
  if (!r.ReadString(key, &path)) return;
  if (path.empty() || path.front() != '/') {
    r.Fail(key, fmt::format("'{}' is not an absolute path", path));
    return;
  }
  *out = std::move(path);
}

void ReadCdr(TableReader& r, CdrConfig* cdr) {
  r.RejectUnknownKeys({"sqlite", "postgresql", "jsonl", "spool", "spool_max_mb"});
  cdr->enabled = true;
  ReadCdrPath(r, "sqlite", &cdr->sqlite);
  ReadCdrPath(r, "jsonl", &cdr->jsonl);
  ReadCdrPath(r, "spool", &cdr->spool);
  if (r.ReadString("postgresql", &cdr->postgresql) && cdr->postgresql.empty()) {
    r.Fail("postgresql", "must not be empty (a libpq connection string: \"host=… dbname=… user=…\")");
  }
  std::int64_t mb = 0;
  if (r.ReadInteger("spool_max_mb", 1, 1 << 20, &mb)) cdr->spool_max_mb = static_cast<std::size_t>(mb);
  if (cdr->sqlite.empty() && cdr->postgresql.empty() && cdr->jsonl.empty()) {
    r.FailAtTable("[cdr] names no store: set at least one of 'sqlite', 'postgresql', 'jsonl' "
                  "(or remove [cdr] to write no records)");
  }
}

// An NFAS group as the spans read so far make it up.
struct NfasGroupSeen {
  int first_span = 0;
  std::uint32_t first_line = 0;  // of the first span's nfas_group
  Driver driver = Driver::kSim;
  SwitchVariant switch_variant = SwitchVariant::kNi2;
  NodeType node = NodeType::kCpe;
  int primary = 0;  // its span, 0: none yet
  std::uint32_t primary_line = 0;
  int backup = 0;  // its span, 0: none yet
  std::uint32_t backup_line = 0;
  std::map<int, std::pair<int, std::uint32_t>> interfaces;  // interface → span, line
};

// What earlier spans claimed, for the uniqueness rules: value → line.
struct SpanRegistry {
  std::map<int, std::uint32_t> numbers;
  std::map<std::string, std::uint32_t, std::less<>> names;
  std::map<int, NfasGroupSeen> nfas;
};

// nfas_group, nfas_interface, nfas_dchannel; after driver, switch and node.
void ReadNfas(TableReader& r, SpanRegistry* registry, SpanConfig* span) {
  std::int64_t group = 0;
  std::int64_t interface = 0;
  const bool has_group = r.ReadInteger("nfas_group", 1, kMaxNfasGroup, &group);
  const bool has_interface = r.ReadInteger("nfas_interface", 0, kMaxNfasInterface, &interface);
  r.ReadEnum<NfasDchannel>("nfas_dchannel", kNfasDchannelNames, &span->nfas_dchannel);
  if (!has_group) {
    for (std::string_view key : {"nfas_interface", "nfas_dchannel"}) {
      if (r.Has(key)) r.Fail(key, "only with 'nfas_group' (the span's NFAS group)");
    }
    return;
  }
  if (!IsT1Variant(span->switch_variant)) {
    r.Fail("nfas_group", fmt::format("NFAS groups T1 spans; switch variant {} is an E1 one",
                                     SwitchVariantName(span->switch_variant)));
    return;
  }
  if (!has_interface) {
    if (!r.Has("nfas_interface")) {
      r.Fail("nfas_group", fmt::format("needs 'nfas_interface' (the span's interface identifier in its group, "
                                       "0 to {})",
                                       kMaxNfasInterface));
    }
    return;
  }
  span->nfas_group = static_cast<int>(group);
  span->nfas_interface = static_cast<int>(interface);
  if (span->nfas_dchannel != NfasDchannel::kPrimary && span->nfas_interface == 0) {
    // libpri leaves the Interface identifier out for interface 0 (SERVICE),
    // and no identifier names the D-channel's own interface (Q.931 4.5.13).
    r.Fail("nfas_interface", "interface 0 is the one a message without an Interface identifier names, the "
                             "primary D-channel's own: only the group's primary span may have it");
    return;
  }
  auto [it, first] = registry->nfas.try_emplace(span->nfas_group);
  NfasGroupSeen& seen = it->second;
  if (first) {
    seen.first_span = span->span;
    seen.first_line = r.Line("nfas_group");
    seen.driver = span->driver;
    seen.switch_variant = span->switch_variant;
    seen.node = span->node;
  } else if (seen.driver != span->driver || seen.switch_variant != span->switch_variant || seen.node != span->node) {
    // One D-channel, one libpri: the group's spans signal alike.
    r.Fail("nfas_group",
           fmt::format("NFAS group {} has driver {}, switch {}, node {} (span {}, line {}); this span has {}, {}, {}",
                       group, DriverName(seen.driver), SwitchVariantName(seen.switch_variant),
                       NodeTypeName(seen.node), seen.first_span, seen.first_line, DriverName(span->driver),
                       SwitchVariantName(span->switch_variant), NodeTypeName(span->node)));
    return;
  }
  auto [iface, iface_new] = seen.interfaces.try_emplace(span->nfas_interface, span->span, r.Line("nfas_interface"));
  if (!iface_new) {
    r.Fail("nfas_interface", fmt::format("interface {} of NFAS group {} is already span {}'s (line {})",
                                         interface, group, iface->second.first, iface->second.second));
    return;
  }
  // One primary and at most one backup D-channel per group.
  auto claim = [&](std::string_view role, int& holder, std::uint32_t& holder_line) {
    if (holder != 0) {
      r.Fail("nfas_dchannel", fmt::format("NFAS group {} has its {} D-channel on span {} (line {}) already", group,
                                          role, holder, holder_line));
      return;
    }
    holder = span->span;
    holder_line = r.Line("nfas_dchannel");
  };
  if (span->nfas_dchannel == NfasDchannel::kPrimary) claim("primary", seen.primary, seen.primary_line);
  if (span->nfas_dchannel == NfasDchannel::kBackup) claim("backup", seen.backup, seen.backup_line);
}

// Every NFAS group has its D-channel.
void CheckNfasGroups(const SpanRegistry& registry, const std::string& source_name, std::string* error) {
  for (const auto& [group, seen] : registry.nfas) {
    if (seen.primary != 0) continue;
    *error = fmt::format("{}:{}: span {}: key 'nfas_group': NFAS group {} has no D-channel: set "
                         "nfas_dchannel = \"primary\" on the span that carries it",
                         source_name, seen.first_line, seen.first_span, group);
    return;
  }
}

std::string NoDchannelOfItsOwn(const SpanConfig& span) {
  return fmt::format("span {} has no D-channel of its own (nfas_dchannel = \"none\"): its calls are signalled "
                     "on NFAS group {}'s primary span",
                     span.span, span.nfas_group);
}

void ReadChannels(TableReader& r, SpanConfig* span) {
  const bool t1 = IsT1Variant(span->switch_variant);
  const int max_channel = t1 ? kMaxT1Channel : kMaxE1Channel;
  const std::string_view variant = SwitchVariantName(span->switch_variant);

  // A span without a D-channel of its own has all of its channels for calls.
  span->bchannels_text =
      std::string(span->nfas_member() ? kNfasMemberBChannels : t1 ? kT1DefaultBChannels : kE1DefaultBChannels);
  const bool bchannels_given = r.ReadString("bchannels", &span->bchannels_text);
  auto channels = ParseChannelList(span->bchannels_text);
  if (!channels.ok()) {
    r.Fail("bchannels", channels.error());
    return;
  }
  span->bchannels = std::move(*channels);
  if (span->bchannels.back() > max_channel) {
    r.Fail("bchannels", fmt::format("channel {} is out of range for switch '{}' (1 to {})",
                                    span->bchannels.back(), variant, max_channel));
    return;
  }

  // A sim span carries no D-channel on a channel of its own, so dchannel is
  // checked for range but may coincide with a B-channel there.
  span->dchannel = t1 ? kT1DefaultDChannel : kE1DefaultDChannel;
  std::int64_t d = 0;
  if (r.ReadInteger("dchannel", 1, max_channel, &d)) span->dchannel = static_cast<int>(d);
  if (span->nfas_member()) {
    if (r.Has("dchannel")) r.Fail("dchannel", NoDchannelOfItsOwn(*span));
    return;
  }
  if (span->driver != Driver::kDahdi) return;
  if (std::binary_search(span->bchannels.begin(), span->bchannels.end(), span->dchannel)) {
    // Blame the key the user wrote; the defaults never collide.
    std::string_view key = r.Has("dchannel") || !bchannels_given ? "dchannel" : "bchannels";
    r.Fail(key, fmt::format("D-channel {} is also a B-channel in '{}'", span->dchannel,
                            span->bchannels_text));
  }
}

void ReadEndpoint(TableReader& r, SpanConfig* span) {
  constexpr std::string_view kKeys[] = {"peer", "listen", "connect"};
  if (span->nfas_member()) {
    for (std::string_view key : kKeys) {
      if (r.Has(key)) r.Fail(key, NoDchannelOfItsOwn(*span));
    }
    return;
  }
  if (span->driver == Driver::kDahdi) {
    for (std::string_view key : kKeys) {
      if (r.Has(key)) r.Fail(key, "only for driver 'sim'");
    }
    return;
  }
  // In file order, so the second one written is blamed.
  std::vector<std::string_view> given;
  for (std::string_view key : kKeys) {
    if (r.Has(key)) given.push_back(key);
  }
  std::sort(given.begin(), given.end(),
            [&](std::string_view a, std::string_view b) { return r.Line(a) < r.Line(b); });
  if (given.empty()) {
    r.FailAtTable("driver 'sim' needs exactly one of keys 'peer', 'listen', 'connect'");
    return;
  }
  if (given.size() > 1) {
    r.Fail(given[1], fmt::format("conflicts with '{}' on line {} (driver 'sim' takes exactly one "
                                 "of 'peer', 'listen', 'connect')",
                                 given[0], r.Line(given[0])));
    return;
  }
  if (r.ReadString("peer", &span->peer) && span->peer != "builtin") {
    r.Fail("peer", fmt::format("unknown peer '{}' (expected builtin)", span->peer));
  } else if (!span->peer.empty() && span->nfas_group != 0) {
    r.Fail("peer", "the built-in far end has no NFAS: give an NFAS group's D-channel 'listen' or 'connect' "
                   "(a far end set up with the same group)");
  }
  r.ReadSocketPath("listen", &span->listen);
  r.ReadSocketPath("connect", &span->connect);
}

// RESTART, libpri's timers, and the DAHDI channel of the D-channel.
void ReadLinkSettings(TableReader& r, SpanConfig* span) {
  std::int64_t dahdi_channel = 0;
  if (r.ReadInteger("dahdi_channel", 1, kMaxDahdiChannel, &dahdi_channel)) {
    if (span->driver != Driver::kDahdi) {
      r.Fail("dahdi_channel", "only for driver 'dahdi'");
    } else if (span->nfas_member()) {
      r.Fail("dahdi_channel", NoDchannelOfItsOwn(*span));
    } else {
      span->dahdi_channel = static_cast<int>(dahdi_channel);
    }
  }
  r.ReadBool("restart", &span->restart);
  r.ReadNumber("t200", kMinTimer, kMaxTimer, &span->t200_s);
  r.ReadNumber("t203", kMinTimer, kMaxTimer, &span->t203_s);
  r.ReadNumber("t303", kMinTimer, kMaxTimer, &span->t303_s);
  r.ReadNumber("t305", kMinTimer, kMaxTimer, &span->t305_s);
  r.ReadNumber("t308", kMinTimer, kMaxTimer, &span->t308_s);
  r.ReadNumber("t309", kMinTimer, kMaxTimer, &span->t309_s);
  r.ReadNumber("t316", kMinTimer, kMaxTimer, &span->t316_s);
  std::int64_t n316 = 0;
  if (r.ReadInteger("n316", 1, kMaxN316, &n316)) span->n316 = static_cast<int>(n316);
}

void ReadSpan(TableReader& r, SpanRegistry* registry, SpanConfig* span) {
  std::int64_t number = 0;
  if (!r.Has("span")) {
    r.Fail("span",
           fmt::format("missing (every [[span]] needs its number, 1 to {})", kMaxSpanNumber));
    return;
  }
  if (!r.ReadInteger("span", 1, kMaxSpanNumber, &number)) return;
  span->span = static_cast<int>(number);
  r.set_label(fmt::format("span {}", span->span));
  auto [number_it, number_new] = registry->numbers.emplace(span->span, r.Line("span"));
  if (!number_new) {
    r.Fail("span",
           fmt::format("span {} is already defined on line {}", span->span, number_it->second));
    return;
  }

  r.RejectUnknownKeys({"span", "name", "driver", "dchannel", "bchannels", "node", "switch",
                       "appearance", "hunt", "release_timeout", "uui", "uui_max", "peer", "listen",
                       "connect", "dahdi_channel", "restart", "t200", "t203", "t303", "t305", "t308", "t309",
                       "t316", "n316", "dialplan", "local_dialplan", "overlap", "nfas_group",
                       "nfas_interface", "nfas_dchannel"});

  span->name = fmt::format("span{}", span->span);
  if (r.ReadString("name", &span->name) && !ValidName(span->name)) {
    r.Fail("name", fmt::format("'{}' is not a valid name (1 to {} of A-Z a-z 0-9 . _ -)",
                               span->name, kMaxNameLength));
  }
  auto [name_it, name_new] = registry->names.emplace(span->name, r.Line("name"));
  if (!name_new) {
    r.Fail("name",
           fmt::format("name '{}' is already used on line {}", span->name, name_it->second));
  }

  r.ReadEnum<Driver>("driver", kDriverNames, &span->driver);
  r.ReadEnum<SwitchVariant>("switch", kSwitchVariantNames, &span->switch_variant);
  r.ReadEnum<NodeType>("node", kNodeTypeNames, &span->node);
  r.ReadEnum<Appearance>("appearance", kAppearanceNames, &span->appearance);
  r.ReadEnum<HuntOrder>("hunt", kHuntOrderNames, &span->hunt);
  r.ReadEnum<Dialplan>("dialplan", kDialplanNames, &span->dialplan);
  r.ReadEnum<Dialplan>("local_dialplan", kDialplanNames, &span->local_dialplan);
  ReadNfas(r, registry, span);
  ReadChannels(r, span);
  r.ReadNumber("release_timeout", kMinReleaseTimeout, kMaxReleaseTimeout, &span->release_timeout_s);
  r.ReadBool("uui", &span->uui);
  if (r.ReadBool("overlap", &span->overlap) && span->overlap && !VariantHasOverlap(span->switch_variant)) {
    r.Fail("overlap", fmt::format("switch variant {} has no overlap dialling (it exists on euroisdn_e1, "
                                  "euroisdn_t1 and qsig)",
                                  SwitchVariantName(span->switch_variant)));
  }
  std::int64_t uui_max = 0;
  if (r.ReadInteger("uui_max", 1, kMaxUuiOctets, &uui_max)) {
    span->uui_max = static_cast<std::size_t>(uui_max);
  }
  ReadLinkSettings(r, span);
  ReadEndpoint(r, span);
}

// Parses the digits of one channel number in `item` (named in errors).
base::Result<int> ParseChannel(std::string_view digits, std::string_view item) {
  bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  if (!all_digits) return base::Fail(fmt::format("'{}': not a channel number or range", item));
  int value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 1 ||
      value > kMaxE1Channel) {
    return base::Fail(
        fmt::format("'{}': channel {} is out of range (1 to {})", item, digits, kMaxE1Channel));
  }
  return value;
}

}  // namespace

std::string_view DriverName(Driver d) { return NameOf<Driver>(kDriverNames, d); }
std::string_view NodeTypeName(NodeType n) { return NameOf<NodeType>(kNodeTypeNames, n); }
std::string_view SwitchVariantName(SwitchVariant s) {
  return NameOf<SwitchVariant>(kSwitchVariantNames, s);
}
std::string_view AppearanceName(Appearance a) { return NameOf<Appearance>(kAppearanceNames, a); }
std::string_view HuntOrderName(HuntOrder h) { return NameOf<HuntOrder>(kHuntOrderNames, h); }
std::string_view DialplanName(Dialplan d) { return NameOf<Dialplan>(kDialplanNames, d); }
std::string_view NfasDchannelName(NfasDchannel d) { return NameOf<NfasDchannel>(kNfasDchannelNames, d); }

bool IsT1Variant(SwitchVariant s) {
  return s != SwitchVariant::kEuroIsdnE1 && s != SwitchVariant::kQsig;
}

bool VariantHasOverlap(SwitchVariant s) {
  return s == SwitchVariant::kEuroIsdnE1 || s == SwitchVariant::kEuroIsdnT1 || s == SwitchVariant::kQsig;
}

base::Result<std::vector<int>> ParseChannelList(std::string_view text) {
  if (Trim(text).empty()) return base::Fail("empty channel list");
  std::vector<int> channels;
  std::size_t pos = 0;
  while (true) {
    std::size_t comma = text.find(',', pos);
    std::string_view item = Trim(
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (item.empty()) return base::Fail(fmt::format("'{}': empty item", text));
    std::size_t dash = item.find('-');
    std::string_view first_text =
        dash == std::string_view::npos ? item : Trim(item.substr(0, dash));
    std::string_view last_text =
        dash == std::string_view::npos ? item : Trim(item.substr(dash + 1));
    auto first = ParseChannel(first_text, item);
    if (!first.ok()) return base::Fail(first.error());
    auto last = ParseChannel(last_text, item);
    if (!last.ok()) return base::Fail(last.error());
    if (*last < *first) return base::Fail(fmt::format("'{}': range runs backwards", item));
    if (!channels.empty() && *first <= channels.back()) {
      return base::Fail(fmt::format("'{}': channels must be ascending without repeats (after {})",
                                    item, channels.back()));
    }
    for (int c = *first; c <= *last; ++c) channels.push_back(c);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return channels;
}

base::Result<DaemonConfig> ParseConfig(std::string_view text, const std::string& source_name,
                                       const ParseOptions& options) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    return base::Fail(fmt::format("{}:{}:{}: {}", source_name, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }

  DaemonConfig config;
  std::string error;
  TableReader top(root, source_name, "", &error);
  top.RejectUnknownKeys({"daemon", "cdr", "span"});

  if (const toml::node* node = top.Find("daemon"); node != nullptr && error.empty()) {
    if (const toml::table* table = node->as_table()) {
      TableReader r(*table, source_name, "[daemon]", &error);
      ReadDaemon(r, options, &config);
    } else {
      top.Fail("daemon",
               fmt::format("expected a table ([daemon]), got {}", TypeName(node->type())));
    }
  }
  if (const toml::node* node = top.Find("cdr"); node != nullptr && error.empty()) {
    if (const toml::table* table = node->as_table()) {
      TableReader r(*table, source_name, "[cdr]", &error);
      ReadCdr(r, &config.cdr);
    } else {
      top.Fail("cdr", fmt::format("expected a table ([cdr]), got {}", TypeName(node->type())));
    }
  }
  if (config.cdr.enabled && config.cdr.spool.empty()) config.cdr.spool = std::string(kDefaultCdrSpool);
  if (!error.empty()) return base::Fail(std::move(error));

  const toml::node* spans = top.Find("span");
  const toml::array* array = spans != nullptr ? spans->as_array() : nullptr;
  if (array != nullptr && array->empty()) array = nullptr;
  if (array != nullptr && !array->is_array_of_tables()) {
    top.Fail("span", "expected an array of tables ([[span]]), got an array of values");
    return base::Fail(std::move(error));
  }
  if (spans != nullptr && array == nullptr && !spans->is_array()) {
    top.Fail("span", fmt::format("expected an array of tables ([[span]]), got {}",
                                 TypeName(spans->type())));
    return base::Fail(std::move(error));
  }
  if (array == nullptr) return config;  // no spans: the socket alone
  SpanRegistry registry;
  for (std::size_t i = 0; i < array->size(); ++i) {
    TableReader r(*array->get(i)->as_table(), source_name, fmt::format("[[span]] #{}", i + 1),
                  &error);
    SpanConfig span;
    ReadSpan(r, &registry, &span);
    if (!error.empty()) return base::Fail(std::move(error));
    config.spans.push_back(std::move(span));
  }
  CheckNfasGroups(registry, source_name, &error);
  if (!error.empty()) return base::Fail(std::move(error));
  return config;
}

base::Result<DaemonConfig> LoadConfigFile(const std::string& path, const ParseOptions& options) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    int err = errno;
    return base::Fail(fmt::format("cannot open {}: {}", path, std::system_category().message(err)));
  }
  std::string text;
  char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      return base::Fail(
          fmt::format("cannot read {}: {}", path, std::system_category().message(err)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigFileBytes) {
      return base::Fail(fmt::format("{}: larger than {} MiB, not a configuration file", path,
                                    kMaxConfigFileBytes >> 20));
    }
  }
  return ParseConfig(text, path, options);
}

DaemonConfig EmbeddedDefaultConfig() {
  SpanConfig span;
  span.span = 1;
  span.name = "span1";
  span.driver = Driver::kSim;
  span.dchannel = kE1DefaultDChannel;
  span.bchannels_text = std::string(kE1DefaultBChannels);
  for (int c = 1; c <= kMaxE1Channel; ++c) {
    if (c != kE1DefaultDChannel) span.bchannels.push_back(c);
  }
  span.node = NodeType::kCpe;
  span.switch_variant = SwitchVariant::kEuroIsdnE1;
  span.peer = "builtin";
  DaemonConfig config;
  config.spans.push_back(std::move(span));
  // One host's records in SQLite, the embedded default's way (docs/cdr.md).
  config.cdr.enabled = true;
  config.cdr.sqlite = std::string(kDefaultCdrDatabase);
  config.cdr.spool = std::string(kDefaultCdrSpool);
  config.cdr.optional = true;
  return config;
}

}  // namespace prid::daemon
