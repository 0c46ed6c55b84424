// One call detail record (docs/cdr.md): what prid knows of one Q.931 call
// once the wire has cleared it, in the form every store writes and the
// spool keeps (one JSON object per line).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/expected.h"

namespace prid::cdr {

// The table's version (docs/cdr.md "Schema"); a store migrates an older one.
inline constexpr int kSchemaVersion = 1;

// User-user information as it went on the wire: protocol discriminator and
// the octets after it, in lower-case hex.
struct Uui {
  int protocol = 0;
  std::string hex;
  bool operator==(const Uui&) const = default;
};

// Times are milliseconds since the Unix epoch (UTC); stores and JSON show
// them as RFC 3339 with milliseconds ("2026-12-03T12:00:00.123Z").
using EpochMs = std::int64_t;

struct Record {
  std::uint64_t call_id = 0;
  std::string host;      // the machine prid runs on (gethostname)
  std::string instance;  // the daemon run (API.md `instance`): with call_id, the key
  std::string span_name;
  int span = 0;
  int channel = 0;  // the B-channel; 0: none was assigned
  std::string direction;  // "in", "out"
  std::string called;
  std::string calling;
  // Type of number / numbering plan where prid knows them (docs/cdr.md).
  std::optional<std::string> called_ton, called_npi, calling_ton, calling_npi;
  std::string bearer;  // "speech", "3.1khz", "digital"

  EpochMs created = 0;                  // the call record was made
  std::optional<EpochMs> setup;         // SETUP sent (out) or received (in)
  std::optional<EpochMs> alerted;       // ALERTING sent or received
  std::optional<EpochMs> connected;     // CONNECT
  std::optional<EpochMs> disconnected;  // the first clearing message either way
  EpochMs idle = 0;                     // the wire cleared it

  std::optional<std::int64_t> post_dial_delay_ms;  // out: SETUP to ALERTING or CONNECT
  std::int64_t billable_ms = 0;  // CONNECT to the first clearing message (0: unanswered)

  std::optional<int> cause;  // Q.850
  std::string cause_name;    // "normal_clearing"; "" without a cause
  std::string mode;          // API.md disconnect mode ("normal", "busy", …)
  std::string origin;        // "local", "remote", "supervisor", "redirect", "transfer"
  std::optional<std::uint32_t> dropped_by_uid;  // the client whose drop cleared it
  std::optional<Uui> uui_sent, uui_received;
  bool retried = false;    // moved to another B-channel (Q.931 5.2.3.1)
  int first_channel = 0;   // the channel before the retry (0: no retry)
  std::optional<std::uint64_t> conference;  // the conference call it was part of
  std::optional<std::string> tag;           // call.make's client tag

  bool operator==(const Record&) const = default;
};

// RFC 3339 UTC with milliseconds, and back (only that form is read).
std::string FormatTime(EpochMs t);
base::Result<EpochMs> ParseTime(std::string_view text);

// The spool's and the JSON-lines store's form: every field, times as
// RFC 3339, absent optionals as null. FromJson names the field it could
// not read.
nlohmann::json ToJson(const Record& record);
base::Result<Record> FromJson(const nlohmann::json& json);
// The same object as text, appended to `out` with no JSON tree in
// between (keys in column order; bytes outside printable ASCII escaped):
// the spool's and the JSON-lines store's form, made once per record.
void AppendJson(std::string& out, const Record& record);

// The table's columns (docs/cdr.md), in order, for the SQL stores: each
// binds ColumnValues(record)[i] to Columns()[i]. Times are kTime (RFC 3339
// text in, the store's own time type where it has one).
enum class ColumnKind { kInteger, kText, kTime, kBool };
struct Column {
  std::string_view name;
  ColumnKind kind;
  bool nullable;
};
const std::vector<Column>& Columns();
// kInteger and kBool as int64 (bool: 0/1), kText and kTime as string;
// monostate for NULL.
using Value = std::variant<std::monostate, std::int64_t, std::string>;
std::vector<Value> ColumnValues(const Record& record);
// The same values without copies, for binding: `bind(i, value)` for each
// column in order, stopping at the first false. A text value views
// `record`, except a kTime one, which views a buffer valid only during
// that call (a store binds it as a copy).
using ValueView = std::variant<std::monostate, std::int64_t, std::string_view>;
bool ForEachColumnValue(const Record& record, const std::function<bool(std::size_t, const ValueView&)>& bind);
// All of them at once, for a store that binds many rows per statement:
// texts view the record, times the buffers here (SQLite binds both
// without a copy). Valid while the record and this object live; not
// copyable, since its views point into itself.
inline constexpr std::size_t kColumnCount = 35;
inline constexpr std::size_t kTimeColumns = 6;
struct ColumnViews {
  ColumnViews() = default;
  ColumnViews(const ColumnViews&) = delete;
  ColumnViews& operator=(const ColumnViews&) = delete;
  std::array<ValueView, kColumnCount> values;
  char times[kTimeColumns][24];
};
void ViewColumns(const Record& record, ColumnViews& out);
// The other way, for reading a row back (values in Columns() order; a
// store gives kTime as RFC 3339 text). Names the column it could not read.
base::Result<Record> RecordFromColumns(const std::vector<Value>& values);

}  // namespace prid::cdr
