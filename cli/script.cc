// Splits one line of a `prictl run` script into words.
#include "cli/script.h"

#include <fmt/format.h>

#include <cctype>

namespace prid::cli {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Splitter {
 public:
  Splitter(std::string_view line, std::optional<std::int64_t> current_call,
           const std::vector<std::int64_t>& calls)
      : line_(line), current_call_(current_call), calls_(calls) {}

  base::Result<std::vector<std::string>> Split() {
    while (pos_ < line_.size()) {
      char c = line_[pos_];
      if (IsBlank(c)) {
        EndWord();
        ++pos_;
      } else if (c == '#' && !in_word_) {
        break;
      } else if (c == '\'') {
        if (auto status = SingleQuoted(); !status) return base::Fail(status.message());
      } else if (c == '"') {
        if (auto status = DoubleQuoted(); !status) return base::Fail(status.message());
      } else if (c == '\\') {
        if (pos_ + 1 >= line_.size()) return base::Fail("backslash at the end of the line");
        Append(line_[pos_ + 1]);
        pos_ += 2;
      } else if (c == '$') {
        if (auto status = Variable(); !status) return base::Fail(status.message());
      } else {
        Append(c);
        ++pos_;
      }
    }
    EndWord();
    return std::move(words_);
  }

 private:
  void Append(char c) {
    word_ += c;
    in_word_ = true;
  }

  void EndWord() {
    if (in_word_) words_.push_back(std::move(word_));
    word_.clear();
    in_word_ = false;
  }

  base::Status SingleQuoted() {
    std::size_t end = line_.find('\'', pos_ + 1);
    if (end == std::string_view::npos) return base::Status::Error("unterminated ' quote");
    word_.append(line_.substr(pos_ + 1, end - pos_ - 1));
    in_word_ = true;
    pos_ = end + 1;
    return base::Status::Ok();
  }

  base::Status DoubleQuoted() {
    in_word_ = true;
    ++pos_;
    while (pos_ < line_.size()) {
      char c = line_[pos_];
      if (c == '"') {
        ++pos_;
        return base::Status::Ok();
      }
      if (c == '\\' && pos_ + 1 < line_.size() &&
          (line_[pos_ + 1] == '"' || line_[pos_ + 1] == '\\' || line_[pos_ + 1] == '$')) {
        Append(line_[pos_ + 1]);
        pos_ += 2;
      } else if (c == '$') {
        if (auto status = Variable(); !status) return status;
      } else {
        Append(c);
        ++pos_;
      }
    }
    return base::Status::Error("unterminated \" quote");
  }

  // At a '$': expands $NAME or ${NAME}; a '$' before anything else is kept.
  base::Status Variable() {
    std::size_t start = pos_ + 1;
    bool braced = start < line_.size() && line_[start] == '{';
    std::size_t name_start = braced ? start + 1 : start;
    std::size_t name_end = name_start;
    while (name_end < line_.size() && IsNameChar(line_[name_end])) ++name_end;
    std::string_view name = line_.substr(name_start, name_end - name_start);
    if (braced && (name_end >= line_.size() || line_[name_end] != '}')) {
      return base::Status::Error("unterminated ${ in a variable");
    }
    if (name.empty()) {
      Append('$');
      ++pos_;
      return base::Status::Ok();
    }
    std::optional<std::int64_t> value;
    if (name == "CALL" || name == "call") {
      if (!current_call_) return base::Status::Error("$CALL is not set: no call was made or offered yet");
      value = current_call_;
    } else if (auto index = CallIndex(name)) {
      if (*index == 0 || *index > calls_.size()) {
        return base::Status::Error(fmt::format("${} is not set: the script has met {} call(s)", name, calls_.size()));
      }
      value = calls_[*index - 1];
    } else {
      return base::Status::Error(fmt::format("unknown variable ${}: only $CALL and $CALL1, $CALL2 … are set", name));
    }
    word_ += std::to_string(*value);
    in_word_ = true;
    pos_ = braced ? name_end + 1 : name_end;
    return base::Status::Ok();
  }

  // N of "CALLN" / "callN".
  static std::optional<std::size_t> CallIndex(std::string_view name) {
    if (name.size() < 5 || (name.substr(0, 4) != "CALL" && name.substr(0, 4) != "call")) return std::nullopt;
    std::size_t n = 0;
    for (char c : name.substr(4)) {
      if (c < '0' || c > '9' || n > 100000) return std::nullopt;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
  }

  std::string_view line_;
  std::optional<std::int64_t> current_call_;
  const std::vector<std::int64_t>& calls_;
  std::size_t pos_ = 0;
  std::string word_;
  bool in_word_ = false;
  std::vector<std::string> words_;
};

}  // namespace

base::Result<std::vector<std::string>> SplitScriptLine(std::string_view line,
                                                       std::optional<std::int64_t> current_call,
                                                       const std::vector<std::int64_t>& calls) {
  return Splitter(line, current_call, calls).Split();
}

}  // namespace prid::cli
