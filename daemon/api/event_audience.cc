// The call-event audience rule over the session model.
#include "daemon/api/event_audience.h"

#include "daemon/session/session_model.h"

namespace prid::daemon {

bool ModelAudience::SeesCall(ClientId client, int span, CallId call) const {
  if (const Call* record = model_.Find(call); record != nullptr && record->FindHandle(client) != nullptr) {
    return true;
  }
  return model_.HasMonitorLine(client, span);
}

}  // namespace prid::daemon
