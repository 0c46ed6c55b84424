// One span: libpri signalling of its calls, its B-channels, its far end.
#include "daemon/line/span.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "dahdi-glue/dahdi_dchannel.h"
#include "dahdi-glue/dahdi_system.h"
#include "daemon/line/libpri_settings.h"
#include "daemon/line/sim_peer.h"
#include "q931/message.h"
#include "q931/q850.h"
#include "q931/uui_rewriter.h"

namespace prid::daemon {

std::string_view SpanStateName(SpanState state) {
  switch (state) {
    case SpanState::kDown: return "down";
    case SpanState::kUp: return "up";
    case SpanState::kAlarm: return "alarm";
    case SpanState::kError: return "error";
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
      timers_(loop),
      restart_({config_.span, pool_.Numbers(), config_.t316_s, config_.n316, config_.restart}, *this, timers_),
      service_(config_.span, config_.switch_variant, pool_.Numbers(), *this),
      media_(config_, nullptr) {
  if (config_.nfas_group != 0 && config_.nfas_dchannel == NfasDchannel::kPrimary) nfas_spans_.push_back(this);
  nfas_t309_.set(loop_);
  nfas_t309_.set<Span, &Span::OnNfasT309>(this);
}

Span::~Span() {
  // NFAS: the group forgets a member; a primary's members lose its link.
  nfas_t309_.stop();
  if (signalling_ != nullptr) {
    std::erase(signalling_->nfas_spans_, this);
    if (signalling_->nfas_backup_ == this) signalling_->nfas_backup_ = nullptr;
  }
  for (Span* member : nfas_spans_) {
    if (member == this) continue;
    member->signalling_ = nullptr;
    member->dchannel_up_ = false;
  }
}

void Span::JoinNfasGroup(Span& primary) {
  signalling_ = &primary;
  primary.nfas_spans_.push_back(this);
  if (nfas_backup()) primary.nfas_backup_ = this;
}

base::Status Span::StartNfasMember() {
  if (signalling_ == nullptr || signalling_->driver_ == nullptr) {
    return base::Status::Error(fmt::format("NFAS group {} has no D-channel: its primary span did not start",
                                           config_.nfas_group));
  }
  PRID_LOG_NOTICE("span {}: NFAS group {} interface {}, signalled on span {}'s D-channel", config_.span,
                  config_.nfas_group, config_.nfas_interface, signalling_->config_.span);
  SetDchannelUp(signalling_->dchannel_up_);
  return base::Status::Ok();
}

int Span::Wire(int channel) const {
  return config_.nfas_group != 0 ? LibpriChannelOnInterface(channel, config_.nfas_interface) : channel;
}

base::Status Span::Start() {
  base::Status started = nfas_member() ? StartNfasMember() : StartLink();
  if (started.ok()) return started;
  // The half-built line goes, with the card's alarms it reported; the span
  // stays, so that span.list says why.
  const SpanState before = state();
  peer_.reset();
  driver_.reset();
  alarms_ = 0;
  start_error_ = StartFailureReason(started.message());
  PublishState(before);
  return base::Status::Error(start_error_);
}

std::string Span::StartFailureReason(std::string_view error) const {
  // The transports name the span first; the reason sits in the span's own
  // entry and event, so it goes.
  const std::string labels[] = {fmt::format("span {}", config_.span), fmt::format("span{}", config_.span), config_.name};
  for (const std::string& label : labels) {
    if (!label.empty() && error.starts_with(label + ": ")) {
      error.remove_prefix(label.size() + 2);
      break;
    }
  }
  if (config_.driver == Driver::kDahdi) {
    const int channel = config_.dahdi_channel != 0 ? config_.dahdi_channel : config_.dchannel;
    return fmt::format("{}; check that the DAHDI kernel modules are loaded (lsmod | grep dahdi), that "
                       "dahdi_cfg has run, and that channel {} is the span's D-channel in "
                       "/etc/dahdi/system.conf",
                       error, channel);
  }
  if (!config_.listen.empty()) {
    return fmt::format("{}; check that the directory of 'listen' exists and that prid may create the socket there",
                       error);
  }
  return std::string(error);
}

base::Status Span::StartLink() {
  if (nfas_backup() && (signalling_ == nullptr || signalling_->driver_ == nullptr)) {
    return base::Status::Error(fmt::format(
        "NFAS group {}'s primary D-channel did not start: its backup D-channel has nothing to back up",
        config_.nfas_group));
  }
  const std::string name = config_.name.empty() ? fmt::format("span{}", config_.span) : config_.name;
  if (auto ok = StartDriver(name); !ok.ok()) return ok;
  driver_->SetFrameTap([this](q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
    observer_.SpanFrame(config_.span, direction, frame);
  });
  driver_->SetAlarmHandler([this](int alarms) { OnAlarms(alarms); });
  restart_.LinkChanged(dchannel_up_, alarms_ != 0);  // a card may be in alarm from the start
  if (auto ok = driver_->Start([this](const pri_event& e) { OnPriEvent(e); }); !ok.ok()) return ok;
  ConfigureLink();
  if (nfas_backup()) {
    driver_->link().BecomeBackupOf(signalling_->driver_->link());
    PRID_LOG_NOTICE("span {}: NFAS group {} interface {}, backup D-channel of span {}", config_.span,
                    config_.nfas_group, config_.nfas_interface, signalling_->config_.span);
  }
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
      RecordAlarms();
      PRID_LOG_WARN("span {}: in alarm at start: {}", config_.span, fmt::join(AlarmNames(), ", "));
      observer_.SpanStateChanged({config_.span, SpanState::kAlarm, SpanState::kDown, AlarmNames(), "", ""});
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
  struct pri* pri = driver_->link().raw();  // the span's own (an NFAS backup's is not its primary's)
  auto ms = [](double seconds) { return static_cast<int>(seconds * 1000.0 + 0.5); };
  pri_set_timer(pri, PRI_TIMER_T200, ms(config_.t200_s));
  pri_set_timer(pri, PRI_TIMER_T203, ms(config_.t203_s));
  pri_set_timer(pri, PRI_TIMER_T303, ms(config_.t303_s));
  pri_set_timer(pri, PRI_TIMER_T305, ms(config_.t305_s));
  pri_set_timer(pri, PRI_TIMER_T308, ms(config_.t308_s));
  pri_set_timer(pri, PRI_TIMER_T309, ms(config_.t309_s));
  // T316/N316 are ours (RestartProcedure): libpri would retransmit but never report
  // the final failure.
  pri_set_timer(pri, PRI_TIMER_T316, 0);
  pri_set_service_message_support(pri, 1);
  // Display text on a call under way (call.display) beside the name in the
  // SETUP, where libpri sends a Display IE at all.
  if (SendsDisplay()) pri_display_options_send(pri, PRI_DISPLAY_OPTION_NAME_INITIAL | PRI_DISPLAY_OPTION_TEXT);
}

bool Span::SendsDisplay() const { return VariantSendsDisplay(config_.switch_variant, config_.node); }

SpanState Span::state() const {
  if (!start_error_.empty()) return SpanState::kError;
  if (alarms_ != 0) return SpanState::kAlarm;
  return dchannel_up_ ? SpanState::kUp : SpanState::kDown;
}

std::vector<std::string> Span::AlarmNames() const { return dahdi_glue::DahdiAlarmNames(alarms_); }

void Span::PublishState(SpanState before) {
  observer_.SpanStateChanged({config_.span, state(), before, AlarmNames(), config_error_, start_error_});
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
  restart_.LinkChanged(dchannel_up_, alarms_ != 0);
}

void Span::RecordAlarms() {
  alarm_history_.push_back({std::chrono::system_clock::now(), AlarmNames()});
  if (alarm_history_.size() > kAlarmHistory) alarm_history_.pop_front();
}

void Span::OnAlarms(int alarms) {
  const SpanState before = state();
  const bool changed = alarms != alarms_;
  alarms_ = alarms;
  if (changed) RecordAlarms();
  if (state() != before) PublishState(before);
  restart_.LinkChanged(dchannel_up_, alarms_ != 0);
}

base::Status Span::SetLinkCut(bool cut) {
  if (nfas_member()) {
    return base::Status::Error(fmt::format("span {} has no D-channel of its own: cut NFAS group {}'s primary span",
                                           config_.span, config_.nfas_group));
  }
  if (driver_ == nullptr || driver_->sim() == nullptr) {
    return base::Status::Error(fmt::format("span {}: only a sim line can be cut", config_.span));
  }
  driver_->sim()->SetCut(cut);
  PRID_LOG_NOTICE("span {}: line {}", config_.span, cut ? "cut" : "restored");
  return base::Status::Ok();
}

const dahdi_glue::DahdiDChannelCounters* Span::dahdi_counters() const {
  if (driver_ == nullptr || driver_->dahdi() == nullptr) return nullptr;
  return &driver_->dahdi()->counters();
}

Span::WireCall* Span::ByCall(const q931::PriCall* call) {
  if (call == nullptr || call->tag() == 0) return nullptr;
  WireCall* w = ById(call->tag());
  return w != nullptr && w->call == call ? w : nullptr;
}

Span::WireCall* Span::ById(CallId id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::optional<int> Span::CrefOf(CallId call) const {
  auto it = by_id_.find(call);
  if (it == by_id_.end() || it->second.call == nullptr) return std::nullopt;
  return it->second.call->cref();
}

std::optional<CallId> Span::CallOfCref(int cref) const {
  // NFAS: the primary's D-channel carries the calls of every span of its group.
  // So does its backup's.
  const std::vector<Span*> own{const_cast<Span*>(this)};
  const std::vector<Span*>& group = nfas_backup() && signalling_ != nullptr ? signalling_->nfas_spans_ : nfas_spans_;
  for (const Span* span : group.empty() ? own : group) {
    // A span has few calls: a scan beats a second index kept in step.
    for (const auto& [id, wire] : span->by_id_) {
      if (wire.call != nullptr && wire.call->cref() == cref) return id;
    }
  }
  return std::nullopt;
}

void Span::Forget(CallId id) {
  // The PriCall (and with it the rewriter's overrides) went with libpri's call.
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
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

  if (request.overlap && !VariantHasOverlap(config_.switch_variant)) {
    return Error{{PortErrorKind::kFailed,
                  fmt::format("span {}'s switch variant {} has no overlap dialling (it exists on euroisdn_e1, "
                              "euroisdn_t1 and qsig)",
                              config_.span, SwitchVariantName(config_.switch_variant))}};
  }
  q931::SetupRequest setup{Wire(channel), LibpriTransferCapability(request.bearer), LibpriLayer1(config_.switch_variant),
                           request.parties, request.uui};
  setup.complete = !request.overlap;
  auto placed = calls().Place(setup);
  if (!placed.ok()) return Error{{PortErrorKind::kFailed, placed.error()}};
  WireCall w;
  w.id = id;
  w.call = *placed;
  w.call->set_tag(id);
  w.channel = channel;
  w.overlap = request.overlap;
  // Only a channel the span chose is retried elsewhere.
  if (request.channel == 0) w.retry = ChannelRetry(std::move(setup));
  by_id_[id] = std::move(w);
  pool_.Assign(channel, id);
  return channel;
}

bool Span::RetryOnAnotherChannel(CallId id, int old_channel, const q931::CallStateSet& history, int cause) {
  // Q.931 5.2.3.1 / glare: the far end refused the channel we chose
  // (44 requested channel not available, 34 no circuit available). Try once
  // more elsewhere before the client hears of it (daemon/line/channel_retry.h).
  WireCall* w = ById(id);
  if (w == nullptr) return false;
  std::optional<q931::SetupRequest> setup = w->retry.Decide(cause, history, up(), old_channel, pool_);
  if (!setup) return false;
  const int channel = setup->channel;
  setup->channel = Wire(channel);
  auto placed = calls().Place(*setup);
  if (!placed.ok()) {
    PRID_LOG_WARN("span {}: retry of call {} on channel {} failed: {}", config_.span, id, channel, placed.error());
    return false;
  }
  PRID_LOG_NOTICE("span {}: call {} refused on channel {} (cause {}); retrying on channel {}", config_.span, id,
                  old_channel, cause, channel);
  // The refused call, if libpri still has it (a refusal by DISCONNECT), is
  // cleared by OnHangup and goes on its own HANGUP_ACK.
  if (w->call != nullptr) w->call->set_tag(0);
  pool_.Release(old_channel, id);
  w->call = *placed;
  w->call->set_tag(id);
  w->channel = channel;
  w->retry.Spend();
  pool_.Assign(channel, id);
  model_.ChannelChanged(id, channel);
  return true;
}

namespace {
base::Status NotOnWire(CallId id) { return base::Status::Error(fmt::format("call {} is no longer on the wire", id)); }
}  // namespace

base::Expected<int, PortError> Span::TakeChannel(WireCall& w, int channel) {
  using Error = base::Unexpected<PortError>;
  if (channel == 0 || channel == w.channel) return w.channel;
  auto refuse = [&](std::string why) {
    return Error{{PortErrorKind::kInvalidChannel, fmt::format("channel {}: {}", channel, why)}};
  };
  if (!pool_.Contains(channel)) return refuse(fmt::format("not a B-channel of span {}", config_.span));
  if (!pool_.IsFree(channel)) {
    ChannelInfo info;
    for (const ChannelInfo& i : pool_.Snapshot()) {
      if (i.channel == channel) info = i;
    }
    return refuse(fmt::format("span {}'s channel is {}", config_.span, ChannelStateName(info.state())));
  }
  // Q.931 5.1.2 / 5.2.3.1: an exclusive channel is the one to take or none.
  if (w.exclusive) {
    return refuse(fmt::format("call {}'s SETUP asked for channel {} exclusively", w.id, w.channel));
  }
  // The first answer names the channel; after it the channel is fixed.
  if (auto moved = w.call->UseChannel(Wire(channel)); !moved.ok()) {
    return refuse(fmt::format("call {} has channel {} since its first answer", w.id, w.channel));
  }
  pool_.Release(w.channel, w.id);
  pool_.Assign(channel, w.id);
  w.channel = channel;
  return channel;
}

base::Expected<int, PortError> Span::Alert(CallId id, bool inband, int channel) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  auto taken = TakeChannel(*w, channel);
  if (!taken.ok()) return taken;
  if (auto sent = w->call->Alert(inband); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kFailed, sent.message()}};
  }
  return w->channel;
}

base::Expected<int, PortError> Span::Answer(CallId id, const std::optional<q931::UserUser>& uui, bool non_isdn,
                                            int channel) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  auto taken = TakeChannel(*w, channel);
  if (!taken.ok()) return taken;
  if (auto sent = w->call->Answer(uui, non_isdn); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kFailed, sent.message()}};
  }
  return w->channel;
}

