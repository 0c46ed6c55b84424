// Delivery of decoded frames to trace subscribers.
#include "daemon/api/trace_router.h"

#include <chrono>

#include "ipc/event_types.h"
#include "q931/trace_json.h"
#include "q931/uui_rewriter.h"

namespace prid::daemon {

bool TraceRouter::Subscribe(ipc::ClientId client, TraceFilter filter) {
  Subscriber s;
  s.filter = filter;
  if (filter.call) {
    s.call_wire = lookup_(*filter.call);
    if (!s.call_wire) return false;
  }
  subscribers_[client] = std::move(s);
  return true;
}

void TraceRouter::Frame(int span, q931::FrameDirection direction,
                        std::span<const std::uint8_t> frame) {
  if (subscribers_.empty()) return;
  q931::TraceRecord record;
  record.time = std::chrono::system_clock::now();
  record.direction = direction;
  record.frame.assign(frame.begin(), frame.end());
  const auto decoded = q931::DecodeRecord(record);
  std::optional<int> cref;
  if (decoded.q931) {
    cref = q931::CrefOnWire(decoded.q931->call_reference, direction == q931::FrameDirection::kSent);
  }
  ipc::SharedLine line;  // built for the first subscriber that wants it
  for (auto& [client, s] : subscribers_) {
    if (s.filter.span && *s.filter.span != span) continue;
    if (s.filter.call) {
      // The call's cref is known from the moment it is on the wire; keep
      // it for the frames after the call left (the last RELEASE COMPLETE).
      if (auto wire = lookup_(*s.filter.call)) s.call_wire = wire;
      if (!s.call_wire || s.call_wire->first != span || !cref || *cref != s.call_wire->second) {
        continue;
      }
    }
    if (!line) {
      auto params = q931::RecordToJson(record, decoded);
      params["span"] = span;
      line = ipc::MakeNotificationLine(std::string(ipc::kTraceMethod), params);
    }
    outbox_.Send(client, line, 0);
  }
}

}  // namespace prid::daemon
