// The record's JSON form, its columns and its times.
#include "cdr/record.h"
#include "cdr/record_batch.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time_format.h"
#include "tests/cdr/sample_records.h"

namespace prid::cdr {
namespace {

using samples::Bare;
using samples::Full;

TEST(CdrTime, FormatsAndParsesMilliseconds) {
  EXPECT_EQ(FormatTime(1764763200123), "2025-12-03T12:00:00.123Z");
  auto t = ParseTime("2025-12-03T12:00:00.123Z");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(*t, 1764763200123);
}

TEST(CdrTime, FormatsAsTheCalendarDoes) {
  // Against the C library's calendar (base::FormatRfc3339), across leap
  // days and centuries; before 1970 and past 2262 (where system_clock's
  // nanoseconds end) against the dates themselves.
  for (EpochMs t : {EpochMs{0}, EpochMs{951782400000}, EpochMs{951868799999}, EpochMs{4107542399999},
                    EpochMs{1709164800123}}) {
    EXPECT_EQ(FormatTime(t), base::FormatRfc3339(base::WallTime(std::chrono::milliseconds(t)))) << t;
  }
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTime(-86400001), "1969-12-30T23:59:59.999Z");
  EXPECT_EQ(FormatTime(253402300799999), "9999-12-31T23:59:59.999Z");
  for (EpochMs t = 1700000000000; t < 1700000000000 + 400LL * 86400000; t += 86399999) {
    ASSERT_EQ(FormatTime(t), base::FormatRfc3339(base::WallTime(std::chrono::milliseconds(t)))) << t;
    auto back = ParseTime(FormatTime(t));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, t);
  }
}

TEST(CdrTime, RefusesOtherForms) {
  for (const char* bad : {"2025-12-03 12:00:00", "2025-12-03T12:00:00.123+01:00", "", "yesterday"}) {
    auto t = ParseTime(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_NE(t.error().find("not a UTC time"), std::string::npos);
  }
}

TEST(CdrJson, FullAndBareRecordsRoundTrip) {
  for (const Record& r : {Full(), Bare()}) {
    const nlohmann::json j = ToJson(r);
    auto back = FromJson(nlohmann::json::parse(j.dump()));
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, r) << j.dump();
  }
}

TEST(CdrJson, TheTextFormIsTheSameObject) {
  Record odd = Full();
  odd.span_name = "a\"b\\c\nd";
  // Past the writer's stack buffer: every byte escaped, six times longer.
  Record big = Full();
  big.tag = std::string(3000, '"') + std::string(1000, '\n');
  for (const Record& r : {Full(), Bare(), odd, big}) {
    std::string text;
    AppendJson(text, r);
    const auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed, ToJson(r)) << text;
    auto back = FromJson(parsed);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, r);
  }
}

// The spool's and the JSON-lines file's bytes, fixed: the keys in column
// order, nulls, and every byte outside printable ASCII as \u00XX. These
// are what the table-driven writer produced before the direct one.
constexpr std::string_view kFullText =
    R"json({"instance":"5f0c","call_id":42,"host":"gw1","span_name":"trunk-a","span":1,"channel":3,"direction":"out","called":"5551234","called_ton":"national","called_npi":"e164","calling":"2000","calling_ton":"subscriber","calling_npi":"private","bearer":"speech","created":"2025-12-03T12:00:00.000Z","setup":"2025-12-03T12:00:00.001Z","alerted":"2025-12-03T12:00:00.250Z","connected":"2025-12-03T12:00:01.000Z","disconnected":"2025-12-03T12:00:13.345Z","idle":"2025-12-03T12:00:13.400Z","post_dial_delay_ms":249,"billable_ms":12345,"cause":16,"cause_name":"normal_clearing","mode":"normal","origin":"local","dropped_by_uid":1000,"uui_sent_protocol":4,"uui_sent_hex":"627965","uui_received_protocol":0,"uui_received_hex":"00ff","retried":true,"first_channel":2,"conference":40,"tag":"order-17"})json";
