// The record's JSON form, its columns and its times.
#include "cdr/record.h"
#include "cdr/record_batch.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <span>
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
  for (const Record& r : {Full(), Bare(), odd}) {
    std::string text;
    AppendJson(text, r);
    const auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed, ToJson(r)) << text;
    auto back = FromJson(parsed);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, r);
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
