// One trace record decoded for display: the LAPD header, the Q.931 message
// with its IEs in named fields, or the error that stopped the decoding, and
// the readable block `prictl decode` / `prictl trace` print (in the spirit
// of libpri's `pri set debug`: direction, call reference, every IE).
#pragma once

#include <optional>
#include <string>

#include "q931/frame.h"
#include "q931/ie.h"
#include "q931/trace_record.h"

namespace prid::q931 {

struct DecodedRecord {
  std::optional<LapdHeader> lapd;  // unset for bare Q.931 records
  std::optional<Message> q931;
  std::vector<DescribedIe> ies;  // of `q931`
  // "offset 12: IE 0x7e length 40 runs past the end (31 octets left)";
  // offsets count from the first octet of the record's frame.
  std::optional<std::string> error;
  // Sent by the network side: from the LAPD C/R bit where the frame type
  // tells, else from the record's sent_by_network; nullopt otherwise.
  std::optional<bool> from_network;
};

// Never fails: a broken frame gives `error`.
DecodedRecord DecodeRecord(const TraceRecord& record);

// "rx", "tx" or "--".
std::string_view DirectionTag(const TraceRecord& record);

// The readable block, ending in a newline.
std::string FormatRecordText(const TraceRecord& record, const DecodedRecord& decoded);

// "08 02 00 01 05".
std::string SpacedHex(std::span<const std::uint8_t> bytes);

}  // namespace prid::q931
