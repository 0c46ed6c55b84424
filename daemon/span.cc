// One span: libpri signalling of its calls, its B-channels, its far end.
#include "daemon/span.h"

#include <fmt/format.h>

#include "base/log.h"
#include "dahdi-glue/conference_mixer.h"
#include "daemon/sim_peer.h"
#include "q931/message.h"
#include "q931/uui_rewriter.h"

namespace prid::daemon {
namespace {

int ChannelOf(int libpri_channel) {
  // libpri encodes span and flags above the low octet; 0xff means none.
  int channel = libpri_channel & 0xff;
  return channel == 0xff ? 0 : channel;
}

}  // namespace

int LibpriNodeType(NodeType node) { return node == NodeType::kCpe ? PRI_CPE : PRI_NETWORK; }

int LibpriSwitchType(SwitchVariant variant) {
  switch (variant) {
    case SwitchVariant::kNi2: return PRI_SWITCH_NI2;
    case SwitchVariant::kDms100: return PRI_SWITCH_DMS100;
    case SwitchVariant::k5ess: return PRI_SWITCH_LUCENT5E;
    case SwitchVariant::k4ess: return PRI_SWITCH_ATT4ESS;
    case SwitchVariant::kEuroIsdnE1: return PRI_SWITCH_EUROISDN_E1;
    case SwitchVariant::kEuroIsdnT1: return PRI_SWITCH_EUROISDN_T1;
    case SwitchVariant::kNi1: return PRI_SWITCH_NI1;
    case SwitchVariant::kQsig: return PRI_SWITCH_QSIG;
  }
  return PRI_SWITCH_EUROISDN_E1;
}

int LibpriTransferCapability(Bearer bearer) {
  switch (bearer) {
    case Bearer::kSpeech: return PRI_TRANS_CAP_SPEECH;
    case Bearer::k3_1kHz: return PRI_TRANS_CAP_3_1K_AUDIO;
    case Bearer::kDigital: return PRI_TRANS_CAP_DIGITAL;
  }
  return PRI_TRANS_CAP_SPEECH;
}

Bearer BearerFromLibpri(int transfer_capability) {
  switch (transfer_capability) {
    case PRI_TRANS_CAP_3_1K_AUDIO: return Bearer::k3_1kHz;
    case PRI_TRANS_CAP_DIGITAL: return Bearer::kDigital;
    default: return Bearer::kSpeech;
  }
}

bool VariantHasHold(SwitchVariant variant) {
  return variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kEuroIsdnT1 ||
         variant == SwitchVariant::kQsig;
}

int LibpriLayer1(SwitchVariant variant) {
  // E1 networks use A-law, T1 networks µ-law (G.711).
  return variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kQsig ? PRI_LAYER_1_ALAW
                                                                                : PRI_LAYER_1_ULAW;
}

Span::Span(ev::loop_ref loop, SpanConfig config, SessionModel& model, SpanObserver& observer)
    : loop_(loop), config_(std::move(config)), model_(model), observer_(observer) {}

Span::~Span() = default;

base::Status Span::Start() {
  const std::string name = config_.name.empty() ? fmt::format("span{}", config_.span) : config_.name;
  q931::PriLinkOptions options{name, LibpriNodeType(config_.node), LibpriSwitchType(config_.switch_variant),
                               VariantHasHold(config_.switch_variant)};
  std::unique_ptr<dahdi_glue::SimTransport> ours;
  if (config_.driver != Driver::kSim) {
    return base::Status::Error(fmt::format("span {}: the dahdi driver is not available yet", config_.span));
  }
  if (config_.peer == "builtin") {
    auto pair = dahdi_glue::SimTransport::CreatePair(name);
    if (!pair.ok()) return base::Status::Error(pair.error());
    ours = std::move(pair->first);
    peer_ = std::make_unique<SimPeer>(loop_, config_, std::move(pair->second), *this);
  } else if (!config_.listen.empty()) {
    auto listening = dahdi_glue::SimTransport::Listen(name, config_.listen);
    if (!listening.ok()) return base::Status::Error(listening.error());
    ours = std::move(*listening);
  } else {
    ours = dahdi_glue::SimTransport::ForConnect(name, config_.connect);
  }
  driver_ = std::make_unique<PriDriver>(loop_, std::move(ours), options);
  driver_->SetFrameTap([this](q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
    observer_.SpanFrame(config_.span, direction, frame);
  });
  if (auto ok = driver_->Start([this](const pri_event& e) { OnPriEvent(e); }); !ok.ok()) return ok;
  if (peer_) {
    if (auto ok = peer_->Start(); !ok.ok()) return ok;
  }
  return base::Status::Ok();
}

Span::WireCall* Span::ByCall(q931_call* call) {
  auto it = by_call_.find(call);
  return it == by_call_.end() ? nullptr : ById(it->second);
}

Span::WireCall* Span::ById(CallId id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::optional<int> Span::CrefOf(CallId call) const {
  auto it = by_id_.find(call);
  if (it == by_id_.end()) return std::nullopt;
  return it->second.cref;
}

void Span::Forget(CallId id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  driver_->link().rewriter().ForgetCall(it->second.cref);
  by_call_.erase(it->second.call);
  if (auto ch = channel_use_.find(it->second.channel); ch != channel_use_.end() && ch->second == id) {
    channel_use_.erase(ch);
  }
  by_id_.erase(it);
}

int Span::PickChannel() const {
  // Hunting order (Q.931 leaves it to the user side; ascending by default).
  const std::vector<int>& channels = config_.bchannels;
  auto free = [this](int ch) { return !channel_use_.contains(ch); };
  if (config_.hunt == HuntOrder::kDescending) {
    for (auto it = channels.rbegin(); it != channels.rend(); ++it) {
      if (free(*it)) return *it;
    }
    return 0;
  }
  for (int ch : channels) {
    if (free(ch)) return ch;
  }
  return 0;
}

std::vector<ChannelStatus> Span::Channels() const {
  std::vector<ChannelStatus> out;
  for (int ch : config_.bchannels) {
    auto it = channel_use_.find(ch);
    out.push_back({ch, it == channel_use_.end() ? 0 : it->second});
  }
  return out;
}

base::Expected<int, PortError> Span::PlaceCall(CallId id, const PlaceCallRequest& request) {
  if (!up_) return base::Unexpected<PortError>{{PortErrorKind::kSpanDown, fmt::format("span {} is down", config_.span)}};
  int channel = request.channel;
  if (channel != 0) {
    if (std::find(config_.bchannels.begin(), config_.bchannels.end(), channel) == config_.bchannels.end()) {
      return base::Unexpected<PortError>{{PortErrorKind::kFailed,
          fmt::format("channel {} is not a B-channel of span {}", channel, config_.span)}};
    }
    if (channel_use_.contains(channel)) {
      return base::Unexpected<PortError>{{PortErrorKind::kNoChannel,
          fmt::format("channel {} of span {} is busy", channel, config_.span)}};
    }
  } else if ((channel = PickChannel()) == 0) {
    return base::Unexpected<PortError>{{PortErrorKind::kNoChannel,
        fmt::format("no free B-channel on span {}", config_.span)}};
  }

  auto placed = driver_->link().Setup({channel, LibpriTransferCapability(request.bearer),
                                      LibpriLayer1(config_.switch_variant), request.called, request.calling,
                                      request.uui});
  if (!placed.ok()) return base::Unexpected<PortError>{{PortErrorKind::kFailed, placed.error()}};
  q931_call* call = placed->call;
  const int cref = placed->cref;
  by_id_[id] = WireCall{id, call, cref, channel, false, false, false, false};
  by_call_[call] = id;
  channel_use_[channel] = id;
  return channel;
}

base::Status Span::Alert(CallId id) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  if (driver_->link().Call(pri_acknowledge, w->call, w->channel, /*info=*/1) != 0) {
    return base::Status::Error(fmt::format("libpri refused ALERTING for call {}", id));
  }
  w->responded = true;
  return base::Status::Ok();
}

base::Status Span::Answer(CallId id, const std::optional<q931::UserUser>& uui) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  // libpri cannot put a UUIE in CONNECT: the rewriter does.
  if (uui) driver_->link().rewriter().SetForMessage(w->cref, q931::msg::kConnect, {uui, std::nullopt});
  if (driver_->link().Call(pri_answer, w->call, w->channel, /*nonisdn=*/0) != 0) {
    return base::Status::Error(fmt::format("libpri refused CONNECT for call {}", id));
  }
  w->responded = true;
  return base::Status::Ok();
}

