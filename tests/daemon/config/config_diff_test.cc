// Tests of daemon/config_diff: which spans a reload starts, stops, restarts
// and leaves alone, and which [daemon] keys wait for a restart.
#include "daemon/config/config_diff.h"

#include <gtest/gtest.h>

namespace prid::daemon {
namespace {

SpanConfig Span(int number) {
  SpanConfig s;
  s.span = number;
  s.name = "span" + std::to_string(number);
  s.peer = "builtin";
  s.bchannels = {1, 2, 3};
  return s;
}

TEST(DiffSpans, SortsSpansIntoAddedRemovedChangedUnchanged) {
  std::vector<SpanConfig> running = {Span(1), Span(2), Span(3)};
  std::vector<SpanConfig> next = {Span(1), Span(3), Span(4)};
  next[1].uui_max = 64;  // span 3 changed
  SpanDiff diff = DiffSpans(running, next);
  EXPECT_EQ(diff.added, std::vector<int>{4});
  EXPECT_EQ(diff.removed, std::vector<int>{2});
  EXPECT_EQ(diff.changed, std::vector<int>{3});
  EXPECT_EQ(diff.unchanged, std::vector<int>{1});
}

TEST(DiffSpans, AnyKeyChangedRestartsTheSpan) {
  SpanConfig changed = Span(1);
  changed.node = NodeType::kNetwork;
  EXPECT_EQ(DiffSpans({Span(1)}, {changed}).changed, std::vector<int>{1});
  changed = Span(1);
  changed.name = "renamed";
  EXPECT_EQ(DiffSpans({Span(1)}, {changed}).changed, std::vector<int>{1});
  changed = Span(1);
  changed.release_timeout_s = 3;
  EXPECT_EQ(DiffSpans({Span(1)}, {changed}).changed, std::vector<int>{1});
}

TEST(DiffSpans, OrderInTheFileDoesNotMatter) {
  SpanDiff diff = DiffSpans({Span(1), Span(2)}, {Span(2), Span(1)});
  EXPECT_EQ(diff.unchanged, (std::vector<int>{1, 2}));
  EXPECT_TRUE(diff.changed.empty());
  EXPECT_TRUE(diff.added.empty());
  EXPECT_TRUE(diff.removed.empty());
}

TEST(SettingsNeedingRestart, NamesSocketAndBufferKeysButNotLogLevel) {
  DaemonConfig running;
  DaemonConfig next = running;
  next.log_level = "debug";
  EXPECT_TRUE(SettingsNeedingRestart(running, next).empty());
  next.socket_path = "/run/other.sock";
  next.event_buffer = 131072;
  EXPECT_EQ(SettingsNeedingRestart(running, next), (std::vector<std::string>{"socket", "event_buffer"}));
}

TEST(SettingsNeedingRestart, TheSupervisorGroupWaitsForARestart) {
  DaemonConfig running;
  DaemonConfig next = running;
  next.supervisor_group = "operators";
  EXPECT_EQ(SettingsNeedingRestart(running, next), (std::vector<std::string>{"supervisor_group"}));
}

TEST(SettingsNeedingRestart, TheCdrTableWaitsForARestart) {
  DaemonConfig running;
  DaemonConfig next;
  next.cdr.enabled = true;
  next.cdr.sqlite = "/var/lib/prid/cdr.sqlite";
  EXPECT_EQ(SettingsNeedingRestart(running, next), (std::vector<std::string>{"cdr"}));
}

TEST(SettingsNeedingRestart, TheConnectionLimitWaitsForARestart) {
  DaemonConfig running;
  DaemonConfig next = running;
  next.max_connections_per_uid = running.max_connections_per_uid + 1;
  EXPECT_EQ(SettingsNeedingRestart(running, next), (std::vector<std::string>{"max_connections_per_uid"}));
}

}  // namespace
}  // namespace prid::daemon
