// `prictl cdr` and `prictl cdr status`: call detail records for people.
#include "cli/cdr_view.h"

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <charconv>
#include <ctime>
#include <iterator>
#include <memory>
#include <utility>

#include "cdr/postgres_store.h"
#include "cdr/sqlite_store.h"
#include "cli/format.h"
#include "cli/json_fields.h"
#include "cli/outcome.h"
#include "cli/table.h"

namespace prid::cli {
namespace {

using nlohmann::json;

// cdr.status's "warning": the spool is this full (docs/cdr.md).
constexpr int kSpoolWarningPercent = 80;

constexpr std::string_view kNoSqlStore =
    "prid writes no SQLite or PostgreSQL CDRs: set [cdr] sqlite or postgresql in prid.conf, or name a "
    "database with --sqlite/--postgresql";

const json& At(const json& j, const char* key) {
  static const json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

// Control characters would break a line or a column: show them as \xNN.
std::string Printable(std::string_view text) {
  std::string shown;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      shown += fmt::format("\\x{:02x}", c);
    } else {
      shown += static_cast<char>(c);
    }
  }
  return shown;
}

std::string OrDash(std::string_view text) { return text.empty() ? "-" : Printable(text); }

std::string Count(const json& j) {
  if (j.is_number_unsigned()) return std::to_string(j.get<std::uint64_t>());
  if (j.is_number_integer()) return std::to_string(j.get<std::int64_t>());
  return "-";
}

std::string Text(const json& j) { return j.is_string() ? OrDash(j.get_ref<const std::string&>()) : "-"; }

// "512 B", "1.5 KiB", "64.0 MiB".
std::string Bytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::optional<std::uint64_t> Unsigned(const json& j) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(j.get<std::int64_t>());
  return std::nullopt;
}

void WritePairs(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::size_t width = 0;
  for (const auto& [key, value] : pairs) width = std::max(width, key.size());
  for (const auto& [key, value] : pairs) out << key << std::string(width - key.size() + 2, ' ') << value << '\n';
}

// "2026-12-03T12:00:00.000Z: connection refused", or "-".
std::string LastError(const json& store) {
  const json& error = At(store, "last_error");
  if (!error.is_string()) return "-";
  const json& at = At(store, "last_error_at");
  std::string text = Printable(error.get_ref<const std::string&>());
  return at.is_string() ? Printable(at.get_ref<const std::string&>()) + ": " + text : text;
}

// "2026-12-03 12:00:05" (UTC, to the second).
std::string EndedUtc(cdr::EpochMs t) {
  // Floor to the second, also before 1970.
  std::time_t seconds = static_cast<std::time_t>(t / 1000 - (t % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  if (::gmtime_r(&seconds, &tm) == nullptr) return "-";
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm) == 0) return "-";
  return text;
}

std::string SpanText(const cdr::Record& r) {
  return r.span_name.empty() ? std::to_string(r.span) : fmt::format("{} ({})", r.span, Printable(r.span_name));
}

std::string CauseText(const cdr::Record& r) {
  if (!r.cause) return "-";
  return r.cause_name.empty() ? std::to_string(*r.cause) : fmt::format("{} {}", *r.cause, Printable(r.cause_name));
}

std::string Billed(const cdr::Record& r) {
  if (!r.connected) return "-";
  return fmt::format("{:.1f}", static_cast<double>(r.billable_ms) / 1000.0);
}

cdr::EpochMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The connection's failure as app.cc words it: the ipc client's message
// usually names the socket already.
std::string CannotConnect(const std::string& reason, const std::string& socket_path) {
  if (reason.find(socket_path) != std::string::npos) return reason;
  return fmt::format("cannot connect to prid at {}: {}", socket_path, reason);
}

