// PriCall: the wire state of one libpri call (its q931_call*, call reference,
// B-channel, direction and Q.931 call state) and the only place that asks
// libpri to send a call's messages; PriCallTable: the calls of one PriLink.
//
// Call states (Q.931 2.1.1 user side, 2.1.2 network side; the names are the
// spec's, seen from our end of the link; libpri's own call states are the
// same). Every write goes through PriCall::TransitionTo and this table:
//
//   Null ──SETUP sent──▶ Call initiated ─SETUP ACK─▶ Overlap sending
//     │                      │ CALL PROCEEDING            │
//     │                      ▼                            ▼
//     │            Outgoing call proceeding ─ALERTING─▶ Call delivered
//     │                      └───────CONNECT──────────────┴──▶ Active
//     └SETUP received▶ Call present ─CALL PROCEEDING─▶ Incoming call proceeding
//                          │  SETUP ACK ▶ Overlap receiving ─(as Call present)─▶ …
//                          │  ALERTING ▶ Call received ─CONNECT▶ Connect request
//                          │                                   (CONNECT ACK) ▶ Active
//   any of these ─DISCONNECT sent─▶ Disconnect request ─RELEASE sent─▶ Release request
//   any of these ─DISCONNECT received─▶ Disconnect indication ─RELEASE sent─▶ Release request
//   any state ─RELEASE / RELEASE COMPLETE received, RELEASE COMPLETE sent─▶ Null
//
// Null is where a call starts and ends. A live PriCall is in Null only
// between libpri's PRI_EVENT_HANGUP and our one pri_hangup (Release).
//
// The Q.932 hold auxiliary state (Idle, Hold request, Call held …) runs
// beside it, with its own table.
//
// Lifetime: a PriCall is owned by its PriCallTable and destroyed by the
// operation after which libpri has freed the q931_call (see PriCallTable).
// Such operations return kFreed; the PriCall must not be touched afterwards.
#pragma once

#include "q931/libpri_c.h"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "q931/pri_link.h"
#include "q931/user_user.h"

namespace prid::q931 {

enum class CallState : std::uint8_t {
  kNull,                    // U0 / N0
  kCallInitiated,           // U1: we sent SETUP
  kOverlapSending,          // U2: SETUP ACKNOWLEDGE received
  kOutgoingCallProceeding,  // U3: CALL PROCEEDING received
  kCallDelivered,           // U4: ALERTING received
  kCallPresent,             // U6: SETUP received, nothing sent yet
  kCallReceived,            // U7: we sent ALERTING
  kConnectRequest,          // U8: we sent CONNECT, no CONNECT ACKNOWLEDGE yet
  kIncomingCallProceeding,  // U9: we sent CALL PROCEEDING
  kActive,                  // U10
  kDisconnectRequest,       // U11: we sent DISCONNECT
  kDisconnectIndication,    // U12: DISCONNECT received
  kReleaseRequest,          // U19: we sent RELEASE
  kOverlapReceiving,        // U25: we sent SETUP ACKNOWLEDGE (overlap receiving, Q.931 5.2.4)
};
inline constexpr int kCallStateCount = 14;
// The spec's name, e.g. "Call present"; "Disconnect indication".
std::string_view CallStateName(CallState state);
// The state's number in Q.931 (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 19, 25).
int CallStateNumber(CallState state);
// Whether Q.931 (as libpri implements it) lets a call go from `from` to `to`.
bool CallTransitionAllowed(CallState from, CallState to);

// Q.932 (ETSI EN 300 196-1) hold auxiliary states.
enum class HoldState : std::uint8_t {
  kIdle,
  kHoldRequest,         // we sent HOLD
  kHoldIndication,      // HOLD received, not answered yet
  kCallHeld,
  kRetrieveRequest,     // we sent RETRIEVE
  kRetrieveIndication,  // RETRIEVE received, not answered yet
};
std::string_view HoldStateName(HoldState state);  // "Idle", "Hold request", …
bool HoldTransitionAllowed(HoldState from, HoldState to);

// Which states a call has been in (not in what order).
class CallStateSet {
 public:
  CallStateSet() = default;
  CallStateSet(std::initializer_list<CallState> states) {
    for (CallState s : states) Add(s);
  }
  void Add(CallState state) { bits_ |= Bit(state); }
  bool Contains(CallState state) const { return (bits_ & Bit(state)) != 0; }
  // True when every state in here is one of `allowed`.
  bool Within(const CallStateSet& allowed) const { return (bits_ & ~allowed.bits_) == 0; }

