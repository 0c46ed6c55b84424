// PriCall: one libpri call's wire state and messages; PriCallTable: a link's calls.
#include "q931/pri_call.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstring>

#include "base/log.h"
#include "q931/message.h"
#include "q931/uui_rewriter.h"

namespace prid::q931 {
namespace {

using S = CallState;
using H = HoldState;

struct StateRow {
  std::string_view name;
  int number;
  CallStateSet next;  // the states this one may go to
};

// Per-state allowed next states (see the diagram in the header). Null is
// reachable from every state: the far end's RELEASE / RELEASE COMPLETE,
// our RELEASE COMPLETE, or pri_destroycall.
const std::array<StateRow, kCallStateCount>& StateTable() {
  static const std::array<StateRow, kCallStateCount> table = {{
      {"Null", 0, {S::kCallInitiated, S::kCallPresent}},
      {"Call initiated", 1,
       {S::kOverlapSending, S::kOutgoingCallProceeding, S::kCallDelivered, S::kActive, S::kDisconnectRequest,
        S::kDisconnectIndication, S::kReleaseRequest, S::kNull}},
      {"Overlap sending", 2,
       {S::kOutgoingCallProceeding, S::kCallDelivered, S::kActive, S::kDisconnectRequest, S::kDisconnectIndication,
        S::kReleaseRequest, S::kNull}},
      {"Outgoing call proceeding", 3,
       {S::kCallDelivered, S::kActive, S::kDisconnectRequest, S::kDisconnectIndication, S::kReleaseRequest,
        S::kNull}},
      {"Call delivered", 4,
       {S::kActive, S::kDisconnectRequest, S::kDisconnectIndication, S::kReleaseRequest, S::kNull}},
      // Clearing an offered call is RELEASE COMPLETE (to Null), Q.931 5.3.2 a).
      {"Call present", 6,
       {S::kIncomingCallProceeding, S::kCallReceived, S::kConnectRequest, S::kActive, S::kDisconnectIndication,
        S::kReleaseRequest, S::kNull, S::kOverlapReceiving}},
      {"Call received", 7,
       {S::kConnectRequest, S::kActive, S::kDisconnectRequest, S::kDisconnectIndication, S::kReleaseRequest,
        S::kNull}},
      {"Connect request", 8,
       {S::kActive, S::kDisconnectRequest, S::kDisconnectIndication, S::kReleaseRequest, S::kNull}},
      {"Incoming call proceeding", 9,
       {S::kCallReceived, S::kConnectRequest, S::kActive, S::kDisconnectRequest, S::kDisconnectIndication,
        S::kReleaseRequest, S::kNull}},
      {"Active", 10, {S::kDisconnectRequest, S::kDisconnectIndication, S::kReleaseRequest, S::kNull}},
      // A DISCONNECT crossing ours (clear collision, Q.931 5.3.5? libpri
      // reports it): Disconnect indication.
      {"Disconnect request", 11, {S::kDisconnectIndication, S::kReleaseRequest, S::kNull}},
      {"Disconnect indication", 12, {S::kReleaseRequest, S::kNull}},
      // libpri reports a DISCONNECT received even here (Q.931 would ignore
      // it); prid answers it with RELEASE again.
      {"Release request", 19, {S::kDisconnectIndication, S::kNull}},
      // SETUP ACKNOWLEDGE sent: the answers of Call present follow; a
      // clearing is DISCONNECT now that something was sent.
      {"Overlap receiving", 25,
       {S::kIncomingCallProceeding, S::kCallReceived, S::kConnectRequest, S::kActive, S::kDisconnectRequest,
        S::kDisconnectIndication, S::kReleaseRequest, S::kNull}},
  }};
  return table;
}

const StateRow& Row(CallState state) { return StateTable()[static_cast<std::size_t>(state)]; }

constexpr std::uint8_t HoldBits(std::initializer_list<HoldState> states) {
  std::uint8_t bits = 0;
  for (HoldState s : states) bits |= static_cast<std::uint8_t>(1u << static_cast<int>(s));
  return bits;
}

struct HoldRow {
  std::string_view name;
  std::uint8_t next;  // bit per allowed next state
};

// Q.932 hold auxiliary states, with libpri's collisions: a HOLD received
// while ours waits (user side), a RETRIEVE received while ours waits.
constexpr std::array<HoldRow, 6> kHoldTable = {{
    {"Idle", HoldBits({H::kHoldRequest, H::kHoldIndication})},
    {"Hold request", HoldBits({H::kCallHeld, H::kIdle, H::kHoldIndication})},
    {"Hold indication", HoldBits({H::kCallHeld, H::kIdle})},
    {"Call held", HoldBits({H::kRetrieveRequest, H::kRetrieveIndication})},
    {"Retrieve request", HoldBits({H::kIdle, H::kCallHeld, H::kRetrieveIndication})},
    {"Retrieve indication", HoldBits({H::kIdle, H::kCallHeld})},
}};

// States where libpri lets either end send HOLD or RETRIEVE on a
// point-to-point link (q931_is_hold_allowed).
const CallStateSet kHoldStates = {S::kOutgoingCallProceeding, S::kCallDelivered, S::kCallReceived,
                                  S::kConnectRequest,         S::kIncomingCallProceeding, S::kActive};

// Causes libpri 1.6 (with pri_hangup_fix_enable) clears with RELEASE
// COMPLETE in Null, Call initiated and Call present, with RELEASE in
// Connect request, and otherwise with DISCONNECT (__q931_hangup).
bool IsHangupFixCause(int cause) {
  return cause == PRI_CAUSE_NORMAL_CIRCUIT_CONGESTION || cause == PRI_CAUSE_REQUESTED_CHAN_UNAVAIL ||
         cause == PRI_CAUSE_IDENTIFIED_CHANNEL_NOTEXIST || cause == PRI_CAUSE_UNALLOCATED ||
         cause == PRI_CAUSE_INCOMPATIBLE_DESTINATION;
}

enum class Sent { kNothing, kDisconnect, kRelease, kReleaseComplete };

// What libpri 1.6 sends for pri_hangup(cause) in `state` outside Call
// present (__q931_hangup in its q931.c).
Sent LibpriClearing(CallState state, int cause) {
  switch (state) {
    case S::kNull:
    case S::kCallPresent:
    case S::kReleaseRequest:
      return Sent::kNothing;
    case S::kActive:
      return Sent::kDisconnect;
    case S::kDisconnectRequest:
    case S::kDisconnectIndication:
      return Sent::kRelease;
    default:
      break;
  }
  if (IsHangupFixCause(cause)) {
    if (state == S::kCallInitiated) return Sent::kReleaseComplete;
    if (state == S::kConnectRequest) return Sent::kRelease;
    return Sent::kDisconnect;
  }
  if (cause == PRI_CAUSE_INVALID_CALL_REFERENCE) return Sent::kReleaseComplete;
  if (cause == PRI_CAUSE_CHANNEL_UNACCEPTABLE || cause == PRI_CAUSE_CALL_AWARDED_DELIVERED ||
      cause == PRI_CAUSE_NONSELECTED_USER_CLEARING) {
    return Sent::kRelease;
  }
  return Sent::kDisconnect;
}

}  // namespace

std::string_view CallStateName(CallState state) { return Row(state).name; }
int CallStateNumber(CallState state) { return Row(state).number; }

bool CallTransitionAllowed(CallState from, CallState to) { return Row(from).next.Contains(to); }

std::string_view HoldStateName(HoldState state) { return kHoldTable[static_cast<std::size_t>(state)].name; }

bool HoldTransitionAllowed(HoldState from, HoldState to) {
  return (kHoldTable[static_cast<std::size_t>(from)].next & HoldBits({to})) != 0;
}

// --- PriCall -------------------------------------------------------------

PriCall::PriCall(PriCallTable& table, PriLink& link, q931_call* call, int cref, int channel,
                 CallDirection direction)
    : table_(table), link_(link), call_(call), cref_(cref), channel_(channel), direction_(direction) {
  history_.Add(CallState::kNull);
}

std::string PriCall::Describe() const {
  return fmt::format("{}: call {:#06x} on channel {}", link_.name(), cref_, channel_);
}

bool PriCall::TransitionTo(CallState next) {
  if (next == state_) return true;
  if (!CallTransitionAllowed(state_, next)) {
    PRID_LOG_ERROR("{}: illegal Q.931 transition {} -> {} refused", Describe(), CallStateName(state_),
                   CallStateName(next));
    return false;
  }
  PRID_LOG_DEBUG("{}: {} -> {}", Describe(), CallStateName(state_), CallStateName(next));
  state_ = next;
  history_.Add(next);
  return true;
}

bool PriCall::HoldTransitionTo(HoldState next) {
  if (next == hold_state_) return true;
  if (!HoldTransitionAllowed(hold_state_, next)) {
    PRID_LOG_ERROR("{}: illegal hold transition {} -> {} refused", Describe(), HoldStateName(hold_state_),
                   HoldStateName(next));
    return false;
  }
  hold_state_ = next;
  return true;
}

bool PriCall::In(std::initializer_list<CallState> states) const {
  for (CallState s : states) {
    if (s == state_) return true;
  }
  return false;
}

base::Status PriCall::Refuse(std::string_view operation, std::string_view needs) const {
  return base::Status::Error(
      fmt::format("{}: {} refused in state {} (needs {})", Describe(), operation, CallStateName(state_), needs));
}

CallAfter PriCall::Freed() {
  // Only touches locals after Erase: *this is gone.
  PriCallTable& table = table_;
  link_.rewriter().ForgetCall(cref_);
  TransitionTo(CallState::kNull);
  table.Erase(*this);
  return CallAfter::kFreed;
}

base::Status PriCall::Proceed() {
  if (!In({S::kCallPresent, S::kOverlapReceiving})) return Refuse("CALL PROCEEDING", "Call present or Overlap receiving");
  if (link_.Call(pri_proceeding, call_, channel_, /*info=*/0) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused CALL PROCEEDING", Describe()));
  }
  TransitionTo(S::kIncomingCallProceeding);
  return base::Status::Ok();
}

base::Status PriCall::UseChannel(int channel) {
  if (!In({S::kCallPresent})) return Refuse("another B-channel", "Call present");
  channel_ = channel;
  return base::Status::Ok();
}

base::Status PriCall::Progress(const std::vector<std::uint8_t>& descriptions, std::optional<std::uint8_t> cause) {
  if (!In({S::kCallPresent, S::kOverlapReceiving, S::kIncomingCallProceeding, S::kCallReceived})) {
    return Refuse("PROGRESS", "Call present, Overlap receiving, Incoming call proceeding or Call received");
  }
  if (descriptions.empty()) return base::Status::Error(fmt::format("{}: PROGRESS needs a progress description", Describe()));
  // libpri writes one indicator (in-band information, 8); the rewriter
  // puts the asked ones in its place.
  link_.rewriter().SetForMessage(cref_, msg::kProgress, {std::nullopt, std::nullopt, descriptions});
  const int sent = cause ? link_.Call(pri_progress_with_cause, call_, channel_, /*info=*/1, static_cast<int>(*cause))
                         : link_.Call(pri_progress, call_, channel_, /*info=*/1);
  if (sent != 0) return base::Status::Error(fmt::format("{}: libpri refused PROGRESS", Describe()));
  return base::Status::Ok();
}

base::Status PriCall::Alert(bool inband, const std::optional<UserUser>& uui) {
  if (!In({S::kCallPresent, S::kOverlapReceiving, S::kIncomingCallProceeding, S::kCallReceived})) {
    return Refuse("ALERTING", "Call present, Overlap receiving, Incoming call proceeding or Call received");
  }
  // libpri cannot put a whole UUIE in a message: the rewriter does.
  if (uui) link_.rewriter().SetForMessage(cref_, msg::kAlerting, {uui, std::nullopt});
  if (link_.Call(pri_acknowledge, call_, channel_, /*info=*/inband ? 1 : 0) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused ALERTING", Describe()));
  }
  TransitionTo(S::kCallReceived);
  return base::Status::Ok();
}

base::Status PriCall::Answer(const std::optional<UserUser>& uui, bool non_isdn) {
  if (!In({S::kCallPresent, S::kOverlapReceiving, S::kIncomingCallProceeding, S::kCallReceived})) {
    return Refuse("CONNECT", "Call present, Overlap receiving, Incoming call proceeding or Call received");
  }
  if (uui) link_.rewriter().SetForMessage(cref_, msg::kConnect, {uui, std::nullopt});
  if (link_.Call(pri_answer, call_, channel_, /*nonisdn=*/non_isdn ? 1 : 0) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused CONNECT", Describe()));
  }
  // The network side (and QSIG) is Active once it sent CONNECT; the user
  // side waits for CONNECT ACKNOWLEDGE in Connect request, which libpri
  // handles without an event (Q.931 5.2.8).
  const PriLinkOptions& o = link_.options();
  TransitionTo(o.node_type == PRI_NETWORK || o.switch_type == PRI_SWITCH_QSIG ? S::kActive : S::kConnectRequest);
  return base::Status::Ok();
}

base::Status PriCall::AcknowledgeSetup() {
  if (!In({S::kCallPresent})) return Refuse("SETUP ACKNOWLEDGE", "Call present");
  if (link_.Call(pri_need_more_info, call_, channel_, /*nonisdn=*/0) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused SETUP ACKNOWLEDGE", Describe()));
  }
  TransitionTo(S::kOverlapReceiving);
  return base::Status::Ok();
}

base::Status PriCall::SendDigits(const std::string& digits, bool complete) {
  if (!In({S::kCallInitiated, S::kOverlapSending})) {
    return Refuse("INFORMATION (called number digits)", "Call initiated or Overlap sending");
  }
  if (digits.empty()) return base::Status::Error(fmt::format("{}: INFORMATION needs digits", Describe()));
  // Only an INFORMATION with a Called party number is rewritten: a keypad
  // or display one of the same call goes as libpri wrote it.
  MessageOverride change;
  change.called_digits = digits;
  change.sending_complete = complete;
  link_.rewriter().SetForMessage(cref_, msg::kInformation, std::move(change));
  if (link_.Call(pri_information, call_, digits[0]) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused INFORMATION", Describe()));
  }
  return base::Status::Ok();
}

base::Status PriCall::SetConnectedLine(const std::optional<Party>& number, const std::string& name) {
  if (!In({S::kCallPresent, S::kOverlapReceiving, S::kIncomingCallProceeding, S::kCallReceived})) {
    return Refuse("CONNECT (connected line)",
                  "Call present, Overlap receiving, Incoming call proceeding or Call received");
  }
  struct pri_party_connected_line connected {};
  if (number) {
    connected.id.number.valid = 1;
    connected.id.number.plan = number->LibpriPlan();
    connected.id.number.presentation = number->LibpriPresentation();
    std::snprintf(connected.id.number.str, sizeof connected.id.number.str, "%s", number->digits.c_str());
  }
  if (!name.empty()) {
    connected.id.name.valid = 1;
    connected.id.name.char_set = 1;  // ISO 8859-1
    std::snprintf(connected.id.name.str, sizeof connected.id.name.str, "%s", name.c_str());
  }
  // Before the answer libpri only keeps it, for the CONNECT to carry.
  if (link_.Call(pri_connected_line_update, call_, &connected) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused the connected line", Describe()));
  }
  return base::Status::Ok();
}

base::Status PriCall::SendDisplay(const std::string& text) {
  // libpri's own list (q931.c, q931_display_text_helper): elsewhere it
  // sends nothing and says nothing.
  if (!In({S::kOverlapSending, S::kOutgoingCallProceeding, S::kCallDelivered, S::kCallReceived, S::kConnectRequest,
           S::kIncomingCallProceeding, S::kActive, S::kOverlapReceiving})) {
    return Refuse("INFORMATION (display)", "an answered or proceeding call");
  }
  struct pri_subcmd_display_txt display {};
  display.char_set = 1;  // ISO 8859-1
  std::snprintf(display.text, sizeof display.text, "%s", text.c_str());
  display.length = static_cast<int>(strnlen(display.text, sizeof display.text));
  if (link_.Call(pri_display_text, call_, &display) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused INFORMATION with display", Describe()));
  }
  return base::Status::Ok();
}

base::Status PriCall::SendKeypad(const std::string& digits) {
  // Connect request too: the user side that answered stays there, libpri
  // reporting no CONNECT ACKNOWLEDGE, though the call is up.
  if (!In({S::kActive, S::kConnectRequest})) return Refuse("INFORMATION (keypad facility)", "Active or Connect request");
  if (link_.Call(pri_keypad_facility, call_, digits.c_str()) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused INFORMATION with keypad facility", Describe()));
  }
  return base::Status::Ok();
}

base::Status PriCall::Reroute(const Party& to, const Party& from, std::uint8_t reason) {
  if (direction_ != CallDirection::kIncoming ||
      !In({S::kCallPresent, S::kOverlapReceiving, S::kIncomingCallProceeding, S::kCallReceived})) {
    return Refuse("FACILITY (call rerouting)",
                  "an incoming call before its answer: Call present, Overlap receiving, Incoming call "
                  "proceeding or Call received");
  }
  struct pri_party_redirecting deflection {};
  deflection.to.number.valid = 1;
  deflection.to.number.plan = to.LibpriPlan();
  deflection.to.number.presentation = to.LibpriPresentation();
  std::snprintf(deflection.to.number.str, sizeof deflection.to.number.str, "%s", to.digits.c_str());
  if (!from.digits.empty()) {
    deflection.from.number.valid = 1;
    deflection.from.number.plan = from.LibpriPlan();
    deflection.from.number.presentation = from.LibpriPresentation();
    std::snprintf(deflection.from.number.str, sizeof deflection.from.number.str, "%s", from.digits.c_str());
  }
  deflection.reason = reason;
  deflection.count = 1;  // libpri: "deflecting with an unknown count"
  // The caller is libpri's (the remote party); subscription option
  // notificationWithDivertedToNr (2): the caller may learn the new number.
  if (link_.Call(pri_reroute_call, call_, nullptr, &deflection, 2) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused the call rerouting", Describe()));
  }
  return base::Status::Ok();
}

base::Status PriCall::Transfer(PriCall& other) {
  if (!In({S::kActive, S::kConnectRequest})) return Refuse("FACILITY (explicit call transfer)", "Active or Connect request");
  if (!other.In({S::kActive, S::kConnectRequest})) {
    return other.Refuse("FACILITY (explicit call transfer)", "Active or Connect request");
  }
  // pri_channel_bridge takes no struct pri: the two calls name their link.
  const int sent = link_.Call([this, &other](struct pri*) { return pri_channel_bridge(call_, other.call_); });
  if (sent != 0) {
    return base::Status::Error(fmt::format("{} and {}: libpri refused the explicit call transfer (the calls must "
                                           "be on one link, with one bearer)",
                                           Describe(), other.Describe()));
  }
  return base::Status::Ok();
}

base::Status PriCall::AnswerTransfer(int invoke_id, bool accept) {
  if (link_.Call(pri_transfer_rsp, call_, invoke_id, accept ? 1 : 0) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused the transfer result", Describe()));
  }
  return base::Status::Ok();
}

base::Status PriCall::AnswerRerouting(int invoke_id, bool accept) {
  const auto code = accept ? PRI_REROUTING_RSP_OK_CLEAR : PRI_REROUTING_RSP_NOT_ALLOWED;
  if (link_.Call(pri_rerouting_rsp, call_, invoke_id, code) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused the rerouting result", Describe()));
  }
  return base::Status::Ok();
}

base::Result<CallAfter> PriCall::Clear(std::uint8_t cause, const std::optional<UserUser>& uui) {
  if (state_ == S::kNull) {
    return base::Fail(fmt::format("{}: clearing refused in state Null (the far end cleared it; needs any other state)",
                                  Describe()));
  }
  UuiRewriter& rewriter = link_.rewriter();
  if (state_ == S::kCallPresent) {
    // Q.931 5.3.2 a): an offered call nothing was sent for is refused with
    // RELEASE COMPLETE. libpri 1.6 sends nothing for pri_hangup in Call
    // present with most causes (the call is not "alive" yet) and keeps the
    // record; with the causes of its hangup-fix path (88 among them) it
    // sends RELEASE COMPLETE and frees the call. Any other cause goes out
    // as 88 and the rewriter puts the wanted one in, with the UUI.
    if (IsHangupFixCause(cause)) {
      if (uui) rewriter.SetForClearing(cref_, {uui, std::nullopt});
      link_.Call(pri_hangup, call_, cause);
    } else {
      rewriter.SetForClearing(cref_, {uui, cause});
      link_.Call(pri_hangup, call_, PRI_CAUSE_INCOMPATIBLE_DESTINATION);
    }
    return Freed();
  }
  const Sent sent = LibpriClearing(state_, cause);
  if (sent == Sent::kNothing) {
    // Release request: our RELEASE is out, T308 resends it.
    return CallAfter::kAlive;
  }
  // DISCONNECT, or RELEASE after the far end's DISCONNECT: libpri picks the
  // message from its state; the rewriter puts the UUI in whichever it is.
  if (uui) rewriter.SetForClearing(cref_, {uui, std::nullopt});
  if (link_.Call(pri_hangup, call_, cause) != 0) {
    PRID_LOG_WARN("{}: libpri refused to clear the call (cause {})", Describe(), cause);
  }
  switch (sent) {
    case Sent::kDisconnect:
      TransitionTo(S::kDisconnectRequest);
      return CallAfter::kAlive;
    case Sent::kRelease:
      TransitionTo(S::kReleaseRequest);
      return CallAfter::kAlive;
    default:
      // RELEASE COMPLETE: libpri freed the call.
      return Freed();
  }
}

base::Status PriCall::Hold() {
  if (!kHoldStates.Contains(state_) || hold_state_ != H::kIdle) {
    return base::Status::Error(fmt::format("{}: HOLD refused in state {}, hold state {} (needs an answered or "
                                           "proceeding call, hold state Idle)",
                                           Describe(), CallStateName(state_), HoldStateName(hold_state_)));
  }
  if (link_.Call(pri_hold, call_) != 0) {
    return base::Status::Error(fmt::format("{}: libpri refused HOLD in state {}", Describe(), CallStateName(state_)));
  }
  HoldTransitionTo(H::kHoldRequest);
  return base::Status::Ok();
}

base::Status PriCall::Retrieve() {
  if (!kHoldStates.Contains(state_) || hold_state_ != H::kCallHeld) {
    return base::Status::Error(fmt::format("{}: RETRIEVE refused in state {}, hold state {} (needs hold state "
                                           "Call held)",
                                           Describe(), CallStateName(state_), HoldStateName(hold_state_)));
  }
  // The B-channel stays reserved while held: ask for it back.
  if (link_.Call(pri_retrieve, call_, channel_) != 0) {
    return base::Status::Error(
        fmt::format("{}: libpri refused RETRIEVE in state {}", Describe(), CallStateName(state_)));
  }
  HoldTransitionTo(H::kRetrieveRequest);
  return base::Status::Ok();
}

base::Status PriCall::AcknowledgeHold() {
  if (hold_state_ != H::kHoldIndication) {
    return base::Status::Error(fmt::format("{}: HOLD ACKNOWLEDGE refused in hold state {} (needs Hold indication)",
                                           Describe(), HoldStateName(hold_state_)));
  }
  link_.Call(pri_hold_ack, call_);
  HoldTransitionTo(H::kCallHeld);
  return base::Status::Ok();
}

base::Status PriCall::RejectHold(std::uint8_t cause) {
  if (hold_state_ != H::kHoldIndication) {
    return base::Status::Error(fmt::format("{}: HOLD REJECT refused in hold state {} (needs Hold indication)",
                                           Describe(), HoldStateName(hold_state_)));
  }
  link_.Call(pri_hold_rej, call_, cause);
  HoldTransitionTo(H::kIdle);
  return base::Status::Ok();
}

base::Status PriCall::AcknowledgeRetrieve() {
  if (hold_state_ != H::kRetrieveIndication) {
    return base::Status::Error(fmt::format(
        "{}: RETRIEVE ACKNOWLEDGE refused in hold state {} (needs Retrieve indication)", Describe(),
        HoldStateName(hold_state_)));
  }
  // The B-channel was kept for the held call: give it back.
  link_.Call(pri_retrieve_ack, call_, channel_);
  HoldTransitionTo(H::kIdle);
  return base::Status::Ok();
}

base::Status PriCall::RejectRetrieve(std::uint8_t cause) {
  if (hold_state_ != H::kRetrieveIndication) {
    return base::Status::Error(fmt::format("{}: RETRIEVE REJECT refused in hold state {} (needs Retrieve indication)",
                                           Describe(), HoldStateName(hold_state_)));
  }
  link_.Call(pri_retrieve_rej, call_, cause);
  HoldTransitionTo(H::kCallHeld);
  return base::Status::Ok();
}

CallAfter PriCall::Release(std::uint8_t cause) {
  if (state_ != S::kNull) {
    // A broken invariant of the caller: Release belongs after NoteHangup.
    PRID_LOG_ERROR("{}: Release refused in state {} (needs Null, after the far end's RELEASE)", Describe(),
                   CallStateName(state_));
    return CallAfter::kAlive;
  }
  // Exactly one pri_hangup after PRI_EVENT_HANGUP: libpri sends RELEASE
  // COMPLETE (after a RELEASE) and frees the call.
  link_.Call(pri_hangup, call_, cause);
  return Freed();
}

CallAfter PriCall::Destroy() {
  link_.Call(pri_destroycall, call_);
  return Freed();
}

void PriCall::NoteSetupAcknowledged() { TransitionTo(S::kOverlapSending); }
void PriCall::NoteProceeding() { TransitionTo(S::kOutgoingCallProceeding); }
void PriCall::NoteRinging() { TransitionTo(S::kCallDelivered); }
void PriCall::NoteAnswered() { TransitionTo(S::kActive); }
void PriCall::NoteRemoteDisconnect() { TransitionTo(S::kDisconnectIndication); }
void PriCall::NoteHangup() { TransitionTo(S::kNull); }

CallAfter PriCall::NoteHangupAck() {
  // libpri freed the call before reporting it; its address may already be
  // another call's.
  return Freed();
}

void PriCall::NoteHoldAcknowledged() { HoldTransitionTo(H::kCallHeld); }
void PriCall::NoteHoldRejected() { HoldTransitionTo(H::kIdle); }
void PriCall::NoteRetrieveAcknowledged() { HoldTransitionTo(H::kIdle); }
void PriCall::NoteRetrieveRejected() { HoldTransitionTo(H::kCallHeld); }
void PriCall::NoteHoldRequested() { HoldTransitionTo(H::kHoldIndication); }
void PriCall::NoteRetrieveRequested() { HoldTransitionTo(H::kRetrieveIndication); }

std::optional<UserUser> PriCall::TakeReceivedUui() { return link_.rewriter().TakeReceived(cref_); }

// --- PriCallTable --------------------------------------------------------

PriCall& PriCallTable::Add(q931_call* call, int cref, int channel, CallDirection direction) {
  auto& slot = calls_[call];
  if (slot) {
    // libpri never hands out a live call's address twice; an entry here is
    // one we failed to remove when libpri freed it.
    PRID_LOG_ERROR("{}: call {:#06x} reuses the address of call {:#06x}, which was never released", link_.name(),
                   cref, slot->cref());
  }
  slot.reset(new PriCall(*this, link_, call, cref, channel, direction));
  return *slot;
}

void PriCallTable::Erase(PriCall& call) { calls_.erase(call.call()); }

base::Result<PriCall*> PriCallTable::Place(const SetupRequest& request) {
  auto placed = link_.Setup(request);
  if (!placed.ok()) return base::Fail(placed.error());
  PriCall& call = Add(placed->call, placed->cref, request.channel, CallDirection::kOutgoing);
  call.TransitionTo(S::kCallInitiated);
  return &call;
}

PriCall& PriCallTable::Offered(const pri_event_ring& ring, int channel) {
  PriCall& call = Add(ring.call, ring.cref, channel, CallDirection::kIncoming);
  call.TransitionTo(S::kCallPresent);
  return call;
}

PriCall* PriCallTable::Find(q931_call* call) {
  auto it = calls_.find(call);
  return it == calls_.end() ? nullptr : it->second.get();
}

PriCall* PriCallTable::FindByCref(int cref) {
  // Few calls per link: a scan beats keeping a second index in step.
  for (auto& [call, entry] : calls_) {
    if (entry->cref() == cref) return entry.get();
  }
  return nullptr;
}

void PriCallTable::ClearUnknown(q931_call* call, std::uint8_t cause) {
  PRID_LOG_NOTICE("{}: libpri reported a call prid does not hold; clearing it", link_.name());
  link_.Call(pri_hangup, call, cause);
}

void PriCallTable::RejectUnknownHold(q931_call* call, std::uint8_t cause) { link_.Call(pri_hold_rej, call, cause); }

void PriCallTable::RejectUnknownRetrieve(q931_call* call, std::uint8_t cause) {
  link_.Call(pri_retrieve_rej, call, cause);
}

}  // namespace prid::q931