// Asks prid (cdr.status) which store to read.
base::Expected<CdrSource, Outcome> AskPrid(const Connector& connect, const std::string& socket_path) {
  auto connection = connect(socket_path);
  if (!connection) {
    return base::MakeUnexpected(Outcome::Fail(
        kExitTransport, CannotConnect(connection.error(), socket_path) +
                            "; or name the database with --sqlite PATH or --postgresql CONNINFO"));
  }
  auto status = (*connection)->Call("cdr.status", json::object());
  if (!status) {
    const ipc::RpcError& error = status.error();
    if (IsTransportError(error)) {
      return base::MakeUnexpected(Outcome::Fail(kExitTransport, "cdr.status: " + DescribeError(error)));
    }
    if (error.code == static_cast<int>(ipc::ErrorCode::kMethodNotFound)) {
      return base::MakeUnexpected(Outcome::Fail(
          kExitError, fmt::format("cdr.status: {}: this prid keeps no CDRs; name a database with "
                                  "--sqlite PATH or --postgresql CONNINFO",
                                  DescribeError(error))));
    }
    return base::MakeUnexpected(Outcome::Fail(kExitError, "cdr.status: " + DescribeError(error)));
  }
  auto source = CdrSourceFromStatus(*status);
  if (!source) return base::MakeUnexpected(Outcome::Fail(kExitError, source.error()));
  return std::move(*source);
}

std::unique_ptr<cdr::QueryableStore> MakeStore(const CdrSource& source) {
  if (source.kind == "sqlite") {
    return std::make_unique<cdr::SqliteStore>(source.target, cdr::SqliteStore::Access::kReadOnly);
  }
  return std::make_unique<cdr::PostgresStore>(source.target, cdr::PostgresStore::Access::kReadOnly);
}

// prid shows its connection string without the password: say where else
// libpq finds one.
std::string Hint(const CdrSource& source) {
  if (source.kind != "postgresql" || !source.from_prid) return "";
  return " (prid's connection string was shown without its password: give it in ~/.pgpass or $PGPASSWORD, "
         "or name the database with --postgresql CONNINFO)";
}

}  // namespace

void WriteCdrStatus(std::ostream& out, const json& status) {
  const json& enabled = At(status, "enabled");
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.emplace_back("enabled", enabled.is_boolean() ? (enabled.get<bool>() ? "yes" : "no") : "-");
  if (enabled.is_boolean() && !enabled.get<bool>() && !At(status, "spool").is_object() &&
      !At(status, "stores").is_array()) {
    WritePairs(out, pairs);
    return;
  }
  pairs.emplace_back("records made", Count(At(status, "records")));
  const json& spool = At(status, "spool");
  const auto bytes = Unsigned(At(spool, "bytes"));
  const auto max_bytes = Unsigned(At(spool, "max_bytes"));
  std::optional<std::uint64_t> percent;
  if (bytes && max_bytes && *max_bytes > 0) percent = *bytes * 100 / *max_bytes;
  pairs.emplace_back("spool", Text(At(spool, "dir")));
  pairs.emplace_back("spool size", fmt::format("{} of {}{}", bytes ? Bytes(*bytes) : "-",
                                               max_bytes ? Bytes(*max_bytes) : "-",
                                               percent ? fmt::format(" ({} %)", *percent) : ""));
  pairs.emplace_back("spool pending", Count(At(spool, "pending")));
  pairs.emplace_back("spool refused", Count(At(spool, "refused")));
  WritePairs(out, pairs);
  const json& warning = At(spool, "warning");
  if ((warning.is_boolean() && warning.get<bool>()) || (percent && *percent >= kSpoolWarningPercent)) {
    out << fmt::format("WARNING: the spool is {} full: a store is not keeping up (see its last error); "
                       "when it is full, new CDRs are refused\n",
                       percent ? fmt::format("{} %", *percent) : "nearly");
  }
  if (auto refused = Unsigned(At(spool, "refused")); refused && *refused > 0) {
    out << fmt::format("WARNING: the spool could not take {} record{} (full disk or max_bytes)\n", *refused,
                       *refused == 1 ? "" : "s");
  }
  const json& stores = At(status, "stores");
  if (!stores.is_array()) return;
  out << '\n';
  if (stores.empty()) {
    out << "no stores\n";
    return;
  }
  Table table({"KIND", "TARGET", "STATE", "WRITTEN", "PENDING", "LAST ERROR"});
  for (const json& store : stores) {
    table.AddRow({Text(At(store, "kind")), Text(At(store, "target")), Text(At(store, "state")),
                  Count(At(store, "written")), Count(At(store, "pending")), LastError(store)});
  }
  table.Write(out);
}

