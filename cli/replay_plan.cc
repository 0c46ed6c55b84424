// From a captured trace to the replay's steps.
#include "cli/replay_plan.h"

#include <fmt/format.h>

#include <map>

#include "q931/names.h"
#include "q931/trace_view.h"

namespace prid::cli {
namespace {

// What the replay knows of one captured call while walking the capture.
struct CallHistory {
  bool near_originated = false;
  bool near_answered_setup = false;  // the near end said anything about an incoming call
  bool near_disconnected = false;
  bool far_disconnected = false;
};

NearAction ActionFor(std::uint8_t type, const CallHistory& call) {
  namespace msg = q931::msg;
  switch (type) {
    case msg::kSetup:
      return NearAction::kMake;
    case msg::kAlerting:
      return NearAction::kAlert;
    case msg::kConnect:
      return NearAction::kAnswer;
    case msg::kDisconnect:
      return NearAction::kDrop;
    case msg::kRelease:
      // The application's drop after the far end's DISCONNECT (API.md:
      // disconnected → RELEASE with the drop's UUI).
      return call.far_disconnected && !call.near_disconnected ? NearAction::kDrop : NearAction::kNone;
    case msg::kReleaseComplete:
      // Rejecting an offered call answers its SETUP with RELEASE COMPLETE.
      return !call.near_originated && !call.near_answered_setup && !call.far_disconnected
                 ? NearAction::kDrop
                 : NearAction::kNone;
    case msg::kRestart:
      return NearAction::kRestart;
    default:
      return NearAction::kNone;  // libpri sends it by itself
  }
}

}  // namespace

std::string_view NearActionMethod(NearAction action) {
  switch (action) {
    case NearAction::kNone: return "";
    case NearAction::kMake: return "call.make";
    case NearAction::kAlert: return "call.alert";
    case NearAction::kAnswer: return "call.answer";
    case NearAction::kDrop: return "call.drop";
    case NearAction::kRestart: return "span.restart";
  }
  return "";
}

base::Result<ReplayPlan> PlanReplay(const std::vector<q931::TraceRecord>& records,
                                    bool near_is_network) {
  ReplayPlan plan;
  plan.near_is_network = near_is_network;
  // CallFlow numbers the calls; it keeps exactly the records that decode.
  const std::vector<q931::FlowMessage> flow = q931::CallFlow(records);
  std::size_t next = 0;
  std::map<int, CallHistory> calls;
  for (const auto& record : records) {
    const q931::DecodedRecord decoded = q931::DecodeRecord(record);
    if (!decoded.q931) continue;
    const q931::FlowMessage& f = flow.at(next++);
    const q931::Message& m = *decoded.q931;
    const std::string_view name = q931::MessageName(m.protocol_discriminator, m.message_type);
    ReplayStep step;
    if (f.by_network) {
      step.by_far_end = *f.by_network != near_is_network;
    } else if (record.direction) {
      // Only the direction (libpri's debug text): the trace was taken on
      // the side prid plays.
      step.by_far_end = *record.direction == q931::FrameDirection::kReceived;
    } else {
      return base::Fail(
          fmt::format("{}: the trace does not tell which side sent {}", record.source, name));
    }
    step.call = f.call;
    step.message = m;
    step.expected = f;
    step.expected.by_network = step.by_far_end != near_is_network;
    step.source = record.source;
    CallHistory& call = calls[f.call];
    if (step.by_far_end) {
      if (m.message_type == q931::msg::kDisconnect && !call.near_disconnected) {
        call.far_disconnected = true;
      }
    } else {
      step.action = ActionFor(m.message_type, call);
      step.optional = m.message_type == q931::msg::kCallProceeding && !near_is_network;
      step.after_remote_disconnect = step.action == NearAction::kDrop && call.far_disconnected;
      if (m.message_type == q931::msg::kSetup) call.near_originated = true;
      if (m.message_type == q931::msg::kDisconnect && !call.far_disconnected) {
        call.near_disconnected = true;
      }
      call.near_answered_setup = true;
    }
    plan.steps.push_back(std::move(step));
  }
  if (plan.steps.empty()) return base::Fail("the trace holds no Q.931 message to replay");
  return plan;
}

}  // namespace prid::cli
