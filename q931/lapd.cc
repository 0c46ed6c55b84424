// Q.921 LAPD header decoding and encoding (address and control fields).
#include "q931/lapd.h"

#include <fmt/format.h>

namespace prid::q931 {
namespace {

// Q.921 3.4.3: bit 1 of each address octet is the EA bit (0: more follows).
constexpr std::uint8_t kEa = 0x01;
// Q.921 Table 5: the P/F bit in a U control octet.
constexpr std::uint8_t kUPollFinal = 0x10;

struct UnnumberedName {
  std::uint8_t control;  // without P/F
  std::string_view name;
};

// Q.921 Table 5 (5.8): the U frames LAPD defines.
constexpr UnnumberedName kUnnumbered[] = {
    {lapd::kSabme, "SABME"}, {lapd::kUa, "UA"}, {lapd::kDm, "DM"},   {lapd::kDisc, "DISC"},
    {lapd::kFrmr, "FRMR"},   {lapd::kUi, "UI"}, {lapd::kXid, "XID"},
};

}  // namespace

base::Result<LapdHeader> DecodeLapdHeader(std::span<const std::uint8_t> frame) {
  LapdHeader h;
  if (frame.empty()) return base::Fail("offset 0: empty frame");
  // Q.921 3.3.3 / 3.4: two address octets, EA 0 then EA 1.
  if (frame[0] & kEa) {
    return base::Fail(fmt::format(
        "offset 0: address field ends after one octet (EA bit 1 in 0x{:02x})", frame[0]));
  }
  if (frame.size() < 2) return base::Fail("offset 1: frame ends inside the address field");
  if (!(frame[1] & kEa)) {
    return base::Fail(
        fmt::format("offset 1: address field not terminated (EA bit 0 in 0x{:02x})", frame[1]));
  }
  h.sapi = frame[0] >> 2;
  h.command_response = (frame[0] & 0x02) != 0;
  h.tei = frame[1] >> 1;
  if (frame.size() < 3) return base::Fail("offset 2: frame ends before the control field");

  const std::uint8_t c0 = frame[2];
  if ((c0 & 0x01) == 0 || (c0 & 0x03) == 0x01) {
    // Q.921 3.5 / Table 4: I and S formats have a two-octet control field.
    if (frame.size() < 4) {
      return base::Fail(
          fmt::format("offset 3: frame ends inside the two-octet control field of {} frame",
                      (c0 & 0x01) == 0 ? "an I" : "an S"));
    }
    const std::uint8_t c1 = frame[3];
    h.nr = c1 >> 1;
    h.poll_final = (c1 & 0x01) != 0;
    h.length = 4;
    if ((c0 & 0x01) == 0) {
      h.format = LapdFormat::kInformation;
      h.ns = c0 >> 1;
      h.control = c0;
      return h;
    }
    // Q.921 Table 5: RR 0x01, RNR 0x05, REJ 0x09; bits 8-5 are 0. Anything
    // else is an undefined control field (5.8.5: a FRMR condition).
    if (c0 != lapd::kRr && c0 != lapd::kRnr && c0 != lapd::kRej) {
      return base::Fail(fmt::format("offset 2: undefined supervisory control field 0x{:02x}", c0));
    }
    h.format = LapdFormat::kSupervisory;
    h.control = c0;
    return h;
  }

  h.format = LapdFormat::kUnnumbered;
  h.poll_final = (c0 & kUPollFinal) != 0;
  h.control = c0 & static_cast<std::uint8_t>(~kUPollFinal);
  h.length = 3;
  for (const auto& u : kUnnumbered) {
    if (u.control == h.control) return h;
  }
  return base::Fail(fmt::format("offset 2: undefined unnumbered control field 0x{:02x}", c0));
}

std::string_view LapdFrameName(const LapdHeader& header) {
  switch (header.format) {
    case LapdFormat::kInformation:
      return "I";
    case LapdFormat::kSupervisory:
      switch (header.control) {
        case lapd::kRr:
          return "RR";
        case lapd::kRnr:
          return "RNR";
        case lapd::kRej:
          return "REJ";
      }
      return "S?";
    case LapdFormat::kUnnumbered:
      for (const auto& u : kUnnumbered) {
        if (u.control == header.control) return u.name;
      }
      return "U?";
  }
  return "?";
}

std::vector<std::uint8_t> EncodeLapdHeader(const LapdHeader& header) {
  std::vector<std::uint8_t> out;
  out.reserve(4);
  out.push_back(static_cast<std::uint8_t>(((header.sapi & 0x3F) << 2) |
                                          (header.command_response ? 0x02 : 0x00)));
  out.push_back(static_cast<std::uint8_t>(((header.tei & 0x7F) << 1) | kEa));
  const std::uint8_t pf = header.poll_final ? 1 : 0;
  switch (header.format) {
    case LapdFormat::kInformation:
      out.push_back(static_cast<std::uint8_t>((header.ns & 0x7F) << 1));
      out.push_back(static_cast<std::uint8_t>(((header.nr & 0x7F) << 1) | pf));
      break;
    case LapdFormat::kSupervisory:
      out.push_back(header.control);
      out.push_back(static_cast<std::uint8_t>(((header.nr & 0x7F) << 1) | pf));
      break;
    case LapdFormat::kUnnumbered:
      out.push_back(
          static_cast<std::uint8_t>((header.control & ~kUPollFinal) | (pf ? kUPollFinal : 0)));
      break;
  }
  return out;
}

LapdHeader MakeIFrame(std::uint8_t sapi, std::uint8_t tei, bool command_response, std::uint8_t ns,
                      std::uint8_t nr, bool poll) {
  LapdHeader h;
  h.sapi = sapi;
  h.tei = tei;
  h.command_response = command_response;
  h.format = LapdFormat::kInformation;
  h.ns = ns;
  h.nr = nr;
  h.poll_final = poll;
  h.control = static_cast<std::uint8_t>((ns & 0x7F) << 1);
  h.length = 4;
  return h;
}

LapdHeader MakeSFrame(std::uint8_t sapi, std::uint8_t tei, bool command_response,
                      std::uint8_t control, std::uint8_t nr, bool poll_final) {
  LapdHeader h;
  h.sapi = sapi;
  h.tei = tei;
  h.command_response = command_response;
  h.format = LapdFormat::kSupervisory;
  h.control = control;
  h.nr = nr;
  h.poll_final = poll_final;
  h.length = 4;
  return h;
}

LapdHeader MakeUFrame(std::uint8_t sapi, std::uint8_t tei, bool command_response,
                      std::uint8_t control, bool poll_final) {
  LapdHeader h;
  h.sapi = sapi;
  h.tei = tei;
  h.command_response = command_response;
  h.format = LapdFormat::kUnnumbered;
  h.control = control & static_cast<std::uint8_t>(~kUPollFinal);
  h.poll_final = poll_final;
  h.length = 3;
  return h;
}

std::optional<bool> LapdSentByNetwork(const LapdHeader& header) {
  // Q.921 3.3.2 Table 1: commands carry C/R 1 from the network and 0 from
  // the user; responses the opposite.
  std::optional<bool> command;
  switch (header.format) {
    case LapdFormat::kInformation:
      command = true;
      break;
    case LapdFormat::kSupervisory:
      break;  // RR/RNR/REJ are commands or responses
    case LapdFormat::kUnnumbered:
      if (header.control == lapd::kSabme || header.control == lapd::kDisc ||
          header.control == lapd::kUi) {
        command = true;
      } else if (header.control == lapd::kUa || header.control == lapd::kDm ||
                 header.control == lapd::kFrmr) {
        command = false;
      }
      break;
  }
  if (!command) return std::nullopt;
  return *command == header.command_response;
}

}  // namespace prid::q931
