// Logging to stderr with sd-daemon priority prefixes, or to journald with
// structured fields.
#include "base/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace prid::base {
namespace {

LogLevel g_level = LogLevel::kNotice;
LogSink* g_sink = nullptr;

class DefaultSink : public LogSink {
 public:
  // Decided once: journald's stream stays journald's for the process.
  DefaultSink() : journal_(IsJournalStream(std::getenv("JOURNAL_STREAM"), 2)) {}

  void Write(LogLevel level, std::string_view line, const LogFields& fields) override {
    if (journal_ && SendToJournal(level, line, fields)) return;
    // One write per line so that lines from a crash-restart never interleave.
    std::string out = StderrLine(level, line);
    std::fwrite(out.data(), 1, out.size(), stderr);
  }

 private:
  static bool SendToJournal(LogLevel level, std::string_view line, const LogFields& fields) {
    std::vector<std::string> parts = JournalFields(level, line, fields);
    std::vector<iovec> iov;
    iov.reserve(parts.size());
    for (std::string& p : parts) iov.push_back({p.data(), p.size()});
    return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0;
  }

  bool journal_;
};

LogSink& Sink() {
  static DefaultSink default_sink;
  return g_sink != nullptr ? *g_sink : default_sink;
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel GetLogLevel() { return g_level; }
void SetLogSink(LogSink* sink) { g_sink = sink; }

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

std::string StderrLine(LogLevel level, std::string_view line) {
  return fmt::format("<{}>{}\n", static_cast<int>(level), line);
}

std::vector<std::string> JournalFields(LogLevel level, std::string_view line, const LogFields& fields) {
  std::vector<std::string> out;
  out.push_back(fmt::format("MESSAGE={}", line));
  out.push_back(fmt::format("PRIORITY={}", static_cast<int>(level)));
  out.push_back("SYSLOG_IDENTIFIER=prid");
  if (fields.span) out.push_back(fmt::format("SPAN={}", *fields.span));
  if (fields.call) out.push_back(fmt::format("CALL={}", *fields.call));
  if (fields.cause) out.push_back(fmt::format("CAUSE={}", *fields.cause));
  for (const auto& [name, value] : fields.extra) out.push_back(fmt::format("{}={}", name, value));
  return out;
}

bool IsJournalStream(const char* journal_stream, int fd) {
  if (journal_stream == nullptr || *journal_stream == '\0') return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(journal_stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat st;
  if (::fstat(fd, &st) < 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == device &&
         static_cast<unsigned long long>(st.st_ino) == inode;
}

void LogLine(LogLevel level, std::string_view line, const LogFields& fields) {
  Sink().Write(level, line, fields);
}

}  // namespace prid::base
