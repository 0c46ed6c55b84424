// Frame-level ownership of the User-user IE. libpri 1.6 truncates UUI to 35
// octets, forces discriminator 4, drops other discriminators and stops at
// NUL, so prid never hands UUI to libpri: it rewrites the Q.931 messages
// libpri sends (setting the UUIE, the cause where a clearing path needs
// another cause than the one libpri was asked for, and the Progress
// indicators of a PROGRESS, where libpri can only say "in-band
// information") and reads the whole UUIE of every message received.
//
// Calls are keyed by libpri's call reference (`cref` in its events): the
// call reference value as the far end sends it, with bit 15 set when the
// call was originated by us.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "q931/message.h"
#include "q931/user_user.h"

namespace prid::q931 {

inline constexpr int kCrefOriginatedByUs = 0x8000;

// libpri's cref of the call a message on the wire belongs to: the value
// with the flag as the far end would send it (we send with the flag inverted
// from our sense).
int CrefOnWire(const CallReference& cr, bool sent_by_us);
inline constexpr std::size_t kMaxReceived = 1024;

struct MessageOverride {
  std::optional<UserUser> uui;
  std::optional<std::uint8_t> cause;
  // Not empty: the message's Progress indicators are replaced by one per
  // description (Q.931 4.5.23), in this order, keeping the coding standard
  // and location of the first one libpri wrote.
  std::vector<std::uint8_t> progress = {};
  // An INFORMATION with a Called party number (overlap sending): its
  // digits become these (octet 3 as libpri wrote it), and a Sending
  // complete IE goes first when `sending_complete` (Q.931 5.1.3). An
  // INFORMATION without a Called party number is left alone.
  std::optional<std::string> called_digits = std::nullopt;
  bool sending_complete = false;
};

class UuiRewriter {
 public:
  // The next SETUP/CONNECT/ALERTING/PROGRESS we send for `cref` carries `change`.
  // Every transmission of that message type (retransmissions included)
  // comes out the same until the call is forgotten.
  void SetForMessage(int cref, std::uint8_t message_type, MessageOverride change);

  // The first clearing message we send for `cref` (DISCONNECT, RELEASE or
  // RELEASE COMPLETE, whichever libpri picks) carries `change`; the override
  // then sticks to that message type, so a later RELEASE COMPLETE of the
  // same call goes out as libpri wrote it.
  void SetForClearing(int cref, MessageOverride change);

  // For a SETUP whose call reference is not known yet: the next SETUP sent
  // with no override of its own takes this one.
  void SetForNextSetup(MessageOverride change);
  // After pri_setup returned: binds a still-pending SETUP override to `cref`
  // (the frame was queued, e.g. the link was not up).
  void BindPendingSetup(int cref);

  // The call is gone from libpri. Its overrides are kept a little longer
  // (a bounded number of calls) so that LAPD retransmissions still match.
  void ForgetCall(int cref);

  // Write path: the rewritten frame, or nullopt to send it as it is.
  std::optional<std::vector<std::uint8_t>> RewriteOutgoing(std::span<const std::uint8_t> frame);

  // Read path: records the UUIE (or its absence) of a received message.
  // At most kMaxReceived calls' UUIEs wait to be taken.
  void NoteIncoming(std::span<const std::uint8_t> frame);
  // The UUIE of the last message received for `cref`, once.
  std::optional<UserUser> TakeReceived(int cref);

  std::size_t live_calls() const { return calls_.size(); }
  std::size_t received_waiting() const { return received_.size(); }

 private:
  struct CallOverrides {
    std::map<std::uint8_t, MessageOverride> by_message;
    std::optional<MessageOverride> clearing;  // not yet bound to a message type
  };
  CallOverrides* Find(int cref);
  void DropRetired(int cref);

  std::map<int, CallOverrides> calls_;
  std::deque<std::pair<int, CallOverrides>> retired_;
  std::optional<MessageOverride> next_setup_;
  // UUIEs received and not yet taken. Bounded: the far end chooses the
  // call references, and a faulty one must not make it grow.
  std::map<int, UserUser> received_;
};

}  // namespace prid::q931