ClearOutcome Span::Clear(CallId id, std::uint8_t cause, const std::optional<q931::UserUser>& uui) {
  WireCall* w = ById(id);
  if (w == nullptr) return ClearOutcome::kCleared;
  q931::PriLink& link = driver_->link();
  if (w->incoming && !w->responded && !w->remote_disconnected) {
    // Q.931 5.3.2 a): an offered call nothing was sent for is refused with
    // RELEASE COMPLETE. libpri 1.6 sends nothing for pri_hangup in CALL
    // PRESENT with most causes (the call is not "alive" yet) and keeps the
    // record; with cause 88 its hangup-fix path sends RELEASE COMPLETE and
    // frees the call. The rewriter puts the wanted cause and the UUI in.
    link.rewriter().SetForClearing(w->cref, {uui, cause});
    link.Call(pri_hangup, w->call, PRI_CAUSE_INCOMPATIBLE_DESTINATION);
    Forget(id);  // libpri freed the call
    return ClearOutcome::kCleared;
  }
  // DISCONNECT, or RELEASE after the far end's DISCONNECT: libpri picks the
  // message from its state; the rewriter puts the UUI in whichever it is.
  link.rewriter().SetForClearing(w->cref, {uui, std::nullopt});
  if (!w->remote_disconnected) w->local_clearing = true;
  link.Call(pri_hangup, w->call, cause);
  return ClearOutcome::kPending;
}

