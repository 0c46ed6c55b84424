// libpri's constants for prid's configuration and back.
#include "daemon/line/libpri_settings.h"

#include "q931/libpri_c.h"

namespace prid::daemon {

int ChannelOf(int libpri_channel) {
  // libpri encodes span and flags above the low octet; 0xff means none.
  const int channel = libpri_channel & 0xff;
  return channel == 0xff ? 0 : channel;
}

// libpri's channel values: channel | interface << 8 | explicit << 16
// (q931.c q931_encode_channel, pri_sr_set_channel).
constexpr int kExplicitInterface = 1 << 16;

int LibpriChannelOnInterface(int channel, int interface) {
  return (channel & 0xff) | (interface & 0xff) << 8 | kExplicitInterface;
}

std::optional<int> InterfaceOf(int libpri_channel) {
  if (libpri_channel < 0 || (libpri_channel & kExplicitInterface) == 0) return std::nullopt;
  return (libpri_channel >> 8) & 0xff;
}

int LibpriNodeType(NodeType node) { return node == NodeType::kCpe ? PRI_CPE : PRI_NETWORK; }

int LibpriSwitchType(SwitchVariant variant) {
  switch (variant) {
    case SwitchVariant::kNi2: return PRI_SWITCH_NI2;
    case SwitchVariant::kDms100: return PRI_SWITCH_DMS100;
    case SwitchVariant::k5ess: return PRI_SWITCH_LUCENT5E;
    case SwitchVariant::k4ess: return PRI_SWITCH_ATT4ESS;
    case SwitchVariant::kEuroIsdnE1: return PRI_SWITCH_EUROISDN_E1;
    case SwitchVariant::kEuroIsdnT1: return PRI_SWITCH_EUROISDN_T1;
    case SwitchVariant::kNi1: return PRI_SWITCH_NI1;
    case SwitchVariant::kQsig: return PRI_SWITCH_QSIG;
  }
  return PRI_SWITCH_EUROISDN_E1;
}

int LibpriTransferCapability(Bearer bearer) {
  switch (bearer) {
    case Bearer::kSpeech: return PRI_TRANS_CAP_SPEECH;
    case Bearer::k3_1kHz: return PRI_TRANS_CAP_3_1K_AUDIO;
    case Bearer::kDigital: return PRI_TRANS_CAP_DIGITAL;
  }
  return PRI_TRANS_CAP_SPEECH;
}

Bearer BearerFromLibpri(int transfer_capability) {
  switch (transfer_capability) {
    case PRI_TRANS_CAP_3_1K_AUDIO: return Bearer::k3_1kHz;
    case PRI_TRANS_CAP_DIGITAL: return Bearer::kDigital;
    default: return Bearer::kSpeech;
  }
}

bool VariantSendsDisplay(SwitchVariant variant, NodeType sender) {
  const bool euroisdn = variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kEuroIsdnT1;
  return variant != SwitchVariant::kQsig && !(euroisdn && sender == NodeType::kCpe);
}

bool VariantHasHold(SwitchVariant variant) {
  return variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kEuroIsdnT1 ||
         variant == SwitchVariant::kQsig;
}

bool VariantHasReroute(SwitchVariant variant) {
  return variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kEuroIsdnT1 ||
         variant == SwitchVariant::kQsig;
}

bool VariantHasTransfer(SwitchVariant variant, NodeType node) {
  return node == NodeType::kCpe &&
         (variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kEuroIsdnT1);
}

bool IsHoldEvent(int event) {
  return event == PRI_EVENT_HOLD || event == PRI_EVENT_HOLD_ACK || event == PRI_EVENT_HOLD_REJ ||
         event == PRI_EVENT_RETRIEVE || event == PRI_EVENT_RETRIEVE_ACK || event == PRI_EVENT_RETRIEVE_REJ;
}

int LibpriLayer1(SwitchVariant variant) {
  // E1 networks use A-law, T1 networks µ-law (G.711).
  return variant == SwitchVariant::kEuroIsdnE1 || variant == SwitchVariant::kQsig ? PRI_LAYER_1_ALAW
                                                                                : PRI_LAYER_1_ULAW;
}

}  // namespace prid::daemon
