// A bare libpri endpoint on a libev loop for the benchmarks.
#include "bench/libpri_endpoint.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace prid::bench {

LibpriEndpoint::LibpriEndpoint(ev::loop_ref loop, std::unique_ptr<dahdi_glue::SimTransport> transport,
                               int node_type, Handler handler)
    : transport_(std::move(transport)), handler_(std::move(handler)), io_(loop), timer_(loop) {
  io_.set<LibpriEndpoint, &LibpriEndpoint::OnReadable>(this);
  timer_.set<LibpriEndpoint, &LibpriEndpoint::OnTimer>(this);
  auto link = q931::PriLink::Create({"bench", node_type, PRI_SWITCH_EUROISDN_E1}, *transport_, *this);
  if (!link.ok()) {
    std::fprintf(stderr, "%s\n", link.error().c_str());
    std::exit(1);
  }
  link_ = std::move(*link);
  Watch();
}

void LibpriEndpoint::Watch() {
  io_.stop();
  if (transport_->connected()) io_.start(transport_->fd(), ev::READ);
}

void LibpriEndpoint::OnTimerDeadline(std::optional<std::chrono::system_clock::time_point> deadline) {
  timer_.stop();
  if (!deadline) return;
  auto delay = std::chrono::duration<double>(*deadline - std::chrono::system_clock::now()).count();
  timer_.start(std::max(0.0, delay), 0.0);
}

void AnswerEverything(LibpriEndpoint& endpoint, const pri_event& e) {
  q931::PriLink& link = endpoint.link();
  switch (e.e) {
    case PRI_EVENT_RING:
      link.Call(pri_proceeding, e.ring.call, e.ring.channel, 0);
      link.Call(pri_answer, e.ring.call, e.ring.channel, 0);
      break;
    case PRI_EVENT_HANGUP_REQ:
    case PRI_EVENT_HANGUP:
      link.Call(pri_hangup, e.hangup.call, e.hangup.cause > 0 ? e.hangup.cause : 16);
      break;
    default:
      break;
  }
}

}  // namespace prid::bench
