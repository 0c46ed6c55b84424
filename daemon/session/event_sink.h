// Where the session model's events go (the daemon's event router; a
// recorder in unit tests). The model knows nothing of JSON or sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "daemon/session/call.h"

namespace prid::daemon {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // `call` moved from `previous` to `state` as seen by `recipients` (API.md
  // call.state): the handle views, so a bridged station's own move to or
  // from `inactive` is one too; `uui`: what the message causing it carried.
  virtual void CallStateChanged(const Call& call, HandleState previous, HandleState state,
                                const std::vector<ClientId>& recipients,
                                const std::optional<q931::UserUser>& uui) = 0;
  // The far end refused a request (`request`: "hold", "retrieve") with
  // `cause`; the call stays in `state` (a call.state event whose state is
  // its previous one, with the cause).
  virtual void CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                                  const std::vector<ClientId>& recipients, std::string_view request) = 0;
  // A message of the far end's carried `info` (API.md call.indication), told to
  // `recipients` before any state change the same message causes. The
  // default ignores it.
  virtual void CallInfoReceived(const Call&, const FarEndInfo&, const std::vector<ClientId>&) {}
  // A Q.931 call began: an incoming SETUP was taken (the call offering) or
  // our SETUP was sent (dialing). Once per Q.931 call, before its other
  // events; never for a conference. For statistics: the default ignores it.
  virtual void CallBegan(const Call&) {}
  // Overlap receiving: the far end's INFORMATION added `digits` to the
  // called number of collecting call `call` (now call.called); `complete`:
  // it carried Sending complete (API.md call.digits). The default ignores it.
  virtual void CallDigits(const Call&, std::string_view /*digits*/, bool /*complete*/,
                          const std::vector<ClientId>& /*recipients*/) {}
  // A handle on `call` was created for `client` (API.md call.new).
  virtual void CallOffered(const Call& call, const Handle& handle) = 0;
  // The wire has cleared Q.931 call `call` (on the span named
  // `span_name`): it is going idle, with its cause, origin, UUI and times
  // final. Once per Q.931 call, before its idle call.state; never for a
  // conference (no Q.931 call of its own) nor for a handle's release.
  virtual void CallCleared(const Call& call, std::string_view span_name) = 0;
  // The record of `call` is gone (no handle holds it, the wire is done
  // with it): for what keeps data per call (the trace router's frames).
  // The default ignores it.
  virtual void CallRecordFreed(CallId) {}
};

}  // namespace prid::daemon
