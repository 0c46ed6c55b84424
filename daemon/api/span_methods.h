// The span.* methods of API.md (span.list, span.restart, span.service):
// their handlers, their errors, and each span's JSON. Their parameters are
// declared with their entries in the method table (rpc_handlers.cc).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>

#include "daemon/api/method_table.h"
#include "daemon/line/span.h"

namespace prid::daemon {

// One span as span.list shows it.
nlohmann::json SpanToJson(int number, const Span& span);
// span.list {}
MethodResult SpanListMethod(const SpanMap& spans);
// span.restart {span, channel?}: `span` a kSpan, `channel` an int.
MethodResult SpanRestartMethod(const Args& args);
// span.service {span, channel, service: "in"|"out"}: `span` a kSpan,
// `channel` an int, `service` a choice.
MethodResult SpanServiceMethod(const Args& args);

}  // namespace prid::daemon
