// Logging to stderr with sd-daemon priority prefixes ("<3>" … "<7>") so that
// journald keeps the level; one global threshold.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace prid::base {

enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "error", "warning", "notice", "info", "debug".
bool ParseLogLevel(std::string_view name, LogLevel* level);
void LogLine(LogLevel level, std::string_view line);

template <typename... Args>
void Log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (static_cast<int>(level) > static_cast<int>(GetLogLevel())) return;
  LogLine(level, fmt::format(format, std::forward<Args>(args)...));
}

#define PRID_LOG_ERROR(...) ::prid::base::Log(::prid::base::LogLevel::kError, __VA_ARGS__)
#define PRID_LOG_WARN(...) ::prid::base::Log(::prid::base::LogLevel::kWarning, __VA_ARGS__)
#define PRID_LOG_NOTICE(...) ::prid::base::Log(::prid::base::LogLevel::kNotice, __VA_ARGS__)
#define PRID_LOG_INFO(...) ::prid::base::Log(::prid::base::LogLevel::kInfo, __VA_ARGS__)
#define PRID_LOG_DEBUG(...) ::prid::base::Log(::prid::base::LogLevel::kDebug, __VA_ARGS__)

}  // namespace prid::base
