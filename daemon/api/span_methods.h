// The span.* methods of API.md (span.list, span.restart, span.service):
// their handlers, their errors, and each span's JSON. Their parameters are
// declared with their entries in the method table (rpc_handlers.cc).
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/api/method_table.h"
#include "daemon/line/span.h"

namespace prid::daemon {

// What span.list shows of one span, taken from it (or built by a test).
struct SpanSnapshot {
  const SpanConfig& config;
  SpanState state = SpanState::kDown;
  bool dchannel_up = false;
  std::vector<std::string> alarms{};
  std::vector<ChannelInfo> channels{};
  std::size_t restart_failures = 0;
  std::string config_error{};
  std::deque<AlarmChange> alarm_history{};
  std::string start_error{};  // state error's reason
  bool link_up = false;       // its own D-channel's (Span::link_up)
};
SpanSnapshot SnapshotOf(const Span& span);

// One span as span.list shows it.
nlohmann::json SpanToJson(int number, const SpanSnapshot& span);
nlohmann::json SpanToJson(int number, const Span& span);
// span.list {after?, limit?}: the spans numbered above `after`, at most
// `limit` (default kSpanListMaxLimit), ascending.
MethodResult SpanListMethod(const SpanMap& spans, const Args& args);
// span.restart {span, channel?}: `span` a kSpan, `channel` an int.
MethodResult SpanRestartMethod(const Args& args);
// span.service {span, channel, service: "in"|"out"}: `span` a kSpan,
// `channel` an int, `service` a choice.
MethodResult SpanServiceMethod(const Args& args);

}  // namespace prid::daemon