constexpr std::string_view kBareText =
    R"json({"instance":"5f0c","call_id":7,"host":"gw1","span_name":"span1","span":1,"channel":0,"direction":"in","called":"","called_ton":null,"called_npi":null,"calling":"","calling_ton":null,"calling_npi":null,"bearer":"speech","created":"2025-12-03T12:00:00.000Z","setup":null,"alerted":null,"connected":null,"disconnected":null,"idle":"2025-12-03T12:00:00.100Z","post_dial_delay_ms":null,"billable_ms":0,"cause":null,"cause_name":"","mode":"","origin":"remote","dropped_by_uid":null,"uui_sent_protocol":null,"uui_sent_hex":null,"uui_received_protocol":null,"uui_received_hex":null,"retried":false,"first_channel":0,"conference":null,"tag":null})json";
constexpr std::string_view kOddText =
    R"json({"instance":"5f0c","call_id":7,"host":"gw1","span_name":"q\"b\\s/\u0001\u001f\u007f\u0080\u00ff\u000a\u0009","span":1,"channel":0,"direction":"in","called":"","called_ton":null,"called_npi":null,"calling":"","calling_ton":"\u0000","calling_npi":null,"bearer":"speech","created":"2025-12-03T12:00:00.000Z","setup":null,"alerted":null,"connected":null,"disconnected":null,"idle":"1969-12-31T23:59:59.999Z","post_dial_delay_ms":null,"billable_ms":0,"cause":-1,"cause_name":"","mode":"","origin":"remote","dropped_by_uid":null,"uui_sent_protocol":null,"uui_sent_hex":null,"uui_received_protocol":null,"uui_received_hex":null,"retried":false,"first_channel":0,"conference":0,"tag":""})json";
TEST(CdrJson, TheTextIsByteForByteTheDocumentedForm) {
  Record odd = Bare();
  odd.span_name = std::string("q\"b\\s/\x01\x1f\x7f\x80\xff\n\t", 13);
  odd.called = "";
  odd.tag = "";
  odd.calling_ton = std::string(1, '\0');
  odd.cause = -1;
  odd.conference = 0;
  odd.idle = -1;
  const std::pair<Record, std::string_view> cases[] = {
      {Full(), kFullText},
      {Bare(), kBareText},
      {odd, kOddText},
  };
  for (const auto& [record, golden] : cases) {
    std::string text = "prefix";
    AppendJson(text, record);
    EXPECT_EQ(text, "prefix" + std::string(golden));
  }
}

TEST(CdrJson, ShowsTimesAndUuiReadably) {
  const nlohmann::json j = ToJson(Full());
  EXPECT_EQ(j["connected"], "2025-12-03T12:00:01.000Z");
  EXPECT_EQ(j["uui_sent_protocol"], 4);
  EXPECT_EQ(j["uui_sent_hex"], "627965");
  EXPECT_EQ(j["retried"], true);
  EXPECT_TRUE(ToJson(Bare())["alerted"].is_null());
}

TEST(CdrJson, NamesTheFieldItCannotRead) {
  nlohmann::json j = ToJson(Full());
  j["span"] = "one";
  auto r = FromJson(j);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("span"), std::string::npos) << r.error();
  j = ToJson(Full());
  j.erase("instance");
  r = FromJson(j);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("instance is missing"), std::string::npos) << r.error();
  j = ToJson(Full());
  j["uui_sent_hex"] = nullptr;
  EXPECT_FALSE(FromJson(j)) << "UUI protocol without its octets";
}

TEST(CdrColumns, ValuesFollowTheColumnsAndReadBack) {
  const auto values = ColumnValues(Full());
  ASSERT_EQ(values.size(), Columns().size());
  EXPECT_EQ(Columns().front().name, "instance");
  EXPECT_EQ(std::get<std::string>(values.front()), "5f0c");
  auto back = RecordFromColumns(values);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, Full());
  auto short_row = values;
  short_row.pop_back();
  EXPECT_FALSE(RecordFromColumns(short_row));
}

