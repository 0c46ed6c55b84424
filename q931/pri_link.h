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

#include "base/expected.h"
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
};

// A SETUP to place (PriLink::Setup).
struct SetupRequest {
  int channel = 0;            // B-channel, exclusive
  int transfer_capability = PRI_TRANS_CAP_SPEECH;
  int layer1 = PRI_LAYER_1_ALAW;
  std::string called;
  std::string calling;        // empty: none
  std::optional<UserUser> uui;  // carried byte-exact by the rewriter
};

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

  // Runs one libpri call on this link's `struct pri` and re-arms the timer
  // afterwards, e.g. link.Call(pri_answer, call, channel, 1).
  template <typename F, typename... Args>
  auto Call(F&& function, Args&&... args) {
    struct Rearm {
      PriLink* link;
      ~Rearm() { link->RearmTimer(); }
    } rearm{this};
    return function(pri_, std::forward<Args>(args)...);
  }

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

  UuiRewriter& rewriter() { return rewriter_; }
  // The calls on this link (q931/pri_call.h): the one owner of q931_call*s.
  PriCallTable& calls() { return *calls_; }
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
  void RearmTimer();

  PriLinkOptions options_;
  FrameIo& io_;
  PriLinkObserver& observer_;
  UuiRewriter rewriter_;
  std::unique_ptr<PriCallTable> calls_;
  struct pri* pri_ = nullptr;
  std::optional<std::chrono::system_clock::time_point> armed_deadline_;
  bool has_armed_ = false;
  bool frame_was_read_ = false;
  // The Q.931 message of the frame the current pri_check_event read (none
  // while libpri runs its timers).
  struct Reading {
    int cref = 0;
    std::uint8_t message_type = 0;
  };
  std::optional<Reading> reading_;
};

}  // namespace prid::q931
