// libpri's constants for prid's configuration enums (node type, switch
// variant, bearer, layer 1) and back, and what each variant can carry.
#pragma once

#include <optional>

#include "daemon/config/config.h"
#include "daemon/session/call.h"

namespace prid::daemon {

// The B-channel of a libpri channel value (its low octet; 0 for none).
int ChannelOf(int libpri_channel);
// libpri's channel value for B-channel `channel` of NFAS interface
// `interface`: the Channel identification IE names the interface
// explicitly (Interface identifier, Q.931 4.5.13).
int LibpriChannelOnInterface(int channel, int interface);
// The interface a received channel value names explicitly; nullopt when it
// names none (the interface of the D-channel it came on, Q.931 4.5.13) or
// is libpri's "every channel" (-1).
std::optional<int> InterfaceOf(int libpri_channel);

// libpri's constants for our config enums.
int LibpriNodeType(NodeType node);
int LibpriSwitchType(SwitchVariant variant);
int LibpriTransferCapability(Bearer bearer);
int LibpriLayer1(SwitchVariant variant);
// Q.932 call hold (Q.931 HOLD / RETRIEVE) exists on the ETSI and QSIG
// variants; the North American PRI variants have no such messages.
bool VariantHasHold(SwitchVariant variant);
// Call rerouting / deflection (call.redirect): libpri 1.6 encodes it only
// for euroisdn (ETSI CallRerouting, CallDeflection) and qsig (Q.SIG
// CallRerouting); pri_reroute_call refuses every other switch type.
bool VariantHasReroute(SwitchVariant variant);
// Explicit call transfer (call.transfer): libpri 1.6 sends ETSI ECT on
// euroisdn; a service the network gives its user, so prid asks for it
// from the user side (`node`) alone.
bool VariantHasTransfer(SwitchVariant variant, NodeType node);
// libpri 1.6 sends a Display IE (a calling or connected name, display
// text) from a `sender` of this variant: not on qsig (a name there is a
// Q.SIG facility), not from euroisdn's user side (ETSI EN 300 403 has no
// Display IE from the user; libpri's default display options block it).
bool VariantSendsDisplay(SwitchVariant variant, NodeType sender);
// PRI_EVENT_HOLD … PRI_EVENT_RETRIEVE_REJ: the near and far ends both route
// these to their own hold handling.
bool IsHoldEvent(int event);
Bearer BearerFromLibpri(int transfer_capability);

}  // namespace prid::daemon