// The stores bind the views; a view that differed from its value would
// put another record in the database than the spool holds.
// SQLite binds every view of a row without a copy and steps afterwards:
// each time column needs its own buffer, still right once all are made.
TEST(CdrColumns, AllViewsAtOnceAreTheValues) {
  ASSERT_EQ(Columns().size(), kColumnCount);
  for (const Record& record : {Full(), Bare()}) {
    const auto values = ColumnValues(record);
    ColumnViews views;
    ViewColumns(record, views);
    for (std::size_t i = 0; i < kColumnCount; ++i) {
      const ValueView& view = views.values[i];
      if (const auto* text = std::get_if<std::string_view>(&view)) {
        EXPECT_EQ(std::get<std::string>(values[i]), *text) << Columns()[i].name;
      } else if (const auto* number = std::get_if<std::int64_t>(&view)) {
        EXPECT_EQ(std::get<std::int64_t>(values[i]), *number) << Columns()[i].name;
      } else {
        EXPECT_TRUE(std::holds_alternative<std::monostate>(values[i])) << Columns()[i].name;
      }
    }
  }
}

// The direct writer names its keys itself: they must be the columns, in
// order, for any record (here with every optional set and every one empty).
TEST(CdrJson, TheTextsKeysAreTheColumnsInOrder) {
  for (const Record& record : {Full(), Bare()}) {
    std::string text;
    AppendJson(text, record);
    const auto ordered = nlohmann::ordered_json::parse(text);
    ASSERT_EQ(ordered.size(), Columns().size());
    std::size_t i = 0;
    for (const auto& item : ordered.items()) EXPECT_EQ(item.key(), Columns()[i++].name);
  }
}

TEST(CdrColumns, ViewsAreTheValues) {
  for (const Record& record : {Full(), Bare()}) {
    const auto values = ColumnValues(record);
    std::size_t seen = 0;
    EXPECT_TRUE(ForEachColumnValue(record, [&](std::size_t i, const ValueView& view) {
      EXPECT_EQ(i, seen++);
      const Value& value = values.at(i);
      if (const auto* text = std::get_if<std::string_view>(&view)) {
        EXPECT_EQ(std::get<std::string>(value), *text) << Columns()[i].name;
      } else if (const auto* number = std::get_if<std::int64_t>(&view)) {
        EXPECT_EQ(std::get<std::int64_t>(value), *number) << Columns()[i].name;
      } else {
        EXPECT_TRUE(std::holds_alternative<std::monostate>(value)) << Columns()[i].name;
      }
      return true;
    }));
    EXPECT_EQ(seen, values.size());
  }
  std::size_t calls = 0;
  EXPECT_FALSE(ForEachColumnValue(Full(), [&](std::size_t, const ValueView&) { return ++calls < 3; }));
  EXPECT_EQ(calls, 3u) << "a false from bind stops the walk";
}

TEST(CdrColumns, RefusesNullInARequiredColumn) {
  auto values = ColumnValues(Full());
  values[0] = Value();
  auto r = RecordFromColumns(values);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("instance is null"), std::string::npos);
}

// A batch reads the same whether its records are the spool's shared ones
// (the writer's, not copied) or a vector's.
TEST(RecordBatch, SharedAndPlainRecordsReadTheSame) {
  const std::vector<Record> plain = {samples::Numbered(1), samples::Numbered(2)};
  std::vector<std::shared_ptr<const Record>> shared;
  for (const Record& r : plain) shared.push_back(std::make_shared<const Record>(r));
  const RecordBatch from_plain(plain);
  const RecordBatch from_shared{std::span<const std::shared_ptr<const Record>>(shared)};
  ASSERT_EQ(from_plain.size(), 2u);
  ASSERT_EQ(from_shared.size(), 2u);
  EXPECT_EQ(&from_shared.front(), shared[0].get()) << "the spool's record itself, not a copy";
  std::vector<std::uint64_t> ids;
  for (const Record& r : from_shared) ids.push_back(r.call_id);
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(from_plain.back(), *shared[1]);
  EXPECT_TRUE(RecordBatch().empty());
}

}  // namespace
}  // namespace prid::cdr
