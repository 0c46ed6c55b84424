// What `prictl replay` does with a captured trace: each Q.931 message either
// played by the replayer as the far end, or expected from prid as the near
// end, with the API action (call.make, call.proceed, call.alert,
// call.progress, call.answer, call.dial, call.redirect, call.transfer,
// call.drop, span.restart) that makes prid send it; and the calls the API
// cannot replay, each with the reason. Pure: no I/O.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "q931/call_flow.h"
#include "q931/message.h"
#include "q931/trace_record.h"

namespace prid::cli {

enum class NearAction {
  kNone, kMake, kProceed, kAlert, kProgress, kAnswer, kDial, kRedirect, kTransfer, kDrop, kRestart
};

// "call.make", … ; "" for kNone.
std::string_view NearActionMethod(NearAction action);

struct ReplayStep {
  bool by_far_end = false;
  int call = 0;                // the capture's call (1, 2, … by first appearance), 0: global
  q931::Message message;       // as captured
  q931::FlowMessage expected;  // its fields, for comparison
  NearAction action = NearAction::kNone;  // near end only: what makes prid send it
  // Near end only: Q.931 lets the near end leave the message out (CALL
  // PROCEEDING, on either side: 5.1.2 and 5.2.5.1 allow ALERTING or CONNECT
  // as the first answer to an en-bloc SETUP).
  bool optional = false;
  // The step belongs to a call the API cannot replay from here on
  // (ReplayPlan::skipped): neither played nor expected.
  bool skipped = false;
  // Near end, call.drop after the far end's DISCONNECT: wait until prid
  // reports the call `disconnected` first.
  bool after_remote_disconnect = false;
  // kMake: a later INFORMATION of the near end dials more of the number
  // (call.make {overlap: true}).
  bool overlap = false;
  // kTransfer: the capture's call its ExplicitEctExecute went on (call.transfer's to_call).
  int to_call = 0;
  std::string source;  // "record 12"
};

// A call the replay leaves out, from its first step that cannot be
// replayed on.
struct SkippedCall {
  int call = 0;
  std::string source;  // where it stops being replayable: "record 5"
  std::string why;     // "the capture holds no SETUP for it (…)"
};

struct ReplayPlan {
  bool near_is_network = false;
  std::vector<ReplayStep> steps;
  std::vector<SkippedCall> skipped;  // one per call, in the order of the calls
};

// `near_is_network`: prid plays the capture's network side. A trace that
// tells only directions (libpri's debug text: sent, received) is taken to
// be captured on the side prid plays. Fails when the trace holds no Q.931
// message or tells neither side nor direction of one ("line 4: the trace
// does not tell which side sent SETUP").
//
// A call is left out (SkippedCall, its steps `skipped`) whole when the
// capture does not hold its SETUP (it began before the capture, so prid
// knows nothing of it) or its SETUP has nothing to dial, and from a message
// on when the near end sent something the API cannot make prid send
// (a FACILITY other than call rerouting or explicit call transfer, PROGRESS
// on a call it placed, …). A near-end INFORMATION is call.dial (its called
// digits, or its keypad digits); a FACILITY with a CallRerouting or
// CallDeflection invoke call.redirect, one with an EctLinkIdRequest invoke
// call.transfer to the call its ExplicitEctExecute names; libpri sends that
// ExplicitEctExecute, and any FACILITY with no invoke, by itself.
// call.redirect's params ({number: {digits, npi, ton?}, reason?}) from a
// captured CallRerouting / CallDeflection invoke (ETSI EN 300 207-1, ISO
// 13868): the first Address of its argument (a PartyNumber by its choice
// tag) and its rerouting reason; nullopt when it names no number.
std::optional<nlohmann::json> RedirectParams(const q931::Message& m);

base::Result<ReplayPlan> PlanReplay(const std::vector<q931::TraceRecord>& records,
                                    bool near_is_network);

}  // namespace prid::cli