PortStatus Span::Proceed(CallId id, int channel) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  if (w->call->state() != q931::CallState::kCallPresent &&
      w->call->state() != q931::CallState::kOverlapReceiving) {
    return base::Unexpected<PortError>{
        {PortErrorKind::kWrongState,
         fmt::format("call {} is past CALL PROCEEDING ({})", id, q931::CallStateName(w->call->state()))}};
  }
  if (auto taken = TakeChannel(*w, channel); !taken.ok()) return base::Unexpected<PortError>{taken.error()};
  if (auto sent = w->call->Proceed(); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kFailed, sent.message()}};
  }
  return std::monostate{};
}

PortStatus Span::Progress(CallId id, const std::vector<std::uint8_t>& descriptions,
                          std::optional<std::uint8_t> cause) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  if (auto sent = w->call->Progress(descriptions, cause); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kWrongState, sent.message()}};
  }
  return std::monostate{};
}

PortStatus Span::Dial(CallId id, const std::string& digits, bool complete) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  if (auto sent = w->call->SendDigits(digits, complete); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kWrongState, sent.message()}};
  }
  w->retry.Dialled(digits, complete);
  return std::monostate{};
}

PortStatus Span::Display(CallId id, const std::string& text) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  if (!SendsDisplay()) {
    return base::Unexpected<PortError>{{PortErrorKind::kFailed,
                                        fmt::format("span {} ({}, {}) sends no Display IE", config_.span,
                                                    SwitchVariantName(config_.switch_variant),
                                                    NodeTypeName(config_.node))}};
  }
  if (auto sent = w->call->SendDisplay(text); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kWrongState, sent.message()}};
  }
  return std::monostate{};
}

