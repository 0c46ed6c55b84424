// ConferenceMixer: puts DAHDI B-channels into kernel conferences
// (DAHDI_SETCONF), as chan_dahdi does for three-way calls. Each joined
// channel keeps its own /dev/dahdi/channel descriptor open, because DAHDI
// takes a channel out of its conference when its last descriptor closes.
#pragma once

#include <map>
#include <set>

#include "base/expected.h"
#include "dahdi-glue/dahdi_system.h"

namespace prid::dahdi_glue {

class ConferenceMixer {
 public:
  // `system` must outlive the mixer.
  explicit ConferenceMixer(DahdiSystem& system) : system_(system) {}
  // Leaves every conference still joined (errors are logged).
  ~ConferenceMixer();
  ConferenceMixer(const ConferenceMixer&) = delete;
  ConferenceMixer& operator=(const ConferenceMixer&) = delete;

  // Reserves the lowest conference number (1 … DAHDI_MAX_CONF-1) that this
  // mixer has neither reserved nor in use; 0 when none is left. The number
  // is freed by ReleaseConfNo or when its last member leaves.
  int AllocateConfNo();
  void ReleaseConfNo(int confno);

  // Opens the channel device, binds it to `dahdi_channel` (DAHDI_SPECIFY),
  // checks it is a clear-channel B-channel (DAHDI_GET_PARAMS) and makes it a
  // talker and listener of conference `confno` (DAHDI_SETCONF). Fails, with
  // nothing left open, when the channel is already joined, `confno` is out
  // of range, or a system call fails.
  base::Status Join(int dahdi_channel, int confno);
  // Takes the channel back out of its conference (DAHDI_SETCONF to
  // DAHDI_CONF_NORMAL) and closes its descriptor, even when the ioctl fails.
  base::Status Leave(int dahdi_channel);

  bool joined(int dahdi_channel) const { return members_.count(dahdi_channel) != 0; }
  // The conference of a joined channel, 0 otherwise.
  int ConfNoOf(int dahdi_channel) const;
  std::size_t member_count() const { return members_.size(); }

 private:
  struct Member {
    DahdiFd fd;
    int confno = 0;
  };

  DahdiSystem& system_;
  std::map<int, Member> members_;  // by DAHDI channel number
  std::set<int> reserved_;         // AllocateConfNo'd, not yet released
};

}  // namespace prid::dahdi_glue
