// Sample call detail records for the cdr/ tests: one with every field set
// and one with every optional empty.
#pragma once

#include <cstdint>

#include "cdr/record.h"

namespace prid::cdr::samples {

// Every field set, the UUI both ways, a retry and a conference.
inline Record Full() {
  Record r;
  r.call_id = 42;
  r.host = "gw1";
  r.instance = "5f0c";
  r.span_name = "trunk-a";
  r.span = 1;
  r.channel = 3;
  r.direction = "out";
  r.called = "5551234";
  r.calling = "2000";
  r.called_ton = "national";
  r.called_npi = "e164";
  r.calling_ton = "subscriber";
  r.calling_npi = "private";
  r.bearer = "speech";
  r.created = 1764763200000;
  r.setup = 1764763200001;
  r.alerted = 1764763200250;
  r.connected = 1764763201000;
  r.disconnected = 1764763213345;
  r.idle = 1764763213400;
  r.post_dial_delay_ms = 249;
  r.billable_ms = 12345;
  r.cause = 16;
  r.cause_name = "normal_clearing";
  r.mode = "normal";
  r.origin = "local";
  r.dropped_by_uid = 1000;
  r.uui_sent = Uui{4, "627965"};
  r.uui_received = Uui{0, "00ff"};
  r.retried = true;
  r.first_channel = 2;
  r.conference = 40;
  r.tag = "order-17";
  return r;
}

// Every optional empty: an incoming call cleared by the far end.
inline Record Bare(std::uint64_t call_id = 7) {
  Record r;
  r.call_id = call_id;
  r.host = "gw1";
  r.instance = "5f0c";
  r.span_name = "span1";
  r.span = 1;
  r.direction = "in";
  r.bearer = "speech";
  r.created = 1764763200000;
  r.idle = 1764763200100;
  r.origin = "remote";
  return r;
}

// Bare() with its own id, ending `id` ms after Bare()'s start.
inline Record Numbered(std::uint64_t id) {
  Record r = Bare(id);
  r.idle = r.created + static_cast<EpochMs>(id);
  return r;
}

}  // namespace prid::cdr::samples
