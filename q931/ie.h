// Information elements decoded into named fields: typed decoders for the IEs
// prid acts on (cause, channel identification, party numbers, progress,
// bearer capability) and DescribeIes, which gives every IE of a message as a
// list of named fields for traces (text and JSON). Unknown IEs keep only
// their raw bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.h"
#include "q931/message.h"

namespace prid::q931 {

// Errors of the typed decoders name the offset of the faulty octet counted
// from the first octet of the IE contents, plus `base_offset` (so callers
// that know where the IE stands can give message offsets), and the reason.

// Cause (Q.931 4.5.12, Q.850 2.2).
struct Cause {
  std::uint8_t coding_standard = 0;            // 0 ITU-T, 1 ISO/IEC, 2 national, 3 network-specific
  std::uint8_t location = 0;                   // Q.850 Table 1/2
  std::optional<std::uint8_t> recommendation;  // octet 3a
  std::uint8_t value = 0;                      // 7 bits
  std::vector<std::uint8_t> diagnostics;
  std::uint8_t cause_class() const { return static_cast<std::uint8_t>(value >> 4); }
};
base::Result<Cause> DecodeCause(std::span<const std::uint8_t> contents,
                                std::size_t base_offset = 0);

// Channel identification (Q.931 4.5.13).
struct ChannelId {
  bool interface_id_present = false;
  bool primary_rate = false;  // interface type: 1 = other than basic
  bool exclusive = false;     // 1 = only the indicated channel is acceptable
  bool d_channel = false;
  std::uint8_t selection = 0;  // info channel selection, bits 2-1
  std::vector<std::uint8_t> interface_id;
  std::optional<std::uint8_t> coding_standard;  // octet 3.2
  bool slot_map = false;
  std::uint8_t channel_type = 0;       // 3 = B-channel units
  std::vector<std::uint8_t> channels;  // channel numbers (or slot map octets)
};
base::Result<ChannelId> DecodeChannelId(std::span<const std::uint8_t> contents,
                                        std::size_t base_offset = 0);

// Calling, called, connected, redirecting, redirection and original called
// party numbers (Q.931 4.5.8, 4.5.10; Q.951; Q.952).
struct PartyNumber {
  std::uint8_t type = 0;  // type of number
  std::uint8_t plan = 0;  // numbering plan
  std::optional<std::uint8_t> presentation;
  std::optional<std::uint8_t> screening;
  std::optional<std::uint8_t> reason;  // redirecting number octet 3b
  std::string digits;
};
// `id` tells which octets 3a/3b the IE may have.
base::Result<PartyNumber> DecodePartyNumber(std::uint8_t id, std::span<const std::uint8_t> contents,
                                            std::size_t base_offset = 0);

// Progress indicator (Q.931 4.5.23).
struct Progress {
  std::uint8_t coding_standard = 0;
  std::uint8_t location = 0;
  std::uint8_t description = 0;
};
base::Result<Progress> DecodeProgress(std::span<const std::uint8_t> contents,
                                      std::size_t base_offset = 0);

// Bearer capability and low layer compatibility (Q.931 4.5.5, 4.5.19):
// octets 3, 4 (4.1) and the layer 1/2/3 protocol octets; other octets of a
// group are kept raw.
struct BearerCapability {
  std::uint8_t coding_standard = 0;
  std::uint8_t transfer_capability = 0;
  std::uint8_t transfer_mode = 0;
  std::uint8_t transfer_rate = 0;
  std::optional<std::uint8_t> rate_multiplier;
  std::optional<std::uint8_t> layer1;
  std::optional<std::uint8_t> layer2;
  std::optional<std::uint8_t> layer3;
};
base::Result<BearerCapability> DecodeBearerCapability(std::span<const std::uint8_t> contents,
                                                      std::size_t base_offset = 0);

// A field value: a number or a text.
using IeValue = std::variant<std::int64_t, std::string>;
struct IeField {
  std::string name;  // snake case: "cause", "cause_name", "channels"
  IeValue value;
  bool operator==(const IeField&) const = default;
};

struct DescribedIe {
  std::size_t offset = 0;  // of the identifier octet in the message
  std::uint8_t codeset = 0;
  std::uint8_t id = 0;
  bool single_octet = false;
  std::string_view name;  // IeName(codeset, id)
  std::vector<std::uint8_t> contents;
  std::vector<IeField> fields;  // decoded so far
  // Set when the contents do not follow the IE's coding: "offset 14: Cause:
  // no cause value octet". The fields decoded before the fault are kept.
  std::optional<std::string> error;

  // The field's value, or nullptr.
  const IeValue* Find(std::string_view field) const;
};

// Every IE of `message` in wire order with its offset in EncodeMessage's
// bytes (the header: 3 + call reference length octets).
std::vector<DescribedIe> DescribeIes(const Message& message);

}  // namespace prid::q931