 private:
  static std::uint32_t Bit(CallState state) { return 1u << static_cast<int>(state); }
  std::uint32_t bits_ = 0;
};

enum class CallDirection { kOutgoing, kIncoming };

// After an operation: the call is still with libpri, or libpri freed it
// (and the PriCall is gone).
enum class CallAfter { kAlive, kFreed };

class PriCallTable;

class PriCall {
 public:
  PriCall(const PriCall&) = delete;
  PriCall& operator=(const PriCall&) = delete;

  q931_call* call() const { return call_; }
  // libpri's call reference (q931/uui_rewriter.h: kCrefOriginatedByUs set
  // for calls we placed).
  int cref() const { return cref_; }
  int channel() const { return channel_; }
  CallDirection direction() const { return direction_; }
  CallState state() const { return state_; }
  HoldState hold_state() const { return hold_state_; }
  // Every state the call has been in, the present one included.
  const CallStateSet& history() const { return history_; }
  // The owner's id for this call (prid's CallId), 0 for none.
  std::uint64_t tag() const { return tag_; }
  void set_tag(std::uint64_t tag) { tag_ = tag; }

  // --- Our messages. Each checks the state first; a refusal names the
  // operation, the call's state and the states it needs.
  // CALL PROCEEDING (pri_proceeding).
  base::Status Proceed();
  // Before our first answer (Call present): the call's B-channel becomes
  // `channel`, which the CALL PROCEEDING, ALERTING or CONNECT that follows
  // names (exclusive, as libpri sends it). Q.931 5.1.2 / 5.2.3.1: the side
  // answering a SETUP whose channel is only preferred may take another.
  base::Status UseChannel(int channel);
  // PROGRESS (pri_progress, or pri_progress_with_cause with `cause`) with
  // one Progress indicator per description (1 or more; the rewriter writes
  // them, libpri can only say in-band information). Call present,
  // Incoming call proceeding or Call received.
  base::Status Progress(const std::vector<std::uint8_t>& descriptions, std::optional<std::uint8_t> cause);
  // ALERTING (pri_acknowledge; libpri sends CALL PROCEEDING first if it has
  // not). `inband`: progress indicator 8. `uui` is put in by the rewriter.
  base::Status Alert(bool inband, const std::optional<UserUser>& uui = std::nullopt);
  // CONNECT (pri_answer). `non_isdn`: progress indicator 2.
  base::Status Answer(const std::optional<UserUser>& uui, bool non_isdn);
  // Overlap receiving (Q.931 5.2.4): SETUP ACKNOWLEDGE (pri_need_more_info)
  // for a SETUP without Sending complete; Call present. Proceed, Alert,
  // Answer and Progress then go from Overlap receiving as from Call present.
  base::Status AcknowledgeSetup();
  // Overlap sending (Q.931 5.1.3): one INFORMATION whose Called party
  // number holds `digits` (1 or more), with Sending complete when
  // `complete`. libpri sends one digit per INFORMATION and never Sending
  // complete there: the rewriter writes the rest. Call initiated or
  // Overlap sending.
  base::Status SendDigits(const std::string& digits, bool complete);
  // INFORMATION with a Keypad facility IE (pri_keypad_facility): digits
  // after the answer (Q.931 4.5.18). Active.
  base::Status SendKeypad(const std::string& digits);
  // INFORMATION with a Display IE of `text` (pri_display_text), once the
  // call is under way and until it clears; only where the link's display
  // send options have PRI_DISPLAY_OPTION_TEXT (else libpri sends nothing).
  base::Status SendDisplay(const std::string& text);
  // Our connected line (Q.951 COLP; pri_connected_line_update): before the
  // answer, what the CONNECT carries — `number` as a Connected number IE,
  // `name` (when not empty) as a Display IE, or a Q.SIG ConnectedName.
  // Call present, Incoming call proceeding or Call received.
  base::Status SetConnectedLine(const std::optional<Party>& number, const std::string& name);
  // Call rerouting / deflection (ETSI EN 300 207-1, Q.SIG ISO 13868;
  // pri_reroute_call): a FACILITY whose ROSE invoke asks the far end to
  // route the call to `to` for `reason` (a Q.952 redirecting reason, as
  // Redirecting::reason). libpri sends CallRerouting on euroisdn (E1 and T1)
  // point-to-point and on qsig, CallDeflection on euroisdn point-to-
  // multipoint, and nothing on the other switch types. The far end answers
  // by clearing the call. `from`: the party that reroutes (the call's
  // called number), the invoke's last rerouting number. Before our
  // answer: Call present, Overlap receiving, Incoming call proceeding or
  // Call received.
  base::Status Reroute(const Party& to, const Party& from, std::uint8_t reason);
  // The far end's side of it: answers the rerouting invoke `invoke_id`
  // (pri_rerouting_rsp): accepted, its result rides on the clearing that
  // follows; refused, a FACILITY with a ROSE error (not allowed) goes now.
  base::Status AnswerRerouting(int invoke_id, bool accept);
  // Explicit call transfer of the served user (ETSI EN 300 369-1 ECT;
  // pri_channel_bridge): asks the network to join this call and `other`
  // (one link, one bearer). libpri sends an EctLinkIdRequest invoke in a
  // FACILITY on this call and, with the link id the network returns, an
  // ExplicitEctExecute on `other`; the network then clears both. Libpri
  // has it on euroisdn alone (its 2BCT, RLT and Q.SIG transfers need a far
  // end that carries them out, which libpri's is not). Both Active or
  // Connect request.
  base::Status Transfer(PriCall& other);
  // The network's side: answers the transfer invoke `invoke_id`
  // (pri_transfer_rsp) on the call it came on: accepted, its result rides
  // on the DISCONNECT that follows; refused, a FACILITY with a ROSE error
  // (not available) goes now.
  base::Status AnswerTransfer(int invoke_id, bool accept);
  // Clears the call with the message Q.931 calls for in its state, carrying
  // `cause` and `uui`:
  //  - Call present (an offered call nothing was sent for): RELEASE
  //    COMPLETE, Q.931 5.3.2 a); libpri frees the call (kFreed).
  //  - Disconnect indication (after the far end's DISCONNECT), Disconnect
  //    request: RELEASE.
  //  - otherwise DISCONNECT (or what libpri sends for `cause` there: RELEASE
  //    COMPLETE for causes 1/34/44/82/88 in Call initiated, then kFreed).
  //  - Release request: nothing more is sent (kAlive).
  // Refused in Null (the far end has cleared it: Release, not Clear).
  base::Result<CallAfter> Clear(std::uint8_t cause, const std::optional<UserUser>& uui);
  // HOLD / RETRIEVE of ours (Q.932); libpri has the last word on the state.
  base::Status Hold();
  base::Status Retrieve();
  // Answers to the far end's HOLD / RETRIEVE (after NoteHoldRequested /
  // NoteRetrieveRequested).
  base::Status AcknowledgeHold();
  base::Status RejectHold(std::uint8_t cause);
  base::Status AcknowledgeRetrieve();
  base::Status RejectRetrieve(std::uint8_t cause);
  // The one pri_hangup after PRI_EVENT_HANGUP (NoteHangup): libpri answers
  // a RELEASE with RELEASE COMPLETE and frees the call. Only in Null.
  [[nodiscard]] CallAfter Release(std::uint8_t cause);
  // pri_destroycall: the call is gone without a message (the channel was
  // restarted, Q.931 5.5).
  [[nodiscard]] CallAfter Destroy();

