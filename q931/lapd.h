// Q.921 LAPD frame header: address (SAPI, C/R, TEI) and control field
// (I, S and U formats). Frames here never carry the 2 FCS octets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace prid::q931 {

// Control field values (Q.921 Table 5). S frames: the first control octet;
// U frames: the control octet with the P/F bit (0x10) clear.
namespace lapd {
inline constexpr std::uint8_t kRr = 0x01;
inline constexpr std::uint8_t kRnr = 0x05;
inline constexpr std::uint8_t kRej = 0x09;
inline constexpr std::uint8_t kSabme = 0x6F;
inline constexpr std::uint8_t kUa = 0x63;
inline constexpr std::uint8_t kDm = 0x0F;
inline constexpr std::uint8_t kDisc = 0x43;
inline constexpr std::uint8_t kFrmr = 0x87;
inline constexpr std::uint8_t kUi = 0x03;
inline constexpr std::uint8_t kXid = 0xAF;
inline constexpr std::uint8_t kSapiCallControl = 0;  // Q.921 Table 2: SAPI 0, Q.931
inline constexpr std::uint8_t kSapiTeiManagement = 63;
}  // namespace lapd

enum class LapdFormat { kInformation, kSupervisory, kUnnumbered };

struct LapdHeader {
  std::uint8_t sapi = 0;
  std::uint8_t tei = 0;
  bool command_response = false;  // the C/R bit as sent
  LapdFormat format = LapdFormat::kUnnumbered;
  std::uint8_t ns = 0;             // I frames
  std::uint8_t nr = 0;             // I and S frames
  bool poll_final = false;
  std::uint8_t control = 0;        // S: the first control octet; U: the control octet without P/F
                                   // (I: the first control octet too, N(S) << 1)
  std::size_t length = 0;          // header octets (4 for I and S, 3 for U)
  bool operator==(const LapdHeader&) const = default;
};

// Errors name the offset and the reason ("offset 1: address field not
// terminated (EA bit 0)"). A control field Q.921 does not define (an S
// frame other than RR/RNR/REJ, an unknown U frame) is an error too, as it is
// for Q.921 itself (5.8.5: a FRMR condition). Octets after the header are
// not looked at.
base::Result<LapdHeader> DecodeLapdHeader(std::span<const std::uint8_t> frame);

// "I", "RR", "RNR", "REJ", "SABME", "UA", "DM", "DISC", "FRMR", "UI", "XID".
// Headers that DecodeLapdHeader refuses (undefined control fields) give
// "S?" / "U?".
std::string_view LapdFrameName(const LapdHeader& header);

// The address and control octets of `header` (4 for I and S frames, 3 for U
// frames; `length` is ignored). Uses sapi, tei, command_response, format,
// and ns/nr/poll_final (I), control/nr/poll_final (S), control/poll_final
// (U). DecodeLapdHeader(EncodeLapdHeader(h)) gives h back for every header
// it accepts.
std::vector<std::uint8_t> EncodeLapdHeader(const LapdHeader& header);

// Header builders for tests and trace writers; `length` is filled in.
LapdHeader MakeIFrame(std::uint8_t sapi, std::uint8_t tei, bool command_response, std::uint8_t ns,
                      std::uint8_t nr, bool poll = false);
// `control` is lapd::kRr, kRnr or kRej.
LapdHeader MakeSFrame(std::uint8_t sapi, std::uint8_t tei, bool command_response,
                      std::uint8_t control, std::uint8_t nr, bool poll_final = false);
// `control` is one of the U values of namespace lapd.
LapdHeader MakeUFrame(std::uint8_t sapi, std::uint8_t tei, bool command_response,
                      std::uint8_t control, bool poll_final = false);

// Which side sent the frame, from its C/R bit (Q.921 3.3.2 Table 1: commands
// carry C/R 1 from the network side, 0 from the user side; responses the
// opposite): true for the network side, false for the user side; nullopt
// when the frame type can be both a command and a response (RR, RNR, REJ,
// XID), so the C/R bit alone does not tell.
std::optional<bool> LapdSentByNetwork(const LapdHeader& header);

}  // namespace prid::q931
