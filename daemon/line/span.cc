// One span: libpri signalling of its calls, its B-channels, its far end.
#include "daemon/line/span.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/log.h"
#include "dahdi-glue/conference_mixer.h"
#include "dahdi-glue/dahdi_dchannel.h"
#include "dahdi-glue/dahdi_system.h"
#include "daemon/line/sim_peer.h"
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

bool IsHoldEvent(int event) {
  return event == PRI_EVENT_HOLD || event == PRI_EVENT_HOLD_ACK || event == PRI_EVENT_HOLD_REJ ||
         event == PRI_EVENT_RETRIEVE || event == PRI_EVENT_RETRIEVE_ACK || event == PRI_EVENT_RETRIEVE_REJ;
}

int LibpriLayer1(SwitchVariant variant) {
  // E1 networks use A-law, T1 networks µ-law (G.711).
  return variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kQsig ? PRI_LAYER_1_ALAW
                                                                                : PRI_LAYER_1_ULAW;
}

std::string_view SpanStateName(SpanState state) {
  switch (state) {
    case SpanState::kDown: return "down";
    case SpanState::kUp: return "up";
    case SpanState::kAlarm: return "alarm";
  }
  return "down";
}

Span::Span(ev::loop_ref loop, SpanConfig config, SessionModel& model, SpanObserver& observer)
    : loop_(loop),
      config_(std::move(config)),
      model_(model),
      observer_(observer),
      dahdi_system_(&dahdi_glue::RealDahdiSystem()),
      pool_(config_.bchannels, config_.hunt),
      t316_(loop) {
  t316_.set<Span, &Span::OnT316>(this);
}

Span::~Span() = default;

base::Status Span::Start() {
  const std::string name = config_.name.empty() ? fmt::format("span{}", config_.span) : config_.name;
  if (auto ok = StartDriver(name); !ok.ok()) return ok;
  driver_->SetFrameTap([this](q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
    observer_.SpanFrame(config_.span, direction, frame);
  });
  driver_->SetAlarmHandler([this](int alarms) { OnAlarms(alarms); });
  restart_pending_ = config_.restart;
  if (auto ok = driver_->Start([this](const pri_event& e) { OnPriEvent(e); }); !ok.ok()) return ok;
  ConfigureLink();
  if (peer_) {
    if (auto ok = peer_->Start(); !ok.ok()) return ok;
  }
  return base::Status::Ok();
}

base::Status Span::StartDriver(const std::string& name) {
  q931::PriLinkOptions options{name, LibpriNodeType(config_.node), LibpriSwitchType(config_.switch_variant),
                               VariantHasHold(config_.switch_variant)};
  if (config_.driver == Driver::kDahdi) {
    dahdi_glue::DahdiDChannelOptions o;
    o.name = fmt::format("span {}", config_.span);
    o.dchannel = config_.dahdi_channel != 0 ? config_.dahdi_channel : config_.dchannel;
    o.position = config_.dchannel;
    o.bchannels = config_.bchannels;
    auto dchannel = dahdi_glue::DahdiDChannel::Open(*dahdi_system_, o);
    if (!dchannel.ok()) return base::Status::Error(dchannel.error());
    alarms_ = (*dchannel)->alarms();
    if (alarms_ != 0) {
      PRID_LOG_WARN("span {}: in alarm at start: {}", config_.span, fmt::join(AlarmNames(), ", "));
      observer_.SpanStateChanged({config_.span, SpanState::kAlarm, SpanState::kDown, AlarmNames(), ""});
    }
    driver_ = std::make_unique<PriDriver>(loop_, std::move(*dchannel), options);
    return base::Status::Ok();
  }
  std::unique_ptr<dahdi_glue::SimTransport> ours;
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
  return base::Status::Ok();
}

void Span::ConfigureLink() {
  struct pri* pri = driver_->link().raw();
  auto ms = [](double seconds) { return static_cast<int>(seconds * 1000.0 + 0.5); };
  pri_set_timer(pri, PRI_TIMER_T200, ms(config_.t200_s));
  pri_set_timer(pri, PRI_TIMER_T203, ms(config_.t203_s));
  pri_set_timer(pri, PRI_TIMER_T309, ms(config_.t309_s));
  // T316/N316 are ours (OnT316): libpri would retransmit but never report
  // the final failure.
  pri_set_timer(pri, PRI_TIMER_T316, 0);
  pri_set_service_message_support(pri, 1);
}

