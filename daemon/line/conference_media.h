// ConferenceMedia: where a span's B-channels are in DAHDI's numbering, and
// moving them in and out of kernel conferences (DAHDI_SETCONF) through a
// dahdi_glue::ConferenceMixer. Passive: the span calls it for the calls it
// joins to a conference.
#pragma once

#include "base/expected.h"
#include "daemon/config/config.h"

namespace prid::dahdi_glue {
class ConferenceMixer;
}

namespace prid::daemon {

class ConferenceMedia {
 public:
  // Takes the numbering from `config` (copied). `mixer` (not owned; may be
  // null: no media moves, as on a sim span) must outlive the object.
  ConferenceMedia(const SpanConfig& config, dahdi_glue::ConferenceMixer* mixer);

  // The DAHDI channel number of B-channel `bchannel` of the span. A sim
  // span has no DAHDI channels: its B-channels are numbered as if spans had
  // 32 timeslots each.
  int DahdiChannel(int bchannel) const;

  // Joins B-channel `bchannel` to conference `conference`. Ok without a
  // mixer; the mixer's error otherwise, with nothing joined.
  base::Status Join(int bchannel, int conference);
  // Takes B-channel `bchannel` out of its conference. Ok without a mixer.
  base::Status Leave(int bchannel);

  bool has_mixer() const { return mixer_ != nullptr; }

 private:
  static constexpr int kSimTimeslotsPerSpan = 32;

  Driver driver_;
  int span_;
  int dchannel_;         // the D-channel's position in the span
  int dchannel_number_;  // the D-channel's DAHDI channel number
  dahdi_glue::ConferenceMixer* mixer_;
};

}  // namespace prid::daemon