base::Status Span::Hold(CallId id) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  if (driver_->link().Call(pri_hold, w->call) != 0) {
    return base::Status::Error(fmt::format("libpri refused HOLD for call {} in its Q.931 state", id));
  }
  return base::Status::Ok();
}

base::Status Span::Retrieve(CallId id) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  // The B-channel stays reserved while held: ask for it back.
  if (driver_->link().Call(pri_retrieve, w->call, w->channel) != 0) {
    return base::Status::Error(fmt::format("libpri refused RETRIEVE for call {} in its Q.931 state", id));
  }
  return base::Status::Ok();
}

int Span::DahdiChannel(int bchannel) const {
  // A dahdi span names DAHDI's own channel numbers; a sim span has none, so
  // its B-channels are numbered as if spans had 32 timeslots each.
  return config_.driver == Driver::kSim ? (config_.span - 1) * 32 + bchannel : bchannel;
}

base::Status Span::JoinConference(CallId id, int number) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  if (mixer_ == nullptr) return base::Status::Ok();  // a sim span: no media moves
  return mixer_->Join(DahdiChannel(w->channel), number);
}

void Span::LeaveConference(CallId id) {
  WireCall* w = ById(id);
  if (w == nullptr || mixer_ == nullptr) return;
  if (auto left = mixer_->Leave(DahdiChannel(w->channel)); !left.ok()) {
    PRID_LOG_WARN("span {}: call {} could not leave its conference: {}", config_.span, id, left.message());
  }
}

void Span::OnHoldEvent(const pri_event& e) {
  q931::PriLink& link = driver_->link();
  switch (e.e) {
    case PRI_EVENT_HOLD_ACK:
      if (WireCall* w = ByCall(e.hold_ack.call)) model_.HoldAcknowledged(w->id);
      break;
    case PRI_EVENT_HOLD_REJ:
      if (WireCall* w = ByCall(e.hold_rej.call)) {
        model_.HoldRejected(w->id, static_cast<std::uint8_t>(e.hold_rej.cause > 0 ? e.hold_rej.cause : 0));
      }
      break;
    case PRI_EVENT_RETRIEVE_ACK:
      if (WireCall* w = ByCall(e.retrieve_ack.call)) model_.RetrieveAcknowledged(w->id);
      break;
    case PRI_EVENT_RETRIEVE_REJ:
      if (WireCall* w = ByCall(e.retrieve_rej.call)) {
        model_.RetrieveRejected(w->id,
                                static_cast<std::uint8_t>(e.retrieve_rej.cause > 0 ? e.retrieve_rej.cause : 0));
      }
      break;
    case PRI_EVENT_HOLD:
      // The far end holds the call: acknowledged, the B-channel kept for it.
      if (WireCall* w = ByCall(e.hold.call)) {
        link.Call(pri_hold_ack, e.hold.call);
        model_.RemoteHold(w->id);
      } else {
        link.Call(pri_hold_rej, e.hold.call, PRI_CAUSE_WRONG_CALL_STATE);
      }
      break;
    case PRI_EVENT_RETRIEVE:
      if (WireCall* w = ByCall(e.retrieve.call)) {
        link.Call(pri_retrieve_ack, e.retrieve.call, w->channel);
        model_.RemoteRetrieve(w->id);
      } else {
        link.Call(pri_retrieve_rej, e.retrieve.call, PRI_CAUSE_WRONG_CALL_STATE);
      }
      break;
    default:
      break;
  }
}