base::Result<cdr::EpochMs> ParseSince(std::string_view text, cdr::EpochMs now) {
  // RFC 3339 in UTC, with or without the milliseconds cdr::FormatTime writes.
  if (auto time = ParseRfc3339(std::string(text))) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time->time_since_epoch()).count();
  }
  const auto fail = [&] {
    return base::Fail(fmt::format("--since '{}': give a UTC time in RFC 3339 (2026-12-03T12:00:00Z) or how "
                                  "long ago: a whole number and s, m, h or d (10m, 2h, 1d)",
                                  text));
  };
  if (text.size() < 2) return fail();
  std::int64_t unit_ms = 0;
  switch (text.back()) {
    case 's': unit_ms = 1000; break;
    case 'm': unit_ms = 60 * 1000; break;
    case 'h': unit_ms = 3600 * 1000; break;
    case 'd': unit_ms = 86400 * 1000; break;
    default: return fail();
  }
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t count = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (ec != std::errc() || end != digits.data() + digits.size() || count < 0) return fail();
  if (count > now / unit_ms) {
    return base::Fail(fmt::format("--since '{}': that is before 1970; give a shorter time", text));
  }
  return now - count * unit_ms;
}

base::Result<cdr::Query> CdrQuery(const CdrOptions& options, cdr::EpochMs now) {
  cdr::Query query;
  if (options.since) {
    auto since = ParseSince(*options.since, now);
    if (!since) return base::Fail(since.error());
    query.since = *since;
  }
  query.span = options.span;
  query.number = options.number;
  query.cause = options.cause;
  query.limit = options.limit;
  return query;
}

std::optional<CdrSource> CdrSourceFromOptions(const CdrOptions& options) {
  if (options.sqlite) return CdrSource{"sqlite", *options.sqlite, false};
  if (options.postgresql) return CdrSource{"postgresql", *options.postgresql, false};
  return std::nullopt;
}

base::Result<CdrSource> CdrSourceFromStatus(const json& status) {
  const json& stores = At(status, "stores");
  if (!At(status, "enabled").is_boolean() || !At(status, "enabled").get<bool>() || !stores.is_array()) {
    return base::Fail(std::string(kNoSqlStore));
  }
  for (const char* kind : {"sqlite", "postgresql"}) {
    for (const json& store : stores) {
      if (StringField(store, "kind") != kind) continue;
      std::string target = StringField(store, "target");
      if (target.empty()) continue;
      return CdrSource{kind, std::move(target), true};
    }
  }
  return base::Fail(std::string(kNoSqlStore));
}

void WriteCdrTable(std::ostream& out, const std::vector<cdr::Record>& records) {
  if (records.empty()) {
    out << "no CDRs match\n";
    return;
  }
  Table table({"ENDED (UTC)", "CALL", "SPAN", "CH", "DIR", "CALLED", "CALLING", "BILLED", "CAUSE", "ORIGIN", "UUI"});
  for (const cdr::Record& r : records) {
    table.AddRow({EndedUtc(r.idle), std::to_string(r.call_id), SpanText(r), r.channel ? std::to_string(r.channel) : "-",
                  OrDash(r.direction), OrDash(r.called), OrDash(r.calling), Billed(r), CauseText(r), OrDash(r.origin),
                  r.uui_sent || r.uui_received ? "yes" : "no"});
  }
  table.Write(out);
}

void WriteCdrJson(std::ostream& out, const std::vector<cdr::Record>& records) {
  for (const cdr::Record& r : records) out << JsonLine(cdr::ToJson(r)) << '\n';
}

int RunCdr(const CdrOptions& options, bool json, const Connector& connect, const std::string& socket_path,
           std::ostream& out, std::ostream& err) {
  auto query = CdrQuery(options, NowMs());
  if (!query) {
    err << "prictl: cdr: " << query.error() << '\n';
    return kExitUsage;
  }
  CdrSource source;
  if (auto given = CdrSourceFromOptions(options)) {
    source = std::move(*given);
  } else {
    auto asked = AskPrid(connect, socket_path);
    if (!asked) {
      err << "prictl: cdr: " << asked.error().message() << '\n';
      return asked.error().exit_code();
    }
    source = std::move(*asked);
  }
  std::unique_ptr<cdr::QueryableStore> store = MakeStore(source);
  if (base::Status opened = store->Open(); !opened) {
    err << "prictl: cdr: " << opened.message() << Hint(source) << '\n';
    return kExitError;
  }
  auto records = store->Select(*query);
  if (!records) {
    err << "prictl: cdr: " << records.error() << '\n';
    return kExitError;
  }
  if (json) {
    WriteCdrJson(out, *records);
  } else {
    WriteCdrTable(out, *records);
  }
  out.flush();
  return kExitOk;
}

}  // namespace prid::cli
