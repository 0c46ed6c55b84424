// What a reload changes.
#include "daemon/config/config_diff.h"

#include <map>

namespace prid::daemon {

SpanDiff DiffSpans(const std::vector<SpanConfig>& running, const std::vector<SpanConfig>& next) {
  std::map<int, const SpanConfig*> old_spans;
  std::map<int, const SpanConfig*> new_spans;
  for (const SpanConfig& s : running) old_spans[s.span] = &s;
  for (const SpanConfig& s : next) new_spans[s.span] = &s;
  SpanDiff diff;
  for (const auto& [number, config] : new_spans) {
    auto it = old_spans.find(number);
    if (it == old_spans.end()) {
      diff.added.push_back(number);
    } else if (*it->second == *config) {
      diff.unchanged.push_back(number);
    } else {
      diff.changed.push_back(number);
    }
  }
  for (const auto& [number, config] : old_spans) {
    if (!new_spans.contains(number)) diff.removed.push_back(number);
  }
  return diff;
}

std::vector<std::string> SettingsNeedingRestart(const DaemonConfig& running, const DaemonConfig& next) {
  std::vector<std::string> keys;
  if (running.socket_path != next.socket_path) keys.push_back("socket");
  if (running.socket_group != next.socket_group) keys.push_back("socket_group");
  if (running.supervisor_group != next.supervisor_group) keys.push_back("supervisor_group");
  if (running.event_buffer != next.event_buffer) keys.push_back("event_buffer");
  if (running.client_queue_bytes != next.client_queue_bytes) keys.push_back("client_queue_bytes");
  if (running.cdr != next.cdr) keys.push_back("cdr");
  if (running.max_connections_per_uid != next.max_connections_per_uid) {
    keys.push_back("max_connections_per_uid");
  }
  return keys;
}

}  // namespace prid::daemon
