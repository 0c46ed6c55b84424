// The span.* methods of API.md (span.list, span.restart, span.service):
// their params, their errors, and each span's JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>

#include "base/expected.h"
#include "daemon/line/span.h"
#include "ipc/errors.h"
#include "ipc/params.h"

namespace prid::daemon {

using SpanMap = std::map<int, std::unique_ptr<Span>>;
using MethodResult = base::Expected<nlohmann::json, ipc::RpcError>;

// One span as span.list shows it.
nlohmann::json SpanToJson(int number, const Span& span);
// span.list {}
MethodResult SpanListMethod(const SpanMap& spans, const ipc::Params& params);
// span.restart {span, channel?}
MethodResult SpanRestartMethod(SpanMap& spans, const ipc::Params& params);
// span.service {span, channel, service: "in"|"out"}
MethodResult SpanServiceMethod(SpanMap& spans, const ipc::Params& params);

}  // namespace prid::daemon
