// The record's JSON form, its columns and its times.
#include "cdr/record.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>


namespace prid::cdr {
namespace {

using nlohmann::json;

// One field of Record, named once for the JSON form and the columns alike.
// `get` gives its value (monostate: null); `set` reads one back, false
// when the value has the wrong type.
struct Field {
  Column column;
  Value (*get)(const Record&);
  bool (*set)(Record&, const Value&);
  // Appends the field's JSON value to `out` (AppendJson's path: no Value).
  void (*append)(std::string& out, const Record&);
  // The value as a view (ForEachColumnValue's path); a time is formatted
  // into `time` (24 characters).
  ValueView (*view)(const Record&, char* time);
};

// The 24 characters of FormatTime(t) into `text`.
void FormatTimeInto(char* text, EpochMs t);

// JSON values straight into text, one per kind of field.
void JText(std::string& out, const std::string& s) {
  out += '"';
  // Most values need no escape: appended whole.
  if (std::all_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
      })) {
    out += s;
    out += '"';
    return;
  }
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c > 0x7e) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}
void JOptText(std::string& out, const std::optional<std::string>& s) {
  if (s) {
    JText(out, *s);
  } else {
    out += "null";
  }
}
template <typename T>
void JInt(std::string& out, const T& v) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, static_cast<std::int64_t>(v)).ptr);
}
template <typename T>
void JOptInt(std::string& out, const std::optional<T>& v) {
  if (v) {
    JInt(out, *v);
  } else {
    out += "null";
  }
}
void JTime(std::string& out, EpochMs t) {
  char text[24];
  FormatTimeInto(text, t);
  out += '"';
  out.append(text, sizeof text);
  out += '"';
}
void JOptTime(std::string& out, const std::optional<EpochMs>& t) {
  if (t) {
    JTime(out, *t);
  } else {
    out += "null";
  }
}

template <typename T>
Value Int(const T& v) {
  return static_cast<std::int64_t>(v);
}
template <typename T>
Value OptInt(const std::optional<T>& v) {
  return v ? Value(static_cast<std::int64_t>(*v)) : Value();
}
Value Text(const std::string& s) { return s; }
Value OptText(const std::optional<std::string>& s) { return s ? Value(*s) : Value(); }
Value Time(EpochMs t) { return FormatTime(t); }
Value OptTime(const std::optional<EpochMs>& t) { return t ? Value(FormatTime(*t)) : Value(); }

template <typename T>
ValueView VInt(const T& v, char*) {
  return static_cast<std::int64_t>(v);
}
template <typename T>
ValueView VOptInt(const std::optional<T>& v, char*) {
  return v ? ValueView(static_cast<std::int64_t>(*v)) : ValueView();
}
ValueView VText(const std::string& s, char*) { return std::string_view(s); }
ValueView VOptText(const std::optional<std::string>& s, char*) {
  return s ? ValueView(std::string_view(*s)) : ValueView();
}
ValueView VTime(EpochMs t, char* time) {
  FormatTimeInto(time, t);
  return std::string_view(time, 24);
}
ValueView VOptTime(const std::optional<EpochMs>& t, char* time) { return t ? VTime(*t, time) : ValueView(); }

template <typename T>
bool SetInt(T& out, const Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) {
    out = static_cast<T>(*i);
    return true;
  }
  return false;
}
template <typename T>
bool SetOptInt(std::optional<T>& out, const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) {
    out.reset();
    return true;
  }
  T value{};
  if (!SetInt(value, v)) return false;
  out = value;
  return true;
}
bool SetText(std::string& out, const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) {
    out = *s;
    return true;
  }
  return false;
}
bool SetOptText(std::optional<std::string>& out, const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) {
    out.reset();
    return true;
  }
  std::string s;
  if (!SetText(s, v)) return false;
  out = std::move(s);
  return true;
}
bool SetTime(EpochMs& out, const Value& v) {
  auto* s = std::get_if<std::string>(&v);
  if (!s) return false;
  auto t = ParseTime(*s);
  if (!t) return false;
  out = *t;
  return true;
}
bool SetOptTime(std::optional<EpochMs>& out, const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) {
    out.reset();
    return true;
  }
  EpochMs t = 0;
  if (!SetTime(t, v)) return false;
  out = t;
  return true;
}
// UUI is two columns (protocol, hex) that are null together.
Value UuiProtocol(const std::optional<Uui>& u) { return u ? Value(std::int64_t{u->protocol}) : Value(); }
Value UuiHex(const std::optional<Uui>& u) { return u ? Value(u->hex) : Value(); }
bool SetUuiProtocol(std::optional<Uui>& u, const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) {
    u.reset();
    return true;
  }
  if (!u) u.emplace();
  return SetInt(u->protocol, v);
}
bool SetUuiHex(std::optional<Uui>& u, const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return !u.has_value();  // protocol without hex
  if (!u) return false;
  return SetText(u->hex, v);
}

