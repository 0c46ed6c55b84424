// PriLink: the C++ owner of one libpri `struct pri`, created with
// pri_new_cb so that every frame passes through a FrameIo (the test seam and
// the place where prid owns the User-user IE). After every libpri call it
// tells its observer when libpri next needs its timer (pri_schedule_next
// returns an absolute time).
//
// libpri has no public destructor for `struct pri`: a destroyed PriLink
// silences its `struct pri` (no I/O, no callbacks) and parks it for the
// rest of the process, so span removal costs one parked struct, never a
// dangling callback. It owns the table of its calls (q931/pri_call.h).
#pragma once

#include "q931/libpri_c.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "q931/party.h"
#include "q931/pcap_writer.h"
#include "q931/uui_rewriter.h"

namespace prid::q931 {

class PriCallTable;

// The D-channel as whole LAPD frames without FCS octets.
class FrameIo {
 public:
  virtual ~FrameIo() = default;
  // One received frame into `buffer`: its length, 0 when none is waiting
  // (or the link is down), never < 0.
  virtual int ReadFrame(std::span<std::uint8_t> buffer) = 0;
  // Sends one frame; false when it could not be sent (logged by the io).
  virtual bool WriteFrame(std::span<const std::uint8_t> frame) = 0;
};

class PriLinkObserver {
 public:
  virtual ~PriLinkObserver() = default;
  // A copy of the event libpri returned (valid only during the call;
  // pointers in it — call, subcmds — are libpri's).
  // PRI_EVENT_HANGUP_ACK (libpri has freed the call) also comes when
  // libpri 1.6 cleared an incoming call without an event (q931.c,
  // post_handle_q931_message: such a call is not "alive" until we send
  // something, nor after our RELEASE, and wants no HANGUP_ACK unless a
  // DISCONNECT crossed the link): the far end's DISCONNECT or RELEASE
  // COMPLETE of an offered call (Call present), or its RELEASE COMPLETE
  // answering our RELEASE. The PriLink makes one (cause, cref and call set;
  // ClearingReceived true while it is delivered).
  virtual void OnPriEvent(const pri_event& event) = 0;
  // libpri's next timer deadline changed (nullopt: none).
  virtual void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> deadline) = 0;
  // Every frame that crossed the link, after rewriting (for traces).
  virtual void OnFrame(FrameDirection direction, std::span<const std::uint8_t> frame) = 0;
};

struct PriLinkOptions {
  std::string name;        // for logs: the span's name
  int node_type = PRI_CPE; // PRI_CPE or PRI_NETWORK
  int switch_type = PRI_SWITCH_EUROISDN_E1;
  // Q.931 HOLD / RETRIEVE answered (PRI_EVENT_HOLD …); otherwise libpri
  // refuses a received HOLD with cause 69 by itself.
  bool hold = false;
  // Received call rerouting / deflection invokes reported (PRI_SUBCMD_REROUTING,
  // pri_reroute_enable); otherwise libpri answers them "not subscribed".
  bool reroute = false;
  // Received explicit call transfer invokes carried out (ETSI ECT:
  // EctLinkIdRequest answered, PRI_SUBCMD_TRANSFER_CALL reported;
  // pri_transfer_enable); otherwise libpri answers them with a ROSE error.
  bool transfer = false;
};

// A SETUP to place (PriLink::Setup).
struct SetupRequest {
  int channel = 0;            // B-channel
  int transfer_capability = PRI_TRANS_CAP_SPEECH;
  int layer1 = PRI_LAYER_1_ALAW;
  SetupParties parties;
  std::optional<UserUser> uui;  // carried byte-exact by the rewriter
  bool exclusive = true;        // false: the channel is only preferred (Q.931 4.5.13)
  // false: overlap sending (Q.931 5.1.3), the SETUP goes without Sending
  // complete and more digits follow in INFORMATION (PriCall::SendDigits).
  bool complete = true;
};

// The numbers of a received SETUP as libpri read them (its ring event and
// the redirecting subcommand libpri 1.6 adds when the SETUP had one).
SetupParties ReceivedParties(const pri_event_ring& ring);

