// ConferenceMedia: B-channel numbering and kernel conferences for one span.
#include "daemon/line/conference_media.h"

#include "dahdi-glue/conference_mixer.h"

namespace prid::daemon {

ConferenceMedia::ConferenceMedia(const SpanConfig& config, dahdi_glue::ConferenceMixer* mixer)
    : driver_(config.driver),
      span_(config.span),
      dchannel_(config.dchannel),
      // dahdi_channel is the D-channel's own DAHDI number (default: its
      // position).
      dchannel_number_(config.dahdi_channel != 0 ? config.dahdi_channel : config.dchannel),
      mixer_(mixer) {}

int ConferenceMedia::DahdiChannel(int bchannel) const {
  if (driver_ == Driver::kSim) return (span_ - 1) * kSimTimeslotsPerSpan + bchannel;
  // B-channels are positions in the DAHDI span, numbered from the D-channel's.
  return dchannel_number_ - dchannel_ + bchannel;
}

base::Status ConferenceMedia::Join(int bchannel, int conference) {
  if (mixer_ == nullptr) return base::Status::Ok();
  return mixer_->Join(DahdiChannel(bchannel), conference);
}

base::Status ConferenceMedia::Leave(int bchannel) {
  if (mixer_ == nullptr) return base::Status::Ok();
  return mixer_->Leave(DahdiChannel(bchannel));
}

}  // namespace prid::daemon
