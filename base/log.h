// Logging with one global threshold. To stderr with sd-daemon priority
// prefixes ("<3>" … "<7>") so that journald keeps the level; when stderr
// is journald's stream ($JOURNAL_STREAM), each line goes through
// sd_journal_send instead, with structured fields (SPAN=, CALL=, CAUSE=)
// that `journalctl SPAN=1` selects on.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prid::base {

enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

// What a line is about, for journald's structured fields.
struct LogFields {
  std::optional<int> span;
  std::optional<std::uint64_t> call;
  std::optional<int> cause;
  // Any further fields, in order, as NAME=value. NAME is journald's form
  // (A-Z, 0-9 and '_', not starting with '_'); the caller's constants.
  std::vector<std::pair<std::string, std::string>> extra;

  LogFields& Add(std::string name, std::string value) {
    extra.emplace_back(std::move(name), std::move(value));
    return *this;
  }

  static LogFields Span(int span) {
    LogFields f;
    f.span = span;
    return f;
  }
  static LogFields Call(int span, std::uint64_t call, std::optional<int> cause = std::nullopt) {
    LogFields f;
    f.span = span;
    f.call = call;
    f.cause = cause;
    return f;
  }
};

// Where lines go. The default writes to stderr or journald (see above).
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(LogLevel level, std::string_view line, const LogFields& fields) = 0;
};

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "error", "warning", "notice", "info", "debug".
bool ParseLogLevel(std::string_view name, LogLevel* level);
// Replaces the sink (nullptr: back to the default). Tests only.
void SetLogSink(LogSink* sink);
void LogLine(LogLevel level, std::string_view line, const LogFields& fields = {});

// The stderr form of a line: "<5>text\n".
std::string StderrLine(LogLevel level, std::string_view line);
// The journald fields of a line: MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER=,
// each of span/call/cause that is set, then the extra fields in order.
std::vector<std::string> JournalFields(LogLevel level, std::string_view line, const LogFields& fields);
// True when `journal_stream` ($JOURNAL_STREAM, "DEV:INODE") names the file
// open on `fd`: that fd is connected to journald.
bool IsJournalStream(const char* journal_stream, int fd);

template <typename... Args>
void Log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (static_cast<int>(level) > static_cast<int>(GetLogLevel())) return;
  LogLine(level, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void LogWith(LogLevel level, const LogFields& fields, fmt::format_string<Args...> format, Args&&... args) {
  if (static_cast<int>(level) > static_cast<int>(GetLogLevel())) return;
  LogLine(level, fmt::format(format, std::forward<Args>(args)...), fields);
}

#define PRID_LOG_ERROR(...) ::prid::base::Log(::prid::base::LogLevel::kError, __VA_ARGS__)
#define PRID_LOG_WARN(...) ::prid::base::Log(::prid::base::LogLevel::kWarning, __VA_ARGS__)
#define PRID_LOG_NOTICE(...) ::prid::base::Log(::prid::base::LogLevel::kNotice, __VA_ARGS__)
#define PRID_LOG_INFO(...) ::prid::base::Log(::prid::base::LogLevel::kInfo, __VA_ARGS__)
#define PRID_LOG_DEBUG(...) ::prid::base::Log(::prid::base::LogLevel::kDebug, __VA_ARGS__)
// With structured fields: PRID_LOGF(kNotice, LogFields::Span(1), "span {}: up", 1).
#define PRID_LOGF(level, fields, ...) ::prid::base::LogWith(::prid::base::LogLevel::level, fields, __VA_ARGS__)

}  // namespace prid::base
