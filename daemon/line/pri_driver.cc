// Drives one PriLink on the daemon's libev loop.
#include "daemon/line/pri_driver.h"

#include <algorithm>
#include <utility>

#include "base/log.h"

namespace prid::daemon {
namespace {
constexpr double kReconnectSeconds = 1.0;
}

PriDriver::PriDriver(ev::loop_ref loop, std::unique_ptr<dahdi_glue::SimTransport> transport,
                     q931::PriLinkOptions options)
    : loop_(loop),
      transport_(std::move(transport)),
      options_(std::move(options)),
      io_(loop),
      accept_io_(loop),
      pri_timer_(loop),
      reconnect_timer_(loop) {
  io_.set<PriDriver, &PriDriver::OnReadable>(this);
  accept_io_.set<PriDriver, &PriDriver::OnAcceptable>(this);
  pri_timer_.set<PriDriver, &PriDriver::OnPriTimer>(this);
  reconnect_timer_.set<PriDriver, &PriDriver::OnReconnectTimer>(this);
}

PriDriver::PriDriver(ev::loop_ref loop, std::unique_ptr<dahdi_glue::DahdiDChannel> dchannel,
                     q931::PriLinkOptions options)
    : PriDriver(loop, std::unique_ptr<dahdi_glue::SimTransport>(), std::move(options)) {
  dahdi_ = std::move(dchannel);
}

PriDriver::~PriDriver() {
  // Watchers stop in their destructors; the link parks its struct pri.
  link_.reset();
}

base::Status PriDriver::Start(EventHandler on_event) {
  on_event_ = std::move(on_event);
  q931::FrameIo& io = dahdi_ ? static_cast<q931::FrameIo&>(*dahdi_) : *transport_;
  auto link = q931::PriLink::Create(options_, io, *this);
  if (!link.ok()) return base::Status::Error(link.error());
  link_ = std::move(*link);
  if (dahdi_) {
    io_.start(dahdi_->fd(), ev::READ);
    in_alarm_ = dahdi_->alarms() != 0;
    if (in_alarm_) {
      link_->LineDown();
    } else {
      link_->LineUp();
    }
    return base::Status::Ok();
  }
  if (transport_->listen_fd() >= 0) accept_io_.start(transport_->listen_fd(), ev::READ);
  if (!transport_->connected() && transport_->listen_fd() < 0) {
    // Connect mode: the far end may not be there yet.
    if (auto ok = transport_->Reconnect(); !ok.ok()) {
      PRID_LOG_NOTICE("{}; retrying every {} s", ok.message(), kReconnectSeconds);
      reconnect_timer_.start(kReconnectSeconds, kReconnectSeconds);
    }
  }
  WatchLink();
  // A socket pair, or a far end that was already listening; else none yet.
  if (transport_->connected()) {
    link_->LineUp();
  } else {
    link_->LineDown();
  }
  return base::Status::Ok();
}

void PriDriver::WatchLink() {
  io_.stop();
  if (transport_->connected()) io_.start(transport_->fd(), ev::READ);
}

void PriDriver::OnReadable(ev::io&, int) {
  link_->ProcessInput();
  if (dahdi_) {
    // Outside libpri's read callback: the handler may call libpri.
    if (auto alarms = dahdi_->TakeAlarmChange()) OnAlarmChange(*alarms);
    return;
  }
  if (transport_->peer_lost()) AfterPeerLost();
}

void PriDriver::OnAlarmChange(int alarms) {
  const bool was_in_alarm = std::exchange(in_alarm_, alarms != 0);
  if (in_alarm_) {
    // The alarm first, so that the span reports it rather than a plain
    // down; then the data link goes down at once.
    if (on_alarm_) on_alarm_(alarms);
    if (!was_in_alarm) link_->LineDown();
    return;
  }
  // Q.921 afresh before the span hears the alarm is gone: it goes from
  // alarm to down, and up once the far end has answered our SABME.
  if (was_in_alarm) link_->LineUp();
  if (on_alarm_) on_alarm_(alarms);
}

void PriDriver::AfterPeerLost() {
  transport_->ClearPeerLost();
  io_.stop();
  // No far end, no data link: down now rather than after T203 and N200 x
  // T200 of silence.
  link_->LineDown();
  if (transport_->listen_fd() < 0 && !reconnect_timer_.is_active()) {
    reconnect_timer_.start(kReconnectSeconds, kReconnectSeconds);
  }
}

void PriDriver::OnAcceptable(ev::io&, int) {
  // A new far end replaces the one before, if any (LineUp takes its data
  // link down first).
  if (auto ok = transport_->AcceptPeer(); !ok.ok()) {
    PRID_LOG_WARN("{}", ok.message());
    return;
  }
  WatchLink();
  link_->LineUp();
}

void PriDriver::OnReconnectTimer(ev::timer&, int) {
  if (transport_->connected()) {
    reconnect_timer_.stop();
    return;
  }
  if (transport_->Reconnect().ok()) {
    reconnect_timer_.stop();
    WatchLink();
    link_->LineUp();
  }
}

void PriDriver::OnPriTimer(ev::timer&, int) { link_->RunTimers(); }

void PriDriver::OnPriEvent(const pri_event& event) {
  if (on_event_) on_event_(event);
}

void PriDriver::OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> deadline) {
  pri_timer_.stop();
  if (!deadline) return;
  // libpri's deadline is wall-clock time (gettimeofday).
  auto delay = std::chrono::duration<double>(*deadline - std::chrono::system_clock::now()).count();
  pri_timer_.start(std::max(0.0, delay), 0.0);
}

void PriDriver::OnFrame(q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
  if (frame_tap_) frame_tap_(direction, frame);
}

}  // namespace prid::daemon
