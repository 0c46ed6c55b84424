// Counters of one span's D-channel, taken from the frames themselves (the
// span's frame tap, docs/design.md "Traces"): frames and octets each way,
// Q.921 frames by type, Q.931 messages by type, T200 retransmissions and
// data link (re)establishments. Each frame costs a header decode and a few
// integer increments: nothing is allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "base/time_format.h"
#include "q931/pcap_writer.h"

namespace prid::daemon {

// Q.921 frame types as counted (Q.921 Table 5); kOther: a frame
// DecodeLapdHeader refuses (short, bad address, undefined control field).
enum class Q921Type { kI, kRr, kRnr, kRej, kSabme, kDisc, kUa, kDm, kFrmr, kUi, kXid, kOther };
inline constexpr std::size_t kQ921Types = 12;
// "I", "RR", "RNR", "REJ", "SABME", "DISC", "UA", "DM", "FRMR", "UI", "XID", "other".
std::string_view Q921TypeName(Q921Type type);
// The type of a frame without its FCS.
Q921Type ClassifyQ921(std::span<const std::uint8_t> frame);

// The Q.931 message type octet of a frame carrying Q.931 (an I or UI frame
// on SAPI 0 whose information field starts with protocol discriminator
// 0x08, a call reference and a message type); nullopt for anything else.
std::optional<std::uint8_t> Q931MessageType(std::span<const std::uint8_t> frame);
// The JSON key of a Q.931 message type: Q.931's name with '_' for ' '
// ("CALL_PROCEEDING"); "other" for a type Q.931 does not name.
std::string_view Q931MessageKey(std::uint8_t message_type);

// The data link's state as `prictl span` shows it (Q.921 5.5 names): up
// once libpri reports the D-channel up; otherwise awaiting establishment
// while a SABME of ours waits for its UA, else TEI assigned (no link, e.g.
// no far end on the socket or the card in alarm).
enum class Q921State { kTeiAssigned, kAwaitingEstablishment, kMultipleFrameEstablished };
// "tei_assigned", "awaiting_establishment", "multiple_frame_established".
std::string_view Q921StateName(Q921State state);

struct DirectionCounts {
  std::uint64_t frames = 0;
  std::uint64_t octets = 0;  // without the 2 FCS octets
  std::array<std::uint64_t, kQ921Types> q921{};
  std::array<std::uint64_t, 256> q931{};  // by message type octet
};

class LinkCounters {
 public:
  // One frame (without FCS) that crossed the link; `now` is asked for only
  // when the frame completes a link establishment.
  template <typename Clock>
  void Frame(q931::FrameDirection direction, std::span<const std::uint8_t> frame, Clock&& now) {
    if (Count(direction, frame)) last_establishment_ = now();
  }

  const DirectionCounts& in() const { return in_; }
  const DirectionCounts& out() const { return out_; }
  // Outgoing I frames whose N(S) repeats one sent and not yet acknowledged
  // (N(S) in [V(A), V(S)): after T200 expired or the far end's REJ), and
  // SABMEs sent again before a UA or DM answered the one before (T200
  // while awaiting establishment; a DM either way ends the wait).
  std::uint64_t t200_retransmissions() const { return retransmissions_; }
  // Data link (re)establishments: a UA, sent or received, answering a SABME
  // (either side's; a SABME collision counts once).
  std::uint64_t link_resets() const { return link_resets_; }
  // When the link was last (re)established; nullopt: not since the daemon
  // started. Kept across Reset(): it is the link's age, not a count.
  std::optional<base::WallTime> last_establishment() const { return last_establishment_; }

  // `dchannel_up`: libpri's word that the link is established (the frames
  // alone cannot tell a link whose far end went away).
  Q921State State(bool dchannel_up) const {
    if (dchannel_up) return Q921State::kMultipleFrameEstablished;
    return our_sabme_pending_ ? Q921State::kAwaitingEstablishment : Q921State::kTeiAssigned;
  }

  // Zeroes the counts; the sequence state and the last establishment stay.
  void Reset();

 private:
  // Counts the frame; true when it completes an establishment.
  bool Count(q931::FrameDirection direction, std::span<const std::uint8_t> frame);
  void Established();

  DirectionCounts in_;
  DirectionCounts out_;
  std::uint64_t retransmissions_ = 0;
  std::uint64_t link_resets_ = 0;
  std::optional<base::WallTime> last_establishment_;
  // Q.921 3.5.2 state variables (mod 128) as the frames show them.
  std::uint8_t vs_ = 0;  // our next new N(S)
  std::uint8_t va_ = 0;  // our oldest unacknowledged N(S): the far end's last N(R)
  std::uint8_t vr_ = 0;  // the far end's next new N(S)
  bool sabme_pending_ = false;      // a SABME (either side's) not yet answered
  bool our_sabme_pending_ = false;  // ours, not yet answered by UA or DM
};

}  // namespace prid::daemon
