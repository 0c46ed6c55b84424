// From a captured trace to the replay's steps.
#include "cli/replay_plan.h"

#include <fmt/format.h>

#include <map>
#include <set>

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

// Q.932 hold messages libpri sends by itself (answers to the far end's HOLD
// and RETRIEVE), which q931/message.h does not name.
constexpr std::uint8_t kHoldAcknowledge = 0x28;
constexpr std::uint8_t kHoldReject = 0x30;
constexpr std::uint8_t kRetrieveAcknowledge = 0x33;
constexpr std::uint8_t kRetrieveReject = 0x37;

NearAction ActionFor(std::uint8_t type, const CallHistory& call) {
  namespace msg = q931::msg;
  switch (type) {
    case msg::kSetup:
      return NearAction::kMake;
    case msg::kCallProceeding:
      return NearAction::kProceed;
    case msg::kAlerting:
      return NearAction::kAlert;
    case msg::kProgress:
      return NearAction::kProgress;
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
      return NearAction::kNone;  // libpri sends it by itself, or nothing does (SendsByItself)
  }
}

// What libpri sends for a call without being asked (answers to the far
// end's messages); any other near-end message with no action is one the
// API cannot produce.
bool SendsByItself(std::uint8_t type) {
  namespace msg = q931::msg;
  switch (type) {
    case msg::kConnectAcknowledge:
    case msg::kRelease:
    case msg::kReleaseComplete:
    case msg::kStatus:
    case msg::kRestartAcknowledge:
    case kHoldAcknowledge:
    case kHoldReject:
    case kRetrieveAcknowledge:
    case kRetrieveReject:
      return true;
    default:
      return false;
  }
}

// Why the API cannot make prid send this near-end step, or "" when it can.
std::string Unproducible(const ReplayStep& step, const CallHistory& call) {
  const q931::Message& m = step.message;
  const std::string name(q931::MessageName(m.protocol_discriminator, m.message_type));
  if (m.protocol_discriminator != q931::kPdQ931 || step.call == 0) return "";
  if (step.action == NearAction::kMake && step.expected.called.empty()) {
    return "its SETUP has no called party number (call.make needs one)";
  }
  if (step.action == NearAction::kProgress) {
    if (call.near_originated) return "prid sends PROGRESS (call.progress) only on a call it is offered";
    if (q931::FindIe(m, q931::ie::kProgressIndicator) == nullptr) {
      return "its PROGRESS has no progress indicator (call.progress needs one)";
    }
  }
  if ((step.action == NearAction::kProceed || step.action == NearAction::kAlert ||
       step.action == NearAction::kAnswer) && call.near_originated) {
    return fmt::format("the side that placed it sent {}", name);
  }
  if (step.action == NearAction::kNone && !SendsByItself(m.message_type)) {
    return fmt::format("no API method makes prid send {}", name);
  }
  return "";
}

// Marks the calls of SkippedCall (replay_plan.h), whole or from the step
// the API cannot produce on, and lists each once.
void SkipUnreplayableCalls(ReplayPlan& plan) {
  std::map<int, CallHistory> calls;
  std::set<int> skipped;
  std::set<int> began;
  for (ReplayStep& step : plan.steps) {
    if (step.call == 0) continue;
    CallHistory& call = calls[step.call];
    const q931::Message& m = step.message;
    std::string why;
    if (skipped.contains(step.call)) {
      step.skipped = true;
      continue;
    }
    if (began.insert(step.call).second) {
      if (m.message_type != q931::msg::kSetup) {
        why = fmt::format("the capture holds no SETUP for it (it began before the capture; its first message is "
                          "{}): prid knows nothing of it",
                          q931::MessageName(m.protocol_discriminator, m.message_type));
      }
    }
    if (why.empty() && !step.by_far_end) why = Unproducible(step, call);
    if (!why.empty()) {
      plan.skipped.push_back({step.call, step.source, why});
      skipped.insert(step.call);
      step.skipped = true;
      continue;
    }
    if (!step.by_far_end && m.message_type == q931::msg::kSetup) call.near_originated = true;
  }
}

}  // namespace

std::string_view NearActionMethod(NearAction action) {
  switch (action) {
    case NearAction::kNone: return "";
    case NearAction::kMake: return "call.make";
    case NearAction::kProceed: return "call.proceed";
    case NearAction::kAlert: return "call.alert";
    case NearAction::kProgress: return "call.progress";
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
      step.optional = m.message_type == q931::msg::kCallProceeding;
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
  SkipUnreplayableCalls(plan);
  return plan;
}

}  // namespace prid::cli