  // --- What libpri reported (it has already moved its own state).
  void NoteSetupAcknowledged();  // PRI_EVENT_SETUP_ACK
  void NoteProceeding();         // PRI_EVENT_PROCEEDING
  void NoteRinging();            // PRI_EVENT_RINGING
  void NoteAnswered();           // PRI_EVENT_ANSWER
  void NoteRemoteDisconnect();   // PRI_EVENT_HANGUP_REQ: the far end's DISCONNECT
  // PRI_EVENT_HANGUP: the far end's RELEASE or RELEASE COMPLETE; the call
  // waits in Null for Release.
  void NoteHangup();
  // PRI_EVENT_HANGUP_ACK: libpri has freed the call already, and reuses its
  // address at once.
  [[nodiscard]] CallAfter NoteHangupAck();
  void NoteHoldAcknowledged();
  void NoteHoldRejected();
  void NoteRetrieveAcknowledged();
  void NoteRetrieveRejected();
  void NoteHoldRequested();      // PRI_EVENT_HOLD
  void NoteRetrieveRequested();  // PRI_EVENT_RETRIEVE
  // The UUIE of the last message received for the call, once.
  std::optional<UserUser> TakeReceivedUui();

  // "call 0x8001 on channel 3": for messages.
  std::string Describe() const;

