// Gives the heap's free memory back to the kernel when the loop goes quiet.
#include "daemon/idle_memory_trim.h"

#include <malloc.h>

#include <algorithm>

namespace prid::daemon {

IdleMemoryTrim::IdleMemoryTrim(ev::loop_ref loop, ev::tstamp quiet, ev::tstamp ceiling)
    : loop_(loop), quiet_(quiet), ceiling_(ceiling), timer_(loop) {
  timer_.set<IdleMemoryTrim, &IdleMemoryTrim::OnTimer>(this);
}

void IdleMemoryTrim::Activity() {
  last_activity_ = loop_.now();
  if (timer_.is_active()) return;  // the burst goes on: OnTimer re-arms from last_activity_
  burst_start_ = last_activity_;
  timer_.start(quiet_, 0.);
}

void IdleMemoryTrim::OnTimer(ev::timer&, int) {
  const ev::tstamp due = std::min(last_activity_ + quiet_, burst_start_ + ceiling_);
  const ev::tstamp now = loop_.now();
  if (now < due) {
    timer_.start(due - now, 0.);
    return;
  }
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

}  // namespace prid::daemon
