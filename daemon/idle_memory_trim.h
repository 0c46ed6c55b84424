// Gives the heap's free memory back to the kernel once the loop has gone
// quiet after a burst. glibc returns only the top of its heaps by itself:
// the many small blocks of a burst (the queued lines of subscribers that
// never read) stay resident after they are freed, until malloc_trim(0)
// releases their pages.
#pragma once

#include <ev++.h>

namespace prid::daemon {

class IdleMemoryTrim {
 public:
  // Trims `quiet` seconds after the last activity, or at the latest
  // `ceiling` seconds after the first activity of a burst (a client that
  // polls more often than `quiet` must not keep a burst's memory forever);
  // then waits for the next activity. `loop` must outlive this.
  explicit IdleMemoryTrim(ev::loop_ref loop, ev::tstamp quiet = 1.0, ev::tstamp ceiling = 30.0);

  // Client activity (a connection opened or closed, a request): notes the
  // loop's cached time and arms the timer if it is not armed; no system
  // call, so it may run on every request.
  void Activity();

 private:
  void OnTimer(ev::timer&, int);

  ev::loop_ref loop_;
  const ev::tstamp quiet_, ceiling_;
  ev::tstamp last_activity_ = 0, burst_start_ = 0;
  ev::timer timer_;
};

}  // namespace prid::daemon