PortStatus Span::Keypad(CallId id, const std::string& digits) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  if (!VariantHasOverlap(config_.switch_variant)) {
    return base::Unexpected<PortError>{
        {PortErrorKind::kFailed,
         fmt::format("span {}'s switch variant {} has no keypad facility (it exists on euroisdn_e1, "
                     "euroisdn_t1 and qsig)",
                     config_.span, SwitchVariantName(config_.switch_variant))}};
  }
  if (auto sent = w->call->SendKeypad(digits); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kWrongState, sent.message()}};
  }
  return std::monostate{};
}

PortStatus Span::Redirect(CallId id, const q931::Party& to, const q931::Party& from, std::uint8_t reason) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  if (!VariantHasReroute(config_.switch_variant)) {
    return base::Unexpected<PortError>{
        {PortErrorKind::kFailed,
         fmt::format("span {}'s switch variant {} has no call rerouting or deflection (libpri has it on "
                     "euroisdn_e1, euroisdn_t1 and qsig)",
                     config_.span, SwitchVariantName(config_.switch_variant))}};
  }
  if (auto sent = w->call->Reroute(to, from, reason); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kWrongState, sent.message()}};
  }
  return std::monostate{};
}

PortStatus Span::Transfer(CallId id, CallId to) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(id).message()}};
  WireCall* other = ById(to);
  if (other == nullptr) return base::Unexpected<PortError>{{PortErrorKind::kFailed, NotOnWire(to).message()}};
  if (!VariantHasTransfer(config_.switch_variant, config_.node)) {
    return base::Unexpected<PortError>{
        {PortErrorKind::kFailed,
         fmt::format("span {} ({}, {}) has no explicit call transfer (libpri has it on euroisdn_e1 and "
                     "euroisdn_t1, asked for by the user side: node = \"cpe\")",
                     config_.span, SwitchVariantName(config_.switch_variant), NodeTypeName(config_.node))}};
  }
  if (auto sent = w->call->Transfer(*other->call); !sent.ok()) {
    return base::Unexpected<PortError>{{PortErrorKind::kWrongState, sent.message()}};
  }
  return std::monostate{};
}