SpanState Span::state() const {
  if (alarms_ != 0) return SpanState::kAlarm;
  return dchannel_up_ ? SpanState::kUp : SpanState::kDown;
}

std::vector<std::string> Span::AlarmNames() const { return dahdi_glue::DahdiAlarmNames(alarms_); }

void Span::PublishState(SpanState before) {
  observer_.SpanStateChanged({config_.span, state(), before, AlarmNames(), config_error_});
}

void Span::SetDchannelUp(bool up) {
  if (dchannel_up_ == up) return;
  const SpanState before = state();
  dchannel_up_ = up;
  if (up) {
    PRID_LOG_NOTICE("span {}: D-channel up", config_.span);
  } else {
    PRID_LOG_WARN("span {}: D-channel down", config_.span);
  }
  if (state() != before) PublishState(before);
  if (!up) {
    t316_.stop();  // resent from the start once the link is back
    return;
  }
  if (alarms_ == 0 && restart_pending_) {
    restart_pending_ = false;
    QueueRestart(pool_.Numbers());
  }
  SendNextRestart();
}

void Span::OnAlarms(int alarms) {
  const SpanState before = state();
  const bool cleared = alarms_ != 0 && alarms == 0;
  alarms_ = alarms;
  if (state() != before) PublishState(before);
  // After an alarm clears the far end may have lost track of the channels.
  if (cleared && config_.restart) restart_pending_ = true;
  if (alarms_ == 0 && dchannel_up_ && restart_pending_) {
    restart_pending_ = false;
    QueueRestart(pool_.Numbers());
    SendNextRestart();
  }
}

base::Status Span::SetLinkCut(bool cut) {
  if (driver_ == nullptr || driver_->sim() == nullptr) {
    return base::Status::Error(fmt::format("span {}: only a sim line can be cut", config_.span));
  }
  driver_->sim()->SetCut(cut);
  PRID_LOG_NOTICE("span {}: line {}", config_.span, cut ? "cut" : "restored");
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
  pool_.Release(it->second.channel, id);
  by_id_.erase(it);
}

int Span::PickChannel() const {
  for (const ChannelInfo& info : pool_.Snapshot()) {
    if (info.state() == ChannelState::kIdle) return info.channel;
  }
  return 0;
}

base::Expected<int, PortError> Span::PlaceCall(CallId id, const PlaceCallRequest& request) {
  using Error = base::Unexpected<PortError>;
  if (!up()) {
    return Error{{PortErrorKind::kSpanDown,
                  fmt::format("span {} is {}", config_.span, SpanStateName(state()))}};
  }
  int channel = request.channel;
  if (channel != 0) {
    if (!pool_.Contains(channel)) {
      return Error{{PortErrorKind::kFailed,
                    fmt::format("channel {} is not a B-channel of span {}", channel, config_.span)}};
    }
    if (!pool_.IsFree(channel)) {
      ChannelInfo info;
      for (const ChannelInfo& i : pool_.Snapshot()) {
        if (i.channel == channel) info = i;
      }
      return Error{{PortErrorKind::kNoChannel, fmt::format("channel {} of span {} is {}", channel, config_.span,
                                                           ChannelStateName(info.state()))}};
    }
  } else if ((channel = pool_.Pick()) == 0) {
    return Error{{PortErrorKind::kNoChannel, fmt::format("no free B-channel on span {}", config_.span)}};
  }

  q931::SetupRequest setup{channel, LibpriTransferCapability(request.bearer), LibpriLayer1(config_.switch_variant),
                           request.called, request.calling, request.uui};
  auto placed = driver_->link().Setup(setup);
  if (!placed.ok()) return Error{{PortErrorKind::kFailed, placed.error()}};
  WireCall w;
  w.id = id;
  w.call = placed->call;
  w.cref = placed->cref;
  w.channel = channel;
  w.span_picked = request.channel == 0;
  if (w.span_picked) w.setup = std::move(setup);
  by_id_[id] = std::move(w);
  by_call_[placed->call] = id;
  pool_.Assign(channel, id);
  return channel;
}