struct PlacedCall {
  q931_call* call = nullptr;
  int cref = 0;  // libpri's call reference (with kCrefOriginatedByUs)
};

class PriLink {
 public:
  static base::Result<std::unique_ptr<PriLink>> Create(const PriLinkOptions& options, FrameIo& io,
                                                      PriLinkObserver& observer);
  ~PriLink();
  PriLink(const PriLink&) = delete;
  PriLink& operator=(const PriLink&) = delete;

  // The D-channel is readable: hands every waiting frame to libpri and
  // each resulting event to the observer.
  void ProcessInput();
  // libpri's timer deadline passed.
  void RunTimers();

  // The D-channel is there: a far end connected to the sim socket, a span
  // alarm cleared, a span started on a working card. Q.921 starts afresh.
  // libpri's point-to-point Q.921 keeps sending SABME while nobody is
  // there; when the far end's own SABME arrives it acknowledges it but stays
  // in "awaiting establishment", dropping the far end's I-frames until its
  // next T200 (libpri 1.6 q921.c: q921_sabme_rx, q921_iframe_rx). So libpri
  // is taken to TEI-assigned, the far end is sent DM with F = 1 (which takes
  // a libpri far end out of its own "awaiting establishment" the same way),
  // and libpri sends SABME now: each end is in multiple frame operation
  // before the other's first I-frame reaches it.
  void LineUp();
  // The D-channel is gone: no far end on the sim socket, the span is in
  // alarm. libpri's data link goes down now rather than after T203 and
  // N200 x T200: PRI_EVENT_DCHAN_DOWN, calls not yet active cleared at once
  // and active ones when T309 expires, all with cause 27 and no frame behind
  // them (ClearingReceived is false). Until LineUp no frame passes either
  // way: libpri's are dropped, and what the line delivers is read and
  // dropped (a card in alarm carries no signalling).
  void LineDown();
  // Takes libpri's data link to TEI-assigned (whatever it still meant to
  // send is dropped) and lets it establish the link again; the line stays
  // as it is.
  void ResetDataLink();

  // Runs one libpri call on this link's `struct pri` and re-arms the timer
  // afterwards, e.g. link.Call(pri_answer, call, channel, 1).
  // With a backup D-channel the call may go out on the other link (libpri
  // sends on the link the call is bound to) and start its timers: both
  // are re-armed.
  template <typename F, typename... Args>
  auto Call(F&& function, Args&&... args) {
    struct Rearm {
      PriLink* link;
      ~Rearm() { link->RearmGroup(); }
    } rearm{this};
    return function(pri_, std::forward<Args>(args)...);
  }

  // NFAS backup D-channel (docs/design.md "NFAS"): this link becomes the
  // backup of `primary` (pri_enslave). They share libpri's calls, and this
  // link uses the primary's call table and UUI rewriter: a call's messages
  // go out, and come in, on whichever link libpri has bound it to (the one
  // that last received a frame for it). New calls go out on the primary
  // while its data link is up, else on the backup.
  void BecomeBackupOf(PriLink& primary);
  // libpri's data link is in multiple frame operation.
  bool data_link_up() const { return data_link_up_; }
  // The D-channel switchover for call `cref`: hands libpri, as if the far
  // end had sent it on this link, a STATUS ENQUIRY for the call (in a UI
  // frame: no Q.921 sequence number is touched). libpri binds the call to
  // this link and answers STATUS on it, which binds the far end's too.
  void TakeOverCall(int cref);
  // No D-channel of the group came back within T309 (Q.931 5.8.9): call
  // `cref` is cleared as libpri's own T309 would, with `cause`, reported as
  // a hangup that no frame brought (ClearingReceived false).
  void ClearAfterLinkLoss(int cref, std::uint8_t cause);

  // Sends SETUP for a new call of ours.
  base::Result<PlacedCall> Setup(const SetupRequest& request);
  // libpri's call reference of a call we originated.
  int OwnCref(q931_call* call);