ClearOutcome Span::Clear(CallId id, std::uint8_t cause, const std::optional<q931::UserUser>& uui) {
  WireCall* w = ById(id);
  if (w == nullptr) return ClearOutcome::kCleared;
  // The PriCall sends what Q.931 calls for in its state (RELEASE COMPLETE
  // for an offered call nothing was sent for, Q.931 5.3.2 a); RELEASE after
  // the far end's DISCONNECT; DISCONNECT otherwise) with `cause` and `uui`.
  auto after = w->call->Clear(cause, uui);
  if (!after.ok()) {
    PRID_LOG_WARN("span {}: call {}: {}", config_.span, id, after.error());
    return ClearOutcome::kPending;
  }
  if (*after == q931::CallAfter::kFreed) {
    Forget(id);  // libpri freed the call
    return ClearOutcome::kCleared;
  }
  return ClearOutcome::kPending;
}

base::Status Span::Hold(CallId id) {
  WireCall* w = ById(id);
  if (w == nullptr) return NotOnWire(id);
  return w->call->Hold();
}

base::Status Span::Retrieve(CallId id) {
  WireCall* w = ById(id);
  if (w == nullptr) return NotOnWire(id);
  return w->call->Retrieve();
}

base::Status Span::JoinConference(CallId id, int number) {
  WireCall* w = ById(id);
  if (w == nullptr) return base::Status::Error(fmt::format("call {} is no longer on the wire", id));
  return media_.Join(w->channel, number);  // a sim span: no media moves
}

void Span::LeaveConference(CallId id) {
  WireCall* w = ById(id);
  if (w == nullptr) return;
  if (auto left = media_.Leave(w->channel); !left.ok()) {
    PRID_LOG_WARN("span {}: call {} could not leave its conference: {}", config_.span, id, left.message());
  }
}

