// What a reload changes: the spans to start, stop and restart, and the
// daemon settings that only a restart of prid can apply.
#pragma once

#include <string>
#include <vector>

#include "daemon/config/config.h"

namespace prid::daemon {

// Spans are identified by their number. A span whose table differs in any
// key is restarted; an identical one is left alone with its calls.
struct SpanDiff {
  std::vector<int> added;      // in `next` only
  std::vector<int> removed;    // in `running` only
  std::vector<int> changed;    // in both, settings differ
  std::vector<int> unchanged;  // in both, identical
};

SpanDiff DiffSpans(const std::vector<SpanConfig>& running, const std::vector<SpanConfig>& next);

// [daemon] keys whose new value waits for the next start (the socket, its
// group, the buffers), named as in the file; log_level applies at once and
// is not listed.
std::vector<std::string> SettingsNeedingRestart(const DaemonConfig& running, const DaemonConfig& next);

}  // namespace prid::daemon
