// The built-in far end of a sim span (peer = "builtin"): a libpri instance
// of the opposite node type on the other end of the span's socket pair,
// driven by the sim.* methods. It treats the calls prid places per its
// policy (answer, alert, busy, reject, ignore), places calls toward prid,
// and clears calls with its own cause and UUI.
#pragma once

#include <ev++.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "daemon/config/config.h"
#include "daemon/line/ev_timer.h"
#include "daemon/line/pri_driver.h"
#include "q931/pri_call.h"
#include "q931/user_user.h"

namespace prid::daemon {

class Span;

enum class PeerAction { kAnswer, kAlert, kBusy, kReject, kIgnore };
std::optional<PeerAction> PeerActionFromName(std::string_view name);

struct PeerPolicy {
  PeerAction on_setup = PeerAction::kAnswer;
  int delay_ms = 0;
  std::optional<q931::UserUser> uui;  // carried by the CONNECT / ALERTING / clearing
  // The CONNECT's connected number (Q.951 COLP) and name (a Display IE, or
  // a Q.SIG ConnectedName): libpri's connected line, set before answering.
  std::optional<q931::Party> connected;
  std::string display;
  // Overlap receiving (Q.931 5.2.4): a SETUP without Sending complete is
  // answered SETUP ACKNOWLEDGE and `on_setup` waits for the INFORMATION
  // that carries Sending complete.
  bool overlap = false;
};

class SimPeer {
 public:
  SimPeer(ev::loop_ref loop, const SpanConfig& span, std::unique_ptr<dahdi_glue::SimTransport> end,
          Span& near_end);
  ~SimPeer();

  base::Status Start();
  void SetPolicy(PeerPolicy policy) { policy_ = std::move(policy); }
  // How it answers prid's HOLD and RETRIEVE (default: acknowledge).
  void SetHoldPolicy(bool accept) { accept_hold_ = accept; }
  // How it answers prid's call rerouting (default: accept and clear the call).
  void SetRedirectPolicy(bool accept) { accept_redirect_ = accept; }
  // How it answers prid's explicit call transfer (default: accept, join the
  // calls and clear both).
  void SetTransferPolicy(bool accept) { accept_transfer_ = accept; }
  // SETUP toward prid on a free B-channel of the span; `preferred`: the
  // channel is offered as preferred, not exclusive, so prid may take another.
  base::Status PlaceCall(const q931::SetupParties& parties, const std::optional<q931::UserUser>& uui,
                         bool preferred = false);
  // Clears the call that prid knows by `near_cref` (its libpri cref).
  base::Status Drop(int near_cref, std::uint8_t cause, const std::optional<q931::UserUser>& uui);
  // The far end puts the call on hold (HOLD) or takes it back (RETRIEVE).
  base::Status Hold(int near_cref);
  base::Status Retrieve(int near_cref);
  // INFORMATION with a Keypad facility IE of `digits` (Q.931 4.5.18).
  base::Status Keypad(int near_cref, const std::string& digits);
  // INFORMATION with a Display IE of `text` (kFailed text where the far
  // end's variant and side send none).
  base::Status Display(int near_cref, const std::string& text);
  // PROGRESS with these progress descriptions, on a call prid placed.
  base::Status Progress(int near_cref, const std::vector<std::uint8_t>& descriptions);
  std::size_t calls() const { return calls_.size(); }

 private:
  // What the far end keeps of a call beside its PriCall (the wire state).
  struct PeerCall {
    bool retrieve_after_hold = false; // sim.unhold came before our HOLD's acknowledge
    bool collecting = false;          // overlap receiving: waiting for Sending complete
    std::unique_ptr<Timer> delay;
  };

  void OnPriEvent(const pri_event& event);
  void OnSetup(const pri_event_ring& ring);
  // PRI_EVENT_INFO_RECEIVED: prid's overlap digits; Sending complete ends
  // the collecting.
  void OnInformation(const pri_event_ring& info);
  // Treats a call whose number is complete per the policy.
  void Treat(int cref);
  void OnHoldEvent(const pri_event& event);
  // prid's call rerouting (PRI_SUBCMD_REROUTING) and explicit call transfer
  // (PRI_SUBCMD_TRANSFER_CALL): accepted, and the calls cleared.
  void OnFacility(const pri_event_facility& facility);
  void OnTransfer(q931::PriCall& asked_on, const pri_subcommand& transfer);
  // Clears one of our calls with cause 16, as a network that took it elsewhere.
  void ClearTakenCall(q931::PriCall& call);
  void OnHangup(const pri_event_hangup& hangup, int type);
  // The PriCall of the call prid knows by `near_cref` (null: none).
  q931::PriCall* ByNearCref(int near_cref);
  void Act(int cref);
  q931::PriCallTable& wire() { return driver_->link().calls(); }

  ev::loop_ref loop_;
  EvTimerFactory timers_;
  SpanConfig span_;
  Span& near_end_;
  std::unique_ptr<PriDriver> driver_;
  PeerPolicy policy_;
  bool accept_hold_ = true;
  bool accept_redirect_ = true;
  bool accept_transfer_ = true;
  // By our own libpri cref; an entry goes with its PriCall.
  std::map<int, PeerCall> calls_;
};

}  // namespace prid::daemon
