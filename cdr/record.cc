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
  // The value as a view (ForEachColumnValue's path); a time is formatted
  // into `time` (24 characters).
  ValueView (*view)(const Record&, char* time);
};

// The 24 characters of FormatTime(t) into `text`.
void FormatTimeInto(char* text, EpochMs t);

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
        [](const Record& r, char* time) { return V##getter(r.name, time); }                   \
  }
#define PRID_CDR_UUI(name)                                                                             \
  Field{Column{#name "_protocol", ColumnKind::kInteger, true},                                       \
        [](const Record& r) { return UuiProtocol(r.name); },                                         \
        [](Record& r, const Value& v) { return SetUuiProtocol(r.name, v); },                         \
        [](const Record& r, char*) {                                                                 \
          return r.name ? ValueView(std::int64_t{r.name->protocol}) : ValueView();                   \
        }},                                                                                          \
      Field {                                                                                        \
    Column{#name "_hex", ColumnKind::kText, true}, [](const Record& r) { return UuiHex(r.name); },    \
        [](Record& r, const Value& v) { return SetUuiHex(r.name, v); },                              \
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
  // Two digits at a time from a table: a record has six times to format.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  auto pair = [out](int at, std::int64_t value) { std::memcpy(out + at, kPairs + 2 * value, 2); };
  if (year >= 0 && year <= 9999) {
    pair(0, year / 100);
    pair(2, year % 100);
  } else {
    // Outside RFC 3339's years: the last four digits' arithmetic, as before.
    std::int64_t value = year;
    for (int i = 3; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
  }
  pair(5, month);
  pair(8, day);
  pair(11, sod / 3600);
  pair(14, sod / 60 % 60);
  pair(17, sod % 60);
  out[20] = static_cast<char>('0' + ms / 100);
  pair(21, ms % 100);
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

namespace {

// AppendJson's writer: straight into space reserved for the worst case, no
// per-piece capacity checks. Keys are literals, so each memcpy is inlined.
class JsonCursor {
 public:
  explicit JsonCursor(char* p) : p_(p) {}
  char* end() const { return p_; }
  template <std::size_t N>
  void Lit(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
  }
  void Text(const std::string& s) {
    *p_++ = '"';
    // Most values need no escape: copied whole.
    bool plain = true;
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      plain &= c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
    }
    if (plain) {
      std::memcpy(p_, s.data(), s.size());
      p_ += s.size();
    } else {
      for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
          *p_++ = '\\';
          *p_++ = ch;
        } else if (c < 0x20 || c > 0x7e) {
          constexpr char kHex[] = "0123456789abcdef";
          Lit("\\u00");
          *p_++ = kHex[c >> 4];
          *p_++ = kHex[c & 0xf];
        } else {
          *p_++ = ch;
        }
      }
    }
    *p_++ = '"';
  }
  void Text(const std::optional<std::string>& s) { s ? Text(*s) : Lit("null"); }
  template <typename T>
  void Int(const T& v) {
    p_ = std::to_chars(p_, p_ + 20, static_cast<std::int64_t>(v)).ptr;
  }
  template <typename T>
  void Int(const std::optional<T>& v) {
    v ? Int(*v) : Lit("null");
  }
  void Time(EpochMs t) {
    *p_++ = '"';
    FormatTimeInto(p_, t);
    p_ += 24;
    *p_++ = '"';
  }
  void Time(const std::optional<EpochMs>& t) { t ? Time(*t) : Lit("null"); }

 private:
  char* p_;
};

// The most text a value can take: 26 (a quoted time; an integer 20), and
// 6 per byte of a text (\u00XX) and its quotes. Keys: at most 21 + 4.
constexpr std::size_t kJsonFixedBound = kColumnCount * (25 + 26) + 2;
std::size_t JsonTextBound(const std::string& s) { return 6 * s.size(); }
std::size_t JsonTextBound(const std::optional<std::string>& s) { return s ? 6 * s->size() : 0; }

}  // namespace

void AppendJson(std::string& out, const Record& r) {
  // Keys in Columns() order (record_test checks it against the table).
  const std::size_t bound =
      kJsonFixedBound + JsonTextBound(r.instance) + JsonTextBound(r.host) + JsonTextBound(r.span_name) +
      JsonTextBound(r.direction) + JsonTextBound(r.called) + JsonTextBound(r.called_ton) +
      JsonTextBound(r.called_npi) + JsonTextBound(r.calling) + JsonTextBound(r.calling_ton) +
      JsonTextBound(r.calling_npi) + JsonTextBound(r.bearer) + JsonTextBound(r.cause_name) +
      JsonTextBound(r.mode) + JsonTextBound(r.origin) + (r.uui_sent ? JsonTextBound(r.uui_sent->hex) : 0) +
      (r.uui_received ? JsonTextBound(r.uui_received->hex) : 0) + JsonTextBound(r.tag);
  // On the stack unless a text is huge: no zero-filling, no reallocation.
  char stack[4096];
  std::string heap;
  if (bound > sizeof stack) heap.resize(bound);
  char* const begin = bound > sizeof stack ? heap.data() : stack;
  JsonCursor c(begin);
  c.Lit("{\"instance\":");
  c.Text(r.instance);
  c.Lit(",\"call_id\":");
  c.Int(r.call_id);
  c.Lit(",\"host\":");
  c.Text(r.host);
  c.Lit(",\"span_name\":");
  c.Text(r.span_name);
  c.Lit(",\"span\":");
  c.Int(r.span);
  c.Lit(",\"channel\":");
  c.Int(r.channel);
  c.Lit(",\"direction\":");
  c.Text(r.direction);
  c.Lit(",\"called\":");
  c.Text(r.called);
  c.Lit(",\"called_ton\":");
  c.Text(r.called_ton);
  c.Lit(",\"called_npi\":");
  c.Text(r.called_npi);
  c.Lit(",\"calling\":");
  c.Text(r.calling);
  c.Lit(",\"calling_ton\":");
  c.Text(r.calling_ton);
  c.Lit(",\"calling_npi\":");
  c.Text(r.calling_npi);
  c.Lit(",\"bearer\":");
  c.Text(r.bearer);
  c.Lit(",\"created\":");
  c.Time(r.created);
  c.Lit(",\"setup\":");
  c.Time(r.setup);
  c.Lit(",\"alerted\":");
  c.Time(r.alerted);
  c.Lit(",\"connected\":");
  c.Time(r.connected);
  c.Lit(",\"disconnected\":");
  c.Time(r.disconnected);
  c.Lit(",\"idle\":");
  c.Time(r.idle);
  c.Lit(",\"post_dial_delay_ms\":");
  c.Int(r.post_dial_delay_ms);
  c.Lit(",\"billable_ms\":");
  c.Int(r.billable_ms);
  c.Lit(",\"cause\":");
  c.Int(r.cause);
  c.Lit(",\"cause_name\":");
  c.Text(r.cause_name);
  c.Lit(",\"mode\":");
  c.Text(r.mode);
  c.Lit(",\"origin\":");
  c.Text(r.origin);
  c.Lit(",\"dropped_by_uid\":");
  c.Int(r.dropped_by_uid);
  c.Lit(",\"uui_sent_protocol\":");
  if (r.uui_sent) {
    c.Int(r.uui_sent->protocol);
    c.Lit(",\"uui_sent_hex\":");
    c.Text(r.uui_sent->hex);
  } else {
    c.Lit("null,\"uui_sent_hex\":null");
  }
  c.Lit(",\"uui_received_protocol\":");
  if (r.uui_received) {
    c.Int(r.uui_received->protocol);
    c.Lit(",\"uui_received_hex\":");
    c.Text(r.uui_received->hex);
  } else {
    c.Lit("null,\"uui_received_hex\":null");
  }
  c.Lit(",\"retried\":");
  r.retried ? c.Lit("true") : c.Lit("false");
  c.Lit(",\"first_channel\":");
  c.Int(r.first_channel);
  c.Lit(",\"conference\":");
  c.Int(r.conference);
  c.Lit(",\"tag\":");
  c.Text(r.tag);
  c.Lit("}");
  out.append(begin, static_cast<std::size_t>(c.end() - begin));
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

void ViewColumns(const Record& record, ColumnViews& out) {
  const auto& fields = Fields();
  std::size_t time = 0;
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    const bool is_time = fields[i].column.kind == ColumnKind::kTime;
    out.values[i] = fields[i].view(record, is_time ? out.times[time] : nullptr);
    if (is_time) ++time;
  }
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