void Span::OnHoldEvent(const pri_event& e) {
  // Every hold event names the call in the same place of its struct.
  q931_call* raw = nullptr;
  switch (e.e) {
    case PRI_EVENT_HOLD_ACK: raw = e.hold_ack.call; break;
    case PRI_EVENT_HOLD_REJ: raw = e.hold_rej.call; break;
    case PRI_EVENT_RETRIEVE_ACK: raw = e.retrieve_ack.call; break;
    case PRI_EVENT_RETRIEVE_REJ: raw = e.retrieve_rej.call; break;
    case PRI_EVENT_HOLD: raw = e.hold.call; break;
    case PRI_EVENT_RETRIEVE: raw = e.retrieve.call; break;
    default: return;
  }
  q931::PriCall* c = calls().Find(raw);
  WireCall* w = ByCall(c);
  switch (e.e) {
    case PRI_EVENT_HOLD_ACK:
      if (c) c->NoteHoldAcknowledged();
      if (w) model_.HoldAcknowledged(w->id);
      break;
    case PRI_EVENT_HOLD_REJ:
      if (c) c->NoteHoldRejected();
      if (w) model_.HoldRejected(w->id, static_cast<std::uint8_t>(e.hold_rej.cause > 0 ? e.hold_rej.cause : 0));
      break;
    case PRI_EVENT_RETRIEVE_ACK:
      if (c) c->NoteRetrieveAcknowledged();
      if (w) model_.RetrieveAcknowledged(w->id);
      break;
    case PRI_EVENT_RETRIEVE_REJ:
      if (c) c->NoteRetrieveRejected();
      if (w) {
        model_.RetrieveRejected(w->id,
                                static_cast<std::uint8_t>(e.retrieve_rej.cause > 0 ? e.retrieve_rej.cause : 0));
      }
      break;
    case PRI_EVENT_HOLD:
      // The far end holds the call: acknowledged, the B-channel kept for it.
      if (c == nullptr) {
        calls().RejectUnknownHold(raw, q931::cause::kMessageNotCompatibleWithCallState);
        break;
      }
      c->NoteHoldRequested();
      if (w) {
        (void)c->AcknowledgeHold();
        model_.RemoteHold(w->id);
      } else {
        (void)c->RejectHold(q931::cause::kMessageNotCompatibleWithCallState);
      }
      break;
    case PRI_EVENT_RETRIEVE:
      if (c == nullptr) {
        calls().RejectUnknownRetrieve(raw, q931::cause::kMessageNotCompatibleWithCallState);
        break;
      }
      c->NoteRetrieveRequested();
      if (w) {
        (void)c->AcknowledgeRetrieve();
        model_.RemoteRetrieve(w->id);
      } else {
        (void)c->RejectRetrieve(q931::cause::kMessageNotCompatibleWithCallState);
      }
      break;
    default:
      break;
  }
}

namespace {
// The call a libpri event is about (null: the link's own events).
q931_call* EventCall(const pri_event& e) {
  switch (e.e) {
    case PRI_EVENT_RING:
    case PRI_EVENT_INFO_RECEIVED: return e.ring.call;
    case PRI_EVENT_HANGUP:
    case PRI_EVENT_HANGUP_REQ:
    case PRI_EVENT_HANGUP_ACK: return e.hangup.call;
    case PRI_EVENT_RINGING: return e.ringing.call;
    case PRI_EVENT_ANSWER: return e.answer.call;
    case PRI_EVENT_PROCEEDING:
    case PRI_EVENT_PROGRESS: return e.proceeding.call;
    case PRI_EVENT_SETUP_ACK: return e.setup_ack.call;
    case PRI_EVENT_NOTIFY: return e.notify.call;
    case PRI_EVENT_KEYPAD_DIGIT: return e.digit.call;
    case PRI_EVENT_FACILITY: return e.facility.call;
    case PRI_EVENT_CONNECT_ACK: return e.connect_ack.call;
    case PRI_EVENT_HOLD: return e.hold.call;
    case PRI_EVENT_HOLD_ACK: return e.hold_ack.call;
    case PRI_EVENT_HOLD_REJ: return e.hold_rej.call;
    case PRI_EVENT_RETRIEVE: return e.retrieve.call;
    case PRI_EVENT_RETRIEVE_ACK: return e.retrieve_ack.call;
    case PRI_EVENT_RETRIEVE_REJ: return e.retrieve_rej.call;
    default: return nullptr;
  }
}

// The channel value of a RESTART or SERVICE event (nullopt: another event).
std::optional<int> MaintenanceChannel(const pri_event& e) {
  switch (e.e) {
    case PRI_EVENT_RESTART: return e.restart.channel;
    case PRI_EVENT_RESTART_ACK: return e.restartack.channel;
    case PRI_EVENT_SERVICE: return e.service.channel;
    case PRI_EVENT_SERVICE_ACK: return e.service_ack.channel;
    default: return std::nullopt;
  }
}
}  // namespace

void Span::OnPriEvent(const pri_event& e) {
  if (nfas_backup()) {
    if (signalling_ != nullptr) signalling_->RouteGroupEvent(e, *this);
    return;
  }
  if (nfas_spans_.empty()) {
    HandleEvent(e);
    return;
  }
  RouteGroupEvent(e, *this);
}

void Span::RouteGroupEvent(const pri_event& e, Span& dchannel) {
  if (e.e == PRI_EVENT_DCHAN_UP || e.e == PRI_EVENT_DCHAN_DOWN) {
    NfasLinkChanged(dchannel, e.e == PRI_EVENT_DCHAN_UP);
    return;
  }
  for (Span* span : NfasRoute(e, dchannel)) span->HandleEvent(e);
}

void Span::NfasLinkChanged(Span& dchannel, bool up) {
  Span* other = &dchannel == this ? nfas_backup_ : this;
  q931::PriLink* other_link = other != nullptr && other->driver_ != nullptr ? &other->driver_->link() : nullptr;
  const bool other_up = other_link != nullptr && other_link->data_link_up();
  if (other_link != nullptr) {
    PRID_LOG_NOTICE("span {}: NFAS group {}: {} D-channel (span {}) {}, {} D-channel (span {}) {}", config_.span,
                    config_.nfas_group, &dchannel == this ? "primary" : "backup", dchannel.config_.span,
                    up ? "up" : "down", &dchannel == this ? "backup" : "primary", other->config_.span,
                    other_up ? "up" : "down");
    // The active calls go to the link that is up unless both are: those
    // of a failed link, and those left on one while neither was up.
    q931::PriLink& link = dchannel.driver_->link();
    q931::PriLink* to = up && !other_up ? &link : !up && other_up ? other_link : nullptr;
    if (to != nullptr) {
      nfas_t309_.stop();
      for (int cref : NfasActiveCrefs()) to->TakeOverCall(cref);
    } else if (!up && !nfas_t309_.is_active()) {
      nfas_t309_.start(config_.t309_s);
    } else if (up) {
      nfas_t309_.stop();
    }
  }
  const bool group_up = up || other_up;
  for (Span* span : nfas_spans_) span->SetDchannelUp(group_up);
}

