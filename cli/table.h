// A text table with left-aligned columns, for people.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace prid::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // A row with fewer cells than headers is padded with empty cells.
  void AddRow(std::vector<std::string> cells);

  // Writes the header and rows, columns two spaces apart, no trailing blanks.
  void Write(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

}  // namespace prid::cli
