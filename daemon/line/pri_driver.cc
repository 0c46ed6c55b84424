// Drives one PriLink on the daemon's libev loop.
#include "daemon/line/pri_driver.h"

#include <algorithm>

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
    if (auto alarms = dahdi_->TakeAlarmChange(); alarms && on_alarm_) on_alarm_(*alarms);
    return;
  }
  if (transport_->peer_lost()) AfterPeerLost();
}

void PriDriver::AfterPeerLost() {
  transport_->ClearPeerLost();
  io_.stop();
  // libpri notices the silence through Q.921's own timers (T200/T203).
  if (transport_->listen_fd() < 0 && !reconnect_timer_.is_active()) {
    reconnect_timer_.start(kReconnectSeconds, kReconnectSeconds);
  }
}

void PriDriver::OnAcceptable(ev::io&, int) {
  if (auto ok = transport_->AcceptPeer(); !ok.ok()) {
    PRID_LOG_WARN("{}", ok.message());
    return;
  }
  WatchLink();
}

void PriDriver::OnReconnectTimer(ev::timer&, int) {
  if (transport_->connected()) {
    reconnect_timer_.stop();
    return;
  }
  if (transport_->Reconnect().ok()) {
    reconnect_timer_.stop();
    WatchLink();
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