bool Span::RetryOnAnotherChannel(WireCall& w, int cause) {
  // Q.931 5.2.3.1 / glare: the far end refused the channel we chose
  // (44 requested channel not available, 34 no circuit available). Try once
  // more elsewhere before the client hears of it.
  if (w.incoming || !w.span_picked || w.progressed || w.retried || !w.setup) return false;
  if (cause != PRI_CAUSE_REQUESTED_CHAN_UNAVAIL && cause != PRI_CAUSE_NORMAL_CIRCUIT_CONGESTION) return false;
  if (!up()) return false;
  const int old_channel = w.channel;
  const int channel = pool_.Pick(old_channel);
  if (channel == 0) return false;
  q931::SetupRequest setup = *w.setup;
  setup.channel = channel;
  auto placed = driver_->link().Setup(setup);
  if (!placed.ok()) {
    PRID_LOG_WARN("span {}: retry of call {} on channel {} failed: {}", config_.span, w.id, channel, placed.error());
    return false;
  }
  PRID_LOG_NOTICE("span {}: call {} refused on channel {} (cause {}); retrying on channel {}", config_.span, w.id,
                  old_channel, cause, channel);
  driver_->link().rewriter().ForgetCall(w.cref);
  by_call_.erase(w.call);
  pool_.Release(old_channel, w.id);
  w.call = placed->call;
  w.cref = placed->cref;
  w.channel = channel;
  w.retried = true;
  by_call_[w.call] = w.id;
  pool_.Assign(channel, w.id);
  model_.ChannelChanged(w.id, channel);
  return true;
}

base::Status Span::Alert(CallId id, bool inband) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  if (driver_->link().Call(pri_acknowledge, w->call, w->channel, /*info=*/inband ? 1 : 0) != 0) {
    return base::Status::Error(fmt::format("libpri refused ALERTING for call {}", id));
  }
  w->responded = true;
  return base::Status::Ok();
}