void Span::OnPriEvent(const pri_event& e) {
  switch (e.e) {
    case PRI_EVENT_DCHAN_UP:
      if (!up_) {
        up_ = true;
        PRID_LOG_NOTICE("span {}: D-channel up", config_.span);
        observer_.SpanStateChanged(config_.span, true);
      }
      break;
    case PRI_EVENT_DCHAN_DOWN:
      if (up_) {
        up_ = false;
        PRID_LOG_WARN("span {}: D-channel down", config_.span);
        observer_.SpanStateChanged(config_.span, false);
      }
      break;
    case PRI_EVENT_RING:
      OnRing(e.ring);
      break;
    case PRI_EVENT_PROCEEDING:
      if (WireCall* w = ByCall(e.proceeding.call)) model_.Proceeding(w->id);
      break;
    case PRI_EVENT_SETUP_ACK:
      if (WireCall* w = ByCall(e.setup_ack.call)) model_.Proceeding(w->id);
      break;
    case PRI_EVENT_RINGING:
      if (WireCall* w = ByCall(e.ringing.call)) {
        model_.Alerting(w->id, driver_->link().rewriter().TakeReceived(w->cref));
      }
      break;
    case PRI_EVENT_ANSWER:
      if (WireCall* w = ByCall(e.answer.call)) {
        model_.Answered(w->id, driver_->link().rewriter().TakeReceived(w->cref));
      }
      break;
    case PRI_EVENT_HANGUP_REQ:
    case PRI_EVENT_HANGUP:
    case PRI_EVENT_HANGUP_ACK:
      OnHangup(e.hangup, e.e);
      break;
    case PRI_EVENT_HOLD:
    case PRI_EVENT_HOLD_ACK:
    case PRI_EVENT_HOLD_REJ:
    case PRI_EVENT_RETRIEVE:
    case PRI_EVENT_RETRIEVE_ACK:
    case PRI_EVENT_RETRIEVE_REJ:
      OnHoldEvent(e);
      break;
    case PRI_EVENT_CONFIG_ERR:
      PRID_LOG_ERROR("span {}: configuration error reported by libpri: {}", config_.span, e.err.err);
      break;
    default:
      PRID_LOG_DEBUG("span {}: libpri event {} ignored", config_.span, pri_event2str(e.e));
      break;
  }
}

void Span::OnRing(const pri_event_ring& ring) {
  q931::PriLink& link = driver_->link();
  int channel = ChannelOf(ring.channel);
  if (channel == 0 || channel_use_.contains(channel) ||
      std::find(config_.bchannels.begin(), config_.bchannels.end(), channel) == config_.bchannels.end()) {
    int requested = channel;
    channel = PickChannel();
    if (channel == 0 || (requested != 0 && ring.flexible == 0)) {
      // Q.931 5.2.3.1: the exclusive channel is not available.
      PRID_LOG_NOTICE("span {}: incoming call refused: channel {} unavailable", config_.span, requested);
      link.Call(pri_hangup, ring.call, PRI_CAUSE_REQUESTED_CHAN_UNAVAIL);
      return;
    }
  }
  IncomingCallInfo info;
  info.channel = channel;
  info.called = ring.callednum;
  info.calling = ring.callingnum;
  info.bearer = BearerFromLibpri(ring.ctype);
  info.uui = link.rewriter().TakeReceived(ring.cref);
  const int cref = ring.cref;
  q931_call* call = ring.call;
  model_.IncomingCall(config_.span, info, [&](CallId id) {
    by_id_[id] = WireCall{id, call, cref, channel, true, false, false, false};
    by_call_[call] = id;
    channel_use_[channel] = id;
  });
}

void Span::OnHangup(const pri_event_hangup& hangup, int type) {
  q931::PriLink& link = driver_->link();
  WireCall* w = ByCall(hangup.call);
  std::optional<q931::UserUser> uui = link.rewriter().TakeReceived(hangup.cref);
  const auto cause = static_cast<std::uint8_t>(hangup.cause > 0 ? hangup.cause : 16);
  if (type == PRI_EVENT_HANGUP_ACK) {
    // libpri already freed the call, and its address is reused at once:
    // forget the pointer before anything else.
    if (w == nullptr) return;
    CallId id = w->id;
    Forget(id);
    model_.WireCleared(id, cause, std::nullopt, false);
    return;
  }
  if (type == PRI_EVENT_HANGUP) {
    // The far end's RELEASE / RELEASE COMPLETE: one pri_hangup frees it.
    link.Call(pri_hangup, hangup.call, hangup.cause > 0 ? hangup.cause : 16);
    if (w == nullptr) return;
    CallId id = w->id;
    bool remote = !w->local_clearing && !w->remote_disconnected;
    Forget(id);
    model_.WireCleared(id, cause, std::move(uui), remote);
    return;
  }
  // PRI_EVENT_HANGUP_REQ: the far end's DISCONNECT.
  if (w == nullptr) {
    link.Call(pri_hangup, hangup.call, hangup.cause > 0 ? hangup.cause : 16);
    return;
  }
  w->remote_disconnected = true;
  model_.RemoteDisconnect(w->id, cause, std::move(uui));
}

}  // namespace prid::daemon