  // Whether the event being delivered to the observer comes from a
  // DISCONNECT, RELEASE or RELEASE COMPLETE (Q.931 5.3) received for call
  // `cref` (libpri's cref). libpri reports its own clearings as hangups
  // too: T303 expired twice (Q.931 5.1.1), T308, T309 or a call cancelled
  // after the data link failed (all from RunTimers, with no frame), or a
  // STATUS it cannot reconcile (a frame, but no clearing message); this
  // tells those from the far end's. False outside OnPriEvent.
  bool ClearingReceived(int cref) const;
  // What the message behind the event being delivered carried for call
  // `cref`, read from the frame itself (libpri keeps only a mask of the
  // progress descriptions, and takes a Display IE for a name or drops it):
  // its Progress indicator descriptions in wire order, and its Display IE's
  // text (q931/party.h DisplayText; none: no Display IE). Empty outside
  // OnPriEvent.
  std::vector<std::uint8_t> ReceivedProgress(int cref) const;
  std::optional<std::string> ReceivedDisplay(int cref) const;

  UuiRewriter& rewriter() { return primary_ != nullptr ? primary_->rewriter_ : rewriter_; }
  // The calls on this link (q931/pri_call.h): the one owner of q931_call*s
  // (a backup's are its primary's).
  PriCallTable& calls() { return primary_ != nullptr ? *primary_->calls_ : *calls_; }
  const std::string& name() const { return options_.name; }
  const PriLinkOptions& options() const { return options_; }
  struct pri* raw() { return pri_; }

 private:
  PriLink(const PriLinkOptions& options, FrameIo& io, PriLinkObserver& observer);
  static int ReadCallback(struct pri* pri, void* buffer, int length);
  static int WriteCallback(struct pri* pri, void* buffer, int length);
  // Remembers which call's which message `frame` carries (for ClearingReceived).
  void NoteReading(std::span<const std::uint8_t> frame);
  void Deliver(pri_event* event);
  // After libpri read a frame and gave no event: a call it cleared
  // silently (see OnPriEvent) is reported as PRI_EVENT_HANGUP_ACK.
  void ReportSilentClearing();
  void RearmTimer();
  void RearmGroup();
  // The group's other link (the backup's primary, the primary's backup).
  PriLink* partner() const { return primary_ != nullptr ? primary_ : backup_; }
  // Hands libpri, in a UI frame as the far end's, a message for call `cref`.
  void InjectMessage(int cref, std::uint8_t message_type, std::vector<InformationElement> ies);
  // Hands libpri `frame` as if the far end had sent it (not traced: it
  // never crossed the line) and delivers the resulting event.
  void Inject(std::span<const std::uint8_t> frame);
  // A Q.921 U frame of the far end's (`command`: as its command, else as
  // its response), for Inject.
  std::vector<std::uint8_t> FarEndUFrame(std::uint8_t control, bool command, bool poll_final) const;

  PriLinkOptions options_;
  FrameIo& io_;
  PriLinkObserver& observer_;
  UuiRewriter rewriter_;
  std::unique_ptr<PriCallTable> calls_;
  struct pri* pri_ = nullptr;
  std::optional<std::chrono::system_clock::time_point> armed_deadline_;
  bool has_armed_ = false;
  bool frame_was_read_ = false;
  // The frame the current pri_check_event read was a SABME.
  bool sabme_read_ = false;
  // libpri's data link is in multiple frame operation (its DCHAN_UP, not
  // yet its DCHAN_DOWN).
  bool data_link_up_ = false;
  // The frame Inject hands to libpri's next read (empty: none).
  std::vector<std::uint8_t> injected_;
  // Cleared by LineDown, set by LineUp: while clear, no frame passes.
  bool line_up_ = true;
  // The Q.931 message of the frame the current pri_check_event read (none
  // while libpri runs its timers).
  struct Reading {
    int cref = 0;
    std::uint8_t message_type = 0;
    std::optional<std::uint8_t> cause;  // of its Cause IE
    std::vector<std::uint8_t> progress;  // Progress indicator descriptions
    std::optional<std::string> display;  // Display IE text
  };
  std::optional<Reading> reading_;
  // The frame being read now on this link or on the group's other one.
  const Reading* CurrentReading() const;
  PriLink* primary_ = nullptr;  // a backup's primary
  PriLink* backup_ = nullptr;   // a primary's backup
};

}  // namespace prid::q931
