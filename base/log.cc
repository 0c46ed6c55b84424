// Logging to stderr with sd-daemon priority prefixes.
#include "base/log.h"

#include <cstdio>
#include <string>

namespace prid::base {
namespace {
LogLevel g_level = LogLevel::kNotice;
}

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel GetLogLevel() { return g_level; }

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  struct Entry {
    std::string_view name;
    LogLevel level;
  };
  static constexpr Entry kNames[] = {{"error", LogLevel::kError},   {"warning", LogLevel::kWarning},
                                     {"notice", LogLevel::kNotice}, {"info", LogLevel::kInfo},
                                     {"debug", LogLevel::kDebug}};
  for (const Entry& e : kNames) {
    if (e.name == name) {
      *level = e.level;
      return true;
    }
  }
  return false;
}

void LogLine(LogLevel level, std::string_view line) {
  // One write per line so that lines from a crash-restart never interleave.
  std::string out = fmt::format("<{}>{}\n", static_cast<int>(level), line);
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace prid::base