std::vector<int> Span::NfasActiveCrefs() const {
  std::vector<int> crefs;
  for (const Span* span : nfas_spans_) {
    for (const auto& [id, wire] : span->by_id_) {
      // An answer of ours stays Connect request here until the far end's
      // CONNECT ACKNOWLEDGE, which libpri does not report: in libpri's
      // state it may be Active already.
      if (wire.call == nullptr) continue;
      const q931::CallState state = wire.call->state();
      if (state == q931::CallState::kActive || state == q931::CallState::kConnectRequest) {
        crefs.push_back(wire.call->cref());
      }
    }
  }
  return crefs;
}

void Span::OnNfasT309(ev::timer&, int) {
  // Q.931 5.8.9: no data link came back; libpri, in NFAS, leaves this to us.
  const std::vector<int> crefs = NfasActiveCrefs();
  PRID_LOG_WARN("span {}: NFAS group {}: no D-channel up for T309 ({} s): {} active calls cleared", config_.span,
                config_.nfas_group, config_.t309_s, crefs.size());
  for (int cref : crefs) driver_->link().ClearAfterLinkLoss(cref, q931::cause::kDestinationOutOfOrder);
  // What libpri still holds for the cleared calls (a STATUS of a switchover
  // to a link that then failed too) must not reach the far end once a link
  // is back, where a new call may have the same call reference.
  for (Span* span : {this, nfas_backup_}) {
    if (span != nullptr && span->driver_ != nullptr) span->driver_->link().ResetDataLink();
  }
}

Span* Span::NfasSpanOf(std::optional<int> interface, Span& dchannel) {
  if (!interface) return &dchannel;  // Q.931 4.5.13: no Interface identifier, the D-channel's own interface
  for (Span* span : nfas_spans_) {
    if (span->config_.nfas_interface == *interface) return span;
  }
  return nullptr;
}

std::vector<Span*> Span::NfasRoute(const pri_event& e, Span& dchannel) {
  if (e.e == PRI_EVENT_RING) {
    if (Span* span = NfasSpanOf(InterfaceOf(e.ring.channel), dchannel)) return {span};
    // Q.931 5.2.3.1: the channel named does not exist here.
    PRID_LOG_NOTICE("span {}: incoming call refused: NFAS group {} has no interface {}", config_.span,
                    config_.nfas_group, InterfaceOf(e.ring.channel).value_or(-1));
    (void)calls().Offered(e.ring, e.ring.channel).Clear(q931::cause::kIdentifiedChannelDoesNotExist, std::nullopt);
    return {};
  }
  if (std::optional<int> channel = MaintenanceChannel(e)) {
    // libpri's -1: every channel of every interface the D-channel controls.
    if (*channel < 0) return nfas_spans_;
    if (Span* span = NfasSpanOf(InterfaceOf(*channel), dchannel)) return {span};
    PRID_LOG_NOTICE("span {}: {} for interface {} ignored: NFAS group {} has no such interface", config_.span,
                    pri_event2str(e.e), InterfaceOf(*channel).value_or(-1), config_.nfas_group);
    return {};
  }
  q931_call* call = EventCall(e);
  if (call == nullptr) return nfas_spans_;  // the D-channel's own: up, down, a configuration error
  // The span that holds the call; one nobody holds (a retry's refused
  // call, an unknown call reference) is the primary's to finish.
  if (const q931::PriCall* c = calls().Find(call); c != nullptr && c->tag() != 0) {
    for (Span* span : nfas_spans_) {
      if (span->by_id_.contains(c->tag())) return {span};
    }
  }
  return {this};
}