 private:
  friend class PriCallTable;
  PriCall(PriCallTable& table, PriLink& link, q931_call* call, int cref, int channel, CallDirection direction);

  // The one writer of state_: refuses (and logs at error) a transition the
  // table does not allow.
  bool TransitionTo(CallState next);
  bool HoldTransitionTo(HoldState next);
  base::Status Refuse(std::string_view operation, std::string_view needs) const;
  bool In(std::initializer_list<CallState> states) const;
  // libpri freed the call: forget it everywhere. Destroys *this.
  CallAfter Freed();

  PriCallTable& table_;
  PriLink& link_;
  q931_call* call_;
  int cref_;
  int channel_;
  CallDirection direction_;
  CallState state_ = CallState::kNull;
  HoldState hold_state_ = HoldState::kIdle;
  CallStateSet history_;
  std::uint64_t tag_ = 0;
};

// The calls of one PriLink, by q931_call* and by cref.
//
// libpri reuses a freed q931_call's address for its next call at once, so
// this is the one place that maps q931_call* to anything, and an entry is
// removed exactly when libpri frees the call: on PRI_EVENT_HANGUP_ACK
// (NoteHangupAck), by the one pri_hangup after PRI_EVENT_HANGUP (Release),
// when a clearing is a RELEASE COMPLETE (Clear of an offered call, Q.931
// 5.3.2 a)), and by pri_destroycall (Destroy). A lookup therefore never
// finds a dead call under a reused address.
class PriCallTable {
 public:
  explicit PriCallTable(PriLink& link) : link_(link) {}
  PriCallTable(const PriCallTable&) = delete;
  PriCallTable& operator=(const PriCallTable&) = delete;

  // Sends SETUP (PriLink::Setup) and keeps the new call (Call initiated).
  base::Result<PriCall*> Place(const SetupRequest& request);
  // The far end's SETUP (PRI_EVENT_RING) on `channel`: Call present.
  PriCall& Offered(const pri_event_ring& ring, int channel);

  PriCall* Find(q931_call* call);
  PriCall* FindByCref(int cref);
  std::size_t size() const { return calls_.size(); }

  // For a call libpri reports that no PriCall holds (none should exist):
  // the pri_hangup that lets libpri free it, and the refusal of its HOLD /
  // RETRIEVE.
  void ClearUnknown(q931_call* call, std::uint8_t cause);
  void RejectUnknownHold(q931_call* call, std::uint8_t cause);
  void RejectUnknownRetrieve(q931_call* call, std::uint8_t cause);

 private:
  friend class PriCall;
  PriCall& Add(q931_call* call, int cref, int channel, CallDirection direction);
  void Erase(PriCall& call);

  PriLink& link_;
  std::map<q931_call*, std::unique_ptr<PriCall>> calls_;
};

}  // namespace prid::q931