#define PRID_CDR_FIELD(name, kind, nullable, getter, setter)                                   \
  Field {                                                                                     \
    Column{#name, ColumnKind::kind, nullable}, [](const Record& r) { return getter(r.name); }, \
        [](Record& r, const Value& v) { return setter(r.name, v); },                          \
        [](std::string& out, const Record& r) { J##getter(out, r.name); },                    \
        [](const Record& r, char* time) { return V##getter(r.name, time); }                   \
  }
#define PRID_CDR_UUI(name)                                                                             \
  Field{Column{#name "_protocol", ColumnKind::kInteger, true},                                       \
        [](const Record& r) { return UuiProtocol(r.name); },                                         \
        [](Record& r, const Value& v) { return SetUuiProtocol(r.name, v); },                         \
        [](std::string& out, const Record& r) {                                                      \
          if (r.name) {                                                                              \
            JInt(out, r.name->protocol);                                                             \
          } else {                                                                                   \
            out += "null";                                                                           \
          }                                                                                          \
        },                                                                                           \
        [](const Record& r, char*) {                                                                 \
          return r.name ? ValueView(std::int64_t{r.name->protocol}) : ValueView();                   \
        }},                                                                                          \
      Field {                                                                                        \
    Column{#name "_hex", ColumnKind::kText, true}, [](const Record& r) { return UuiHex(r.name); },    \
        [](Record& r, const Value& v) { return SetUuiHex(r.name, v); },                              \
        [](std::string& out, const Record& r) {                                                      \
          if (r.name) {                                                                              \
            JText(out, r.name->hex);                                                                 \
          } else {                                                                                   \
            out += "null";                                                                           \
          }                                                                                          \
        },                                                                                           \
        [](const Record& r, char*) {                                                                 \
          return r.name ? ValueView(std::string_view(r.name->hex)) : ValueView();                    \
        }                                                                                            \
  }

// The order of the table's columns (docs/cdr.md "Schema").
const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      PRID_CDR_FIELD(instance, kText, false, Text, SetText),
      PRID_CDR_FIELD(call_id, kInteger, false, Int, SetInt),
      PRID_CDR_FIELD(host, kText, false, Text, SetText),
      PRID_CDR_FIELD(span_name, kText, false, Text, SetText),
      PRID_CDR_FIELD(span, kInteger, false, Int, SetInt),
      PRID_CDR_FIELD(channel, kInteger, false, Int, SetInt),
      PRID_CDR_FIELD(direction, kText, false, Text, SetText),
      PRID_CDR_FIELD(called, kText, false, Text, SetText),
      PRID_CDR_FIELD(called_ton, kText, true, OptText, SetOptText),
      PRID_CDR_FIELD(called_npi, kText, true, OptText, SetOptText),
      PRID_CDR_FIELD(calling, kText, false, Text, SetText),
      PRID_CDR_FIELD(calling_ton, kText, true, OptText, SetOptText),
      PRID_CDR_FIELD(calling_npi, kText, true, OptText, SetOptText),
      PRID_CDR_FIELD(bearer, kText, false, Text, SetText),
      PRID_CDR_FIELD(created, kTime, false, Time, SetTime),
      PRID_CDR_FIELD(setup, kTime, true, OptTime, SetOptTime),
      PRID_CDR_FIELD(alerted, kTime, true, OptTime, SetOptTime),
      PRID_CDR_FIELD(connected, kTime, true, OptTime, SetOptTime),
      PRID_CDR_FIELD(disconnected, kTime, true, OptTime, SetOptTime),
      PRID_CDR_FIELD(idle, kTime, false, Time, SetTime),
      PRID_CDR_FIELD(post_dial_delay_ms, kInteger, true, OptInt, SetOptInt),
      PRID_CDR_FIELD(billable_ms, kInteger, false, Int, SetInt),
      PRID_CDR_FIELD(cause, kInteger, true, OptInt, SetOptInt),
      PRID_CDR_FIELD(cause_name, kText, false, Text, SetText),
      PRID_CDR_FIELD(mode, kText, false, Text, SetText),
      PRID_CDR_FIELD(origin, kText, false, Text, SetText),
      PRID_CDR_FIELD(dropped_by_uid, kInteger, true, OptInt, SetOptInt),
      PRID_CDR_UUI(uui_sent),
      PRID_CDR_UUI(uui_received),
      Field{Column{"retried", ColumnKind::kBool, false},
            [](const Record& r) { return Value(std::int64_t{r.retried ? 1 : 0}); },
            [](Record& r, const Value& v) {
              std::int64_t i = 0;
              if (!SetInt(i, v)) return false;
              r.retried = i != 0;
              return true;
            },
            [](std::string& out, const Record& r) { out += r.retried ? "true" : "false"; },
            [](const Record& r, char*) { return ValueView(std::int64_t{r.retried ? 1 : 0}); }},
      PRID_CDR_FIELD(first_channel, kInteger, false, Int, SetInt),
      PRID_CDR_FIELD(conference, kInteger, true, OptInt, SetOptInt),
      PRID_CDR_FIELD(tag, kText, true, OptText, SetOptText),
  };
  return fields;
}

#undef PRID_CDR_FIELD
#undef PRID_CDR_UUI

json ToJsonValue(const Value& v, ColumnKind kind) {
  if (std::holds_alternative<std::monostate>(v)) return nullptr;
  if (auto* i = std::get_if<std::int64_t>(&v)) {
    if (kind == ColumnKind::kBool) return *i != 0;
    return *i;
  }
  return std::get<std::string>(v);
}

base::Result<Value> FromJsonValue(const json& j, const Column& column) {
  if (j.is_null()) return Value();
  switch (column.kind) {
    case ColumnKind::kBool:
      if (j.is_boolean()) return Value(std::int64_t{j.get<bool>() ? 1 : 0});
      break;
    case ColumnKind::kInteger:
      if (j.is_number_integer()) return Value(j.get<std::int64_t>());
      break;
    case ColumnKind::kText:
    case ColumnKind::kTime:
      if (j.is_string()) return Value(j.get<std::string>());
      break;
  }
  return base::Fail(fmt::format("CDR field {} has the wrong type ({})", column.name, j.type_name()));
}

}  // namespace

namespace {

void FormatTimeInto(char* out, EpochMs t) {
  // By hand (days to civil date, as in H. Hinnant's chrono algorithms): six
  // of these per record, where gmtime_r and a formatted print cost more
  // than the rest of the record.
  const EpochMs ms = ((t % 1000) + 1000) % 1000;
  const std::int64_t secs = (t - ms) / 1000;
  const std::int64_t sod = ((secs % 86400) + 86400) % 86400;
  std::int64_t z = (secs - sod) / 86400 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  std::memcpy(out, "0000-00-00T00:00:00.000Z", 24);
  auto put = [out](int at, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, sod / 3600, 2);
  put(14, sod / 60 % 60, 2);
  put(17, sod % 60, 2);
  put(20, ms, 3);
}

}  // namespace

std::string FormatTime(EpochMs t) {
  char text[24];
  FormatTimeInto(text, t);
  return std::string(text, sizeof text);
}


base::Result<EpochMs> ParseTime(std::string_view text) {
  // Exactly "YYYY-MM-DDTHH:MM:SS.mmmZ", as FormatTime writes it.
  std::tm tm{};
  int ms = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 24 || std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon,
                                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &tail) != 8 ||
      tail != 'Z') {
    return base::Fail(fmt::format("'{}' is not a UTC time like 2026-12-03T12:00:00.123Z", text));
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t secs = timegm(&tm);
  return static_cast<EpochMs>(secs) * 1000 + ms;
}

void AppendJson(std::string& out, const Record& record) {
  out += '{';
  bool first = true;
  for (const Field& f : Fields()) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += f.column.name;
    out += "\":";
    f.append(out, record);
  }
  out += '}';
}

