// A decoded trace record as JSON, the shape of API.md's `trace`
// notification: {dir, time, hex, lapd:{…}, q931?:{call_ref,
// from_originator, message, ies:[…]}, error?} (the daemon adds `span`).
#pragma once

#include <nlohmann/json.hpp>

#include "q931/trace_view.h"

namespace prid::q931 {

// lapd: {frame: "I"/"RR"/…, sapi, tei, cr, ns?, nr?, pf}; q931: {pd,
// call_ref, call_ref_length, from_originator, message, message_type, ies};
// each IE {ie: name, id, codeset, hex?, <fields…>, error?}; `source` says
// where in the file.
nlohmann::json RecordToJson(const TraceRecord& record, const DecodedRecord& decoded);

}  // namespace prid::q931
