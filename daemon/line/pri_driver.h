// Drives one PriLink on the daemon's libev loop: an ev::io on the
// D-channel (a sim socket or a DAHDI channel), one ev::timer re-armed from
// libpri's absolute deadline after every libpri call, and (sim
// listen/connect) the watcher that brings the far end's socket. On DAHDI it
// hands alarm changes read with the frames to the alarm handler, after
// libpri is done with the input.
//
// It tells the link when the line comes and goes (PriLink::LineUp /
// LineDown): up when the span starts on a working line, a far end connects
// (accepted, or connected to) or a span alarm clears; down when the far end
// closes its socket or is replaced, or the span goes into alarm.
#pragma once

#include <ev++.h>

#include <functional>
#include <memory>
#include <span>

#include "base/expected.h"
#include "dahdi-glue/dahdi_dchannel.h"
#include "dahdi-glue/sim_transport.h"
#include "q931/pri_link.h"

namespace prid::daemon {

class PriDriver : public q931::PriLinkObserver {
 public:
  using EventHandler = std::function<void(const pri_event&)>;
  using FrameTap = std::function<void(q931::FrameDirection, std::span<const std::uint8_t>)>;
  using AlarmHandler = std::function<void(int alarms)>;

  PriDriver(ev::loop_ref loop, std::unique_ptr<dahdi_glue::SimTransport> transport,
            q931::PriLinkOptions options);
  PriDriver(ev::loop_ref loop, std::unique_ptr<dahdi_glue::DahdiDChannel> dchannel,
            q931::PriLinkOptions options);
  ~PriDriver() override;

  base::Status Start(EventHandler on_event);
  void SetFrameTap(FrameTap tap) { frame_tap_ = std::move(tap); }
  void SetAlarmHandler(AlarmHandler handler) { on_alarm_ = std::move(handler); }
  q931::PriLink& link() { return *link_; }
  // The sim socket (null on DAHDI) and the DAHDI D-channel (null on sim).
  dahdi_glue::SimTransport* sim() { return transport_.get(); }
  dahdi_glue::DahdiDChannel* dahdi() { return dahdi_.get(); }

 private:
  void OnPriEvent(const pri_event& event) override;
  void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> deadline) override;
  void OnFrame(q931::FrameDirection direction, std::span<const std::uint8_t> frame) override;

  void OnReadable(ev::io&, int);
  void OnPriTimer(ev::timer&, int);
  void OnAcceptable(ev::io&, int);
  void OnReconnectTimer(ev::timer&, int);
  void WatchLink();
  void AfterPeerLost();
  // DAHDI: the span's alarms changed (0: cleared).
  void OnAlarmChange(int alarms);

  ev::loop_ref loop_;
  std::unique_ptr<dahdi_glue::SimTransport> transport_;
  std::unique_ptr<dahdi_glue::DahdiDChannel> dahdi_;
  q931::PriLinkOptions options_;
  std::unique_ptr<q931::PriLink> link_;
  EventHandler on_event_;
  FrameTap frame_tap_;
  AlarmHandler on_alarm_;
  bool in_alarm_ = false;  // DAHDI: the span was in alarm at the last change
  ev::io io_;
  ev::io accept_io_;
  ev::timer pri_timer_;
  ev::timer reconnect_timer_;
};

}  // namespace prid::daemon