json ToJson(const Record& record) {
  json out = json::object();
  for (const Field& f : Fields()) out[std::string(f.column.name)] = ToJsonValue(f.get(record), f.column.kind);
  return out;
}

base::Result<Record> FromJson(const json& in) {
  if (!in.is_object()) return base::Fail("a CDR is a JSON object");
  std::vector<Value> values;
  values.reserve(Fields().size());
  for (const Field& f : Fields()) {
    auto it = in.find(std::string(f.column.name));
    if (it == in.end()) {
      if (!f.column.nullable) return base::Fail(fmt::format("CDR field {} is missing", f.column.name));
      values.emplace_back();
      continue;
    }
    auto value = FromJsonValue(*it, f.column);
    if (!value) return base::Fail(value.error());
    values.push_back(std::move(*value));
  }
  return RecordFromColumns(values);
}

const std::vector<Column>& Columns() {
  static const std::vector<Column> columns = [] {
    std::vector<Column> out;
    for (const Field& f : Fields()) out.push_back(f.column);
    return out;
  }();
  return columns;
}

std::vector<Value> ColumnValues(const Record& record) {
  std::vector<Value> out;
  out.reserve(Fields().size());
  for (const Field& f : Fields()) out.push_back(f.get(record));
  return out;
}

bool ForEachColumnValue(const Record& record, const std::function<bool(std::size_t, const ValueView&)>& bind) {
  const auto& fields = Fields();
  char time[24];
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!bind(i, fields[i].view(record, time))) return false;
  }
  return true;
}

base::Result<Record> RecordFromColumns(const std::vector<Value>& values) {
  const auto& fields = Fields();
  if (values.size() != fields.size()) {
    return base::Fail(fmt::format("a CDR row has {} columns, expected {}", values.size(), fields.size()));
  }
  Record record;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    if (!f.column.nullable && std::holds_alternative<std::monostate>(values[i])) {
      return base::Fail(fmt::format("CDR column {} is null", f.column.name));
    }
    if (!f.set(record, values[i])) return base::Fail(fmt::format("CDR column {} has a bad value", f.column.name));
  }
  return record;
}

}  // namespace prid::cdr
