// Unit tests of cli/table: left-aligned columns two spaces apart, measured
// in code points, padded short rows and no trailing blanks.
#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace prid::cli {
namespace {

std::string Written(const Table& table) {
  std::ostringstream out;
  table.Write(out);
  return out.str();
}

TEST(Table, HeaderAloneIsOneLine) {
  EXPECT_EQ(Written(Table({"SPAN", "STATE"})), "SPAN  STATE\n");
}

TEST(Table, ColumnsTakeTheWidthOfTheirWidestCell) {
  Table table({"SPAN", "STATE", "CALLS"});
  table.AddRow({"1", "up", "0"});
  table.AddRow({"12", "restarting", "3"});
  EXPECT_EQ(Written(table),
            "SPAN  STATE       CALLS\n"
            "1     up          0\n"
            "12    restarting  3\n");
}

TEST(Table, ShortRowIsPaddedWithEmptyCellsAndNoTrailingBlanks) {
  Table table({"CALL", "STATE", "UUI"});
  table.AddRow({"7"});
  table.AddRow({"8", "connected", "hello"});
  EXPECT_EQ(Written(table),
            "CALL  STATE      UUI\n"
            "7\n"
            "8     connected  hello\n");
}

TEST(Table, EmptyLastCellLeavesNoTrailingBlanks) {
  Table table({"A", "B"});
  table.AddRow({"long value", ""});
  EXPECT_EQ(Written(table),
            "A           B\n"
            "long value\n");
}

TEST(Table, RowWiderThanTheHeaderKeepsItsExtraCells) {
  Table table({"A"});
  table.AddRow({"x", "extra"});
  EXPECT_EQ(Written(table),
            "A\n"
            "x  extra\n");
}

TEST(Table, Utf8TextIsMeasuredInCodePoints) {
  // "Grüße" is 5 code points in 7 octets: the next column lines up with
  // "ASCII" (5 characters), not 2 columns further right.
  Table table({"UUI", "N"});
  table.AddRow({"Grüße", "1"});
  table.AddRow({"ASCII", "2"});
  EXPECT_EQ(Written(table),
            "UUI    N\n"
            "Grüße  1\n"
            "ASCII  2\n");
}

}  // namespace
}  // namespace prid::cli
