// What `prictl replay` does with a captured trace: each Q.931 message either
// played by the replayer as the far end, or expected from prid as the near
// end, with the API action (call.make, call.alert, call.answer, call.drop,
// span.restart) that makes prid send it. Pure: no I/O.
#pragma once

#include <string>
#include <vector>

#include "base/expected.h"
#include "q931/call_flow.h"
#include "q931/message.h"
#include "q931/trace_record.h"

namespace prid::cli {

enum class NearAction { kNone, kMake, kAlert, kAnswer, kDrop, kRestart };

// "call.make", … ; "" for kNone.
std::string_view NearActionMethod(NearAction action);

struct ReplayStep {
  bool by_far_end = false;
  int call = 0;                // the capture's call (1, 2, … by first appearance), 0: global
  q931::Message message;       // as captured
  q931::FlowMessage expected;  // its fields, for comparison
  NearAction action = NearAction::kNone;  // near end only: what makes prid send it
  // Near end only: Q.931 lets the near end leave the message out (a user
  // side's CALL PROCEEDING: 5.2.5.1 allows ALERTING or CONNECT as the first
  // answer to an en-bloc SETUP).
  bool optional = false;
  // Near end, call.drop after the far end's DISCONNECT: wait until prid
  // reports the call `disconnected` first.
  bool after_remote_disconnect = false;
  std::string source;  // "record 12"
};

struct ReplayPlan {
  bool near_is_network = false;
  std::vector<ReplayStep> steps;
};

// `near_is_network`: prid plays the capture's network side. A trace that
// tells only directions (libpri's debug text: sent, received) is taken to
// be captured on the side prid plays. Fails when the trace holds no Q.931
// message or tells neither side nor direction of one ("line 4: the trace
// does not tell which side sent SETUP").
base::Result<ReplayPlan> PlanReplay(const std::vector<q931::TraceRecord>& records,
                                    bool near_is_network);

}  // namespace prid::cli
