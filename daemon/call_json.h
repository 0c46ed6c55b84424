// JSON shapes of API.md for the session model's values: call records, UUI
// ({pd, hex, text?}) and causes (number or API name).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "base/expected.h"
#include "daemon/call.h"
#include "q931/user_user.h"

namespace prid::daemon {

nlohmann::json UuiToJson(const q931::UserUser& uui);
// {"text": "…"} or {"hex": "…"}, optional "pd" (0…255, default 4).
base::Result<q931::UserUser> UuiFromJson(const nlohmann::json& value);
// A Q.931 cause number (1…127) or an API.md name.
base::Result<std::uint8_t> CauseFromJson(const nlohmann::json& value);

// API.md's call record as seen through `handle`.
nlohmann::json CallRecordJson(const Call& call, const Handle& handle);
// The clearing fields (cause, cause_name, mode, origin) when known.
void AddClearingFields(const Call& call, nlohmann::json& out);

}  // namespace prid::daemon