void Span::HandleEvent(const pri_event& e) {
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
      if (q931::PriCall* c = calls().Find(e.proceeding.call)) {
        c->NoteProceeding();
        TellInfo(*c, "CALL PROCEEDING", e.proceeding.subcmds);
        if (WireCall* w = ByCall(c)) model_.Proceeding(w->id);
      }
      break;
    case PRI_EVENT_SETUP_ACK:
      if (q931::PriCall* c = calls().Find(e.setup_ack.call)) {
        c->NoteSetupAcknowledged();
        // Overlap sending: the far end wants more digits; the call stays dialing.
        if (WireCall* w = ByCall(c); w != nullptr && !w->overlap) model_.Proceeding(w->id);
      }
      break;
    case PRI_EVENT_RINGING:
      if (q931::PriCall* c = calls().Find(e.ringing.call)) {
        c->NoteRinging();
        TellInfo(*c, "ALERTING", e.ringing.subcmds);
        if (WireCall* w = ByCall(c)) model_.Alerting(w->id, c->TakeReceivedUui());
      }
      break;
    case PRI_EVENT_ANSWER:
      if (q931::PriCall* c = calls().Find(e.answer.call)) {
        c->NoteAnswered();
        TellInfo(*c, "CONNECT", e.answer.subcmds);
        if (WireCall* w = ByCall(c)) model_.Answered(w->id, c->TakeReceivedUui());
      }
      break;
    // What the far end sends beside state changes (API.md call.indication).
    case PRI_EVENT_PROGRESS:
      if (q931::PriCall* c = calls().Find(e.proceeding.call)) {
        const std::optional<std::uint8_t> cause =
            e.proceeding.cause > 0 ? std::optional(static_cast<std::uint8_t>(e.proceeding.cause)) : std::nullopt;
        TellInfo(*c, "PROGRESS", e.proceeding.subcmds, cause);
      }
      break;
    case PRI_EVENT_KEYPAD_DIGIT:
      if (q931::PriCall* c = calls().Find(e.digit.call)) {
        TellInfo(*c, "INFORMATION", e.digit.subcmds, std::nullopt,
                 std::string(e.digit.digits, strnlen(e.digit.digits, sizeof e.digit.digits)));
      }
      break;
    case PRI_EVENT_FACILITY:
      if (q931::PriCall* c = calls().Find(e.facility.call)) TellInfo(*c, "FACILITY", e.facility.subcmds);
      break;
    case PRI_EVENT_HANGUP_REQ:
    case PRI_EVENT_HANGUP:
    case PRI_EVENT_HANGUP_ACK:
      OnHangup(e.hangup, e.e);
      break;
    case PRI_EVENT_INFO_RECEIVED:
      // A Display IE in it is the far end's in any state (call.indication).
      if (q931::PriCall* c = calls().Find(e.ring.call)) TellInfo(*c, "INFORMATION", e.ring.subcmds);
      OnInformation(e.ring);
      break;
    case PRI_EVENT_RESTART:
      restart_.OnRestartRequested(ChannelOf(e.restart.channel));
      break;
    case PRI_EVENT_RESTART_ACK:
      restart_.OnAcknowledged(ChannelOf(e.restartack.channel));
      break;
    case PRI_EVENT_SERVICE:
      service_.OnService(ChannelOf(e.service.channel), e.service.changestatus);
      break;
    case PRI_EVENT_SERVICE_ACK:
      service_.OnAcknowledged(ChannelOf(e.service_ack.channel), e.service_ack.changestatus);
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

void Span::TellInfo(q931::PriCall& c, std::string_view message, const struct pri_subcommands* subcmds,
                    std::optional<std::uint8_t> cause, std::string keypad) {
  WireCall* w = ByCall(&c);
  if (w == nullptr) return;
  const q931::PriLink& link = driver()->link();
  FarEndInfo info;
  info.message = message;
  info.progress = link.ReceivedProgress(c.cref());
  if (!info.progress.empty()) info.cause = cause;
  info.display = link.ReceivedDisplay(c.cref());
  info.keypad = std::move(keypad);
  // Q.951 COLP: libpri reports the CONNECT's (or a later update's)
  // connected party; a CONNECT without a Connected number IE has none.
  for (int i = 0; subcmds != nullptr && i < subcmds->counter_subcmd && i < PRI_MAX_SUBCOMMANDS; ++i) {
    const struct pri_subcommand& sub = subcmds->subcmd[i];
    if (sub.cmd != PRI_SUBCMD_CONNECTED_LINE) continue;
    const struct pri_party_id& id = sub.u.connected_line.id;
    if (id.number.valid) {
      info.connected = q931::Party::FromLibpri(std::string(id.number.str, strnlen(id.number.str, sizeof id.number.str)),
                                               id.number.plan, id.number.presentation);
    }
    // A Q.SIG ConnectedName has no Display IE behind it.
    if (!info.display && id.name.valid && id.name.str[0] != '\0') {
      info.display = q931::DisplayText(std::string_view(id.name.str, strnlen(id.name.str, sizeof id.name.str)));
    }
  }
  model_.InfoReceived(w->id, info);
}

void Span::OnRing(const pri_event_ring& ring) {
  q931::PriLink& link = driver()->link();
  int channel = ChannelOf(ring.channel);
  if (channel == 0 || !pool_.IsFree(channel)) {
    int requested = channel;
    channel = PickChannel();
    if (channel == 0 || (requested != 0 && ring.flexible == 0)) {
      // Q.931 5.2.3.1: the exclusive channel is not available. Refused
      // with RELEASE COMPLETE (Q.931 5.3.2 a)); libpri frees the call.
      PRID_LOG_NOTICE("span {}: incoming call refused: channel {} unavailable", config_.span, requested);
      (void)calls().Offered(ring, ring.channel).Clear(q931::cause::kRequestedChannelUnavailable, std::nullopt);
      return;
    }
  }
  IncomingCallInfo info;
  info.channel = channel;
  // Q.931 5.2.4: without Sending complete more digits may follow.
  info.collecting = config_.overlap && ring.complete == 0;
  info.parties = q931::ReceivedParties(ring);
  info.bearer = BearerFromLibpri(ring.ctype);
  info.uui = link.rewriter().TakeReceived(ring.cref);
  q931::PriCall& call = calls().Offered(ring, Wire(channel));
  const CallId offered = model_.IncomingCall(config_.span, info, [&](CallId id) {
    WireCall w;
    w.id = id;
    w.call = &call;
    w.call->set_tag(id);
    w.channel = channel;
    w.exclusive = ring.channel > 0 && ring.flexible == 0 && ChannelOf(ring.channel) == channel;
    by_id_[id] = std::move(w);
    pool_.Assign(channel, id);
  });
  // SETUP ACKNOWLEDGE once the owners have call.new, unless nobody was
  // there to take the call and it is rejected already.
  if (!info.collecting) return;
  if (WireCall* w = ById(offered); w != nullptr && w->call->state() == q931::CallState::kCallPresent) {
    if (auto sent = w->call->AcknowledgeSetup(); !sent.ok()) {
      PRID_LOG_WARN("span {}: call {}: {}", config_.span, offered, sent.message());
    }
  }
}

void Span::OnInformation(const pri_event_ring& info) {
  q931::PriCall* c = calls().Find(info.call);
  WireCall* w = ByCall(c);
  if (w == nullptr || c->state() != q931::CallState::kOverlapReceiving) {
    PRID_LOG_DEBUG("span {}: INFORMATION outside overlap receiving ignored", config_.span);
    return;
  }
  const std::string digits(info.callednum, strnlen(info.callednum, sizeof info.callednum));
  model_.DigitsReceived(w->id, digits, info.complete != 0);
}

void Span::OnHangup(const pri_event_hangup& hangup, int type) {
  q931::PriLink& link = driver()->link();
  q931::PriCall* c = calls().Find(hangup.call);
  WireCall* w = ByCall(c);
  std::optional<q931::UserUser> uui = link.rewriter().TakeReceived(hangup.cref);
  const auto cause = static_cast<std::uint8_t>(hangup.cause > 0 ? hangup.cause : q931::cause::kNormalClearing);
  // Remote only when the far end's clearing message began the clearing:
  // not when we, or the far end with its DISCONNECT, had begun it already,
  // and not when libpri cleared the call itself (T303 twice, T308, T309 or
  // a call cancelled after the data link failed: its cause, our clearing).
  auto far_end_began = [&](const q931::CallStateSet& history) {
    return link.ClearingReceived(hangup.cref) && !history.Contains(q931::CallState::kDisconnectRequest) &&
           !history.Contains(q931::CallState::kReleaseRequest) &&
           !history.Contains(q931::CallState::kDisconnectIndication);
  };
  if (type == PRI_EVENT_HANGUP_ACK) {
    // libpri already freed the call, and its address is reused at once:
    // the table forgets the pointer before anything else. Mostly the far
    // end's RELEASE COMPLETE answering our clearing; for an offered call the
    // far end's DISCONNECT or RELEASE COMPLETE (q931/pri_link.h): remote.
    if (c == nullptr) return;
    const bool remote = far_end_began(c->history());
    (void)c->NoteHangupAck();
    if (w == nullptr) return;  // e.g. the refused call of a retry
    CallId id = w->id;
    Forget(id);
    model_.WireCleared(id, cause, remote ? std::move(uui) : std::nullopt, remote);
    return;
  }
  if (type == PRI_EVENT_HANGUP) {
    // The far end's RELEASE / RELEASE COMPLETE: one pri_hangup frees it.
    if (c == nullptr) {
      calls().ClearUnknown(hangup.call, cause);
      return;
    }
    c->NoteHangup();
    const q931::CallStateSet history = c->history();
    const bool remote = far_end_began(history);
    (void)c->Release(cause);
    if (w == nullptr) return;
    w->call = nullptr;  // freed
    CallId id = w->id;
    if (RetryOnAnotherChannel(id, w->channel, history, hangup.cause)) return;
    Forget(id);
    model_.WireCleared(id, cause, std::move(uui), remote);
    return;
  }
  // PRI_EVENT_HANGUP_REQ: the far end's DISCONNECT.
  if (c == nullptr) {
    calls().ClearUnknown(hangup.call, cause);
    return;
  }
  c->NoteRemoteDisconnect();
  if (w == nullptr) {
    (void)c->Clear(cause, std::nullopt);
    return;
  }
  if (RetryOnAnotherChannel(w->id, w->channel, c->history(), hangup.cause)) {
    // A refusal by DISCONNECT: release the old call; its HANGUP_ACK then
    // finds nothing of ours.
    (void)c->Clear(static_cast<std::uint8_t>(hangup.cause), std::nullopt);
    return;
  }
  model_.RemoteDisconnect(w->id, cause, std::move(uui));
}

// --- RESTART ------------------------------------------------------------

base::Status Span::Restart(int channel) { return restart_.Restart(channel); }

void Span::SendRestart(int channel) { link().Call(pri_reset, Wire(channel)); }

void Span::ClearRestartedCall(int channel, bool remote) { ClearForRestart(channel, remote); }

void Span::SetRestarting(int channel, bool restarting) {
  SetChannelFlags(channel, [&] { pool_.SetRestarting(channel, restarting); });
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

void Span::ClearForRestart(int channel, bool remote) {
  const CallId id = pool_.CallOn(channel);
  WireCall* w = ById(id);
  if (w == nullptr) return;
  PRID_LOG_NOTICE("span {}: call {} on restarted channel {} cleared", config_.span, id, channel);
  // Q.931 5.5: the call is gone on the wire without a message.
  if (w->call != nullptr) (void)w->call->Destroy();
  Forget(id);
  model_.WireCleared(id, q931::cause::kTemporaryFailure, std::nullopt, remote);
}

// --- SERVICE ------------------------------------------------------------

base::Status Span::SetService(int channel, bool in_service) {
  if (auto ok = service_.Check(channel); !ok.ok()) return ok;
  if (!up()) return base::Status::Error(fmt::format("span {} is {}", config_.span, SpanStateName(state())));
  return service_.Request(channel, in_service);
}

void Span::SendService(int channel, ServiceStatus status) {
  // In an NFAS group the SERVICE names the span's interface (libpri leaves
  // out the Interface identifier for interface 0: the D-channel's own).
  link().Call(pri_maintenance_service, config_.nfas_interface, channel, static_cast<int>(status));
}

void Span::SetInService(int channel, bool in_service) {
  SetChannelFlags(channel, [&] { pool_.SetInService(channel, in_service); });
}

}  // namespace prid::daemon
