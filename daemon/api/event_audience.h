// Who may see a call's events (API.md "Events", who gets what): the one
// place the router asks, live and on replay, so the rule lives in one
// predicate. A supervisor's subscription to every call (events.subscribe
// {all: true}) is the subscription's own, beyond this rule.
#pragma once

#include "daemon/session/call.h"

namespace prid::daemon {

class SessionModel;

class EventAudience {
 public:
  virtual ~EventAudience() = default;
  // Whether `client` may see the call.* events of `call` on `span` now:
  // asked at delivery for each subscriber, and at events.subscribe {since}
  // for each replayed event (the rule as of that moment, not as of the
  // event). span.* events need no audience: every subscriber sees them.
  virtual bool SeesCall(ClientId client, int span, CallId call) const = 0;
};

// The daemon's rule over the session model: `client` holds a handle on
// the call, or has a monitor line open on the call's span.
class ModelAudience final : public EventAudience {
 public:
  // `model` is borrowed and must outlive this object. It may be bound
  // before it is constructed (the router, which uses this, is built before
  // the model that sends through it); it is first asked when an event is
  // routed, by then it exists.
  explicit ModelAudience(const SessionModel& model) : model_(model) {}
  bool SeesCall(ClientId client, int span, CallId call) const override;

 private:
  const SessionModel& model_;
};

}  // namespace prid::daemon
