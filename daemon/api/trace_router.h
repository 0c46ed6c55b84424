// Live D-channel traces (API.md trace.subscribe): every frame a span sends
// or receives, decoded by the project's codec, as one `trace` notification
// to each subscribed client whose filter matches — a span, or one call
// (only the Q.931 messages of that call, found by its libpri call
// reference, which the router remembers after the call left the wire so the
// last RELEASE COMPLETE is still delivered). Sent through the Outbox given
// at construction.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>

#include "daemon/api/outbox.h"
#include "daemon/session/call.h"
#include "q931/pcap_writer.h"

namespace prid::daemon {

struct TraceFilter {
  std::optional<int> span;
  std::optional<CallId> call;
};

class TraceRouter {
 public:
  // The span and libpri cref of a call while it is on the wire.
  using CrefLookup = std::function<std::optional<std::pair<int, int>>(CallId)>;
  // `outbox` (borrowed) must outlive the router.
  TraceRouter(Outbox& outbox, CrefLookup lookup) : outbox_(outbox), lookup_(std::move(lookup)) {}

  // Replaces the client's subscription. False (and no subscription) when
  // the filter names a call that is not on the wire.
  bool Subscribe(ipc::ClientId client, TraceFilter filter);
  void Unsubscribe(ipc::ClientId client) { subscribers_.erase(client); }
  void ClientGone(ipc::ClientId client) { subscribers_.erase(client); }
  bool subscribed(ipc::ClientId client) const { return subscribers_.contains(client); }

  // A frame on `span`; decoded only when someone listens.
  void Frame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame);

 private:
  struct Subscriber {
    TraceFilter filter;
    std::optional<std::pair<int, int>> call_wire;  // span and cref, once known
  };
  Outbox& outbox_;
  CrefLookup lookup_;
  std::map<ipc::ClientId, Subscriber> subscribers_;
};

}  // namespace prid::daemon