base::Status Span::Answer(CallId id, const std::optional<q931::UserUser>& uui, bool non_isdn) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  // libpri cannot put a UUIE in CONNECT: the rewriter does.
  if (uui) driver_->link().rewriter().SetForMessage(w->cref, q931::msg::kConnect, {uui, std::nullopt});
  if (driver_->link().Call(pri_answer, w->call, w->channel, /*nonisdn=*/non_isdn ? 1 : 0) != 0) {
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
  w->progressed = true;  // no retry once we clear it ourselves
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
  // A sim span has no DAHDI channels: its B-channels are numbered as if
  // spans had 32 timeslots each.
  if (config_.driver == Driver::kSim) return (config_.span - 1) * 32 + bchannel;
  // B-channels are positions in the DAHDI span; dahdi_channel is the
  // D-channel's own DAHDI number (default: its position).
  const int dchannel_number = config_.dahdi_channel != 0 ? config_.dahdi_channel : config_.dchannel;
  return dchannel_number - config_.dchannel + bchannel;
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

void Span::MarkProgress(q931_call* call) {
  if (WireCall* w = ByCall(call)) w->progressed = true;
}

void Span::OnPriEvent(const pri_event& e) {
  if (IsHoldEvent(e.e)) {
    OnHoldEvent(e);
    return;
  }
  switch (e.e) {
    case PRI_EVENT_DCHAN_UP:
      SetDchannelUp(true);
      break;
    case PRI_EVENT_DCHAN_DOWN:
      SetDchannelUp(false);
      break;
    case PRI_EVENT_RING:
      OnRing(e.ring);
      break;
    case PRI_EVENT_PROCEEDING:
      // Not progress for the channel retry: networks acknowledge the SETUP
      // with CALL PROCEEDING and only then refuse the channel by DISCONNECT
      // (cause 34 or 44), which is retried like a RELEASE COMPLETE refusal.
      if (WireCall* w = ByCall(e.proceeding.call)) model_.Proceeding(w->id);
      break;
    case PRI_EVENT_SETUP_ACK:
      MarkProgress(e.setup_ack.call);
      if (WireCall* w = ByCall(e.setup_ack.call)) model_.Proceeding(w->id);
      break;
    case PRI_EVENT_RINGING:
      MarkProgress(e.ringing.call);
      if (WireCall* w = ByCall(e.ringing.call)) {
        model_.Alerting(w->id, driver_->link().rewriter().TakeReceived(w->cref));
      }
      break;
    case PRI_EVENT_ANSWER:
      MarkProgress(e.answer.call);
      if (WireCall* w = ByCall(e.answer.call)) {
        model_.Answered(w->id, driver_->link().rewriter().TakeReceived(w->cref));
      }
      break;
    case PRI_EVENT_HANGUP_REQ:
    case PRI_EVENT_HANGUP:
    case PRI_EVENT_HANGUP_ACK:
      OnHangup(e.hangup, e.e);
      break;
    case PRI_EVENT_RESTART:
      OnRestartRequested(e.restart.channel);
      break;
    case PRI_EVENT_RESTART_ACK:
      OnRestartAcknowledged(e.restartack.channel);
      break;
    case PRI_EVENT_SERVICE:
      OnService(e.service.channel, e.service.changestatus);
      break;
    case PRI_EVENT_SERVICE_ACK:
      PRID_LOG_INFO("span {}: SERVICE ACKNOWLEDGE for channel {} (status {})", config_.span,
                    ChannelOf(e.service_ack.channel), e.service_ack.changestatus);
      break;
    case PRI_EVENT_CONFIG_ERR: {
      // e.g. both ends configured as network: the link never comes up.
      std::string error = e.err.err;
      while (!error.empty() && (error.back() == '\n' || error.back() == '.')) error.pop_back();
      if (error != config_error_) {
        PRID_LOG_ERROR("span {}: configuration error reported by libpri: {} (check 'node' on both ends)",
                       config_.span, error);
        config_error_ = error;
        PublishState(state());
      }
      break;
    }
    default:
      PRID_LOG_DEBUG("span {}: libpri event {} ignored", config_.span, pri_event2str(e.e));
      break;
  }
}

void Span::OnRing(const pri_event_ring& ring) {
  q931::PriLink& link = driver_->link();
  int channel = ChannelOf(ring.channel);
  if (channel == 0 || !pool_.IsFree(channel)) {
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
    WireCall w;
    w.id = id;
    w.call = call;
    w.cref = cref;
    w.channel = channel;
    w.incoming = true;
    by_id_[id] = std::move(w);
    by_call_[call] = id;
    pool_.Assign(channel, id);
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
    if (RetryOnAnotherChannel(*w, hangup.cause)) return;
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
  if (RetryOnAnotherChannel(*w, hangup.cause)) {
    // A refusal by DISCONNECT: release the old call; its HANGUP_ACK then
    // finds nothing of ours.
    link.Call(pri_hangup, hangup.call, hangup.cause);
    return;
  }
  w->remote_disconnected = true;
  model_.RemoteDisconnect(w->id, cause, std::move(uui));
}

// --- RESTART ------------------------------------------------------------

base::Status Span::Restart(int channel) {
  if (channel != 0 && !pool_.Contains(channel)) {
    return base::Status::Error(fmt::format("channel {} is not a B-channel of span {}", channel, config_.span));
  }
  if (!up()) {
    return base::Status::Error(fmt::format("span {} is {}", config_.span, SpanStateName(state())));
  }
  QueueRestart(channel == 0 ? pool_.Numbers() : std::vector<int>{channel});
  SendNextRestart();
  return base::Status::Ok();
}

void Span::SetChannelFlags(int channel, const std::function<void()>& change) {
  ChannelState before = ChannelState::kIdle;
  for (const ChannelInfo& info : pool_.Snapshot()) {
    if (info.channel == channel) before = info.state();
  }
  change();
  ChannelState after = before;
  for (const ChannelInfo& info : pool_.Snapshot()) {
    if (info.channel == channel) after = info.state();
  }
  if (after != before) observer_.ChannelStateChanged(config_.span, channel, after, before);
}

void Span::QueueRestart(const std::vector<int>& channels) {
  for (int channel : channels) {
    if (channel == restart_channel_ ||
        std::find(restart_queue_.begin(), restart_queue_.end(), channel) != restart_queue_.end()) {
      continue;
    }
    restart_queue_.push_back(channel);
    SetChannelFlags(channel, [&] { pool_.SetRestarting(channel, true); });
  }
}

void Span::SendNextRestart() {
  if (!up()) return;
  if (restart_channel_ != 0) {
    // Back after a link failure: send the pending one again.
    if (!t316_.is_active()) SendRestart();
    return;
  }
  if (restart_queue_.empty()) return;
  restart_channel_ = restart_queue_.front();
  restart_queue_.pop_front();
  restart_tries_ = 0;
  SendRestart();
}

void Span::SendRestart() {
  // Q.931 5.5.1: the channel is idle for us from now on; any call on it ends.
  ClearForRestart(restart_channel_, /*remote=*/false);
  ++restart_tries_;
  PRID_LOG_INFO("span {}: RESTART channel {} (try {} of {})", config_.span, restart_channel_, restart_tries_,
                config_.n316);
  driver_->link().Call(pri_reset, restart_channel_);
  t316_.start(config_.t316_s, 0.0);
}

void Span::OnT316(ev::timer&, int) {
  if (restart_channel_ == 0) return;
  if (!up()) return;  // resent when the link is back
  if (restart_tries_ < config_.n316) {
    SendRestart();
    return;
  }
  // Q.931 5.5.1: after N316 tries, report and give up on this channel.
  ++restart_failures_;
  PRID_LOG_ERROR("span {}: no RESTART ACKNOWLEDGE for channel {} after {} tries", config_.span, restart_channel_,
                 restart_tries_);
  FinishRestart(restart_channel_);
}

void Span::FinishRestart(int channel) {
  t316_.stop();
  restart_channel_ = 0;
  SetChannelFlags(channel, [&] { pool_.SetRestarting(channel, false); });
  SendNextRestart();
}

void Span::OnRestartAcknowledged(int libpri_channel) {
  const int channel = ChannelOf(libpri_channel);
  if (channel == 0 || channel != restart_channel_) {
    PRID_LOG_NOTICE("span {}: unexpected RESTART ACKNOWLEDGE for channel {}", config_.span, channel);
    return;
  }
  FinishRestart(channel);
}

void Span::OnRestartRequested(int libpri_channel) {
  // libpri acknowledged the far end's RESTART but leaves the calls: they
  // are gone on the wire, so clear each with its events.
  const int channel = ChannelOf(libpri_channel);
  PRID_LOG_NOTICE("span {}: far end restarted {}", config_.span,
                  channel == 0 ? std::string("the interface") : fmt::format("channel {}", channel));
  if (channel != 0) {
    ClearForRestart(channel, /*remote=*/true);
    return;
  }
  for (int ch : pool_.Numbers()) ClearForRestart(ch, /*remote=*/true);
}

void Span::ClearForRestart(int channel, bool remote) {
  const CallId id = pool_.CallOn(channel);
  WireCall* w = ById(id);
  if (w == nullptr) return;
  PRID_LOG_NOTICE("span {}: call {} on restarted channel {} cleared", config_.span, id, channel);
  driver_->link().Call(pri_destroycall, w->call);
  Forget(id);
  model_.WireCleared(id, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE, std::nullopt, remote);
}

// --- SERVICE ------------------------------------------------------------

namespace {
// Change status of the SERVICE message (AT&T TR 41459, ANSI T1.607).
constexpr int kServiceInService = 0;
constexpr int kServiceOutOfService = 2;

bool HasServiceMessages(SwitchVariant variant) {
  return variant == SwitchVariant::kNi2 || variant == SwitchVariant::k4ess || variant == SwitchVariant::k5ess;
}
}  // namespace

base::Status Span::SetService(int channel, bool in_service) {
  if (!HasServiceMessages(config_.switch_variant)) {
    return base::Status::Error(fmt::format("span {}: switch '{}' has no SERVICE messages (ni2, 4ess, 5ess do)",
                                           config_.span, SwitchVariantName(config_.switch_variant)));
  }
  if (!pool_.Contains(channel)) {
    return base::Status::Error(fmt::format("channel {} is not a B-channel of span {}", channel, config_.span));
  }
  if (!up()) return base::Status::Error(fmt::format("span {} is {}", config_.span, SpanStateName(state())));
  driver_->link().Call(pri_maintenance_service, 0, channel, in_service ? kServiceInService : kServiceOutOfService);
  SetChannelFlags(channel, [&] { pool_.SetInService(channel, in_service); });
  return base::Status::Ok();
}

void Span::OnService(int libpri_channel, int change_status) {
  const int channel = ChannelOf(libpri_channel);
  if (!pool_.Contains(channel)) {
    PRID_LOG_NOTICE("span {}: SERVICE for channel {}, not one of ours", config_.span, channel);
    return;
  }
  // Maintenance (1) and out of service (2) both keep new calls off it.
  const bool in_service = change_status == kServiceInService;
  PRID_LOG_NOTICE("span {}: far end puts channel {} {} service", config_.span, channel, in_service ? "in" : "out of");
  SetChannelFlags(channel, [&] { pool_.SetInService(channel, in_service); });
}

}  // namespace prid::daemon
