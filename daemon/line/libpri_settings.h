// libpri's constants for prid's configuration enums (node type, switch
// variant, bearer, layer 1) and back, and what each variant can carry.
#pragma once

#include "daemon/config/config.h"
#include "daemon/session/call.h"

namespace prid::daemon {

// The B-channel of a libpri channel value (its low octet; 0 for none).
int ChannelOf(int libpri_channel);

// libpri's constants for our config enums.
int LibpriNodeType(NodeType node);
int LibpriSwitchType(SwitchVariant variant);
int LibpriTransferCapability(Bearer bearer);
int LibpriLayer1(SwitchVariant variant);
// Q.932 call hold (Q.931 HOLD / RETRIEVE) exists on the ETSI and QSIG
// variants; the North American PRI variants have no such messages.
bool VariantHasHold(SwitchVariant variant);
// PRI_EVENT_HOLD … PRI_EVENT_RETRIEVE_REJ: the near and far ends both route
// these to their own hold handling.
bool IsHoldEvent(int event);
Bearer BearerFromLibpri(int transfer_capability);

}  // namespace prid::daemon
