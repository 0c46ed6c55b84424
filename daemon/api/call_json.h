// JSON shapes of API.md for the session model's values: call records, UUI
// ({pd, hex, text?}) and causes (number or API name).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "base/expected.h"
#include "daemon/session/call.h"
#include "q931/user_user.h"

namespace prid::daemon {

nlohmann::json UuiToJson(const q931::UserUser& uui);

// API.md's call record as seen through `handle`.
nlohmann::json CallRecordJson(const Call& call, const Handle& handle);
// A supervisor's record (API.md "Supervisors"): as seen through `own`, its
// handle when it holds one; without, the call's own state and no
// `privilege`. Both with `handles`: every holder's client id, privilege
// and state.
nlohmann::json SupervisorRecordJson(const Call& call, const Handle* own);
// API.md call.indication's fields for what a message of the far end's carried:
// call, span, message, and those of progress, cause, display, connected_party,
// keypad it had.
nlohmann::json CallIndicationJson(const Call& call, const FarEndInfo& info);
// The clearing fields (cause, cause_name, mode, origin) when known.
void AddClearingFields(const Call& call, nlohmann::json& out);

}  // namespace prid::daemon
