// The built-in far end of a sim span.
#include "daemon/line/sim_peer.h"

#include <utility>

#include <fmt/format.h>

#include "base/log.h"
#include "daemon/line/span.h"
#include "q931/message.h"
#include "q931/uui_rewriter.h"

namespace prid::daemon {
namespace {

constexpr std::uint8_t kCauseUserBusy = 17;
constexpr std::uint8_t kCauseCallRejected = 21;

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
  driver_ = std::make_unique<PriDriver>(
      loop, std::move(end),
      q931::PriLinkOptions{name, LibpriNodeType(Opposite(span.node)), LibpriSwitchType(span.switch_variant),
                           VariantHasHold(span.switch_variant)});
}

SimPeer::~SimPeer() = default;

base::Status SimPeer::Start() {
  return driver_->Start([this](const pri_event& e) { OnPriEvent(e); });
}

SimPeer::PeerCall* SimPeer::ByCall(q931_call* call, int* cref) {
  for (auto& [c, peer_call] : calls_) {
    if (peer_call.call == call) {
      *cref = c;
      return &peer_call;
    }
  }
  return nullptr;
}

void SimPeer::Forget(int cref) {
  driver_->link().rewriter().ForgetCall(cref);
  calls_.erase(cref);
}

base::Status SimPeer::PlaceCall(const std::string& number, const std::string& calling,
                                const std::optional<q931::UserUser>& uui) {
  if (!near_end_.up()) return base::Status::Error(fmt::format("span {} is down", span_.span));
  const int channel = near_end_.PickChannel();
  if (channel == 0) return base::Status::Error(fmt::format("no free B-channel on span {}", span_.span));
  auto placed = driver_->link().Setup({channel, PRI_TRANS_CAP_SPEECH, LibpriLayer1(span_.switch_variant), number,
                                      calling, uui});
  if (!placed.ok()) return base::Status::Error(placed.error());
  const int cref = placed->cref;
  q931_call* call = placed->call;
  PeerCall& pc = calls_[cref];
  pc.call = call;
  pc.channel = channel;
  return base::Status::Ok();
}

base::Status SimPeer::Drop(int near_cref, std::uint8_t cause, const std::optional<q931::UserUser>& uui) {
  const int cref = near_cref ^ q931::kCrefOriginatedByUs;
  auto it = calls_.find(cref);
  if (it == calls_.end()) return base::Status::Error("the far end has no such call on the wire");
  PeerCall& pc = it->second;
  q931::PriLink& link = driver_->link();
  pc.delay.reset();
  if (pc.incoming && !pc.responded) {
    // Nothing sent yet: RELEASE COMPLETE (see Span::Clear for libpri's quirk).
    link.rewriter().SetForClearing(cref, {uui, cause});
    link.Call(pri_hangup, pc.call, PRI_CAUSE_INCOMPATIBLE_DESTINATION);
    Forget(cref);
    return base::Status::Ok();
  }
  link.rewriter().SetForClearing(cref, {uui, std::nullopt});
  link.Call(pri_hangup, pc.call, cause);
  return base::Status::Ok();
}

SimPeer::PeerCall* SimPeer::ByNearCref(int near_cref) {
  auto it = calls_.find(near_cref ^ q931::kCrefOriginatedByUs);
  return it == calls_.end() ? nullptr : &it->second;
}

base::Status SimPeer::Hold(int near_cref) {
  PeerCall* pc = ByNearCref(near_cref);
  if (pc == nullptr) return base::Status::Error("the far end has no such call on the wire");
  if (driver_->link().Call(pri_hold, pc->call) != 0) {
    return base::Status::Error("the far end cannot send HOLD for this call in its Q.931 state");
  }
  pc->hold_sent = true;
  return base::Status::Ok();
}

base::Status SimPeer::Retrieve(int near_cref) {
  PeerCall* pc = ByNearCref(near_cref);
  if (pc == nullptr) return base::Status::Error("the far end has no such call on the wire");
  if (pc->hold_sent) {
    // prid saw the HOLD; its acknowledge is still on its way to us.
    pc->retrieve_after_hold = true;
    return base::Status::Ok();
  }
  if (driver_->link().Call(pri_retrieve, pc->call, pc->channel) != 0) {
    return base::Status::Error("the far end cannot send RETRIEVE for this call (is it held?)");
  }
  return base::Status::Ok();
}

void SimPeer::OnHoldEvent(const pri_event& e) {
  q931::PriLink& link = driver_->link();
  int cref = 0;
  switch (e.e) {
    case PRI_EVENT_HOLD:
      if (accept_hold_) {
        link.Call(pri_hold_ack, e.hold.call);
      } else {
        link.Call(pri_hold_rej, e.hold.call, PRI_CAUSE_FACILITY_REJECTED);
      }
      break;
    case PRI_EVENT_RETRIEVE:
      if (accept_hold_) {
        PeerCall* pc = ByCall(e.retrieve.call, &cref);
        link.Call(pri_retrieve_ack, e.retrieve.call, pc ? pc->channel : e.retrieve.channel & 0xff);
      } else {
        link.Call(pri_retrieve_rej, e.retrieve.call, PRI_CAUSE_FACILITY_REJECTED);
      }
      break;
    case PRI_EVENT_HOLD_ACK:
    case PRI_EVENT_HOLD_REJ:
      if (PeerCall* pc = ByCall(e.e == PRI_EVENT_HOLD_ACK ? e.hold_ack.call : e.hold_rej.call, &cref)) {
        pc->hold_sent = false;
        if (std::exchange(pc->retrieve_after_hold, false) && e.e == PRI_EVENT_HOLD_ACK) {
          link.Call(pri_retrieve, pc->call, pc->channel);
        }
      }
      break;
    default:
      break;  // answers to its own RETRIEVE: nothing to do
  }
}

void SimPeer::OnPriEvent(const pri_event& e) {
  if (IsHoldEvent(e.e)) {
    OnHoldEvent(e);
    return;
  }
  int cref = 0;
  switch (e.e) {
    case PRI_EVENT_RING:
      OnSetup(e.ring);
      break;
    case PRI_EVENT_HANGUP_REQ:
      // prid's DISCONNECT: release at once.
      if (PeerCall* pc = ByCall(e.hangup.call, &cref)) {
        pc->remote_disconnected = true;
        pc->delay.reset();
      }
      driver_->link().rewriter().TakeReceived(e.hangup.cref);
      driver_->link().Call(pri_hangup, e.hangup.call, e.hangup.cause > 0 ? e.hangup.cause : 16);
      break;
    case PRI_EVENT_HANGUP:
      // Exactly one pri_hangup frees the call.
      driver_->link().rewriter().TakeReceived(e.hangup.cref);
      driver_->link().Call(pri_hangup, e.hangup.call, e.hangup.cause > 0 ? e.hangup.cause : 16);
      if (ByCall(e.hangup.call, &cref)) Forget(cref);
      break;
    case PRI_EVENT_HANGUP_ACK:
      if (ByCall(e.hangup.call, &cref)) Forget(cref);
      break;
    default:
      break;
  }
}

void SimPeer::OnSetup(const pri_event_ring& ring) {
  driver_->link().rewriter().TakeReceived(ring.cref);
  PeerCall& pc = calls_[ring.cref];
  pc.call = ring.call;
  pc.channel = ring.channel & 0xff;
  pc.incoming = true;
  if (policy_.on_setup == PeerAction::kIgnore) return;
  if (policy_.on_setup != PeerAction::kReject) {
    // Q.931 5.2.5: the network acknowledges the SETUP at once.
    driver_->link().Call(pri_proceeding, pc.call, pc.channel, 0);
    pc.responded = true;
  }
  if (policy_.delay_ms <= 0) {
    Act(ring.cref);
    return;
  }
  if (policy_.on_setup == PeerAction::kAnswer) {
    driver_->link().Call(pri_acknowledge, pc.call, pc.channel, 1);  // ringing while waiting
  }
  const int cref = ring.cref;
  pc.delay = timers_.Create();
  pc.delay->Start(policy_.delay_ms / 1000.0, [this, cref] { Act(cref); });
}

void SimPeer::Act(int cref) {
  auto it = calls_.find(cref);
  if (it == calls_.end()) return;
  PeerCall& pc = it->second;
  pc.responded = true;
  q931::PriLink& link = driver_->link();
  const std::optional<q931::UserUser>& uui = policy_.uui;
  switch (policy_.on_setup) {
    case PeerAction::kAnswer:
      if (uui) link.rewriter().SetForMessage(cref, q931::msg::kConnect, {uui, std::nullopt});
      link.Call(pri_answer, pc.call, pc.channel, 0);
      break;
    case PeerAction::kAlert:
      if (uui) link.rewriter().SetForMessage(cref, q931::msg::kAlerting, {uui, std::nullopt});
      link.Call(pri_acknowledge, pc.call, pc.channel, 1);
      break;
    case PeerAction::kBusy:
      link.rewriter().SetForClearing(cref, {uui, std::nullopt});
      link.Call(pri_hangup, pc.call, kCauseUserBusy);
      break;
    case PeerAction::kReject:
      link.rewriter().SetForClearing(cref, {uui, kCauseCallRejected});
      link.Call(pri_hangup, pc.call, PRI_CAUSE_INCOMPATIBLE_DESTINATION);
      Forget(cref);
      break;
    case PeerAction::kIgnore:
      break;
  }
}

}  // namespace prid::daemon
