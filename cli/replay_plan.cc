// From a captured trace to the replay's steps.
#include "cli/replay_plan.h"

#include <fmt/format.h>

#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "q931/names.h"
#include "q931/rose.h"
#include "q931/trace_view.h"

namespace prid::cli {
namespace {

// What the replay knows of one captured call while walking the capture.
struct CallHistory {
  bool near_originated = false;
  bool near_answered_setup = false;  // the near end said anything about an incoming call
  bool near_disconnected = false;
  bool far_disconnected = false;
  // The near end handed the call to the network (call.redirect,
  // call.transfer): the network's clearing ends it, no call.drop.
  bool handed_over = false;
};

// Q.932 hold messages libpri sends by itself (answers to the far end's HOLD
// and RETRIEVE), which q931/message.h does not name.
constexpr std::uint8_t kHoldAcknowledge = 0x28;
constexpr std::uint8_t kHoldReject = 0x30;
constexpr std::uint8_t kRetrieveAcknowledge = 0x33;
constexpr std::uint8_t kRetrieveReject = 0x37;

// The ROSE operations of the invokes call.redirect and call.transfer make
// libpri send: ETSI EN 300 207-1 CallDeflection (local 13) and
// CallRerouting (14), Q.SIG CallRerouting (ISO 13868, 19); ETSI EN 300
// 369-1 EctLinkIdRequest ({0 4 0 369 1 4}), then ExplicitEctExecute
// ({0 4 0 369 1 1}), which libpri sends by itself.
constexpr std::string_view kOpEtsiCallDeflection = "13";
constexpr std::string_view kOpEtsiCallRerouting = "14";
constexpr std::string_view kOpQsigCallRerouting = "19";
constexpr std::string_view kOpEctLinkIdRequest = "0.4.0.369.1.4";
constexpr std::string_view kOpExplicitEctExecute = "0.4.0.369.1.1";

// The operations of the invokes in a message's Facility IEs.
std::vector<std::string> InvokedOperations(const q931::Message& m) {
  std::vector<std::string> ops;
  for (const q931::InformationElement& e : m.ies) {
    if (e.codeset != 0 || e.single_octet || e.id != q931::ie::kFacility || e.contents.empty()) continue;
    for (const auto& [tag, contents] : q931::BerElements({e.contents.begin() + 1, e.contents.end()})) {
      if (tag != q931::kRoseInvoke) continue;
      if (auto op = q931::RoseOperation({tag, q931::BerElements(contents)})) ops.push_back(*op);
    }
  }
  return ops;
}

bool Invokes(const q931::Message& m, std::initializer_list<std::string_view> wanted) {
  for (const std::string& op : InvokedOperations(m)) {
    for (std::string_view w : wanted) {
      if (op == w) return true;
    }
  }
  return false;
}

NearAction ActionFor(const q931::Message& m, const CallHistory& call) {
  namespace msg = q931::msg;
  const std::uint8_t type = m.message_type;
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
      return call.far_disconnected && !call.near_disconnected && !call.handed_over ? NearAction::kDrop
                                                                                   : NearAction::kNone;
    case msg::kReleaseComplete:
      // Rejecting an offered call answers its SETUP with RELEASE COMPLETE.
      return !call.near_originated && !call.near_answered_setup && !call.far_disconnected
                 ? NearAction::kDrop
                 : NearAction::kNone;
    case msg::kRestart:
      return NearAction::kRestart;
    case msg::kInformation:
      return NearAction::kDial;
    case msg::kFacility:
      if (Invokes(m, {kOpEtsiCallDeflection, kOpEtsiCallRerouting, kOpQsigCallRerouting})) return NearAction::kRedirect;
      if (Invokes(m, {kOpEctLinkIdRequest})) return NearAction::kTransfer;
      return NearAction::kNone;
    default:
      return NearAction::kNone;  // libpri sends it by itself, or nothing does (SendsByItself)
  }
}

// What libpri sends for a call without being asked (answers to the far
// end's messages, the second step of a transfer); any other near-end
// message with no action is one the API cannot produce.
bool SendsByItself(const q931::Message& m) {
  namespace msg = q931::msg;
  switch (m.message_type) {
    case msg::kFacility: {
      const std::vector<std::string> ops = InvokedOperations(m);
      return ops.empty() || (ops.size() == 1 && ops[0] == kOpExplicitEctExecute);
    }
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
  if (step.action == NearAction::kDial && step.expected.called.empty() &&
      q931::FindIe(m, q931::ie::kKeypadFacility) == nullptr) {
    return "its INFORMATION has neither called number digits nor keypad digits (call.dial needs them)";
  }
  if (step.action == NearAction::kRedirect && call.near_originated) {
    return "prid reroutes (call.redirect) only a call it is offered";
  }
  if (step.action == NearAction::kTransfer && step.to_call == 0) {
    return "no ExplicitEctExecute on another call follows its EctLinkIdRequest (call.transfer needs both calls)";
  }
  if (step.action == NearAction::kNone && !SendsByItself(m)) {
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

// What a near-end step needs from the steps after it: a SETUP whose number
// INFORMATION goes on dialling is placed in overlap sending; a transfer's
// EctLinkIdRequest names the call of the ExplicitEctExecute that follows.
void LinkLaterSteps(ReplayPlan& plan) {
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    ReplayStep& step = plan.steps[i];
    if (step.by_far_end || step.call == 0) continue;
    for (std::size_t j = i + 1; j < plan.steps.size(); ++j) {
      const ReplayStep& later = plan.steps[j];
      if (later.by_far_end) continue;
      if (step.action == NearAction::kMake && later.call == step.call && later.action == NearAction::kDial &&
          !later.expected.called.empty()) {
        step.overlap = true;
      }
      if (step.action == NearAction::kTransfer && step.to_call == 0 && later.call != step.call &&
          later.call != 0 && Invokes(later.message, {kOpExplicitEctExecute})) {
        step.to_call = later.call;
      }
    }
  }
}

}  // namespace

std::optional<nlohmann::json> RedirectParams(const q931::Message& m) {
  for (const q931::InformationElement& e : m.ies) {
    if (e.codeset != 0 || e.single_octet || e.id != q931::ie::kFacility) continue;
    const std::vector<std::uint8_t>& facility = e.contents;
    auto invoke = q931::RoseComponentIn(facility, q931::kRoseInvoke);
    if (!invoke) continue;
    auto argument = invoke->Element(0x30);  // SEQUENCE
    if (!argument) continue;
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [tag, contents] : q931::BerElements(*argument)) {
      if (tag == 0x0a && !params.contains("reason") && contents.size() == 1) {  // DiversionReason
        static constexpr const char* kReasons[] = {"unknown", "unconditional", "busy", "no_reply"};
        params["reason"] = contents[0] < 4 ? kReasons[contents[0]] : "unknown";
      }
      if (tag != 0x30 || params.contains("number")) continue;  // Address
      const auto address = q931::BerElements(contents);
      if (address.empty()) continue;
      const auto& [number_tag, number] = address[0];
      nlohmann::json party = nlohmann::json::object();
      auto digits_of = [](const std::vector<std::uint8_t>& d) { return std::string(d.begin(), d.end()); };
      switch (number_tag) {
        case 0x80: party = {{"digits", digits_of(number)}, {"npi", "unknown"}}; break;
        case 0x83: party = {{"digits", digits_of(number)}, {"npi", "x121"}}; break;
        case 0x84: party = {{"digits", digits_of(number)}, {"npi", "f69"}}; break;
        case 0x88: party = {{"digits", digits_of(number)}, {"npi", "national"}}; break;
        case 0xa1:    // publicPartyNumber: type of number, digits
        case 0xa5: {  // privatePartyNumber
          const auto inner = q931::BerElements(number);
          if (inner.size() < 2 || inner[0].second.size() != 1) break;
          static constexpr const char* kPublicTon[] = {"unknown",    "international", "national", "network",
                                                       "subscriber", "unknown",       "abbreviated"};
          static constexpr const char* kPrivateTon[] = {"unknown", "unknown", "unknown",   "network",
                                                        "subscriber", "unknown", "abbreviated"};
          const std::uint8_t ton = inner[0].second[0];
          party = {{"digits", digits_of(inner[1].second)},
                   {"npi", number_tag == 0xa1 ? "e164" : "private"},
                   {"ton", ton < 7 ? (number_tag == 0xa1 ? kPublicTon : kPrivateTon)[ton] : "unknown"}};
          break;
        }
        default: break;
      }
      if (!party.empty()) params["number"] = party;
    }
    if (params.contains("number")) return params;
  }
  return std::nullopt;
}

std::string_view NearActionMethod(NearAction action) {
  switch (action) {
    case NearAction::kNone: return "";
    case NearAction::kMake: return "call.make";
    case NearAction::kProceed: return "call.proceed";
    case NearAction::kAlert: return "call.alert";
    case NearAction::kProgress: return "call.progress";
    case NearAction::kAnswer: return "call.answer";
    case NearAction::kDial: return "call.dial";
    case NearAction::kRedirect: return "call.redirect";
    case NearAction::kTransfer: return "call.transfer";
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
      step.action = ActionFor(m, call);
      step.optional = m.message_type == q931::msg::kCallProceeding;
      step.after_remote_disconnect = step.action == NearAction::kDrop && call.far_disconnected;
      if (m.message_type == q931::msg::kSetup) call.near_originated = true;
      if (Invokes(m, {kOpEtsiCallDeflection, kOpEtsiCallRerouting, kOpQsigCallRerouting, kOpEctLinkIdRequest,
                      kOpExplicitEctExecute})) {
        call.handed_over = true;
      }
      if (m.message_type == q931::msg::kDisconnect && !call.far_disconnected) {
        call.near_disconnected = true;
      }
      call.near_answered_setup = true;
    }
    plan.steps.push_back(std::move(step));
  }
  if (plan.steps.empty()) return base::Fail("the trace holds no Q.931 message to replay");
  LinkLaterSteps(plan);
  SkipUnreplayableCalls(plan);
  return plan;
}

}  // namespace prid::cli
