// The built-in far end of a sim span.
#include "daemon/line/sim_peer.h"

#include <utility>

#include <fmt/format.h>

#include "base/log.h"
#include "daemon/line/libpri_settings.h"
#include "daemon/line/span.h"
#include "q931/message.h"
#include "q931/q850.h"
#include "q931/uui_rewriter.h"

namespace prid::daemon {
namespace {

NodeType Opposite(NodeType node) { return node == NodeType::kCpe ? NodeType::kNetwork : NodeType::kCpe; }

}  // namespace

std::optional<PeerAction> PeerActionFromName(std::string_view name) {
  if (name == "answer") return PeerAction::kAnswer;
  if (name == "alert") return PeerAction::kAlert;
  if (name == "busy") return PeerAction::kBusy;
  if (name == "reject") return PeerAction::kReject;
  if (name == "ignore") return PeerAction::kIgnore;
  return std::nullopt;
}

SimPeer::SimPeer(ev::loop_ref loop, const SpanConfig& span, std::unique_ptr<dahdi_glue::SimTransport> end,
                 Span& near_end)
    : loop_(loop), timers_(loop), span_(span), near_end_(near_end) {
  const std::string name = fmt::format("{}-peer", span.name.empty() ? fmt::format("span{}", span.span) : span.name);
  q931::PriLinkOptions options{name, LibpriNodeType(Opposite(span.node)), LibpriSwitchType(span.switch_variant),
                               VariantHasHold(span.switch_variant)};
  options.reroute = true;   // it carries out prid's call.redirect (OnFacility)
  options.transfer = true;  // and call.transfer
  driver_ = std::make_unique<PriDriver>(loop, std::move(end), options);
}

SimPeer::~SimPeer() = default;

base::Status SimPeer::Start() {
  if (auto started = driver_->Start([this](const pri_event& e) { OnPriEvent(e); }); !started.ok()) return started;
  // Display text on a call under way (sim.display), as prid's own span.
  if (VariantSendsDisplay(span_.switch_variant, Opposite(span_.node))) {
    pri_display_options_send(driver_->link().raw(), PRI_DISPLAY_OPTION_NAME_INITIAL | PRI_DISPLAY_OPTION_TEXT);
  }
  return base::Status::Ok();
}

base::Status SimPeer::PlaceCall(const q931::SetupParties& parties, const std::optional<q931::UserUser>& uui,
                                bool preferred) {
  if (!near_end_.up()) return base::Status::Error(fmt::format("span {} is down", span_.span));
  const int channel = near_end_.PickChannel();
  if (channel == 0) return base::Status::Error(fmt::format("no free B-channel on span {}", span_.span));
  auto placed =
      wire().Place({channel, PRI_TRANS_CAP_SPEECH, LibpriLayer1(span_.switch_variant), parties, uui, !preferred});
  if (!placed.ok()) return base::Status::Error(placed.error());
  calls_[(*placed)->cref()] = PeerCall{};
  return base::Status::Ok();
}

q931::PriCall* SimPeer::ByNearCref(int near_cref) {
  // prid's cref of a call is ours with the originator flag inverted.
  return wire().FindByCref(near_cref ^ q931::kCrefOriginatedByUs);
}

base::Status SimPeer::Drop(int near_cref, std::uint8_t cause, const std::optional<q931::UserUser>& uui) {
  q931::PriCall* call = ByNearCref(near_cref);
  if (call == nullptr) return base::Status::Error("the far end has no such call on the wire");
  const int cref = call->cref();
  calls_[cref].delay.reset();
  // The message Q.931 calls for in the call's state: RELEASE COMPLETE when
  // nothing was sent yet (Q.931 5.3.2 a), see PriCall::Clear).
  auto after = call->Clear(cause, uui);
  if (!after.ok()) return base::Status::Error(after.error());
  if (*after == q931::CallAfter::kFreed) calls_.erase(cref);
  return base::Status::Ok();
}

base::Status SimPeer::Hold(int near_cref) {
  q931::PriCall* call = ByNearCref(near_cref);
  if (call == nullptr) return base::Status::Error("the far end has no such call on the wire");
  if (!call->Hold().ok()) {
    return base::Status::Error("the far end cannot send HOLD for this call in its Q.931 state");
  }
  return base::Status::Ok();
}

base::Status SimPeer::Retrieve(int near_cref) {
  q931::PriCall* call = ByNearCref(near_cref);
  if (call == nullptr) return base::Status::Error("the far end has no such call on the wire");
  if (call->hold_state() == q931::HoldState::kHoldRequest) {
    // prid saw the HOLD; its acknowledge is still on its way to us.
    calls_[call->cref()].retrieve_after_hold = true;
    return base::Status::Ok();
  }
  if (!call->Retrieve().ok()) {
    return base::Status::Error("the far end cannot send RETRIEVE for this call (is it held?)");
  }
  return base::Status::Ok();
}

base::Status SimPeer::Keypad(int near_cref, const std::string& digits) {
  q931::PriCall* call = ByNearCref(near_cref);
  if (call == nullptr) return base::Status::Error("the far end has no such call on the wire");
  return call->SendKeypad(digits);
}

base::Status SimPeer::Display(int near_cref, const std::string& text) {
  q931::PriCall* call = ByNearCref(near_cref);
  if (call == nullptr) return base::Status::Error("the far end has no such call on the wire");
  if (!VariantSendsDisplay(span_.switch_variant, Opposite(span_.node))) {
    return base::Status::Error(fmt::format("the far end ({}, {}) sends no Display IE",
                                           SwitchVariantName(span_.switch_variant), NodeTypeName(Opposite(span_.node))));
  }
  return call->SendDisplay(text);
}

base::Status SimPeer::Progress(int near_cref, const std::vector<std::uint8_t>& descriptions) {
  q931::PriCall* call = ByNearCref(near_cref);
  if (call == nullptr) return base::Status::Error("the far end has no such call on the wire");
  return call->Progress(descriptions, std::nullopt);
}

void SimPeer::OnHoldEvent(const pri_event& e) {
  q931_call* raw = nullptr;
  switch (e.e) {
    case PRI_EVENT_HOLD: raw = e.hold.call; break;
    case PRI_EVENT_RETRIEVE: raw = e.retrieve.call; break;
    case PRI_EVENT_HOLD_ACK: raw = e.hold_ack.call; break;
    case PRI_EVENT_HOLD_REJ: raw = e.hold_rej.call; break;
    case PRI_EVENT_RETRIEVE_ACK: raw = e.retrieve_ack.call; break;
    case PRI_EVENT_RETRIEVE_REJ: raw = e.retrieve_rej.call; break;
    default: return;
  }
  q931::PriCall* call = wire().Find(raw);
  if (call == nullptr) {
    if (e.e == PRI_EVENT_HOLD) wire().RejectUnknownHold(raw, q931::cause::kFacilityRejected);
    if (e.e == PRI_EVENT_RETRIEVE) wire().RejectUnknownRetrieve(raw, q931::cause::kFacilityRejected);
    return;
  }
  switch (e.e) {
    case PRI_EVENT_HOLD:
      call->NoteHoldRequested();
      (void)(accept_hold_ ? call->AcknowledgeHold() : call->RejectHold(q931::cause::kFacilityRejected));
      break;
    case PRI_EVENT_RETRIEVE:
      call->NoteRetrieveRequested();
      (void)(accept_hold_ ? call->AcknowledgeRetrieve() : call->RejectRetrieve(q931::cause::kFacilityRejected));
      break;
    case PRI_EVENT_HOLD_ACK:
    case PRI_EVENT_HOLD_REJ: {
      const bool acknowledged = e.e == PRI_EVENT_HOLD_ACK;
      if (acknowledged) {
        call->NoteHoldAcknowledged();
      } else {
        call->NoteHoldRejected();
      }
      if (std::exchange(calls_[call->cref()].retrieve_after_hold, false) && acknowledged) (void)call->Retrieve();
      break;
    }
    case PRI_EVENT_RETRIEVE_ACK:
      call->NoteRetrieveAcknowledged();
      break;
    case PRI_EVENT_RETRIEVE_REJ:
      call->NoteRetrieveRejected();
      break;
    default:
      break;
  }
}

void SimPeer::OnPriEvent(const pri_event& e) {
  if (IsHoldEvent(e.e)) {
    OnHoldEvent(e);
    return;
  }
  switch (e.e) {
    case PRI_EVENT_RING:
      OnSetup(e.ring);
      break;
    case PRI_EVENT_INFO_RECEIVED:
      OnInformation(e.ring);
      break;
    // prid's answers to the calls we placed: only their Q.931 state.
    case PRI_EVENT_SETUP_ACK:
      if (q931::PriCall* call = wire().Find(e.setup_ack.call)) call->NoteSetupAcknowledged();
      break;
    case PRI_EVENT_PROCEEDING:
      if (q931::PriCall* call = wire().Find(e.proceeding.call)) call->NoteProceeding();
      break;
    case PRI_EVENT_RINGING:
      if (q931::PriCall* call = wire().Find(e.ringing.call)) call->NoteRinging();
      break;
    case PRI_EVENT_ANSWER:
      if (q931::PriCall* call = wire().Find(e.answer.call)) call->NoteAnswered();
      break;
    case PRI_EVENT_HANGUP_REQ:
    case PRI_EVENT_HANGUP:
    case PRI_EVENT_HANGUP_ACK:
      OnHangup(e.hangup, e.e);
      break;
    case PRI_EVENT_FACILITY:
      OnFacility(e.facility);
      break;
    default:
      break;
  }
}

void SimPeer::OnFacility(const pri_event_facility& facility) {
  if (facility.subcmds == nullptr) return;
  for (int i = 0; i < facility.subcmds->counter_subcmd; ++i) {
    const pri_subcommand& sub = facility.subcmds->subcmd[i];
    q931::PriCall* call = wire().Find(facility.call);
    if (call == nullptr) continue;
    if (sub.cmd == PRI_SUBCMD_TRANSFER_CALL) {
      OnTransfer(*call, sub);
      continue;
    }
    if (sub.cmd != PRI_SUBCMD_REROUTING) continue;
    // prid's call.redirect: as a network that takes the call elsewhere, the
    // result goes on the DISCONNECT that ends the call here (ETSI EN 300
    // 207-1 CallRerouting, ISO 13868 Q.SIG CallRerouting); refused, the
    // call stays.
    if (!call->AnswerRerouting(sub.u.rerouting.invoke_id, accept_redirect_).ok() || !accept_redirect_) continue;
    ClearTakenCall(*call);
  }
}

void SimPeer::OnTransfer(q931::PriCall& asked_on, const pri_subcommand& transfer) {
  // prid's call.transfer (ETSI EN 300 369-1 ECT): the network joins the two
  // calls and clears both toward the served user, the result on the
  // DISCONNECT of the call the ExplicitEctExecute came on; refused, a ROSE
  // error and both calls stay.
  q931::PriCall* first = wire().Find(transfer.u.transfer.call_1);
  q931::PriCall* second = wire().Find(transfer.u.transfer.call_2);
  const bool accept = accept_transfer_ && first != nullptr && second != nullptr;
  if (!asked_on.AnswerTransfer(transfer.u.transfer.invoke_id, accept).ok() || !accept) return;
  const int second_cref = second->cref();
  ClearTakenCall(*first);
  // Clearing the first may not free the second, but look it up again.
  if (q931::PriCall* again = wire().FindByCref(second_cref)) ClearTakenCall(*again);
}

void SimPeer::ClearTakenCall(q931::PriCall& call) {
  const int cref = call.cref();
  if (calls_.contains(cref)) calls_[cref].delay.reset();
  if (auto after = call.Clear(q931::cause::kNormalClearing, std::nullopt);
      after.ok() && *after == q931::CallAfter::kFreed) {
    calls_.erase(cref);
  }
}

void SimPeer::OnHangup(const pri_event_hangup& hangup, int type) {
  driver_->link().rewriter().TakeReceived(hangup.cref);
  const auto cause = static_cast<std::uint8_t>(hangup.cause > 0 ? hangup.cause : q931::cause::kNormalClearing);
  q931::PriCall* call = wire().Find(hangup.call);
  if (call == nullptr) {
    if (type != PRI_EVENT_HANGUP_ACK) wire().ClearUnknown(hangup.call, cause);
    return;
  }
  const int cref = call->cref();
  switch (type) {
    case PRI_EVENT_HANGUP_REQ:
      // prid's DISCONNECT: release at once.
      calls_[cref].delay.reset();
      call->NoteRemoteDisconnect();
      (void)call->Clear(cause, std::nullopt);
      break;
    case PRI_EVENT_HANGUP:
      // Exactly one pri_hangup frees the call.
      call->NoteHangup();
      (void)call->Release(cause);
      calls_.erase(cref);
      break;
    default:  // PRI_EVENT_HANGUP_ACK: libpri freed it already
      (void)call->NoteHangupAck();
      calls_.erase(cref);
      break;
  }
}

void SimPeer::OnSetup(const pri_event_ring& ring) {
  driver_->link().rewriter().TakeReceived(ring.cref);
  q931::PriCall& call = wire().Offered(ring, ring.channel & 0xff);
  calls_[ring.cref] = PeerCall{};
  if (policy_.overlap && ring.complete == 0 && policy_.on_setup != PeerAction::kIgnore) {
    if (call.AcknowledgeSetup().ok()) {
      calls_[ring.cref].collecting = true;
      return;
    }
  }
  Treat(ring.cref);
}

void SimPeer::OnInformation(const pri_event_ring& info) {
  q931::PriCall* call = wire().Find(info.call);
  if (call == nullptr || info.complete == 0) return;
  auto it = calls_.find(call->cref());
  if (it == calls_.end() || !std::exchange(it->second.collecting, false)) return;
  Treat(call->cref());
}

void SimPeer::Treat(int cref) {
  q931::PriCall* call = wire().FindByCref(cref);
  if (call == nullptr || policy_.on_setup == PeerAction::kIgnore) return;
  if (policy_.on_setup != PeerAction::kReject) {
    // Q.931 5.2.5: the network acknowledges the SETUP at once.
    (void)call->Proceed();
  }
  if (policy_.delay_ms <= 0) {
    Act(cref);
    return;
  }
  if (policy_.on_setup == PeerAction::kAnswer) (void)call->Alert(/*inband=*/true);  // ringing while waiting
  PeerCall& pc = calls_[cref];
  pc.delay = timers_.Create();
  pc.delay->Start(policy_.delay_ms / 1000.0, [this, cref] { Act(cref); });
}

void SimPeer::Act(int cref) {
  q931::PriCall* call = wire().FindByCref(cref);
  if (call == nullptr || !calls_.contains(cref)) return;
  const std::optional<q931::UserUser>& uui = policy_.uui;
  switch (policy_.on_setup) {
    case PeerAction::kAnswer:
      if (policy_.connected || !policy_.display.empty()) {
        (void)call->SetConnectedLine(policy_.connected, policy_.display);
      }
      (void)call->Answer(uui, /*non_isdn=*/false);
      break;
    case PeerAction::kAlert:
      (void)call->Alert(/*inband=*/true, uui);
      break;
    case PeerAction::kBusy:
      (void)call->Clear(q931::cause::kUserBusy, uui);
      break;
    case PeerAction::kReject:
      // Nothing was sent: RELEASE COMPLETE, and libpri frees the call.
      if (auto after = call->Clear(q931::cause::kCallRejected, uui); after.ok() && *after == q931::CallAfter::kFreed) {
        calls_.erase(cref);
      }
      break;
    case PeerAction::kIgnore:
      break;
  }
}

}  // namespace prid::daemon
