// A bare libpri endpoint on a libev loop for the benchmarks: PriLink over a
// sim transport, with events handed to a callback. No daemon, no session
// model: the floor that prid's own cost is measured against.
#pragma once

#include <ev++.h>

#include <functional>
#include <memory>

#include "dahdi-glue/sim_transport.h"
#include "q931/pri_link.h"

namespace prid::bench {

class LibpriEndpoint : public q931::PriLinkObserver {
 public:
  using Handler = std::function<void(LibpriEndpoint&, const pri_event&)>;
  LibpriEndpoint(ev::loop_ref loop, std::unique_ptr<dahdi_glue::SimTransport> transport, int node_type,
                 Handler handler);
  q931::PriLink& link() { return *link_; }
  dahdi_glue::SimTransport& transport() { return *transport_; }
  // Starts watching the transport (call again after a listen socket accepted).
  void Watch();

 private:
  void OnPriEvent(const pri_event& event) override { handler_(*this, event); }
  void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> deadline) override;
  void OnFrame(q931::FrameDirection, std::span<const std::uint8_t>) override {}
  void OnReadable(ev::io&, int) { link_->ProcessInput(); }
  void OnTimer(ev::timer&, int) { link_->RunTimers(); }

  std::unique_ptr<dahdi_glue::SimTransport> transport_;
  Handler handler_;
  ev::io io_;
  ev::timer timer_;
  std::unique_ptr<q931::PriLink> link_;
};

// The network side's answer to every call: CALL PROCEEDING + CONNECT on
// SETUP, RELEASE on DISCONNECT, and the one pri_hangup after a release.
void AnswerEverything(LibpriEndpoint& endpoint, const pri_event& event);

}  // namespace prid::bench
