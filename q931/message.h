// Q.931 message codec: header (protocol discriminator, call reference of any
// length with its flag, message type) and information elements kept in wire
// order as raw contents, so that Encode(Decode(x)) == x byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/expected.h"
#include "q931/user_user.h"

namespace prid::q931 {

inline constexpr std::uint8_t kPdQ931 = 0x08;

// Message types (Q.931 Table 4-2).
namespace msg {
inline constexpr std::uint8_t kAlerting = 0x01;
inline constexpr std::uint8_t kCallProceeding = 0x02;
inline constexpr std::uint8_t kProgress = 0x03;
inline constexpr std::uint8_t kSetup = 0x05;
inline constexpr std::uint8_t kConnect = 0x07;
inline constexpr std::uint8_t kSetupAcknowledge = 0x0D;
inline constexpr std::uint8_t kConnectAcknowledge = 0x0F;
inline constexpr std::uint8_t kUserInformation = 0x20;
inline constexpr std::uint8_t kHold = 0x24;
inline constexpr std::uint8_t kRetrieve = 0x31;
inline constexpr std::uint8_t kRestart = 0x46;
inline constexpr std::uint8_t kDisconnect = 0x45;
inline constexpr std::uint8_t kRelease = 0x4D;
inline constexpr std::uint8_t kRestartAcknowledge = 0x4E;
inline constexpr std::uint8_t kReleaseComplete = 0x5A;
inline constexpr std::uint8_t kFacility = 0x62;
inline constexpr std::uint8_t kNotify = 0x6E;
inline constexpr std::uint8_t kStatusEnquiry = 0x75;
inline constexpr std::uint8_t kInformation = 0x7B;
inline constexpr std::uint8_t kStatus = 0x7D;
}  // namespace msg

// Information element identifiers, codeset 0 (Q.931 Table 4-3).
namespace ie {
inline constexpr std::uint8_t kShift = 0x90;  // single-octet, low nibble: codeset (bit 3: non-locking)
inline constexpr std::uint8_t kSendingComplete = 0xA1;
inline constexpr std::uint8_t kBearerCapability = 0x04;
inline constexpr std::uint8_t kCause = 0x08;
inline constexpr std::uint8_t kCallState = 0x14;
inline constexpr std::uint8_t kChannelIdentification = 0x18;
inline constexpr std::uint8_t kProgressIndicator = 0x1E;
inline constexpr std::uint8_t kDisplay = 0x28;
inline constexpr std::uint8_t kCallingPartyNumber = 0x6C;
inline constexpr std::uint8_t kCalledPartyNumber = 0x70;
inline constexpr std::uint8_t kUserUser = 0x7E;
inline constexpr std::uint8_t kChangeStatus = 0x01;
inline constexpr std::uint8_t kConnectedNumber = 0x4C;
inline constexpr std::uint8_t kConnectedSubaddress = 0x4D;
inline constexpr std::uint8_t kFacility = 0x1C;
inline constexpr std::uint8_t kNotificationIndicator = 0x27;
inline constexpr std::uint8_t kDateTime = 0x29;
inline constexpr std::uint8_t kKeypadFacility = 0x2C;
inline constexpr std::uint8_t kSignal = 0x34;
inline constexpr std::uint8_t kCallingPartySubaddress = 0x6D;
inline constexpr std::uint8_t kCalledPartySubaddress = 0x71;
inline constexpr std::uint8_t kOriginalCalledNumber = 0x73;
inline constexpr std::uint8_t kRedirectingNumber = 0x74;
inline constexpr std::uint8_t kRedirectingSubaddress = 0x75;
inline constexpr std::uint8_t kRedirectionNumber = 0x76;
inline constexpr std::uint8_t kRedirectionSubaddress = 0x77;
inline constexpr std::uint8_t kRestartIndicator = 0x79;
inline constexpr std::uint8_t kLowLayerCompatibility = 0x7C;
inline constexpr std::uint8_t kHighLayerCompatibility = 0x7D;
}  // namespace ie

struct CallReference {
  std::uint8_t length = 2;   // octets of call reference value (0 = dummy)
  std::uint32_t value = 0;   // without the flag
  bool flag = false;         // 1: the message is sent to the originating side
  bool operator==(const CallReference&) const = default;
};

struct InformationElement {
  std::uint8_t codeset = 0;   // the codeset active where it stands
  std::uint8_t id = 0;        // identifier octet (for single-octet IEs: the whole octet)
  bool single_octet = false;  // bit 8 set: no length, no contents
  std::vector<std::uint8_t> contents;  // octets after the length
};

struct Message {
  std::uint8_t protocol_discriminator = kPdQ931;
  CallReference call_reference;
  std::uint8_t message_type = 0;
  // Every IE in wire order, shift IEs included (they are single-octet IEs).
  std::vector<InformationElement> ies;
};

// The part of a message before its IEs.
struct MessageHead {
  std::uint8_t protocol_discriminator = kPdQ931;
  CallReference call_reference;
  std::uint8_t message_type = 0;
  std::size_t ies_offset = 0;  // where the first IE starts
};
// DecodeMessage's first steps, with its errors, and no IE parsed: for
// whoever needs only whose message it is, on every frame of the line.
base::Result<MessageHead> DecodeMessageHead(std::span<const std::uint8_t> bytes);

// Errors name the offset and the reason ("offset 9: IE 0x7e length 40 runs
// past the end (31 octets left)").
// Refused: an unknown protocol discriminator, spare bits set in the call
// reference length octet, a call reference longer than 4 octets, bit 8 set
// in the message type, anything cut short. Each IE's `codeset` is the one in
// force where it stands (Q.931 4.5.3 locking / 4.5.4 non-locking shift).
base::Result<Message> DecodeMessage(std::span<const std::uint8_t> bytes);
// EncodeMessage(*DecodeMessage(x)) == x for every x DecodeMessage accepts.
// Shift IEs are written as they stand in `ies` (the `codeset` fields are not
// consulted). A call reference `length` above 4 is written as 4; `value`
// bits that do not fit are dropped. IE contents longer than 255 octets
// cannot be encoded (one length octet) and are cut to 255.
std::vector<std::uint8_t> EncodeMessage(const Message& message);

// The first IE with this identifier in codeset 0, or nullptr.
const InformationElement* FindIe(const Message& message, std::uint8_t id);

// The User-user IE (codeset 0), if present and at least one octet long.
std::optional<UserUser> GetUserUser(const Message& message);
// Replaces the codeset-0 User-user IE, or inserts it where Q.931's ascending
// order puts it (before any codeset-0 IE with a higher identifier and before
// any locking shift).
// Details: the codeset for ordering is tracked from the shift IEs in `ies`;
// single-octet IEs (Sending complete 0xA1, Repeat indicator 0xDx, …) never
// decide the place, because the message tables put them out of identifier
// order (Sending complete first in SETUP, Repeat indicator just before the
// IE it repeats); a non-locking shift is never separated from the IE it
// shifts; with nothing to stop at, the IE goes at the end. Info longer than
// 254 octets does not fit the one-octet length (see EncodeMessage).
void SetUserUser(Message& message, const UserUser& uui);

// The cause value (7 bits) of the first Cause IE, if any. The value octet
// follows octet 3 and its extension octet 3a (present when bit 8 of octet 3
// is 0), Q.931 4.5.12.
std::optional<std::uint8_t> GetCauseValue(const Message& message);
// Sets the first Cause IE's value octet; false when there is no Cause IE.
// Bit 8 (ext) of the value octet is kept; a Cause IE too short to hold a
// value octet also gives false (and nullopt from GetCauseValue).
bool SetCauseValue(Message& message, std::uint8_t cause);

}  // namespace prid::q931
